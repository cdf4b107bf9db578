//! The migrations folder: lockfile (§3.4), symlinks and files (§3.2).

use crate::support::{cmd::run, header, Project, TestDb, INIT};

const P3019: &str = "Error: P3019\n\nThe datasource provider `postgresql` specified in your schema does not match the one specified in the migration_lock.toml, `mysql`. Please remove your current migration directory and start a new migration history with prisma migrate dev. Read more: https://pris.ly/d/migrate-provider-switch\n\n";

// Transcripts (m4)–(m7).
#[test]
fn lockfile_provider_mismatch_is_p3019_and_a_missing_lockfile_is_fine() {
    let db = TestDb::new("folder_lock");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    p.write(
        "prisma/migrations/migration_lock.toml",
        "provider = \"mysql\"\n",
    );
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert_eq!(
        out.stdout,
        format!(
            "{}\n1 migration found in prisma/migrations\n\n",
            header(&db)
        )
    );
    assert_eq!(out.stderr, P3019);
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.failure();
    assert_eq!(out.stdout, header(&db));
    assert_eq!(out.stderr, P3019);
    let out = run(
        &p,
        &db.url(),
        &["migrate", "resolve", "--applied", "20240101000000_init"],
    );
    out.failure();
    assert_eq!(out.stderr, P3019);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'"),
        0
    );

    std::fs::remove_file(p.migrations().join("migration_lock.toml")).unwrap();
    run(&p, &db.url(), &["migrate", "deploy"]).success();
}

// §3.2 step 3: files and symlinked folders are not migrations.
#[test]
fn files_and_symlinks_are_ignored() {
    let db = TestDb::new("folder_links");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    p.write("prisma/migrations/README.md", "notes");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("migration.sql"), "SELECT 1;").unwrap();
    std::os::unix::fs::symlink(outside.path(), p.migrations().join("20240102000000_linked"))
        .unwrap();
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert!(out
        .stdout
        .contains("\n1 migration found in prisma/migrations\n"));
}
