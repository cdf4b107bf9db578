//! SQLite's own behaviour (§1.2–§1.5, §4.3, §4.5, §4.7; transcripts §8 "SQLite").

use crate::providers::{Backend, Sqlite};
use crate::support::cmd::run;
use crate::support::Project;
use diesel::connection::SimpleConnection;

fn project() -> Project {
    let p = Project::new();
    p.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n",
    );
    p.write(
        "prisma/migrations/migration_lock.toml",
        "provider = \"sqlite\"\n",
    );
    p.migration("20240101000000_init", Sqlite::INIT);
    p
}

// §4.3: no ignore list; `sqlite_sequence` (left by AUTOINCREMENT) makes a database non-empty.
#[test]
fn sqlite_sequence_counts_for_p3005() {
    let db = Sqlite::create("");
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT); DROP TABLE t;");
    assert!(db.table_exists("sqlite_sequence"));
    let out = run(&project(), &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert!(out.stderr.starts_with("Error: P3005\n"), "{}", out.stderr);
}

// §1.2: the exact DDL as SQLite stores it; §1.3: INTEGER epoch milliseconds.
#[test]
fn table_ddl_and_timestamp_storage() {
    let db = Sqlite::create("");
    run(&project(), &db.url(), &["migrate", "deploy"]).success();
    #[derive(diesel::QueryableByName)]
    struct T {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    use diesel::RunQueryDsl;
    let q = |sql: &str| {
        diesel::sql_query(sql)
            .get_result::<T>(&mut db.conn())
            .unwrap()
            .v
    };
    assert_eq!(
        q("SELECT sql AS v FROM sqlite_master WHERE name = '_prisma_migrations'"),
        "CREATE TABLE \"_prisma_migrations\" (\n    \"id\"                    TEXT PRIMARY KEY NOT NULL,\n    \"checksum\"              TEXT NOT NULL,\n    \"finished_at\"           DATETIME,\n    \"migration_name\"        TEXT NOT NULL,\n    \"logs\"                  TEXT,\n    \"rolled_back_at\"        DATETIME,\n    \"started_at\"            DATETIME NOT NULL DEFAULT current_timestamp,\n    \"applied_steps_count\"   INTEGER UNSIGNED NOT NULL DEFAULT 0\n)"
    );
    assert_eq!(
        q("SELECT typeof(started_at) || ',' || typeof(finished_at) AS v FROM _prisma_migrations"),
        "integer,integer"
    );
    let ms: i64 = q("SELECT CAST(started_at AS TEXT) AS v FROM _prisma_migrations")
        .parse()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((now - ms).abs() < 60_000, "{ms} vs {now}");
}

// §4.7: the extended result code of a runtime failure (SQLITE_CONSTRAINT_PRIMARYKEY).
#[test]
fn extended_result_codes_in_p3018() {
    let db = Sqlite::create("");
    let p = project();
    p.migration(
        "20240102000000_dup",
        "INSERT INTO \"User\" VALUES ('a', 'x');\nINSERT INTO \"User\" VALUES ('a', 'y');\n",
    );
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert!(
        out.stderr.contains(
            "Database error code: 1555\n\nDatabase error:\nUNIQUE constraint failed: User.id\n\n\n"
        ),
        "{}",
        out.stderr
    );
    // Not atomic, as in Prisma: the first row stayed.
    assert_eq!(db.count("SELECT count(*) AS n FROM \"User\""), 1);
}

// §1.2, §1.3: a table from a 2020 engine (16-space layout, TEXT timestamps, `logs TEXT NOT
// NULL`) reads by column name.
#[test]
fn old_table_layouts_and_text_timestamps_are_read() {
    let db = Sqlite::create("");
    db.exec(&format!(
        "CREATE TABLE \"_prisma_migrations\" (\n                \"id\"                    TEXT PRIMARY KEY NOT NULL,\n                \"checksum\"              TEXT NOT NULL,\n                \"finished_at\"           DATETIME,\n                \"migration_name\"        TEXT NOT NULL,\n                \"logs\"                  TEXT NOT NULL,\n                \"rolled_back_at\"        DATETIME,\n                \"started_at\"            DATETIME NOT NULL DEFAULT current_timestamp,\n                \"applied_steps_count\"   INTEGER UNSIGNED NOT NULL DEFAULT 0\n            );\n{}\nINSERT INTO _prisma_migrations VALUES ('0c0ffee0-0000-4000-8000-000000000001', '{}', '2020-12-03 15:28:58.225', '20240101000000_init', '', NULL, '2020-12-03 15:28:58', 1);\nINSERT INTO _prisma_migrations VALUES ('0c0ffee0-0000-4000-8000-000000000002', 'x', NULL, '20240102000000_gone', 'boom', NULL, 1607009338225, 0);",
        Sqlite::INIT,
        prismig::__internal::migration::checksum(Sqlite::INIT)
    ));
    let p = project();
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.failure();
    assert!(
        out.stderr
            .starts_with("Following migration have failed:\n20240102000000_gone\n"),
        "{}",
        out.stderr
    );
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    assert!(
        out.stderr.contains(
            "The `20240102000000_gone` migration started at 2020-12-03 15:28:58.225 UTC failed\n"
        ),
        "{}",
        out.stderr
    );
    run(
        &p,
        &db.url(),
        &["migrate", "resolve", "--rolled-back", "20240102000000_gone"],
    )
    .success();
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.success();
    assert!(out
        .stderr
        .contains("missing from the migrations folder:\n20240102000000_gone\n"));
}

// §4.5: another connection holding the exclusive lock makes deploy wait, then P1002.
#[test]
fn held_lock_times_out_with_p1002() {
    let db = Sqlite::create("");
    let mut holder = db.conn();
    holder
        .batch_execute("PRAGMA main.locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;")
        .unwrap();
    let started = std::time::Instant::now();
    let out = run(
        &project(),
        &db.url(),
        &["migrate", "deploy", "--lock-timeout", "1s"],
    );
    out.failure();
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    assert!(
        out.stderr
            .starts_with("Error: P1002\n\nThe database server was reached but timed out.\n"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("PRAGMA main.locking_mode=EXCLUSIVE"));
    drop(holder);
    run(&project(), &db.url(), &["migrate", "deploy"]).success();
}

// §8.3: `file:` paths are relative to the schema's folder; deploy creates the folders.
#[test]
fn relative_file_urls_resolve_against_the_schema_folder() {
    let p = project();
    let out = run(&p, "file:./data/dev.db", &["migrate", "deploy"]);
    out.success();
    assert!(out.stdout.contains("Datasource \"db\": SQLite database \"dev.db\" at \"file:./data/dev.db\"\n\nSQLite database dev.db created at file:./data/dev.db\n"), "{}", out.stdout);
    assert!(p.path().join("prisma/data/dev.db").is_file());
}
