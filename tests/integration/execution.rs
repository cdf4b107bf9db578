//! The execution model (ARCHITECTURE.md, "Execution model"): no migration is ever applied
//! twice, whatever is killed or cut when; scripts reach the server as the file holds them
//! and mean what they mean under Prisma (transcripts §9.1–§9.4, §9.6).

use crate::providers::scenarios::project;
use crate::providers::{Backend, Postgres};
use crate::support::cmd::{command, run, Output};
use crate::support::proxy::{free_port, Proxy};
use crate::support::{Project, TestDb, INIT};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn running(db: &TestDb, pattern: &str) -> bool {
    db.count(&format!("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%{pattern}%' AND pid <> pg_backend_pid()")) > 0
}

fn spawn(p: &Project, url: &str, args: &[&str]) -> Child {
    command(p, url, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child) -> Output {
    let out = child.wait_with_output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A small deterministic generator: the seed is printed, so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn from_env() -> Rng {
        let seed = std::env::var("PRISMIG_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
        Rng(seed | 1)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// How one crashed deploy ended, for the harness's tally.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    runs: usize,
    second_clean: usize,
    second_p3009: usize,
    resolved_applied: usize,
    resolved_rolled_back: usize,
}

/// The invariant after any crash: each migration's effect (a row in `hits`) happened at
/// most once; a finished history row means it happened; a missing effect has no finished
/// row. When the second deploy stopped at P3009 (a crash in Prisma's own sequence), the
/// operator's resolve, chosen from the data, and a third deploy make every effect
/// happen exactly once.
fn check_exactly_once<B: Backend>(
    db: &B,
    p: &Project,
    names: &[String],
    second: &Output,
    tally: &mut Tally,
) {
    let hits = |n: &str| {
        if !db.table_exists("hits") {
            return 0;
        }
        db.count(&format!(
            "SELECT COUNT(*) AS n FROM hits WHERE name = '{n}'"
        ))
    };
    let verify = |stage: &str| {
        let rows = db.rows();
        for name in names {
            let short = name.rsplit('_').next().unwrap();
            let n = hits(short);
            assert!(n <= 1, "{stage}: {name} applied {n} times; rows {rows:?}");
            let finished = rows
                .iter()
                .filter(|r| r.migration_name == *name && r.finished && !r.rolled_back)
                .count();
            assert!(
                finished <= 1,
                "{stage}: {name} has {finished} finished rows"
            );
            if finished == 1 {
                assert_eq!(n, 1, "{stage}: {name} finished without its effect");
            }
        }
    };
    verify("after the second deploy");
    match second.code {
        0 => tally.second_clean += 1,
        1 => {
            assert!(
                // After the lock-wait line, when the orphan held the lock for a second.
                second.stderr.contains("\nError: P3009\n")
                    || second.stderr.starts_with("Error: P3009\n"),
                "second deploy: {second:#?}"
            );
            tally.second_p3009 += 1;
            let failed: Vec<String> = db
                .rows()
                .into_iter()
                .filter(|r| !r.finished && !r.rolled_back)
                .map(|r| r.migration_name)
                .collect();
            assert_eq!(failed.len(), 1, "{failed:?}");
            let short = failed[0].rsplit('_').next().unwrap().to_owned();
            // The operator looks at the data: `init`'s effect is the table itself.
            let applied = match short.as_str() {
                "init" => db.table_exists("hits"),
                _ => hits(&short) == 1,
            };
            let how = if applied {
                tally.resolved_applied += 1;
                "--applied"
            } else {
                tally.resolved_rolled_back += 1;
                "--rolled-back"
            };
            run(p, &db.url(), &["migrate", "resolve", how, &failed[0]]).success();
            run(p, &db.url(), &["migrate", "deploy"]).success();
        }
        _ => panic!("second deploy: {second:#?}"),
    }
    verify("at the end");
    run(p, &db.url(), &["migrate", "deploy"]).success();
    for name in names {
        let short = name.rsplit('_').next().unwrap();
        assert_eq!(hits(short), 1, "{name} not applied exactly once");
    }
}

/// kill -9 at a random moment of a deploy of slow, counting migrations, then a second
/// deploy at once; `runs` times, `parallel` at a time. `sleep` is the provider's pause.
#[allow(
    clippy::print_stderr,
    reason = "the harness reports its tally and seed"
)]
fn crash_harness<B: Backend + 'static>(
    runs: usize,
    parallel: usize,
    migrations: &'static [&'static str],
) {
    let mut rng = Rng::from_env();
    eprintln!("crash harness seed: {} (PRISMIG_CRASH_SEED)", rng.0);
    let delays: Vec<u64> = (0..runs).map(|_| 30 + rng.below(1200)).collect();
    let tally = std::sync::Mutex::new(Tally::default());
    std::thread::scope(|scope| {
        for chunk in delays.chunks(runs.div_ceil(parallel)) {
            let tally = &tally;
            scope.spawn(move || {
                for (i, delay) in chunk.iter().enumerate() {
                    let db = B::create(&format!("crash_{i}"));
                    let p = project::<B>();
                    p.migration(
                        "20240101000000_init",
                        "CREATE TABLE hits (name VARCHAR(64) NOT NULL);\n",
                    );
                    let mut names = Vec::new();
                    for (k, sql) in migrations.iter().enumerate() {
                        let name = format!("2024010200000{k}_m{k}");
                        p.migration(&name, &sql.replace("{name}", &format!("m{k}")));
                        names.push(name);
                    }
                    let mut child = command(&p, &db.url(), &["migrate", "deploy"])
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .spawn()
                        .unwrap();
                    std::thread::sleep(Duration::from_millis(*delay));
                    child.kill().unwrap();
                    child.wait().unwrap();
                    let second = run(&p, &db.url(), &["migrate", "deploy"]);
                    let mut t = Tally::default();
                    check_exactly_once(&db, &p, &names, &second, &mut t);
                    let mut all = tally.lock().unwrap();
                    all.runs += 1;
                    all.second_clean += t.second_clean;
                    all.second_p3009 += t.second_p3009;
                    all.resolved_applied += t.resolved_applied;
                    all.resolved_rolled_back += t.resolved_rolled_back;
                }
            });
        }
    });
    let tally = tally.into_inner().unwrap();
    eprintln!("crash harness ({}): {tally:?}", B::PROVIDER);
    assert_eq!(tally.runs, runs);
}

fn crash_runs() -> usize {
    std::env::var("PRISMIG_CRASH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
}

/// Four migrations: three run with their row in one transaction, the third controls its own
/// transaction and so runs in Prisma's sequence (a crash there can end in P3009).
const PG_MIGRATIONS: &[&str] = &[
    "INSERT INTO hits VALUES ('{name}');\nSELECT pg_sleep(0.15);\n",
    "UPDATE hits SET name = name WHERE false;\nINSERT INTO hits VALUES ('{name}');\nSELECT pg_sleep(0.15);\n",
    "BEGIN;\nINSERT INTO hits VALUES ('{name}');\nSELECT pg_sleep(0.15);\nCOMMIT;\n",
    "SELECT pg_sleep(0.1);\nINSERT INTO hits VALUES ('{name}');\n",
];

// §9.1: kill -9 mid-deploy and a second deploy at once, 30 times (PRISMIG_CRASH_RUNS).
#[test]
fn crash_harness_postgres() {
    crash_harness::<Postgres>(crash_runs(), 3, PG_MIGRATIONS);
}

#[cfg(feature = "mysql")]
#[test]
fn crash_harness_mysql() {
    crash_harness::<crate::providers::Mysql>(
        crash_runs(),
        3,
        &[
            "INSERT INTO hits VALUES ('{name}');\nDO SLEEP(0.15);\n",
            "DO SLEEP(0.1);\nINSERT INTO hits VALUES ('{name}');\n",
            "INSERT INTO hits VALUES ('{name}');\nDO SLEEP(0.15);\n",
        ],
    );
}

// §9.1, the exact case: Prisma leaves counter = 1 and P3009; prismig leaves no doubt. The
// orphaned script is stopped by the server within about a second of the kill
// (client_connection_check_interval) instead of running to its end, and rolled back with
// its row; the second deploy applies `bump` once.
#[test]
fn killed_during_bump_applies_it_once() {
    let db = TestDb::new("exec_bump");
    let p = Project::new();
    p.migration(
        "20240101000000_init",
        "CREATE TABLE counter(n int);\nINSERT INTO counter VALUES (0);\n",
    )
    .migration(
        "20240102000000_bump",
        "UPDATE counter SET n = n + 1;\nSELECT pg_sleep(3);\n",
    );
    let mut child = spawn(&p, &db.url(), &["migrate", "deploy"]);
    wait_until("bump running", Duration::from_secs(20), || {
        running(&db, "pg_sleep(3)")
    });
    let orphan = db.count("SELECT pid::bigint AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(3)%' AND pid <> pg_backend_pid()");
    child.kill().unwrap();
    child.wait().unwrap();
    let killed = Instant::now();
    let second = spawn(&p, &db.url(), &["migrate", "deploy"]);
    wait_until("the orphan gone", Duration::from_secs(10), || {
        db.count(&format!(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE pid = {orphan}"
        )) == 0
    });
    assert!(
        killed.elapsed() < Duration::from_millis(2500),
        "the orphan ran to its end: {:?}",
        killed.elapsed()
    );
    finish(second).success();
    assert_eq!(db.count("SELECT n::bigint AS n FROM counter"), 1);
    let rows = db.rows();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| r.finished && r.logs.is_none()));
}

fn via(port: u16, db: &TestDb) -> String {
    format!("postgresql://postgres@127.0.0.1:{port}/{}", db.name)
}

fn upstream(db: &TestDb) -> String {
    prismig::__internal::dburl::PgUrl::parse(&db.url())
        .unwrap()
        .error_location()
}

/// Cuts one of the connections a deploy opened (`Some(i)`, in the order opened: the
/// bookkeeping connection, then the session that holds the lock and runs the scripts) or
/// all of them, while a script runs; a second deploy races in at once.
fn cut_mid_script(which: Option<usize>, tag: &str) {
    let db = TestDb::new(tag);
    let p = Project::new();
    p.migration(
        "20240101000000_init",
        "CREATE TABLE hits (name VARCHAR(64) NOT NULL);\n",
    );
    let names: Vec<String> = ["m1", "m2"]
        .iter()
        .enumerate()
        .map(|(k, m)| format!("2024010200000{k}_{m}"))
        .collect();
    p.migration(
        &names[0],
        "INSERT INTO hits VALUES ('m1');\nSELECT pg_sleep(1.5);\n",
    )
    .migration(&names[1], "INSERT INTO hits VALUES ('m2');\n");
    let port = free_port();
    let proxy = Proxy::start(port, upstream(&db));
    let first = spawn(&p, &via(port, &db), &["migrate", "deploy"]);
    wait_until("m1 running", Duration::from_secs(20), || {
        running(&db, "pg_sleep(1.5)")
    });
    assert!(
        proxy.connections() >= 2,
        "{} connections",
        proxy.connections()
    );
    match which {
        Some(i) => proxy.cut_nth(i),
        None => proxy.cut(),
    }
    let second = run(&p, &db.url(), &["migrate", "deploy"]);
    let first = finish(first);
    assert!(first.code == 0 || first.code == 1, "{first:#?}");
    let mut tally = Tally::default();
    check_exactly_once(&Postgres(db), &p, &names, &second, &mut tally);
}

#[test]
fn cut_the_bookkeeping_connection_mid_script() {
    cut_mid_script(Some(0), "exec_cut_diesel");
}

#[test]
fn cut_the_script_session_mid_script() {
    cut_mid_script(Some(1), "exec_cut_script");
}

#[test]
fn cut_every_connection_mid_script() {
    cut_mid_script(None, "exec_cut_all");
}

// The lock session dies between two migrations: the next started row cannot be written
// without it, so no second deploy can race this one's bookkeeping.
#[test]
fn a_lost_lock_session_stops_the_deploy_before_the_next_row() {
    let db = TestDb::new("exec_lost_lock");
    let p = Project::new();
    p.migration(
        "20240101000000_init",
        "CREATE TABLE hits (name VARCHAR(64) NOT NULL);\n",
    )
    .migration(
        "20240102000000_m1",
        "BEGIN;\nINSERT INTO hits VALUES ('m1');\nSELECT pg_sleep(1);\nCOMMIT;\n",
    )
    .migration("20240102000001_m2", "INSERT INTO hits VALUES ('m2');\n");
    // Kill the lock session's backend from the server side while m1 sleeps.
    let first = spawn(&p, &db.url(), &["migrate", "deploy"]);
    wait_until("m1 running", Duration::from_secs(20), || {
        running(&db, "pg_sleep(1)")
    });
    db.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(1)%' AND pid <> pg_backend_pid()");
    let first = finish(first);
    first.failure();
    assert_eq!(
        db.count("SELECT count(*) AS n FROM hits WHERE name = 'm2'"),
        0
    );
    assert!(!db
        .rows()
        .iter()
        .any(|r| r.migration_name == "20240102000001_m2"));
}

// §9.2: scripts that control their own transaction, one database each. Where Prisma
// reports success for a script whose work is then lost (g), or fails its own bookkeeping
// after the script committed (i), prismig tells the truth instead.
#[test]
fn scripts_that_control_their_own_transaction() {
    // (case, script, exit code, finished, tables left besides _prisma_migrations)
    let cases: &[(&str, &str, i32, bool, &[&str])] = &[
        ("a", "BEGIN; SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; CREATE TABLE t1(id int); COMMIT;", 0, true, &["public.t1"]),
        ("b", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; CREATE TABLE t2(id int);", 0, true, &["public.t2"]),
        ("c", "CREATE TABLE keep(id int); BEGIN; CREATE TABLE gone(id int); ROLLBACK;", 0, true, &[]),
        ("d", "CREATE TABLE r(id int); RESET ALL;", 0, true, &["public.r"]),
        ("e", "BEGIN ISOLATION LEVEL SERIALIZABLE; CREATE TABLE t3(id int); COMMIT;", 0, true, &["public.t3"]),
        ("f", "CREATE TABLE s1(id int); COMMIT; CREATE TABLE s2(id int);", 0, true, &["public.s1", "public.s2"]),
        ("g", "BEGIN; CREATE TABLE u1(id int);", 1, false, &[]),
        ("h", "CREATE TABLE w(id int); SAVEPOINT a; CREATE TABLE w2(id int); ROLLBACK TO SAVEPOINT a;", 1, false, &[]),
        ("i", "SET search_path TO other; CREATE TABLE x(id int);", 0, true, &["other.x"]),
        ("start", "START TRANSACTION; CREATE TABLE st(id int); COMMIT;", 0, true, &["public.st"]),
        ("savepoint", "BEGIN; CREATE TABLE sp1(id int); SAVEPOINT a; CREATE TABLE sp2(id int); ROLLBACK TO SAVEPOINT a; COMMIT;", 0, true, &["public.sp1"]),
        ("langfuse", "BEGIN;\nSET TRANSACTION ISOLATION LEVEL REPEATABLE READ;\nCREATE TABLE ev(id int);\nINSERT INTO ev VALUES (1);\nUPDATE ev SET id = 2;\nCOMMIT;\n", 0, true, &["public.ev"]),
    ];
    for (case, script, code, finished, tables) in cases {
        let db = TestDb::new(&format!("exec_tx_{case}"));
        db.exec("CREATE SCHEMA other");
        let p = Project::new();
        p.migration("20240101000000_case", &format!("{script}\n"));
        let out = run(&p, &db.url(), &["migrate", "deploy"]);
        assert_eq!(out.code, *code, "case {case}: {out:#?}");
        let rows = db.rows();
        assert_eq!(rows.len(), 1, "case {case}: {rows:?}");
        assert_eq!(rows[0].finished, *finished, "case {case}: {rows:?}");
        assert!(!rows[0].rolled_back, "case {case}");
        assert_eq!(
            rows[0].applied_steps_count,
            i32::from(*finished),
            "case {case}"
        );
        assert_eq!(rows[0].logs.is_none(), *finished, "case {case}: {rows:?}");
        let found: Vec<String> = {
            use diesel::RunQueryDsl;
            #[derive(diesel::QueryableByName)]
            struct T {
                #[diesel(sql_type = diesel::sql_types::Text)]
                t: String,
            }
            diesel::sql_query("SELECT schemaname || '.' || tablename AS t FROM pg_tables WHERE schemaname IN ('public', 'other') AND tablename <> '_prisma_migrations' ORDER BY 1")
                .load::<T>(&mut db.conn())
                .unwrap()
                .into_iter()
                .map(|r| r.t)
                .collect()
        };
        assert_eq!(found, *tables, "case {case}");
        if *case == "g" {
            assert!(
                out.stderr.contains("left a transaction open"),
                "{}",
                out.stderr
            );
            // Reported, not hidden: the next deploy stops at P3009 as for any failure.
            let next = run(&p, &db.url(), &["migrate", "deploy"]);
            assert!(next.stderr.starts_with("Error: P3009"), "{next:#?}");
        }
        if *case == "h" {
            assert!(
                out.stderr.contains("Database error code: 25P01"),
                "{}",
                out.stderr
            );
        }
    }
}

// §9.2 (i): the next script starts on the URL's schema again, as in a new session.
#[test]
fn a_scripts_search_path_does_not_move_the_next_one() {
    let db = TestDb::new("exec_path");
    db.exec("CREATE SCHEMA other");
    let p = Project::new();
    p.migration(
        "20240101000000_elsewhere",
        "SET search_path TO other;\nCREATE TABLE x(id int);\n",
    )
    .migration("20240102000000_here", "CREATE TABLE y(id int);\n")
    .migration(
        "20240103000000_reset",
        "RESET ALL;\nCREATE TABLE z(id int);\n",
    );
    run(&p, &db.url_with("schema=app"), &["migrate", "deploy"]).success();
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE (schemaname, tablename) IN (('other', 'x'), ('app', 'y'))"),
        2
    );
    assert_eq!(db.rows_in("app").len(), 3);
}

// §9.3: COPY with the client's data channel is refused before anything is written, at
// once (Prisma: P1017 and rolled back, or P3018 although committed).
#[test]
fn copy_with_the_client_channel_is_refused_before_anything() {
    for (tag, copy) in [
        ("in", "COPY t FROM STDIN;"),
        ("out", "COPY t TO STDOUT;"),
        ("query", "COPY (SELECT 1) TO stdout WITH (FORMAT csv);"),
        ("columns", "/* data */ COPY t (id) FROM stdin;"),
    ] {
        let db = TestDb::new(&format!("exec_copy_{tag}"));
        let p = Project::new();
        p.migration("20240101000000_init", INIT).migration(
            "20240102000000_copy",
            &format!("CREATE TABLE t(id int);\n{copy}\n"),
        );
        let started = Instant::now();
        let out = run(&p, &db.url(), &["migrate", "deploy"]);
        out.failure();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(
            out.stderr.starts_with(&format!(
                "Error: PM3110: Migration `20240102000000_copy` runs `{copy}`, which needs the client's data channel"
            )),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("Nothing was applied."),
            "{}",
            out.stderr
        );
        assert_eq!(
            db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename IN ('_prisma_migrations', 'User', 't')"),
            0,
            "nothing written"
        );
    }
}

// A COPY that reaches the server anyway (here through rollback's down.sql, which has no
// pre-check) is ended at once, and the transaction with it: the session stays usable.
#[test]
fn a_copy_that_reaches_the_server_is_ended() {
    let db = TestDb::new("exec_copy_runtime");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    p.write(
        "prisma/migrations/20240101000000_init/down.sql",
        "DROP TABLE \"User\";\nCOPY (SELECT 1) TO STDOUT;\n",
    );
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    let started = Instant::now();
    let out = run(
        &p,
        &db.url(),
        &["migrate", "rollback", "20240101000000_init"],
    );
    out.failure();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(out.stderr.contains("PM3204"), "{}", out.stderr);
    assert!(out.stderr.contains("TO STDOUT"), "{}", out.stderr);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'User'"),
        1,
        "down.sql rolled back with the COPY"
    );
    assert!(db.rows().iter().all(|r| !r.rolled_back));
}

// §9.4: invalid UTF-8 in a comment is Prisma's (U+FFFD, lossy checksum); anywhere else it
// is refused, naming the file and the byte offset, before anything is written.
#[test]
fn bytes_that_are_not_utf8() {
    let db = TestDb::new("exec_utf8");
    let p = Project::new();
    p.write(
        "prisma/migrations/20240101000000_comment/migration.sql",
        b"CREATE TABLE t(v text);\n-- caf\xe9\nINSERT INTO t VALUES ('ok');\n".as_slice(),
    );
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    assert_eq!(
        db.rows()[0].checksum,
        "83bf217f31205eaa4ec40fbdbb2b6d34ed2883d609f8d9bd49ec4f2218a527a8"
    );
    run(&p, &db.url(), &["migrate", "status"]).success();

    p.migration("20240102000000_ok", "CREATE TABLE before_it(id int);\n");
    p.write(
        "prisma/migrations/20240103000000_literal/migration.sql",
        b"CREATE TABLE t2(v text);\nINSERT INTO t2 VALUES ('a\xff\xfeb');\n".as_slice(),
    );
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert!(out.stderr.starts_with("Error: PM3115: "), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("20240103000000_literal/migration.sql: the byte at offset 50 is not UTF-8"),
        "{}",
        out.stderr
    );
    assert_eq!(
        db.rows().len(),
        1,
        "nothing written, not even the earlier migration"
    );
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename IN ('t2', 'before_it')"),
        0
    );
}

// Signals: a script stuck behind a lock held by another session is cancelled, the row
// says so, the lock is released, and prismig exits 143 within 5 s.
#[test]
fn sigterm_during_a_stuck_script() {
    let db = TestDb::new("exec_stuck");
    let p = Project::new();
    p.migration("20240101000000_init", INIT).migration(
        "20240102000000_stuck",
        "ALTER TABLE \"User\" ADD COLUMN a int;\nALTER TABLE \"User\" ADD COLUMN b int;\n",
    );
    run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--to", "20240101000000_init"],
    )
    .success();
    let mut holder = db.conn();
    use diesel::connection::SimpleConnection;
    holder
        .batch_execute("BEGIN; LOCK TABLE \"User\" IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let child = spawn(&p, &db.url(), &["migrate", "deploy"]);
    wait_until("the script waiting", Duration::from_secs(20), || {
        db.count("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%ADD COLUMN a%'") > 0
    });
    let sent = Instant::now();
    // SAFETY: plain kill(2) of our child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = finish(child);
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "{:?}",
        sent.elapsed()
    );
    assert_eq!(out.code, 143, "{out:#?}");
    holder.batch_execute("ROLLBACK").unwrap();
    let row = db
        .rows()
        .into_iter()
        .find(|r| r.migration_name == "20240102000000_stuck")
        .unwrap();
    assert!(row.rolled_back && row.logs.unwrap().contains("SIGTERM"));
    assert_eq!(
        db.count(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        0
    );
    run(&p, &db.url(), &["migrate", "deploy"]).success();
}

// A network that hangs (nothing comes back, not even the cancel's answer): prismig still
// ends within 5 s of SIGTERM, and the history stays truthful for the next deploy.
#[test]
fn sigterm_with_a_hung_network() {
    let db = TestDb::new("exec_hung");
    let p = Project::new();
    p.migration("20240101000000_init", INIT).migration(
        "20240102000000_slow",
        "CREATE TABLE slow(id int);\nSELECT pg_sleep(30);\n",
    );
    let port = free_port();
    let proxy = Proxy::start(port, upstream(&db));
    let child = spawn(&p, &via(port, &db), &["migrate", "deploy"]);
    wait_until("the slow script", Duration::from_secs(20), || {
        running(&db, "pg_sleep(30)")
    });
    proxy.freeze();
    let sent = Instant::now();
    // SAFETY: plain kill(2) of our child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = finish(child);
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "{:?}",
        sent.elapsed()
    );
    assert_eq!(out.code, 143, "{out:#?}");
    assert!(out.stderr.contains("exiting now"), "{}", out.stderr);
    drop(proxy);
    // The server stops the orphan (cancelled, or gone with its connection): nothing of
    // `slow` and no row for it, so the next deploy applies it.
    wait_until("the orphan gone", Duration::from_secs(40), || {
        !running(&db, "pg_sleep(30)")
    });
    assert!(!db
        .rows()
        .iter()
        .any(|r| r.migration_name == "20240102000000_slow"));
    // Quicker, and no row holds the old checksum.
    p.migration("20240102000000_slow", "CREATE TABLE slow(id int);\n");
    run(&p, &db.url(), &["migrate", "deploy"]).success();
}

// §9.6: 16 deploys started at once on a database, or a schema, that does not exist yet
// all succeed (Prisma fails some with P1009), and each migration is applied once.
#[test]
fn concurrent_creation_of_database_and_schema() {
    for schema in [None, Some("tenant_new")] {
        let db = TestDb::unique_name(&format!("exec_create_{}", schema.is_some()));
        let url = match schema {
            Some(s) => db.url_with(&format!("schema={s}")),
            None => db.url(),
        };
        if schema.is_some() {
            use diesel::connection::SimpleConnection;
            crate::support::db::admin()
                .batch_execute(&format!("CREATE DATABASE \"{}\"", db.name))
                .unwrap();
        }
        let p = Project::new();
        p.migration("20240101000000_init", INIT)
            .migration("20240102000000_two", "CREATE TABLE two(id int);\n");
        let children: Vec<Child> = (0..16)
            .map(|_| spawn(&p, &url, &["migrate", "deploy"]))
            .collect();
        let outs: Vec<Output> = children.into_iter().map(finish).collect();
        for out in &outs {
            assert_eq!(out.code, 0, "{out:#?}");
        }
        let created = outs
            .iter()
            .filter(|o| o.stdout.contains("PostgreSQL database") && o.stdout.contains("created at"))
            .count();
        if schema.is_none() {
            assert_eq!(created, 1, "exactly one says it created the database");
        }
        let rows = db.rows_in(schema.unwrap_or("public"));
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(rows.iter().all(|r| r.finished));
    }
}

// PostgreSQL keeps the first 63 bytes of a name: a longer `?schema=` would create one
// schema and look for another. Refused before anything is created.
#[test]
fn schema_names_longer_than_postgres_keeps() {
    let db = TestDb::new("exec_long");
    let long = "s".repeat(70);
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    for args in [&["migrate", "deploy"][..], &["migrate", "status"][..]] {
        let out = run(&p, &db.url_with(&format!("schema={long}")), args);
        out.failure();
        assert!(out.stderr.starts_with("Error: PM3116: "), "{}", out.stderr);
    }
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_namespace WHERE nspname LIKE 'sss%'"),
        0
    );
}

// `migrate rollback` killed during down.sql: the table and the row change together or not
// at all (PostgreSQL and SQLite: one transaction).
#[test]
fn rollback_killed_mid_down_sql() {
    let db = TestDb::new("exec_rb_kill");
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .migration("20240102000000_post", "CREATE TABLE \"Post\" (id int);\n");
    p.write(
        "prisma/migrations/20240102000000_post/down.sql",
        "DROP TABLE \"Post\";\nSELECT pg_sleep(3);\n",
    );
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    let mut child = spawn(
        &p,
        &db.url(),
        &["migrate", "rollback", "20240102000000_post"],
    );
    wait_until("down.sql running", Duration::from_secs(20), || {
        running(&db, "pg_sleep(3)")
    });
    child.kill().unwrap();
    child.wait().unwrap();
    wait_until("the orphan gone", Duration::from_secs(10), || {
        !running(&db, "pg_sleep(3)")
    });
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'Post'"),
        1,
        "down.sql rolled back"
    );
    assert!(db.rows().iter().all(|r| !r.rolled_back));
    // Undisturbed, both happen.
    run(
        &p,
        &db.url(),
        &["migrate", "rollback", "20240102000000_post"],
    )
    .success();
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'Post'"),
        0
    );
    assert!(db
        .rows()
        .iter()
        .any(|r| r.migration_name == "20240102000000_post" && r.rolled_back));
}

#[test]
fn rollback_killed_mid_down_sql_on_sqlite() {
    use crate::providers::Sqlite;
    let db = Sqlite::create("exec_rb_sqlite");
    let p = project::<Sqlite>();
    p.migration("20240101000000_init", Sqlite::INIT).migration(
        "20240102000000_post",
        "CREATE TABLE \"Post\" (id INTEGER);\n",
    );
    p.write(
        "prisma/migrations/20240102000000_post/down.sql",
        "DROP TABLE \"Post\";\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT count(*) FROM c;\n",
    );
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    let mut child = spawn(
        &p,
        &db.url(),
        &["migrate", "rollback", "20240102000000_post"],
    );
    std::thread::sleep(Duration::from_millis(700));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(db.table_exists("Post"), "down.sql rolled back with the row");
    assert!(db.rows().iter().all(|r| !r.rolled_back));
}

// MySQL commits DDL on its own: rollback cannot tie down.sql to the row, so it refuses.
#[cfg(feature = "mysql")]
#[test]
fn rollback_is_refused_on_mysql() {
    use crate::providers::Mysql;
    let db = Mysql::create("exec_rb_mysql");
    let p = project::<Mysql>();
    p.migration("20240101000000_init", Mysql::INIT);
    p.write(
        "prisma/migrations/20240101000000_init/down.sql",
        "DROP TABLE `User`;\n",
    );
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    let out = run(
        &p,
        &db.url(),
        &["migrate", "rollback", "20240101000000_init"],
    );
    out.failure();
    assert!(out.stderr.starts_with("Error: PM3206: "), "{}", out.stderr);
    assert!(db.table_exists("User"));
}

// A down.sql with its own transaction statements cannot share the row's transaction.
#[test]
fn rollback_refuses_a_down_sql_with_transaction_control() {
    let db = TestDb::new("exec_rb_tx");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    p.write(
        "prisma/migrations/20240101000000_init/down.sql",
        "BEGIN;\nDROP TABLE \"User\";\nCOMMIT;\n",
    );
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    let out = run(
        &p,
        &db.url(),
        &["migrate", "rollback", "20240101000000_init"],
    );
    out.failure();
    assert!(out.stderr.starts_with("Error: PM3205: "), "{}", out.stderr);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'User'"),
        1
    );
}

// §9.6 on MySQL: 16 deploys at once on a database that does not exist yet all succeed.
#[cfg(feature = "mysql")]
#[test]
fn concurrent_creation_of_a_mysql_database() {
    use crate::providers::Mysql;
    let db = Mysql::absent("exec_my_create");
    let p = project::<Mysql>();
    p.migration("20240101000000_init", Mysql::INIT);
    let children: Vec<Child> = (0..16)
        .map(|_| spawn(&p, &db.url(), &["migrate", "deploy"]))
        .collect();
    let outs: Vec<Output> = children.into_iter().map(finish).collect();
    for out in &outs {
        assert_eq!(out.code, 0, "{out:#?}");
    }
    assert_eq!(
        outs.iter()
            .filter(|o| o.stdout.contains("MySQL database") && o.stdout.contains("created at"))
            .count(),
        1
    );
    let rows = db.rows();
    assert_eq!(rows.len(), 1, "{rows:?}");
}

// MySQL through a proxy: the script session cut mid-script (the orphaned statement holds
// GET_LOCK until its thread ends), a second deploy at once; nothing is applied twice.
#[cfg(feature = "mysql")]
#[test]
fn cut_connections_mid_script_on_mysql() {
    use crate::providers::Mysql;
    for which in [Some(0), Some(1), None] {
        let db = Mysql::create("exec_my_cut");
        let p = project::<Mysql>();
        p.migration(
            "20240101000000_init",
            "CREATE TABLE hits (name VARCHAR(64) NOT NULL);\n",
        );
        let names = vec![
            "20240102000000_m1".to_owned(),
            "20240102000001_m2".to_owned(),
        ];
        p.migration(
            &names[0],
            "INSERT INTO hits VALUES ('m1');\nDO SLEEP(1.5);\n",
        )
        .migration(&names[1], "INSERT INTO hits VALUES ('m2');\n");
        let admin = url::Url::parse(&db.url()).unwrap();
        let upstream = format!(
            "{}:{}",
            admin.host_str().unwrap(),
            admin.port().unwrap_or(3306)
        );
        let port = free_port();
        let proxy = Proxy::start(port, upstream);
        let mut via = admin.clone();
        via.set_host(Some("127.0.0.1")).unwrap();
        via.set_port(Some(port)).unwrap();
        let first = spawn(&p, via.as_str(), &["migrate", "deploy"]);
        wait_until("m1 running", Duration::from_secs(20), || {
            db.count("SELECT COUNT(*) AS n FROM information_schema.processlist WHERE info LIKE 'INSERT INTO hits VALUES (''m1'')%'") > 0
                || db.count("SELECT COUNT(*) AS n FROM information_schema.processlist WHERE info LIKE '%SLEEP(1.5)%' AND info NOT LIKE '%processlist%'") > 0
        });
        match which {
            Some(i) => proxy.cut_nth(i),
            None => proxy.cut(),
        }
        let second = run(&p, &db.url(), &["migrate", "deploy"]);
        let first = finish(first);
        assert!(first.code == 0 || first.code == 1, "{first:#?}");
        let mut tally = Tally::default();
        check_exactly_once(&db, &p, &names, &second, &mut tally);
    }
}

// The row of a migration that carries it is written with literal values: a name with a
// quote and a backslash comes back as it was, even after a script turned
// standard_conforming_strings off for the session.
#[test]
fn hostile_names_in_the_row_written_with_the_script() {
    let db = TestDb::new("exec_names");
    let p = Project::new();
    p.migration(
        "20240101000000_strings",
        "SET standard_conforming_strings = off;\nCREATE TABLE a(id int);\n",
    )
    .migration("20240102000000_it's\\ok", "CREATE TABLE b(id int);\n")
    .migration("20240103000000_x''y", "CREATE TABLE c(id int);\n");
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    let names: Vec<String> = db.rows().into_iter().map(|r| r.migration_name).collect();
    assert_eq!(
        names,
        [
            "20240101000000_strings",
            "20240102000000_it's\\ok",
            "20240103000000_x''y"
        ]
    );
    run(&p, &db.url(), &["migrate", "status"]).success();
}
