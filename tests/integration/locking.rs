//! The advisory lock (§4.5) and concurrent deploys.

use crate::support::{cmd, cmd::run, Project, TestDb, ADD_EMAIL, ADD_POST, INIT};
use diesel::connection::SimpleConnection;
use std::time::{Duration, Instant};

const P1002: &str = "Error: P1002\n\nThe database server was reached but timed out.\n\nPlease try again.\n\nPlease make sure your database server is running at the configured address.\n\nContext: Timed out trying to acquire a postgres advisory lock (SELECT pg_advisory_lock(72707369)). Timeout: 10000ms. See https://pris.ly/d/migrate-advisory-locking for details.\n\n\n";

// Transcripts (l1)–(l3): deploy and resolve time out after 10 s; status takes no lock.
#[test]
fn lock_held_elsewhere_is_p1002_after_ten_seconds() {
    let db = TestDb::new("lock_held");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    let mut holder = db.conn();
    holder
        .batch_execute("SELECT pg_advisory_lock(72707369)")
        .unwrap();

    let started = Instant::now();
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    let waited = started.elapsed();
    out.failure();
    // Prisma's text, after prismig's line (at 1 s) naming the session that holds the lock.
    let (notice, error) = out
        .stderr
        .split_at(out.stderr.find("Error: P1002").unwrap());
    assert_eq!(error, P1002);
    assert!(
        notice.starts_with("Waiting for the migration lock, held by pid ")
            && notice.ends_with(": waited 1 s, waiting up to 10 s in all (--lock-timeout).\n")
            && notice.lines().count() == 1,
        "{notice}"
    );
    assert!(out
        .stdout
        .ends_with("1 migration found in prisma/migrations\n\n"));
    assert!(
        waited >= Duration::from_secs(10) && waited < Duration::from_secs(20),
        "{waited:?}"
    );

    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.failure();
    assert!(out
        .stdout
        .contains("Following migration have not yet been applied:"));

    // Our --lock-timeout shortens the wait and says so.
    let out = run(
        &p,
        &db.url(),
        &[
            "migrate",
            "resolve",
            "--applied",
            "20240101000000_init",
            "--lock-timeout",
            "1s",
        ],
    );
    out.failure();
    assert!(out.stderr.contains("Timeout: 1000ms."), "{}", out.stderr);

    // PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK skips the lock, as in Prisma.
    let mut c = cmd::command(&p, &db.url(), &["migrate", "deploy"]);
    c.env("PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK", "1");
    cmd::output(c).success();

    drop(holder);
    assert_eq!(db.rows().len(), 1);
}

// The lock is released on every path: after a failure the next deploy does not wait.
#[test]
fn lock_is_released_after_a_failed_deploy() {
    let db = TestDb::new("lock_release");
    let p = Project::new();
    p.migration("20240101000000_init", "CREATE TABLE broken (;");
    run(&p, &db.url(), &["migrate", "deploy"]).failure();
    assert_eq!(db.count("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"), 0);
    let started = Instant::now();
    run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--lock-timeout", "5s"],
    )
    .failure();
    assert!(started.elapsed() < Duration::from_secs(4));
}

// Four deploys at once: every migration applied exactly once, every process succeeds.
#[test]
fn concurrent_deploys_apply_each_migration_once() {
    let db = TestDb::new("lock_concurrent");
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .migration("20240102000000_add_post", ADD_POST)
        .migration(
            "20240103000000_add_email",
            &format!("{ADD_EMAIL}SELECT pg_sleep(0.3);\n"),
        );
    let children: Vec<_> = (0..4)
        .map(|_| {
            let mut c = cmd::command(&p, &db.url(), &["migrate", "deploy"]);
            c.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            c.spawn().expect("spawn")
        })
        .collect();
    let mut applying = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        applying += String::from_utf8_lossy(&out.stdout)
            .matches("Applying migration")
            .count();
    }
    assert_eq!(applying, 3);
    let rows = db.rows();
    assert_eq!(rows.len(), 3);
    assert!(rows
        .iter()
        .all(|r| r.finished && r.applied_steps_count == 1));
}

// The repairs take the same lock with --yes: a deploy in progress elsewhere keeps them out,
// and they change nothing (their dry runs need no lock).
#[test]
fn repairs_wait_for_the_lock_and_change_nothing_without_it() {
    let db = TestDb::new("lock_repairs");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    p.migration("20240101000000_init", &INIT.replace('\n', "\r\n"));
    let before = db.rows();
    let mut holder = db.conn();
    holder
        .batch_execute("SELECT pg_advisory_lock(72707369)")
        .unwrap();
    run(&p, &db.url(), &["fix"]).success();
    for args in [
        &["fix", "--yes", "--lock-timeout", "300ms"][..],
        &["baseline", "--yes", "--lock-timeout", "300ms"][..],
    ] {
        let out = run(&p, &db.url(), args);
        out.failure();
        assert!(
            out.stderr.starts_with("Error: P1002\n"),
            "{args:?}: {}",
            out.stderr
        );
        assert_eq!(db.rows(), before);
    }
    assert!(
        !p.path().join(".prismig").exists(),
        "no record without the lock"
    );
    holder
        .batch_execute("SELECT pg_advisory_unlock(72707369)")
        .unwrap();
    run(&p, &db.url(), &["fix", "--yes"]).success();
    assert_ne!(db.rows(), before);
}
