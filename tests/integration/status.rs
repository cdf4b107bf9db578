//! `migrate status` (§5.3): every state, the streams, the exit codes, and the warnings
//! prismig adds where Prisma says "up to date" although something is off.

use crate::support::{cmd::run, header, Project, TestDb, ADD_EMAIL, ADD_POST, INIT};
use prismig::__internal::migration::checksum;

fn deployed(db: &TestDb) -> Project {
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .migration("20240102000000_add_post", ADD_POST);
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    p
}

#[test]
fn up_to_date_and_pending() {
    let db = TestDb::new("status_pending");
    let p = deployed(&db);
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.success();
    assert_eq!(
        out.stdout,
        format!(
            "{}\n2 migrations found in prisma/migrations\n\nDatabase schema is up to date!\n",
            header(&db)
        )
    );
    assert_eq!(out.stderr, "");

    p.migration("20240103000000_add_email", ADD_EMAIL);
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.failure();
    assert_eq!(out.stdout, format!("{}\n3 migrations found in prisma/migrations\nFollowing migration have not yet been applied:\n20240103000000_add_email\n\nTo apply migrations in development run prisma migrate dev.\nTo apply migrations in production run prisma migrate deploy.\n", header(&db)));
    assert_eq!(out.stderr, "");
}

// Transcript (f1): Prisma says "up to date"; prismig says so too, and warns on stderr.
#[test]
fn edited_migration_is_up_to_date_with_a_warning() {
    let db = TestDb::new("status_edited");
    let p = deployed(&db);
    p.migration("20240102000000_add_post", "-- edited\nSELECT 1;\n");
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.success();
    assert!(out.stdout.ends_with("\nDatabase schema is up to date!\n"));
    assert_eq!(out.stderr, "warn the migration below was modified after it was applied; deploy will not run it again:\n20240102000000_add_post\n");
    // deploy ignores edits (f2).
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert!(out.stdout.ends_with("No pending migrations to apply.\n"));
}

// §2: CRLF conversion and the legacy unpadded checksum are not edits.
#[test]
fn crlf_conversion_and_legacy_checksums_are_not_edits() {
    let db = TestDb::new("status_crlf");
    let p = deployed(&db);
    p.migration("20240102000000_add_post", &ADD_POST.replace('\n', "\r\n"));
    let legacy: String = sha_unpadded(INIT);
    db.exec(&format!("UPDATE _prisma_migrations SET checksum = '{legacy}' WHERE migration_name = '20240101000000_init'"));
    assert_ne!(legacy.len(), 64, "INIT's digest has a byte below 0x10");
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.success();
    assert_eq!(out.stderr, "");
}

fn sha_unpadded(s: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:x}"))
        .collect()
}

// Transcripts (g1), (g3): missing locally alone is "up to date" (+ our warning); with a
// pending one it is a diverged history on stderr, exit 1.
#[test]
fn missing_locally_and_diverged() {
    let db = TestDb::new("status_missing");
    let p = deployed(&db);
    p.remove_migration("20240102000000_add_post");
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.success();
    assert!(out
        .stdout
        .ends_with("1 migration found in prisma/migrations\n\nDatabase schema is up to date!\n"));
    assert_eq!(out.stderr, "warn the migration below is applied to the database but missing from the migrations folder:\n20240102000000_add_post\n");

    p.migration("20240103000000_add_email", ADD_EMAIL);
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.failure();
    assert_eq!(
        out.stdout,
        format!("{}\n2 migrations found in prisma/migrations\n", header(&db))
    );
    assert_eq!(out.stderr, "Your local migration history and the migrations table from your database are different:\n\nThe last common migration is: 20240101000000_init\n\nThe migration have not yet been applied:\n20240103000000_add_email\n\nThe migration from the database are not found locally in prisma/migrations:\n20240102000000_add_post\n");
    // deploy ignores the missing one and applies the pending one (g4).
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert!(out
        .stdout
        .contains("Applying migration `20240103000000_add_email`\n"));
    assert_eq!(db.rows().last().unwrap().checksum, checksum(ADD_EMAIL));
}

// Transcript (h2-1): no table, no migrations: not managed, 6.19's 8-space blank line.
#[test]
fn unmanaged_database() {
    let db = TestDb::new("status_unmanaged");
    let p = Project::new();
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.failure();
    assert_eq!(
        out.stdout,
        format!("{}\nNo migration found in prisma/migrations\n", header(&db))
    );
    assert_eq!(out.stderr, "The current database is not managed by Prisma Migrate.\n        \nRead more about how to baseline an existing production database:\nhttps://pris.ly/d/migrate-baseline\n");
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'"),
        0,
        "status creates no table"
    );
}
