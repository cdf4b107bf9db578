//! The example project shipped in `prisma/`, and the seed migration guide's SQL as written,
//! which PostgreSQL rejects (`ADD CONSTRAINT IF NOT EXISTS`).

use crate::support::{cmd::run, Project, TestDb};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BROKEN: &str = include_str!("../fixtures/stogram_add_new_features_broken.sql");

fn example_file(rel: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/prisma/{rel}")).expect("example file")
}

fn stogram(db: &TestDb, features_sql: &str) -> Project {
    let p = Project::new();
    p.write("prisma/schema.prisma", example_file("schema.prisma"));
    p.migration(
        "20240101000000_init",
        &example_file("migrations/20240101000000_init/migration.sql"),
    );
    p.migration("20240301000000_add_new_features", features_sql);
    let _ = db;
    p
}

#[test]
fn the_example_project_deploys() {
    let db = TestDb::new("example_deploy");
    let p = stogram(
        &db,
        &example_file("migrations/20240301000000_add_new_features/migration.sql"),
    );
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert!(out
        .stdout
        .ends_with("All migrations have been successfully applied.\n"));
    run(&p, &db.url(), &["migrate", "status"]).success();
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_constraint WHERE contype = 'f'"),
        11
    );
}

// The seed's failure: P3018 with SQLSTATE 42601, nothing of the script left behind, P3009
// next, `resolve --rolled-back`, the corrected file deployed as a new row.
#[test]
fn the_seed_migration_fails_cleanly_and_recovers() {
    let db = TestDb::new("example_seed");
    let p = stogram(&db, BROKEN);
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert!(out.stderr.contains("Migration name: 20240301000000_add_new_features\n\nDatabase error code: 42601\n\nDatabase error:\nERROR: syntax error at or near \"NOT\"\n\nPosition:\n"), "{}", out.stderr);
    // The error line of the excerpt is the first ADD CONSTRAINT IF NOT EXISTS.
    assert!(
        out.stderr.contains(
            "\x1b[1;31m     ADD CONSTRAINT IF NOT EXISTS \"BlockedUser_userId_fkey\" \x1b[0m"
        ),
        "{}",
        out.stderr
    );
    // One implicit transaction: no table, no column of the failed script remains.
    assert_eq!(db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename IN ('BlockedUser', 'ChatSettings', 'Folder', 'PinnedMessage')"), 0);
    assert_eq!(db.count("SELECT count(*) AS n FROM information_schema.columns WHERE column_name = 'showOnlineStatus'"), 0);

    assert!(run(&p, &db.url(), &["migrate", "deploy"])
        .stderr
        .starts_with("Error: P3009\n"));
    run(
        &p,
        &db.url(),
        &[
            "migrate",
            "resolve",
            "--rolled-back",
            "20240301000000_add_new_features",
        ],
    )
    .success();
    p.migration(
        "20240301000000_add_new_features",
        &example_file("migrations/20240301000000_add_new_features/migration.sql"),
    );
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    run(&p, &db.url(), &["migrate", "status"]).success();
    let rows = db.rows();
    assert_eq!(rows.len(), 3);
    assert!(rows[1].rolled_back && rows[2].finished);
}

// `prismig fix` on the seed's failure, both ways it ends in real life: nothing of the
// script is left (one implicit transaction), so it is marked rolled back; or the team ran
// the corrected script by hand, so every object is there and it is marked applied.
#[test]
fn fix_repairs_the_seed_failure_both_ways() {
    let fixed = example_file("migrations/20240301000000_add_new_features/migration.sql");
    let db = TestDb::new("example_fix_rb");
    let p = stogram(&db, BROKEN);
    run(&p, &db.url(), &["migrate", "deploy"]).failure();
    let out = run(&p, &db.url(), &["fix", "--yes"]);
    out.success();
    assert!(
        out.stdout
            .contains("mark rolled back  20240301000000_add_new_features  (failed, and it ran as one transaction"),
        "{}",
        out.stdout
    );
    p.migration("20240301000000_add_new_features", &fixed);
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    run(&p, &db.url(), &["migrate", "status"]).success();

    let db = TestDb::new("example_fix_ap");
    let p = stogram(&db, BROKEN);
    run(&p, &db.url(), &["migrate", "deploy"]).failure();
    p.migration("20240301000000_add_new_features", &fixed);
    db.exec(&fixed);
    let out = run(&p, &db.url(), &["fix", "--yes"]);
    out.success();
    assert!(
        out.stdout
            .contains("mark applied      20240301000000_add_new_features  (failed, but all "),
        "{}",
        out.stdout
    );
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert!(
        out.stdout.contains("No pending migrations to apply."),
        "{}",
        out.stdout
    );
    run(&p, &db.url(), &["migrate", "status"]).success();
}
