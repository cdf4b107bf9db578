//! `migrate resolve` preconditions and errors (§6), transcripts (e0)–(e3b), (h3).

use crate::support::{cmd::run, header, Project, TestDb, ADD_POST, INIT};

fn applied_project(db: &TestDb) -> Project {
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    p
}

#[test]
fn resolve_errors_have_prismas_codes_and_texts() {
    let db = TestDb::new("resolve_errors");
    let p = applied_project(&db);
    let cases: [(&[&str], &str); 4] = [
        (
            &["--applied", "20991231000000_nope"],
            "Error: P3017\n\nThe migration 20991231000000_nope could not be found. Please make sure that the migration exists, and that you included the whole name of the directory. (example: \"20201207184859_initial_migration\")\n\n",
        ),
        (
            &["--rolled-back", "20991231000000_nope"],
            "Error: P3011\n\nMigration `20991231000000_nope` cannot be rolled back because it was never applied to the database. Hint: did you pass in the whole migration name? (example: \"20201207184859_initial_migration\")\n\n",
        ),
        (
            &["--rolled-back", "20240101000000_init"],
            "Error: P3012\n\nMigration `20240101000000_init` cannot be rolled back because it is not in a failed state.\n\n",
        ),
        (
            &["--applied", "20240101000000_init"],
            "Error: P3008\n\nThe migration `20240101000000_init` is already recorded as applied in the database.\n\n",
        ),
    ];
    for (args, stderr) in cases {
        let mut all = vec!["migrate", "resolve"];
        all.extend_from_slice(args);
        let out = run(&p, &db.url(), &all);
        out.failure();
        assert_eq!(out.stdout, header(&db), "{args:?}");
        assert_eq!(out.stderr, stderr, "{args:?}");
    }
    assert_eq!(db.rows().len(), 1, "nothing written");
}

#[test]
fn resolve_needs_exactly_one_flag() {
    let db = TestDb::new("resolve_flags");
    let p = applied_project(&db);
    let out = run(&p, &db.url(), &["migrate", "resolve"]);
    out.failure();
    assert_eq!(out.stdout, header(&db));
    assert_eq!(out.stderr, "Error: --applied or --rolled-back must be part of the command like:\nprisma migrate resolve --applied 20201231000000_example\nprisma migrate resolve --rolled-back 20201231000000_example\n");
    let out = run(
        &p,
        &db.url(),
        &["migrate", "resolve", "--applied", "a", "--rolled-back", "a"],
    );
    out.failure();
    assert_eq!(
        out.stderr,
        "Error: Pass either --applied or --rolled-back, not both.\n"
    );
}

// §1.5, §6.2: baselining a non-empty database (transcripts h1–h4).
#[test]
fn resolve_applied_baselines_a_database_without_history() {
    let db = TestDb::new("resolve_baseline");
    db.exec(prismig_init());
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .migration("20240102000000_add_post", ADD_POST);
    run(&p, &db.url(), &["migrate", "deploy"]).failure();
    // status lists everything as not applied (h2).
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.failure();
    assert!(out.stdout.ends_with("Following migrations have not yet been applied:\n20240101000000_init\n20240102000000_add_post\n\nTo apply migrations in development run prisma migrate dev.\nTo apply migrations in production run prisma migrate deploy.\n"), "{}", out.stdout);
    let out = run(
        &p,
        &db.url(),
        &["migrate", "resolve", "--applied", "20240101000000_init"],
    );
    out.success();
    let rows = db.rows();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].started_equals_finished && rows[0].logs.as_deref() == Some(""));
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert!(out
        .stdout
        .contains("Applying migration `20240102000000_add_post`\n"));
}

fn prismig_init() -> &'static str {
    INIT
}

// §6.3 step 3: --rolled-back on a database without the table is the engine's code-less
// invariant error, and creates nothing.
#[test]
fn resolve_rolled_back_without_table() {
    let db = TestDb::new("resolve_notable");
    let p = Project::new();
    let out = run(&p, &db.url(), &["migrate", "resolve", "--rolled-back", "x"]);
    out.failure();
    assert_eq!(out.stderr, "Error: Invariant violation: called markMigrationRolledBack on a database without migrations table.\n");
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'"),
        0
    );
}
