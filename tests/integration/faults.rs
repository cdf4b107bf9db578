//! Faults, signals, races: the history stays truthful, the lock is released, the next
//! deploy (or a clear P3009 and a resolve) recovers. Cases and outcomes in ARCHITECTURE.md.

use crate::support::cluster::{Cluster, PASSWORD};
use crate::support::cmd::{command, run};
use crate::support::proxy::{free_port, Proxy};
use crate::support::{Project, TestDb, INIT};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn upstream(db: &TestDb) -> String {
    prismig::__internal::dburl::PgUrl::parse(&db.url())
        .unwrap()
        .error_location()
}

fn via(port: u16, db: &TestDb) -> String {
    format!("postgresql://postgres@127.0.0.1:{port}/{}", db.name)
}

fn advisory_locks(db: &TestDb) -> i64 {
    db.count("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
}

fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn running(db: &TestDb, pattern: &str) -> bool {
    db.count(&format!("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%{pattern}%' AND pid <> pg_backend_pid()")) > 0
}

// (a) The connection is cut while waiting for the lock: an error, nothing written, the lock
// not taken, and the next deploy works.
#[test]
fn cut_while_waiting_for_the_lock() {
    let db = TestDb::new("fault_lockwait");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    let mut holder = db.conn();
    use diesel::connection::SimpleConnection;
    holder
        .batch_execute("SELECT pg_advisory_lock(72707369)")
        .unwrap();
    let port = free_port();
    let proxy = Proxy::start(port, upstream(&db));
    let child = command(
        &p,
        &via(port, &db),
        &["migrate", "deploy", "--lock-timeout", "30s"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    proxy.cut();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("Error: "), "{stderr}");
    drop(holder);
    assert_eq!(advisory_locks(&db), 0);
    assert_eq!(
        db.count(
            "SELECT count(*) AS n FROM pg_tables WHERE tablename IN ('_prisma_migrations', 'User')"
        ),
        0,
        "nothing written"
    );
    run(&p, &db.url(), &["migrate", "deploy"]).success();
}

// (b) The connection is cut in the middle of a script: the script and its row are one
// transaction, so the history is truthful whatever the server did, and deploy goes on.
#[test]
fn cut_in_the_middle_of_a_script() {
    let db = TestDb::new("fault_midscript");
    let p = Project::new();
    p.migration("20240101000000_init", INIT).migration(
        "20240102000000_slow",
        "CREATE TABLE half (id int);\nSELECT pg_sleep(1.5);\n",
    );
    let port = free_port();
    let proxy = Proxy::start(port, upstream(&db));
    let child = command(&p, &via(port, &db), &["migrate", "deploy"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("the script", Duration::from_secs(20), || {
        running(&db, "pg_sleep(1.5)")
    });
    proxy.cut();
    let out = child.wait_with_output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    wait_until("the server to finish", Duration::from_secs(20), || {
        !running(&db, "pg_sleep(1.5)")
    });
    let table = db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'half'") == 1;
    let slow: Vec<_> = db
        .rows()
        .into_iter()
        .filter(|r| r.migration_name == "20240102000000_slow")
        .collect();
    assert_eq!(
        table,
        slow.iter().any(|r| r.finished),
        "table and row agree: {slow:?}"
    );
    assert_eq!(advisory_locks(&db), 0);
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    run(&p, &db.url(), &["migrate", "status"]).success();
}

// (c) The bookkeeping connection dies after a statement-by-statement file committed: the
// row stays "started", the next deploy stops with a clear P3009, and resolve recovers.
// (An atomic file has no such window: its row commits with it.)
#[test]
fn bookkeeping_lost_after_the_script_committed() {
    let db = TestDb::new("fault_bookkeeping");
    let p = Project::new();
    p.migration("20240101000000_init", INIT).migration(
        "20240102000000_split",
        "-- prismig:no-transaction\nCREATE TABLE committed (id int);\nSELECT pg_sleep(1.5);\n",
    );
    let child = command(&p, &db.url(), &["migrate", "deploy"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("the last statement", Duration::from_secs(20), || {
        running(&db, "pg_sleep(1.5)")
    });
    // The session that holds the lock and writes the history, not the one running the script.
    db.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'prismig' AND query NOT LIKE '%pg_sleep%' AND pid <> pg_backend_pid()");
    let out = child.wait_with_output().unwrap();
    assert_ne!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'committed'"),
        1
    );
    assert_eq!(advisory_locks(&db), 0, "the lock went with the session");
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert!(out.stderr.starts_with("Error: P3009\n"), "{}", out.stderr);
    run(
        &p,
        &db.url(),
        &["migrate", "resolve", "--applied", "20240102000000_split"],
    )
    .success();
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    run(&p, &db.url(), &["migrate", "status"]).success();
}

// A server restarted in the middle of a deploy (a cluster owned by this test).
#[test]
fn server_restarted_mid_deploy() {
    let cluster = Cluster::start();
    let p = Project::new();
    p.migration("20240101000000_init", INIT).migration(
        "20240102000000_slow",
        "CREATE TABLE during (id int);\nSELECT pg_sleep(3);\n",
    );
    let url = cluster.url(
        &format!("postgres:{PASSWORD}"),
        "restarted",
        "sslmode=require",
    );
    let child = command(&p, &url, &["migrate", "deploy"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Restart while the script runs, not before: under load the deploy takes a while to
    // reach it.
    let admin = cluster.url(
        &format!("postgres:{PASSWORD}"),
        "postgres",
        "sslmode=require",
    );
    wait_until("the slow migration to run", Duration::from_secs(30), || {
        crate::support::db::count_at(
            &admin,
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = 'restarted' AND query LIKE '%pg_sleep(3)%'",
        )
        .is_some_and(|n| n > 0)
    });
    cluster.restart();
    let out = child.wait_with_output().unwrap();
    assert_ne!(out.status.code(), Some(0), "{out:?}");
    // After the restart: the script never committed, its row neither; deploy goes on.
    let out = run(&p, &url, &["migrate", "deploy", "--wait", "20s", "--json"]);
    out.success();
    let doc: prismig::__internal::output::json::Document =
        serde_json::from_str(&out.stdout).unwrap();
    assert!(
        doc.applied.iter().any(|a| a.name == "20240102000000_slow"),
        "{doc:?}"
    );
    let out = run(&p, &url, &["migrate", "status", "--json"]);
    out.success();
}

fn signal_during_a_migration(signal: i32, expected_exit: i32) {
    let db = TestDb::new("fault_signal");
    let p = Project::new();
    p.migration("20240101000000_init", INIT).migration(
        "20240102000000_long",
        "CREATE TABLE never (id int);\nSELECT pg_sleep(30);\n",
    );
    let child = command(&p, &db.url(), &["migrate", "deploy"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("the script", Duration::from_secs(20), || {
        running(&db, "pg_sleep(30)")
    });
    let started = Instant::now();
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, signal) };
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "cancelled, not waited out"
    );
    assert_eq!(
        out.status.code(),
        Some(expected_exit),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Error: interrupted by SIG"), "{stderr}");
    assert!(!running(&db, "pg_sleep(30)"), "the statement was cancelled");
    assert_eq!(advisory_locks(&db), 0);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'never'"),
        0
    );
    let row = db
        .rows()
        .into_iter()
        .find(|r| r.migration_name == "20240102000000_long")
        .unwrap();
    assert!(row.rolled_back && !row.finished, "{row:?}");
    assert!(row
        .logs
        .as_deref()
        .unwrap()
        .contains("prismig was interrupted by SIG"));
    assert!(row
        .logs
        .as_deref()
        .unwrap()
        .contains("Database error code: 57014"));
    // The next deploy applies it again.
    p.migration("20240102000000_long", "CREATE TABLE never (id int);\n");
    run(&p, &db.url(), &["migrate", "deploy"]).success();
}

#[test]
fn sigint_cancels_the_running_statement() {
    signal_during_a_migration(libc::SIGINT, 130);
}

#[test]
fn sigterm_cancels_the_running_statement() {
    signal_during_a_migration(libc::SIGTERM, 143);
}

// SQLite: the statement is interrupted; the file ran statement by statement, so the row
// stays failed (not rolled back) for a person to decide.
#[test]
fn sigterm_interrupts_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file:{}", dir.path().join("s.db").display());
    let p = Project::new();
    p.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n",
    );
    p.write(
        "prisma/migrations/migration_lock.toml",
        "provider = \"sqlite\"\n",
    );
    p.migration("20240101000000_init", INIT).migration(
        "20240102000000_heavy",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) SELECT count(*) FROM c;\n",
    );
    let child = command(&p, &url, &["migrate", "deploy"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(143),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&p, &url, &["migrate", "status"]);
    assert!(
        out.stderr
            .starts_with("Following migration have failed:\n20240102000000_heavy\n"),
        "{}",
        out.stderr
    );
}
