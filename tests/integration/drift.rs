//! `migrate diff` and `status --drift` (issue 17) against real databases: each kind of
//! change made by hand on a deployed "twin", diffed from the migrations in both directions,
//! with Prisma's summaries of transcripts §9.7 where Prisma's output was recorded
//! (PostgreSQL; the "add column" case on SQLite and MariaDB) and the schema engine's rules
//! elsewhere.

#[cfg(feature = "mysql")]
use crate::providers::Mysql;
use crate::providers::{Backend, Postgres, Sqlite};
use crate::support::cmd::run;
use crate::support::wait::wait_until;
use crate::support::{Project, TestDb};

pub(crate) const PG_INIT: &str = "-- CreateEnum\nCREATE TYPE \"Role\" AS ENUM ('USER', 'ADMIN');\n\n-- CreateTable\nCREATE TABLE \"User\" (\n    \"id\" SERIAL NOT NULL,\n    \"email\" TEXT NOT NULL,\n    \"name\" TEXT NOT NULL,\n    \"age\" INTEGER NOT NULL DEFAULT 0,\n    \"role\" \"Role\" NOT NULL DEFAULT 'USER',\n\n    CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\")\n);\n\n-- CreateIndex\nCREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");\n";
pub(crate) const PG_POST: &str = "-- CreateTable\nCREATE TABLE \"Post\" (\n    \"id\" SERIAL NOT NULL,\n    \"title\" TEXT NOT NULL,\n    \"authorId\" INTEGER NOT NULL,\n    \"reviewerId\" INTEGER,\n\n    CONSTRAINT \"Post_pkey\" PRIMARY KEY (\"id\")\n);\n\n-- CreateIndex\nCREATE INDEX \"Post_title_idx\" ON \"Post\"(\"title\");\n\n-- AddForeignKey\nALTER TABLE \"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"User\"(\"id\") ON DELETE RESTRICT ON UPDATE CASCADE;\n";

pub(crate) const SQLITE_INIT: &str = "CREATE TABLE \"User\" (\"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \"email\" TEXT NOT NULL, \"name\" TEXT NOT NULL, \"age\" INTEGER NOT NULL DEFAULT 0);\nCREATE UNIQUE INDEX \"User_email_key\" ON \"User\"(\"email\");\n";
pub(crate) const SQLITE_POST: &str = "CREATE TABLE \"Post\" (\"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \"title\" TEXT NOT NULL, \"authorId\" INTEGER NOT NULL, \"reviewerId\" INTEGER, CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"User\" (\"id\") ON DELETE RESTRICT ON UPDATE CASCADE);\nCREATE INDEX \"Post_title_idx\" ON \"Post\"(\"title\");\n";

#[cfg(feature = "mysql")]
pub(crate) const MYSQL_INIT: &str = "CREATE TABLE `User` (`id` INTEGER NOT NULL AUTO_INCREMENT, `email` VARCHAR(191) NOT NULL, `name` VARCHAR(191) NOT NULL, `age` INTEGER NOT NULL DEFAULT 0, `role` ENUM('USER', 'ADMIN') NOT NULL DEFAULT 'USER', UNIQUE INDEX `User_email_key`(`email`), PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n";
#[cfg(feature = "mysql")]
pub(crate) const MYSQL_POST: &str = "CREATE TABLE `Post` (`id` INTEGER NOT NULL AUTO_INCREMENT, `title` VARCHAR(191) NOT NULL, `authorId` INTEGER NOT NULL, `reviewerId` INTEGER NULL, INDEX `Post_title_idx`(`title`), PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\nALTER TABLE `Post` ADD CONSTRAINT `Post_authorId_fkey` FOREIGN KEY (`authorId`) REFERENCES `User`(`id`) ON DELETE RESTRICT ON UPDATE CASCADE;\n";

/// (name, SQL run on the twin, summary from the migrations to the twin, summary back).
type Case = (&'static str, &'static str, &'static str, &'static str);

/// A provider's two migrations: the enum and `User`, then `Post` with its foreign key.
pub(crate) trait Twin: Backend {
    const TWIN_INIT: &'static str;
    const TWIN_POST: &'static str;
}

impl Twin for Postgres {
    const TWIN_INIT: &'static str = PG_INIT;
    const TWIN_POST: &'static str = PG_POST;
}

impl Twin for Sqlite {
    const TWIN_INIT: &'static str = SQLITE_INIT;
    const TWIN_POST: &'static str = SQLITE_POST;
}

#[cfg(feature = "mysql")]
impl Twin for Mysql {
    const TWIN_INIT: &'static str = MYSQL_INIT;
    const TWIN_POST: &'static str = MYSQL_POST;
}

pub(crate) fn project<B: Twin>() -> Project {
    let p = Project::new();
    p.write(
        "prisma/schema.prisma",
        format!(
            "datasource db {{\n  provider = \"{}\"\n  url      = env(\"DATABASE_URL\")\n}}\n",
            B::PROVIDER
        ),
    );
    p.write(
        "prisma/migrations/migration_lock.toml",
        format!("provider = \"{}\"\n", B::PROVIDER),
    );
    p.migration("20240101000000_init", B::TWIN_INIT);
    p.migration("20240102000000_post", B::TWIN_POST);
    p
}

/// The project, deployed to `url`.
pub(crate) fn deployed<B: Twin>(url: &str) -> Project {
    let p = project::<B>();
    run(&p, url, &["migrate", "deploy"]).success();
    p
}

pub(crate) const NO_DIFFERENCE: &str = "No difference detected.\n\n";

/// The arguments of the drift check: the migrations against `to`, with `--exit-code`.
pub(crate) fn to_url(to: &str) -> [&str; 5] {
    [
        "--from-migrations",
        "prisma/migrations",
        "--to-url",
        to,
        "--exit-code",
    ]
}

/// `migrate diff` from the migrations to the project's own database.
pub(crate) fn check(p: &Project, url: &str) -> crate::support::cmd::Output {
    diff(p, url, &to_url(url))
}

/// The drift check's arguments with a given shadow database.
pub(crate) fn with_shadow(to: &str, shadow: &str) -> Vec<String> {
    [
        "--from-migrations",
        "prisma/migrations",
        "--to-url",
        to,
        "--shadow-database-url",
        shadow,
        "--exit-code",
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .collect()
}

pub(crate) fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The drift check of the project's own database, replayed into `shadow`.
pub(crate) fn diff_with_shadow(
    p: &Project,
    url: &str,
    shadow: &str,
) -> crate::support::cmd::Output {
    diff(p, url, &refs(&with_shadow(url, shadow)))
}

/// `migrate status --drift --exit-code detailed`.
pub(crate) fn status_drift(p: &Project, url: &str) -> crate::support::cmd::Output {
    run(
        p,
        url,
        &["migrate", "status", "--drift", "--exit-code", "detailed"],
    )
}

/// The drift check found nothing.
#[track_caller]
pub(crate) fn assert_no_difference(out: &crate::support::cmd::Output) {
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, NO_DIFFERENCE),
        "{out:#?}"
    );
}

pub(crate) fn diff(p: &Project, url: &str, args: &[&str]) -> crate::support::cmd::Output {
    let mut all = vec!["migrate", "diff"];
    all.extend_from_slice(args);
    run(p, url, &all)
}

/// stderr without the notes of a sweep: another test's orphaned temporary shadows, aged on
/// purpose (drift_shadow.rs), may be dropped by any run.
pub(crate) fn without_sweep_notes(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| !l.starts_with("prismig: dropped the temporary shadow database "))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Each case on a fresh twin: the change, then both directions with `--exit-code`.
fn check_cases<B: Twin>(cases: &[Case]) {
    let p = project::<B>();
    for (i, (name, sql, forward, backward)) in cases.iter().enumerate() {
        let db = B::create(&format!("drift_{name}"));
        let url = db.url();
        run(&p, &url, &["migrate", "deploy"]).success();
        if i > 0 {
            // One clean comparison per list is enough; each costs a shadow database.
        } else {
            let clean = check(&p, &url);
            assert_eq!(
                (clean.code, clean.stdout.as_str()),
                (0, NO_DIFFERENCE),
                "{name}: before the change\n{clean:#?}"
            );
        }
        db.exec(sql);
        let out = check(&p, &url);
        assert_eq!(
            (
                out.code,
                out.stdout.as_str(),
                without_sweep_notes(&out.stderr).as_str()
            ),
            (2, *forward, ""),
            "{name}: migrations → database"
        );
        let back = diff(
            &p,
            &url,
            &[
                "--from-url",
                &url,
                "--to-migrations",
                "prisma/migrations",
                "--exit-code",
            ],
        );
        assert_eq!(
            (back.code, back.stdout.as_str()),
            (2, *backward),
            "{name}: database → migrations"
        );
    }
}

const PG_CASES: &[Case] = &[
    ("add_table", "CREATE TABLE \"Tag\" (\"id\" INTEGER PRIMARY KEY, \"label\" TEXT NOT NULL);",
     "\n[+] Added tables\n  - Tag\n", "\n[-] Removed tables\n  - Tag\n"),
    ("drop_table", "DROP TABLE \"Post\";",
     "\n[-] Removed tables\n  - Post\n\n[*] Changed the `Post` table\n  [-] Removed foreign key on columns (authorId)\n",
     "\n[+] Added tables\n  - Post\n\n[*] Changed the `Post` table\n  [+] Added index on columns (title)\n  [+] Added foreign key on columns (authorId)\n"),
    ("add_column", "ALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;",
     "\n[*] Changed the `User` table\n  [+] Added column `bio`\n", "\n[*] Changed the `User` table\n  [-] Removed column `bio`\n"),
    ("drop_column", "ALTER TABLE \"User\" DROP COLUMN \"age\";",
     "\n[*] Changed the `User` table\n  [-] Removed column `age`\n", "\n[*] Changed the `User` table\n  [+] Added column `age`\n"),
    ("column_type", "ALTER TABLE \"User\" ALTER COLUMN \"age\" TYPE BIGINT;",
     "\n[*] Changed the `User` table\n  [*] Altered column `age` (type changed)\n", "\n[*] Changed the `User` table\n  [*] Altered column `age` (type changed)\n"),
    ("nullable", "ALTER TABLE \"User\" ALTER COLUMN \"name\" DROP NOT NULL;",
     "\n[*] Changed the `User` table\n  [*] Altered column `name` (changed from Required to Nullable)\n",
     "\n[*] Changed the `User` table\n  [*] Altered column `name` (changed from Nullable to Required)\n"),
    ("default", "ALTER TABLE \"User\" ALTER COLUMN \"age\" SET DEFAULT 18;",
     "\n[*] Changed the `User` table\n  [*] Altered column `age` (default changed from `Some(Value(Int(0)))` to `Some(Value(Int(18)))`)\n",
     "\n[*] Changed the `User` table\n  [*] Altered column `age` (default changed from `Some(Value(Int(18)))` to `Some(Value(Int(0)))`)\n"),
    ("add_index", "CREATE INDEX \"User_name_idx\" ON \"User\"(\"name\");",
     "\n[*] Changed the `User` table\n  [+] Added index on columns (name)\n", "\n[*] Changed the `User` table\n  [-] Removed index on columns (name)\n"),
    ("drop_index", "DROP INDEX \"Post_title_idx\";",
     "\n[*] Changed the `Post` table\n  [-] Removed index on columns (title)\n", "\n[*] Changed the `Post` table\n  [+] Added index on columns (title)\n"),
    ("add_unique", "ALTER TABLE \"Post\" ADD CONSTRAINT \"Post_title_key\" UNIQUE (\"title\");",
     "\n[*] Changed the `Post` table\n  [+] Added unique index on columns (title)\n", "\n[*] Changed the `Post` table\n  [-] Removed unique index on columns (title)\n"),
    ("add_fk", "ALTER TABLE \"Post\" ADD CONSTRAINT \"Post_reviewerId_fkey\" FOREIGN KEY (\"reviewerId\") REFERENCES \"User\"(\"id\") ON DELETE SET NULL ON UPDATE CASCADE;",
     "\n[*] Changed the `Post` table\n  [+] Added foreign key on columns (reviewerId)\n", "\n[*] Changed the `Post` table\n  [-] Removed foreign key on columns (reviewerId)\n"),
    ("drop_fk", "ALTER TABLE \"Post\" DROP CONSTRAINT \"Post_authorId_fkey\";",
     "\n[*] Changed the `Post` table\n  [-] Removed foreign key on columns (authorId)\n", "\n[*] Changed the `Post` table\n  [+] Added foreign key on columns (authorId)\n"),
    ("add_enum", "CREATE TYPE \"Status\" AS ENUM ('DRAFT', 'PUBLISHED');",
     "\n[+] Added enums\n  - Status\n", "\n[-] Removed enums\n  - Status\n"),
    ("enum_value", "ALTER TYPE \"Role\" ADD VALUE 'GUEST';",
     "\n[*] Changed the `Role` enum\n  [+] Added variant `GUEST`\n", "\n[*] Changed the `Role` enum\n  [-] Removed variant `GUEST`\n"),
    ("primary_key", "ALTER TABLE \"Post\" DROP CONSTRAINT \"Post_pkey\"; ALTER TABLE \"Post\" ADD CONSTRAINT \"Post_pkey\" PRIMARY KEY (\"id\", \"authorId\");",
     "\n[*] Changed the `Post` table\n  [-] Dropped the primary key on columns (id)\n  [+] Added primary key on columns (id, authorId)\n)\n",
     "\n[*] Changed the `Post` table\n  [-] Dropped the primary key on columns (id, authorId)\n  [+] Added primary key on columns (id)\n)\n"),
    ("several", "DROP TABLE \"Post\"; CREATE TABLE \"Tag\" (\"id\" INTEGER PRIMARY KEY); CREATE TYPE \"Status\" AS ENUM ('DRAFT'); ALTER TABLE \"User\" DROP COLUMN \"role\"; DROP TYPE \"Role\"; ALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT, ALTER COLUMN \"name\" DROP NOT NULL, ADD COLUMN \"status\" \"Status\"; CREATE INDEX \"User_name_idx\" ON \"User\"(\"name\");",
     "\n[+] Added enums\n  - Status\n\n[+] Added tables\n  - Tag\n\n[-] Removed enums\n  - Role\n\n[-] Removed tables\n  - Post\n\n[*] Changed the `Post` table\n  [-] Removed foreign key on columns (authorId)\n\n[*] Changed the `User` table\n  [-] Removed column `role`\n  [+] Added column `bio`\n  [+] Added column `status`\n  [*] Altered column `name` (changed from Required to Nullable)\n  [+] Added index on columns (name)\n",
     "\n[+] Added enums\n  - Role\n\n[+] Added tables\n  - Post\n\n[-] Removed enums\n  - Status\n\n[-] Removed tables\n  - Tag\n\n[*] Changed the `Post` table\n  [+] Added index on columns (title)\n  [+] Added foreign key on columns (authorId)\n\n[*] Changed the `User` table\n  [-] Removed index on columns (name)\n  [-] Removed column `bio`\n  [-] Removed column `status`\n  [+] Added column `role`\n  [*] Altered column `name` (changed from Nullable to Required)\n"),
];

// §9.7: every recorded case, both ways.
#[test]
fn postgres_tables_and_columns_both_ways() {
    check_cases::<Postgres>(&PG_CASES[..4]);
}

#[test]
fn postgres_column_changes_both_ways() {
    check_cases::<Postgres>(&PG_CASES[4..7]);
}

#[test]
fn postgres_indexes_and_foreign_keys_both_ways() {
    check_cases::<Postgres>(&PG_CASES[7..12]);
}

#[test]
fn postgres_enums_primary_keys_and_several_both_ways() {
    check_cases::<Postgres>(&PG_CASES[12..]);
}

#[test]
fn sqlite_change_kinds_both_ways() {
    check_cases::<Sqlite>(&[
        ("add_table", "CREATE TABLE \"Tag\" (\"id\" INTEGER PRIMARY KEY, \"label\" TEXT NOT NULL);",
         "\n[+] Added tables\n  - Tag\n", "\n[-] Removed tables\n  - Tag\n"),
        ("drop_table", "DROP TABLE \"Post\";",
         "\n[-] Removed tables\n  - Post\n", "\n[+] Added tables\n  - Post\n\n[*] Changed the `Post` table\n  [+] Added index on columns (title)\n"),
        // §9.7 "the add column case on SQLite"; dropping a column redefines the table.
        ("add_column", "ALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;",
         "\n[*] Changed the `User` table\n  [+] Added column `bio`\n", "\n[*] Redefined table `User`\n"),
        ("drop_column", "ALTER TABLE \"User\" DROP COLUMN \"age\";",
         "\n[*] Redefined table `User`\n", "\n[*] Redefined table `User`\n"),
        ("add_index", "CREATE INDEX \"User_name_idx\" ON \"User\"(\"name\");",
         "\n[*] Changed the `User` table\n  [+] Added index on columns (name)\n", "\n[*] Changed the `User` table\n  [-] Removed index on columns (name)\n"),
        ("drop_index", "DROP INDEX \"Post_title_idx\";",
         "\n[*] Changed the `Post` table\n  [-] Removed index on columns (title)\n", "\n[*] Changed the `Post` table\n  [+] Added index on columns (title)\n"),
        ("add_unique", "CREATE UNIQUE INDEX \"Post_title_key\" ON \"Post\"(\"title\");",
         "\n[*] Changed the `Post` table\n  [+] Added unique index on columns (title)\n", "\n[*] Changed the `Post` table\n  [-] Removed unique index on columns (title)\n"),
        // A column's type, nullability or default, a foreign key or the primary key: SQLite
        // rebuilds the table, and the summary names it.
        ("rebuilt", "PRAGMA foreign_keys=OFF; CREATE TABLE \"new_Post\" (\"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \"title\" TEXT, \"authorId\" INTEGER NOT NULL, \"reviewerId\" INTEGER); INSERT INTO \"new_Post\" SELECT * FROM \"Post\"; DROP TABLE \"Post\"; ALTER TABLE \"new_Post\" RENAME TO \"Post\"; CREATE INDEX \"Post_title_idx\" ON \"Post\"(\"title\");",
         "\n[*] Redefined table `Post`\n", "\n[*] Redefined table `Post`\n"),
    ]);
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_change_kinds_both_ways() {
    check_cases::<Mysql>(&[
        ("add_table", "CREATE TABLE `Tag` (`id` INTEGER PRIMARY KEY, `label` TEXT NOT NULL);",
         "\n[+] Added tables\n  - Tag\n", "\n[-] Removed tables\n  - Tag\n"),
        ("drop_table", "DROP TABLE `Post`;",
         "\n[-] Removed tables\n  - Post\n\n[*] Changed the `Post` table\n  [-] Removed foreign key on columns (authorId)\n",
         "\n[+] Added tables\n  - Post\n\n[*] Changed the `Post` table\n  [+] Added foreign key on columns (authorId)\n"),
        // §9.7 "the add column case on MySQL".
        ("add_column", "ALTER TABLE `User` ADD COLUMN `bio` TEXT NULL;",
         "\n[*] Changed the `User` table\n  [+] Added column `bio`\n", "\n[*] Changed the `User` table\n  [-] Removed column `bio`\n"),
        ("drop_column", "ALTER TABLE `User` DROP COLUMN `age`;",
         "\n[*] Changed the `User` table\n  [-] Removed column `age`\n", "\n[*] Changed the `User` table\n  [+] Added column `age`\n"),
        ("column_type", "ALTER TABLE `User` MODIFY `age` BIGINT NOT NULL DEFAULT 0;",
         "\n[*] Changed the `User` table\n  [*] Altered column `age` (type changed)\n", "\n[*] Changed the `User` table\n  [*] Altered column `age` (type changed)\n"),
        // The engine's MySQL cast table: an integer cannot become a date-time in place.
        ("column_not_castable", "ALTER TABLE `Post` MODIFY `reviewerId` DATETIME(3) NULL;",
         "\n[*] Changed the `Post` table\n  [*] Column `reviewerId` would be dropped and recreated (type changed)\n",
         "\n[*] Changed the `Post` table\n  [*] Column `reviewerId` would be dropped and recreated (type changed)\n"),
        ("column_castable", "ALTER TABLE `Post` MODIFY `reviewerId` VARCHAR(32) NULL;",
         "\n[*] Changed the `Post` table\n  [*] Altered column `reviewerId` (type changed)\n",
         "\n[*] Changed the `Post` table\n  [*] Altered column `reviewerId` (type changed)\n"),
        ("nullable", "ALTER TABLE `User` MODIFY `name` VARCHAR(191) NULL;",
         "\n[*] Changed the `User` table\n  [*] Altered column `name` (changed from Required to Nullable)\n",
         "\n[*] Changed the `User` table\n  [*] Altered column `name` (changed from Nullable to Required)\n"),
        ("default", "ALTER TABLE `User` ALTER COLUMN `age` SET DEFAULT 18;",
         "\n[*] Changed the `User` table\n  [*] Altered column `age` (default changed from `Some(Value(Int(0)))` to `Some(Value(Int(18)))`)\n",
         "\n[*] Changed the `User` table\n  [*] Altered column `age` (default changed from `Some(Value(Int(18)))` to `Some(Value(Int(0)))`)\n"),
        ("add_index", "CREATE INDEX `User_name_idx` ON `User`(`name`);",
         "\n[*] Changed the `User` table\n  [+] Added index on columns (name)\n", "\n[*] Changed the `User` table\n  [-] Removed index on columns (name)\n"),
        ("drop_index", "DROP INDEX `Post_title_idx` ON `Post`;",
         "\n[*] Changed the `Post` table\n  [-] Removed index on columns (title)\n", "\n[*] Changed the `Post` table\n  [+] Added index on columns (title)\n"),
        ("add_unique", "CREATE UNIQUE INDEX `Post_title_key` ON `Post`(`title`);",
         "\n[*] Changed the `Post` table\n  [+] Added unique index on columns (title)\n", "\n[*] Changed the `Post` table\n  [-] Removed unique index on columns (title)\n"),
        // The server adds an index for the new foreign key; going back, it goes with it.
        ("add_fk", "ALTER TABLE `Post` ADD CONSTRAINT `Post_reviewerId_fkey` FOREIGN KEY (`reviewerId`) REFERENCES `User`(`id`) ON DELETE SET NULL ON UPDATE CASCADE;",
         "\n[*] Changed the `Post` table\n  [+] Added index on columns (reviewerId)\n  [+] Added foreign key on columns (reviewerId)\n",
         "\n[*] Changed the `Post` table\n  [-] Removed foreign key on columns (reviewerId)\n"),
        ("drop_fk", "ALTER TABLE `Post` DROP FOREIGN KEY `Post_authorId_fkey`;",
         "\n[*] Changed the `Post` table\n  [-] Removed foreign key on columns (authorId)\n", "\n[*] Changed the `Post` table\n  [+] Added foreign key on columns (authorId)\n"),
        // Inline enums are column types.
        ("enum_value", "ALTER TABLE `User` MODIFY `role` ENUM('USER', 'ADMIN', 'GUEST') NOT NULL DEFAULT 'USER';",
         "\n[*] Changed the `User` table\n  [*] Altered column `role` (type changed)\n", "\n[*] Changed the `User` table\n  [*] Altered column `role` (type changed)\n"),
        ("primary_key", "ALTER TABLE `Post` DROP PRIMARY KEY, ADD PRIMARY KEY (`id`, `authorId`);",
         "\n[*] Changed the `Post` table\n  [-] Dropped the primary key on columns (id)\n  [+] Added primary key on columns (id, authorId)\n)\n",
         "\n[*] Changed the `Post` table\n  [-] Dropped the primary key on columns (id, authorId)\n  [+] Added primary key on columns (id)\n)\n"),
    ]);
}

// §9.7 `--from-empty --to-url`, exit codes and bytes without `--exit-code`.
#[test]
fn from_empty_and_the_bytes_without_exit_code() {
    let db = TestDb::new("drift_empty");
    let p = project::<Postgres>();
    let url = db.url();
    let out = diff(&p, &url, &["--from-empty", "--to-url", &url, "--exit-code"]);
    assert_no_difference(&out);
    run(&p, &url, &["migrate", "deploy"]).success();
    let out = diff(&p, &url, &["--from-empty", "--to-url", &url, "--exit-code"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (2, "\n[+] Added enums\n  - Role\n\n[+] Added tables\n  - Post\n  - User\n\n[*] Changed the `Post` table\n  [+] Added index on columns (title)\n  [+] Added foreign key on columns (authorId)\n\n[*] Changed the `User` table\n  [+] Added unique index on columns (email)\n")
    );
    // Without --exit-code a difference exits 0 and one more newline follows.
    let out = diff(&p, &url, &["--from-url", &url, "--to-empty"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.starts_with("\n[-] Removed enums\n  - Role\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.ends_with("(authorId)\n\n"), "{:?}", out.stdout);
    let out = diff(&p, &url, &["--from-empty", "--to-empty", "--exit-code"]);
    assert_no_difference(&out);
    // --json: the steps and the summary.
    let out = diff(&p, &url, &["--from-empty", "--to-url", &url, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["empty"], false);
    assert_eq!(v["steps"][0]["kind"], "createEnum");
    assert_eq!(v["steps"][0]["name"], "Role");
    // Nothing was written to the compared database, and no temporary database is left.
    assert_eq!(
        db.count("SELECT count(*) AS n FROM \"_prisma_migrations\""),
        2
    );
}

// A migration that fails in the shadow is P3006; the temporary database is dropped.
#[test]
fn a_migration_failing_in_the_shadow_is_p3006() {
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 1;
    let db = TestDb::new("drift_p3006");
    let p = project::<Postgres>();
    p.migration(
        "20240103000000_bad",
        "ALTER TABLE \"Nope\" ADD COLUMN \"x\" INT;\n",
    );
    let url = db.url();
    let out = check(&p, &url);
    assert_eq!(out.code, 1, "{out:#?}");
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.starts_with("Error: P3006\n\nMigration `20240103000000_bad` failed to apply cleanly to the shadow database. \nError:\n"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("relation \"Nope\" does not exist"),
        "{}",
        out.stderr
    );
    // No shadow database is left behind. Other tests' shadows come and go meanwhile (and
    // drift_shadow.rs makes orphans on purpose, old by name): wait until none created
    // since this test started remains but those in use.
    let left = TestDb::new("drift_p3006_check");
    wait_until(
        "no shadow database left behind",
        std::time::Duration::from_millis(200),
        || {
            left.count(&format!("SELECT count(*) AS n FROM pg_database WHERE datname ~ '^prismig_shadow_[0-9]{{10}}_[0-9a-f]{{12}}$' AND split_part(datname, '_', 3)::bigint >= {started} AND datname NOT IN (SELECT datname FROM pg_stat_activity WHERE datname IS NOT NULL)")) == 0
        },
    );
}

// A given shadow database must not be the compared one; a used one is emptied again.
#[test]
fn the_given_shadow_database_is_checked() {
    let db = TestDb::new("drift_shadow_target");
    let shadow = TestDb::new("drift_shadow");
    let url = db.url();
    let p = deployed::<Postgres>(&url);
    let call = |s: &str| diff_with_shadow(&p, &url, s);
    let out = call(&url);
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("Error: PM7005: "), "{}", out.stderr);
    let out = call(&shadow.url());
    assert_no_difference(&out);
    // It keeps the history's tables, as Prisma leaves them; a second use empties it first
    // and gives the same result (§9.7).
    assert_eq!(
        shadow.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'Post'"),
        1
    );
    let out = call(&shadow.url());
    assert_no_difference(&out);
}

// Refusals: what needs Prisma's compiler, the wrong number of sides, no lockfile (§9.7).
#[test]
fn refusals() {
    let p = project::<Postgres>();
    let url = "postgresql://postgres@127.0.0.1:1/none";
    for args in [
        vec![
            "--from-empty",
            "--to-schema-datamodel",
            "prisma/schema.prisma",
        ],
        vec!["--from-empty", "--to-url", url, "--script"],
        vec!["--from-schema", "prisma/schema.prisma", "--to-empty"],
    ] {
        let out = diff(&p, url, &args);
        assert_eq!(out.code, 1);
        assert!(out.stderr.starts_with("Error: PM7001: "), "{}", out.stderr);
        assert!(
            out.stderr.contains("Use `prisma migrate diff`"),
            "{}",
            out.stderr
        );
    }
    let out = diff(&p, url, &["--from-empty"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("0 `--to-...` parameter(s) provided. 1 must be provided."),
        "{}",
        out.stderr
    );
    std::fs::remove_file(p.migrations().join("migration_lock.toml")).unwrap();
    let out = diff(
        &p,
        url,
        &[
            "--from-migrations",
            "prisma/migrations",
            "--to-url",
            url,
            "--exit-code",
        ],
    );
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (1, "", "Error: Could not determine the connector from the migrations directory (missing migration_lock.toml).\n\n\n")
    );
}

// The repository's example projects: deployed, then diffed against their migrations.
#[test]
fn example_projects_have_no_drift_after_deploy() {
    let root = env!("CARGO_MANIFEST_DIR");
    let db = TestDb::new("drift_example");
    let copy = |from: &str, p: &Project| {
        for entry in walk(&format!("{root}/{from}")) {
            let rel = entry
                .strip_prefix(&format!("{root}/{from}/"))
                .unwrap()
                .to_owned();
            p.write(&format!("prisma/{rel}"), std::fs::read(&entry).unwrap());
        }
    };
    let p = Project::new();
    copy("prisma", &p);
    let url = db.url();
    run(&p, &url, &["migrate", "deploy"]).success();
    let out = check(&p, &url);
    assert_no_difference(&out);

    let sqlite = Sqlite::create("");
    let p = Project::new();
    copy("prisma/sqlite", &p);
    std::fs::remove_dir_all(p.path().join("prisma/sqlite")).ok();
    let url = sqlite.url();
    run(&p, &url, &["migrate", "deploy", "--url", &url]).success();
    let out = check(&p, &url);
    assert_no_difference(&out);
}

fn walk(dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path.to_string_lossy()));
        } else {
            out.push(path.to_string_lossy().into_owned());
        }
    }
    out
}

/// `status --drift` on one provider: clean after deploy, then a hand-made change is caught
/// (§9.8's wording on stderr, code 6 with `--exit-code detailed`, the diff in `--json`).
fn status_drift_catches_a_hand_made_change<B: Twin>(change: &str) {
    let db = B::create("drift_status");
    let url = db.url();
    let p = deployed::<B>(&url);
    let out = status_drift(&p, &url);
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(
        out.stdout.ends_with("Database schema is up to date!\n"),
        "{out:#?}"
    );
    assert!(out.stderr.contains("No drift detected"), "{out:#?}");
    db.exec(change);
    let out = status_drift(&p, &url);
    assert_eq!(out.code, 6, "{out:#?}");
    assert!(
        out.stderr.contains("\nDrift detected: Your database schema is not in sync with your migration history.\n\nThe following is a summary of the differences between the expected database schema given your migrations files, and the actual schema of the database.\n\nIt should be understood as the set of changes to get from the expected schema to the actual schema.\n\n[+] Added tables\n  - Tag\n\n[*] Changed the `User` table\n  [+] Added column `bio`\n"),
        "{out:#?}"
    );
    let out = run(&p, &url, &["migrate", "status", "--drift"]);
    assert_eq!(out.code, 1, "Prisma's codes: drift is a failure");
    let out = run(&p, &url, &["migrate", "status", "--drift", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["drift"]["drift"], true);
    assert_eq!(v["drift"]["steps"][0]["kind"], "alterTable");
}

// §9.8: the change `migrate dev` reports, caught by `status --drift`.
#[test]
fn status_drift_on_postgres() {
    status_drift_catches_a_hand_made_change::<Postgres>("CREATE TABLE \"Tag\" (\"id\" INTEGER PRIMARY KEY); ALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;",
    );
}

#[test]
fn status_drift_on_sqlite() {
    status_drift_catches_a_hand_made_change::<Sqlite>("CREATE TABLE \"Tag\" (\"id\" INTEGER PRIMARY KEY); ALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;",
    );
}

#[cfg(feature = "mysql")]
#[test]
fn status_drift_on_mysql() {
    status_drift_catches_a_hand_made_change::<Mysql>("CREATE TABLE `Tag` (`id` INTEGER PRIMARY KEY); ALTER TABLE `User` ADD COLUMN `bio` TEXT NULL;",
    );
}

// scripts/deploy-migrations.sh: the schema check before a production deploy, and its skip.
#[test]
fn the_deploy_script_stops_on_drift_in_production() {
    let prod = TestDb::new("drift_pipe_prod");
    let p = project::<Postgres>();
    let script = |args: &[&str], skip: bool| {
        let mut c = std::process::Command::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/deploy-migrations.sh"
        ));
        c.args(args)
            .current_dir(p.path())
            .env("PRISMIG", env!("CARGO_BIN_EXE_prismig"))
            .env("NO_COLOR", "1")
            .env("PROD_DATABASE_URL", prod.url())
            .env_remove("DATABASE_URL")
            .env_remove("SKIP_SCHEMA_CHECK");
        if skip {
            c.env("SKIP_SCHEMA_CHECK", "1");
        }
        crate::support::cmd::output(c)
    };
    let out = script(&["production", "deploy"], false);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("database schema matches its applied migrations"),
        "{out:?}"
    );
    prod.exec("ALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;");
    p.migration(
        "20240103000000_tag",
        "CREATE TABLE \"Tag\" (\"id\" INTEGER PRIMARY KEY);\n",
    );
    let out = script(&["production", "deploy"], false);
    assert_eq!(out.code, 7, "{out:?}");
    assert!(out.stderr.contains("[+] Added column `bio`"), "{out:?}");
    assert!(
        !prod
            .text("SELECT string_agg(migration_name, ',') AS v FROM _prisma_migrations")
            .contains("tag"),
        "nothing deployed"
    );
    let out = script(&["production", "deploy", "--skip-schema-check"], false);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(prod
        .text("SELECT string_agg(migration_name, ',') AS v FROM _prisma_migrations")
        .contains("tag"));
    prod.exec("ALTER TABLE \"User\" DROP COLUMN \"bio\";");
    let out = script(&["production", "deploy"], true);
    assert_eq!(out.code, 0, "{out:?}");
}

// `--to-schema-datasource`: the schema's datasource URL (DATABASE_URL here) is the database.
#[test]
fn the_schema_datasource_is_a_source() {
    let db = TestDb::new("drift_datasource");
    let url = db.url();
    let p = deployed::<Postgres>(&url);
    let args = [
        "--from-migrations",
        "prisma/migrations",
        "--to-schema-datasource",
        "prisma/schema.prisma",
        "--exit-code",
    ];
    let out = diff(&p, &url, &args);
    assert_no_difference(&out);
    db.exec("ALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;");
    let out = diff(&p, &url, &args);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (
            2,
            "\n[*] Changed the `User` table\n  [+] Added column `bio`\n"
        )
    );
}

// `?schema=`: only that schema is compared, in the database and in the shadow.
#[test]
fn the_url_schema_is_respected() {
    let db = TestDb::new("drift_url_schema");
    let url = db.url_with("schema=app");
    let p = deployed::<Postgres>(&url);
    let out = check(&p, &url);
    assert_no_difference(&out);
    db.exec("CREATE TABLE public.\"Elsewhere\" (id INT);");
    let out = check(&p, &url);
    assert_no_difference(&out);
    db.exec("CREATE TABLE app.\"Tag\" (id INT);");
    let out = check(&p, &url);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (2, "\n[+] Added tables\n  - Tag\n"),
        "{out:#?}"
    );
    let out = status_drift(&p, &url);
    assert_eq!(out.code, 6, "{out:#?}");
}

// A user who may not create databases gets PM7003 (and the hint to give a shadow URL),
// not a half-done diff.
#[test]
fn no_right_to_create_the_temporary_shadow_is_pm7003() {
    let db = TestDb::new("drift_nocreate");
    db.exec("DO $$ BEGIN CREATE ROLE prismig_nocreate LOGIN NOCREATEDB; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;");
    let p = project::<Postgres>();
    let url = db.url().replacen("://postgres@", "://prismig_nocreate@", 1);
    assert_ne!(url, db.url(), "the test URL names the postgres user");
    let out = check(&p, &url);
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(
        out.stderr
            .starts_with("Error: PM7003: could not create a temporary shadow database"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("--shadow-database-url"),
        "{}",
        out.stderr
    );
}

// §9.7 on SQLite: a relative --to-url is resolved against the working directory; a missing
// file is P1003 in the engine's form.
#[test]
fn sqlite_relative_urls_and_p1003() {
    let p = project::<Sqlite>();
    let url = "file:./dev.db";
    let deployed = run(&p, url, &["migrate", "deploy"]);
    deployed.success();
    assert!(
        p.path().join("prisma/dev.db").is_file(),
        "deploy resolves against the schema folder"
    );
    let out = diff(
        &p,
        url,
        &[
            "--from-migrations",
            "prisma/migrations",
            "--to-url",
            "file:./dev.db",
            "--exit-code",
        ],
    );
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (
            1,
            "",
            "Error: P1003\n\nDatabase `dev.db` does not exist\n\n"
        )
    );
    let out = diff(
        &p,
        url,
        &[
            "--from-migrations",
            "prisma/migrations",
            "--to-url",
            "file:./prisma/dev.db",
            "--exit-code",
        ],
    );
    assert_no_difference(&out);
}

/// `git` in the project, with the given files committed.
fn git(p: &Project, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .current_dir(p.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

// An applied migration edited afterwards: `status --drift` replays what was applied (the
// version in git whose checksum `_prisma_migrations` holds), with a warning, never the
// edited file; with no such version it stops (PM7011).
#[test]
fn status_drift_replays_the_applied_text_of_an_edited_migration() {
    let db = TestDb::new("drift_edited");
    let url = db.url();
    let p = deployed::<Postgres>(&url);
    let file = p.migrations().join("20240102000000_post/migration.sql");
    std::fs::write(
        &file,
        format!("{PG_POST}ALTER TABLE \"Post\" ADD COLUMN \"extra\" TEXT;\n"),
    )
    .unwrap();
    // Not in git: what the database ran is unknown.
    let out = run(&p, &url, &["migrate", "status", "--drift"]);
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(out.stderr.contains("PM7011"), "{out:#?}");
    assert!(out.stderr.contains("20240102000000_post"), "{out:#?}");
    // In git as applied, then edited.
    std::fs::write(&file, PG_POST).unwrap();
    git(&p, &["init", "-q"]);
    git(&p, &["add", "."]);
    git(&p, &["commit", "-q", "-m", "history"]);
    std::fs::write(
        &file,
        format!("{PG_POST}ALTER TABLE \"Post\" ADD COLUMN \"extra\" TEXT;\n"),
    )
    .unwrap();
    let out = status_drift(&p, &url);
    assert!(out.stderr.contains("No drift detected"), "{out:#?}");
    assert!(
        out.stderr.contains("the migration `20240102000000_post` was edited after it was applied: replaying the text that was applied (git "),
        "{out:#?}"
    );
    // A real change is still caught.
    db.exec("ALTER TABLE \"User\" ADD COLUMN \"bio\" TEXT;");
    let out = status_drift(&p, &url);
    assert_eq!(out.code, 6, "{out:#?}");
    assert!(
        out.stderr
            .contains("[*] Changed the `User` table\n  [+] Added column `bio`\n")
            && !out.stderr.contains("extra"),
        "{out:#?}"
    );
}

// Defaults the engine compares by value (decimal, float, JSON) or not at all (date/time
// literals): respelled or changed by hand, they are no drift; a changed number is.
#[test]
fn postgres_defaults_compare_as_the_engine_compares_them() {
    let db = TestDb::new("drift_defaults");
    let p = project::<Postgres>();
    p.migration(
        "20240103000000_cfg",
        "CREATE TABLE \"Cfg\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"price\" DECIMAL(10,2) NOT NULL DEFAULT 1.5, \"ratio\" DOUBLE PRECISION NOT NULL DEFAULT 0.5, \"data\" JSONB NOT NULL DEFAULT '{\"a\": 1, \"b\": 2}', \"since\" TIMESTAMP(3) NOT NULL DEFAULT '2020-01-01 00:00:00');\n",
    );
    let url = db.url();
    run(&p, &url, &["migrate", "deploy"]).success();
    db.exec("ALTER TABLE \"Cfg\" ALTER COLUMN \"price\" SET DEFAULT 1.50, ALTER COLUMN \"ratio\" SET DEFAULT 0.50, ALTER COLUMN \"data\" SET DEFAULT '{\"b\":2,\"a\":1}', ALTER COLUMN \"since\" SET DEFAULT '2021-06-01 00:00:00';");
    let out = check(&p, &url);
    assert_no_difference(&out);
    db.exec("ALTER TABLE \"Cfg\" ALTER COLUMN \"price\" SET DEFAULT 2, ALTER COLUMN \"data\" SET DEFAULT '{\"a\": 3}';");
    let out = check(&p, &url);
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(
        out.stdout.starts_with(
            "\n[*] Changed the `Cfg` table\n  [*] Altered column `price` (default changed from "
        ) && out
            .stdout
            .contains("  [*] Altered column `data` (default changed from ")
            && !out.stdout.contains("ratio")
            && !out.stdout.contains("since"),
        "{out:#?}"
    );
}

/// A view (and on PostgreSQL an extension) made by hand after deploy.
fn views_are_no_drift<B: Twin>(extra: &str) {
    let db = B::create("drift_views");
    let url = db.url();
    let p = deployed::<B>(&url);
    db.exec(extra);
    let out = check(&p, &url);
    assert_no_difference(&out);
    let out = run(&p, &url, &["migrate", "status", "--drift"]);
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(out.stderr.contains("No drift detected"), "{out:#?}");
}

// The engine's differ has no steps for views, and it clears the extensions it describes
// unless the schema enables `postgresqlExtensions`, which a URL or a migrations folder
// does not: neither shows in the summary of those sources.
#[test]
fn postgres_views_and_extensions_are_not_drift() {
    views_are_no_drift::<Postgres>("CREATE VIEW \"UserNames\" AS SELECT \"name\" FROM \"User\"; CREATE MATERIALIZED VIEW \"Titles\" AS SELECT \"title\" FROM \"Post\"; CREATE EXTENSION IF NOT EXISTS citext;",
    );
}

#[test]
fn sqlite_views_are_not_drift() {
    views_are_no_drift::<Sqlite>("CREATE VIEW \"UserNames\" AS SELECT \"name\" FROM \"User\";");
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_views_are_not_drift() {
    views_are_no_drift::<Mysql>("CREATE VIEW `UserNames` AS SELECT `name` FROM `User`;");
}

// Prisma 7: the config's `datasource.shadowDatabaseUrl` is the shadow when no flag names one;
// one the config cannot decide stops only what needs a shadow (PM1016), never falling back
// to a temporary database.
#[test]
fn the_configs_shadow_database_url_is_used() {
    let db = TestDb::new("drift_config_target");
    let shadow = TestDb::new("drift_config_shadow");
    let p = project::<Postgres>();
    p.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n}\n",
    );
    let config = |shadow: &str| {
        format!("import {{ defineConfig, env }} from \"prisma/config\";\n\nexport default defineConfig({{\n  schema: \"prisma/schema.prisma\",\n  datasource: {{\n    url: env(\"DATABASE_URL\"),\n    shadowDatabaseUrl: {shadow},\n  }},\n}});\n")
    };
    p.write("prisma.config.ts", config("env(\"SHADOW_URL\")"));
    let with_shadow = |args: &[&str]| {
        let mut c = crate::support::cmd::command(&p, &db.url(), args);
        c.env("SHADOW_URL", shadow.url());
        crate::support::cmd::output(c)
    };
    with_shadow(&["migrate", "deploy"]).success();
    let out = with_shadow(&["migrate", "status", "--drift"]);
    assert_eq!(out.code, 0, "{out:#?}");
    // The replay went into the configured shadow, which keeps the history's tables.
    assert_eq!(
        shadow.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'Post'"),
        1
    );
    let out = with_shadow(&[
        "migrate",
        "diff",
        "--from-migrations",
        "prisma/migrations",
        "--to-config-datasource",
        "--exit-code",
    ]);
    assert_no_difference(&out);

    p.write("prisma.config.ts", config("buildShadowUrl()"));
    let out = with_shadow(&["migrate", "status", "--drift"]);
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(
        out.stderr
            .contains("Error: PM1016: cannot evaluate `buildShadowUrl()`"),
        "{}",
        out.stderr
    );
    // What needs no shadow is not stopped by it.
    assert_eq!(with_shadow(&["migrate", "deploy"]).code, 0);
}
