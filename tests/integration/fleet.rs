//! Fleets (issue 19): `migrate deploy|status --targets FILE | --schemas PATTERN`: many
//! databases and schemas in one command, each with its own lock and Prisma's rows.

use crate::support::cmd::{command, output, run, Output};
use crate::support::db::{url_for, TestDb};
use crate::support::{json, Project, ADD_EMAIL, ADD_POST, INIT};
use std::process::Stdio;
use std::time::{Duration, Instant};

const NAMES: [&str; 3] = [
    "20240101000000_init",
    "20240102000000_add_post",
    "20240103000000_add_email",
];

fn project() -> Project {
    let p = Project::new();
    p.migration(NAMES[0], INIT)
        .migration(NAMES[1], ADD_POST)
        .migration(NAMES[2], ADD_EMAIL);
    p
}

/// Errors of each JSON line against `schema/prismig-fleet.schema.json`; empty when every
/// line follows it.
fn schema_errors(lines: &str) -> String {
    json::schema_errors("prismig-fleet.schema.json", lines, json::Documents::PerLine)
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    assert_eq!(schema_errors(&out.stdout), "", "{}", out.stdout);
    out.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn create_schemas(db: &TestDb, names: &[String]) {
    let sql: String = names
        .iter()
        .map(|n| format!("CREATE SCHEMA \"{n}\";"))
        .collect();
    db.exec(&sql);
}

/// A tenant whose second migration will fail: the first applied by a single deploy, then
/// a table of the second created by hand (P3018 in the fleet, as a single deploy would).
fn break_tenant(p: &Project, url: &str, db: &TestDb, schema: &str) {
    let first = Project::new();
    first.migration(NAMES[0], INIT);
    run(&first, url, &["migrate", "deploy"]).success();
    db.exec(&format!("CREATE TABLE \"{schema}\".\"Post\" (id int)"));
    let _ = p;
}

fn finished_rows(db: &TestDb, schema: &str) -> usize {
    db.rows_in(schema)
        .iter()
        .filter(|r| r.finished && !r.rolled_back)
        .count()
}

// Issue 19, §4: 50 schemas of one database, one broken tenant: the others complete, the
// summary and the exit code say which failed; rows are Prisma's (§4.6).
#[test]
fn fleet_deploys_fifty_schemas_with_one_broken_tenant() {
    let db = TestDb::new("fleet_schemas");
    let schemas: Vec<String> = (0..50).map(|i| format!("tenant_{i:02}")).collect();
    create_schemas(&db, &schemas);
    db.exec("CREATE SCHEMA other");
    let p = project();
    let broken_url = db.url_with("schema=tenant_17");
    break_tenant(&p, &broken_url, &db, "tenant_17");
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--schemas", "tenant_*", "--jobs", "6"],
    );
    assert_eq!(out.code, 1, "{out:#?}");
    // One line per finished target on a pipe, then the table.
    let finished = out.stdout.lines().filter(|l| l.starts_with('[')).count();
    assert_eq!(finished, 50, "{}", out.stdout);
    assert!(
        out.stdout.contains("50 targets in ")
            && out.stdout.contains(": 49 succeeded, 1 error P3018"),
        "{}",
        out.stdout
    );
    let broken_line = out
        .stdout
        .lines()
        .find(|l| l.contains("schema=tenant_17") && !l.starts_with('['))
        .unwrap();
    assert!(broken_line.ends_with("error P3018"), "{broken_line}");
    assert!(
        out.stderr.contains("schema=tenant_17: Error: P3018: ")
            && out
                .stderr
                .contains("Migration name: 20240102000000_add_post"),
        "{}",
        out.stderr
    );
    for s in &schemas {
        let rows = db.rows_in(s);
        if s == "tenant_17" {
            assert_eq!(finished_rows(&db, s), 1);
            assert!(rows
                .iter()
                .any(|r| r.migration_name == NAMES[1] && !r.finished));
        } else {
            assert_eq!(finished_rows(&db, s), 3, "{s}");
            assert!(rows
                .iter()
                .all(|r| r.applied_steps_count == 1 && r.logs.is_none()));
        }
    }
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'other'"),
        0,
        "a schema the pattern does not match is left alone"
    );
    // Status over the fleet: the broken one failed, the rest up to date.
    let out = run(
        &p,
        &db.url(),
        &["migrate", "status", "--schemas", "tenant_*"],
    );
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(
        out.stdout.contains(": 49 up to date, 1 failed"),
        "{}",
        out.stdout
    );
    // Every deploy line is up to date on the second run but the broken one (P3009).
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--schemas", "tenant_*", "--json"],
    );
    assert_eq!(out.code, 1);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 51);
    let summary = &lines[50];
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["ok"], 49);
    assert_eq!(summary["exit_code"], 1);
    let bad: Vec<&serde_json::Value> = lines.iter().filter(|l| l["ok"] == false).collect();
    assert_eq!(bad.len(), 1);
    assert!(bad[0]["target"]
        .as_str()
        .unwrap()
        .ends_with("schema=tenant_17"));
    assert_eq!(bad[0]["error"]["code"], "P3009");
}

// Issue 19: ten databases from a targets file (URLs and $ENV_NAME, comments, blank lines),
// one broken; passwords masked in every line; JSON lines follow the schema.
#[test]
fn fleet_deploys_ten_databases_from_a_targets_file() {
    let dbs: Vec<TestDb> = (0..10)
        .map(|i| TestDb::new(&format!("fleet_db{i}")))
        .collect();
    let p = project();
    break_tenant(&p, &dbs[4].url(), &dbs[4], "public");
    // One target with a password the server does not check (trust): it must never print.
    let secret_url = url_for(&dbs[9].name).replace("postgres@", "postgres:hunter2@");
    let mut file = String::from("# tenants\n\n");
    for db in &dbs[..8] {
        file.push_str(&format!("{}   # {}\n", db.url(), db.name));
    }
    file.push_str("$TENANT_EIGHT\n");
    file.push_str(&format!("{secret_url}\n"));
    p.write("targets.txt", &file);
    let mut cmd = command(
        &p,
        "postgresql://unused@127.0.0.1:1/none",
        &["migrate", "deploy", "--targets", "targets.txt", "--json"],
    );
    cmd.env("TENANT_EIGHT", dbs[8].url());
    let out = output(cmd);
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(!out.stdout.contains("hunter2") && !out.stderr.contains("hunter2"));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 11);
    let summary = lines.last().unwrap();
    assert_eq!(summary["not_ok"], serde_json::json!([4]));
    assert_eq!(summary["results"]["applied"], 9);
    assert_eq!(summary["results"]["error"], 1);
    let nine = lines.iter().find(|l| l["index"] == 9).unwrap();
    assert!(nine["target"].as_str().unwrap().contains("postgres:****@"));
    assert_eq!(nine["applied"].as_array().unwrap().len(), 3);
    for (i, db) in dbs.iter().enumerate() {
        let expected = if i == 4 { 1 } else { 3 };
        assert_eq!(finished_rows(db, "public"), expected, "{}", db.name);
    }
    // Text: the table names each target, the password masked.
    let out = run(
        &p,
        "postgresql://unused@127.0.0.1:1/none",
        &["migrate", "status", "--targets", "targets.txt"],
    );
    // $TENANT_EIGHT is not set this time: nothing runs.
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("Error: PM8002: targets.txt, line 11: the environment variable `TENANT_EIGHT` is not set"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

// Issue 19: --fail-fast starts no target after a failure; the rest are reported as not
// started, and the exit code is 1.
#[test]
fn fail_fast_stops_starting_targets() {
    let db = TestDb::new("fleet_failfast");
    let schemas: Vec<String> = (0..6).map(|i| format!("ff_{i}")).collect();
    create_schemas(&db, &schemas);
    let p = project();
    break_tenant(&p, &db.url_with("schema=ff_0"), &db, "ff_0");
    let out = run(
        &p,
        &db.url(),
        &[
            "migrate",
            "deploy",
            "--schemas",
            "ff_*",
            "--jobs",
            "1",
            "--fail-fast",
            "--json",
        ],
    );
    assert_eq!(out.code, 1, "{out:#?}");
    let lines = json_lines(&out);
    let summary = lines.last().unwrap();
    assert_eq!(summary["results"]["error"], 1);
    assert_eq!(summary["results"]["not_started"], 5, "{summary}");
    for s in &schemas[1..] {
        assert_eq!(
            db.count(&format!(
                "SELECT count(*) AS n FROM pg_tables WHERE schemaname = '{s}'"
            )),
            0
        );
    }
    // Without --fail-fast the others go on.
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--schemas", "ff_*", "--jobs", "1"],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains(": 5 succeeded, 1 error P3009"),
        "{}",
        out.stdout
    );
}

fn running_sleeps(db: &TestDb) -> i64 {
    db.count("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()")
}

// Issue 19: SIGINT mid-fleet cancels every statement in flight as a single deploy does
// (faults.rs): exit 130, each interrupted row failed and rolled back (the file ran as one
// transaction), no lock left, the completed targets named, and the next run finishes.
#[test]
fn sigint_cancels_every_target_in_flight() {
    let db = TestDb::new("fleet_sigint");
    let schemas: Vec<String> = (0..8).map(|i| format!("sig_{i}")).collect();
    create_schemas(&db, &schemas);
    let p = Project::new();
    p.migration(NAMES[0], INIT).migration(
        "20240102000000_long",
        "CREATE TABLE never (id int);\nSELECT pg_sleep(30);\n",
    );
    let child = command(
        &p,
        &db.url(),
        &[
            "migrate",
            "deploy",
            "--schemas",
            "sig_*",
            "--jobs",
            "3",
            "--json",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while running_sleeps(&db) < 3 {
        assert!(
            Instant::now() < deadline,
            "three targets never ran together"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let sent = Instant::now();
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert!(
        sent.elapsed() < Duration::from_secs(10),
        "cancelled, not waited out"
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(130), "{stdout}");
    assert_eq!(schema_errors(&stdout), "");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = lines.last().unwrap();
    assert_eq!(summary["signal"], "SIGINT");
    assert_eq!(summary["results"]["interrupted"], 3, "{summary}");
    assert_eq!(summary["results"]["not_started"], 5, "{summary}");
    assert_eq!(running_sleeps(&db), 0);
    // This database's advisory locks only (one or two keys): other tests share the server.
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
        0
    );
    for l in lines.iter().filter(|l| l["result"] == "interrupted") {
        let target = l["target"].as_str().unwrap();
        let schema = target.rsplit('=').next().unwrap();
        let rows = db.rows_in(schema);
        let long = rows
            .iter()
            .find(|r| r.migration_name == "20240102000000_long")
            .unwrap();
        assert!(long.rolled_back && !long.finished, "{long:?}");
        assert!(long
            .logs
            .as_deref()
            .unwrap()
            .contains("prismig was interrupted by SIGINT"));
    }
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'never'"),
        0
    );
    // The next run applies everything (the rolled-back rows are applied again).
    p.migration("20240102000000_long", "CREATE TABLE never (id int);\n");
    let out = run(&p, &db.url(), &["migrate", "deploy", "--schemas", "sig_*"]);
    out.success();
    for s in &schemas {
        assert_eq!(finished_rows(&db, s), 2, "{s}");
    }
}

fn hold_prisma_lock(db: &TestDb) -> diesel::PgConnection {
    use diesel::connection::SimpleConnection;
    let mut holder = db.conn();
    holder
        .batch_execute("SELECT pg_advisory_lock(72707369)")
        .unwrap();
    holder
}

// Issue 19, locks: Prisma's lock held (a Prisma or single prismig deploy running) → each
// fleet target waits as a single deploy would and fails with P1002; nothing written.
#[test]
fn fleet_targets_wait_for_prismas_lock() {
    let db = TestDb::new("fleet_prisma_lock");
    create_schemas(&db, &["lk_a".to_owned(), "lk_b".to_owned()]);
    let p = project();
    let holder = hold_prisma_lock(&db);
    let out = run(
        &p,
        &db.url(),
        &[
            "migrate",
            "deploy",
            "--schemas",
            "lk_*",
            "--lock-timeout",
            "1s",
            "--json",
        ],
    );
    assert_eq!(out.code, 1, "{out:#?}");
    let lines = json_lines(&out);
    for l in &lines[..2] {
        assert_eq!(l["error"]["code"], "P1002", "{l}");
    }
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'"),
        0
    );
    drop(holder);
    run(&p, &db.url(), &["migrate", "deploy", "--schemas", "lk_*"]).success();
}

// Issue 19, locks: while a fleet runs on a database, a single deploy of any schema of it
// (which takes Prisma's key exclusively) gets P1002; the fleet's schemas do not wait for
// each other.
#[test]
fn a_single_deploy_waits_for_a_running_fleet() {
    let db = TestDb::new("fleet_blocks_single");
    create_schemas(&db, &["bl_a".to_owned(), "bl_b".to_owned()]);
    let p = Project::new();
    p.migration(NAMES[0], INIT)
        .migration("20240102000000_slow", "SELECT pg_sleep(5);\n");
    let child = command(
        &p,
        &db.url(),
        &["migrate", "deploy", "--schemas", "bl_*", "--jobs", "2"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while db.count("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(5);%' AND pid <> pg_backend_pid()") < 2 {
        assert!(Instant::now() < deadline, "the fleet never ran both schemas at once");
        std::thread::sleep(Duration::from_millis(50));
    }
    let single = run(
        &p,
        &db.url_with("schema=public"),
        &["migrate", "deploy", "--lock-timeout", "500ms"],
    );
    single.failure();
    assert!(
        single.stderr.starts_with("Error: P1002\n"),
        "{}",
        single.stderr
    );
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    // Both schemas slept at the same time (the wait above): they did not serialize.
}

// Issue 19: fleet status says which targets are behind, failed or up to date.
#[test]
fn status_over_a_fleet() {
    let db = TestDb::new("fleet_status");
    create_schemas(
        &db,
        &[
            "st_ok".to_owned(),
            "st_behind".to_owned(),
            "st_failed".to_owned(),
        ],
    );
    let p = project();
    run(&p, &db.url_with("schema=st_ok"), &["migrate", "deploy"]).success();
    let first = Project::new();
    first.migration(NAMES[0], INIT);
    run(
        &first,
        &db.url_with("schema=st_behind"),
        &["migrate", "deploy"],
    )
    .success();
    break_tenant(&p, &db.url_with("schema=st_failed"), &db, "st_failed");
    run(&p, &db.url_with("schema=st_failed"), &["migrate", "deploy"]).failure();
    let out = run(
        &p,
        &db.url(),
        &["migrate", "status", "--schemas", "st_*", "--json"],
    );
    assert_eq!(out.code, 1, "{out:#?}");
    let lines = json_lines(&out);
    let by = |s: &str| {
        lines
            .iter()
            .find(|l| l["target"].as_str().is_some_and(|t| t.ends_with(s)))
            .unwrap()
            .clone()
    };
    assert_eq!(by("st_ok")["result"], "up_to_date");
    assert_eq!(by("st_behind")["result"], "behind");
    assert_eq!(by("st_behind")["pending"], 2);
    assert_eq!(by("st_failed")["result"], "failed");
    let text = run(&p, &db.url(), &["migrate", "status", "--schemas", "st_*"]);
    assert_eq!(text.code, 1);
    assert!(
        text.stdout.contains("behind 2")
            && text.stdout.contains(": 1 up to date, 1 behind, 1 failed"),
        "{}",
        text.stdout
    );
    assert!(
        !text.stdout.contains("applied"),
        "status applies nothing: {}",
        text.stdout
    );
    let ok = run(&p, &db.url(), &["migrate", "status", "--schemas", "st_ok"]);
    assert_eq!(ok.code, 0, "{ok:#?}");
}

// Issue 19: fleet status says which targets drifted: with --drift each target's applied
// migrations are replayed into a temporary shadow of its own and compared (§9.8); a target
// that is behind is checked too, one that failed is reported as failed.
#[test]
fn status_drift_over_a_fleet() {
    let db = TestDb::new("fleet_drift");
    let names: Vec<String> = ["dr_clean", "dr_changed", "dr_behind", "dr_failed"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    create_schemas(&db, &names);
    let p = project();
    for s in ["dr_clean", "dr_changed"] {
        run(
            &p,
            &db.url_with(&format!("schema={s}")),
            &["migrate", "deploy"],
        )
        .success();
    }
    let first = Project::new();
    first.migration(NAMES[0], INIT);
    run(
        &first,
        &db.url_with("schema=dr_behind"),
        &["migrate", "deploy"],
    )
    .success();
    break_tenant(&p, &db.url_with("schema=dr_failed"), &db, "dr_failed");
    run(&p, &db.url_with("schema=dr_failed"), &["migrate", "deploy"]).failure();
    // A hand-made change on one tenant.
    db.exec("CREATE TABLE \"dr_changed\".\"extra\" (id int PRIMARY KEY)");
    let out = run(
        &p,
        &db.url(),
        &[
            "migrate",
            "status",
            "--schemas",
            "dr_*",
            "--drift",
            "--json",
        ],
    );
    assert_eq!(out.code, 1, "{out:#?}");
    let lines = json_lines(&out);
    let by = |s: &str| {
        lines
            .iter()
            .find(|l| l["target"].as_str().is_some_and(|t| t.ends_with(s)))
            .unwrap_or_else(|| panic!("{s}: {}", out.stdout))
            .clone()
    };
    assert_eq!(by("dr_clean")["result"], "up_to_date", "{}", out.stdout);
    assert_eq!(by("dr_changed")["result"], "drifted", "{}", out.stdout);
    assert_eq!(by("dr_behind")["result"], "behind", "{}", out.stdout);
    assert_eq!(by("dr_failed")["result"], "failed", "{}", out.stdout);
    let text = run(
        &p,
        &db.url(),
        &["migrate", "status", "--schemas", "dr_*", "--drift"],
    );
    assert_eq!(text.code, 1);
    assert!(
        text.stdout.contains("drifted") && text.stdout.contains("1 drifted"),
        "{}",
        text.stdout
    );
    // Nothing is written to the targets; a clean one alone exits 0.
    assert_eq!(finished_rows(&db, "dr_behind"), 1);
    let clean = run(
        &p,
        &db.url(),
        &["migrate", "status", "--schemas", "dr_clean", "--drift"],
    );
    assert_eq!(clean.code, 0, "{clean:#?}");
    // One shadow cannot serve targets replayed at once.
    let one = run(
        &p,
        &db.url(),
        &[
            "migrate",
            "status",
            "--schemas",
            "dr_*",
            "--drift",
            "--shadow-database-url",
            &db.url(),
        ],
    );
    assert_eq!(one.code, 1);
    assert!(one.stderr.contains("PM8005"), "{}", one.stderr);
}

// Issue 19: every way a fleet cannot start has its code; nothing runs on any target.
#[test]
fn fleet_input_errors_have_codes() {
    let db = TestDb::new("fleet_errors");
    let p = project();
    p.write("bad.txt", "postgresql://u@h/db extra\n");
    p.write("empty.txt", "# nothing\n\n");
    p.write("env.txt", "$PRISMIG_FLEET_UNSET\n");
    p.write("sqlite.txt", "file:./dev.db\n");
    p.write("other.txt", "mysql://root@127.0.0.1/x\n");
    let url = db.url();
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["migrate", "deploy", "--targets", "bad.txt"],
            "PM8001",
            "bad.txt, line 1",
        ),
        (
            &["migrate", "deploy", "--targets", "other.txt"],
            "PM8001",
            "P1013",
        ),
        (
            &["migrate", "deploy", "--targets", "env.txt"],
            "PM8002",
            "PRISMIG_FLEET_UNSET",
        ),
        (
            &["migrate", "deploy", "--targets", "empty.txt"],
            "PM8003",
            "lists no database",
        ),
        (
            &["migrate", "status", "--schemas", "nomatch_*"],
            "PM8003",
            "matches `nomatch_*`",
        ),
        (
            &["migrate", "deploy", "--targets", "sqlite.txt"],
            "PM8004",
            "not on SQLite",
        ),
        (
            &["migrate", "deploy", "--schemas", "*", "--to", NAMES[0]],
            "PM8005",
            "--to cannot",
        ),
        (
            &["migrate", "deploy", "--schemas", "*", "--dry-run"],
            "PM8005",
            "--dry-run",
        ),
        (
            &["migrate", "deploy", "--schemas", "*", "--backup"],
            "PM8005",
            "--backup",
        ),
        (
            &["migrate", "deploy", "--fail-fast"],
            "PM8005",
            "--fail-fast",
        ),
        (
            &[
                "migrate",
                "status",
                "--schemas",
                "*",
                "--exit-code",
                "detailed",
            ],
            "PM8005",
            "--exit-code detailed",
        ),
        (
            &["migrate", "deploy", "--targets", "missing.txt"],
            "PM8006",
            "missing.txt",
        ),
    ];
    for (args, code, part) in cases {
        let out = run(&p, &url, args);
        assert_eq!(out.code, 1, "{args:?}: {out:#?}");
        let prefix = format!("Error: {code}: ");
        assert!(out.stderr.starts_with(&prefix), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(part), "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{args:?}");
        let mut json_args = args.to_vec();
        json_args.push("--json");
        let out = run(&p, &url, &json_args);
        let lines = json_lines(&out);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0]["code"], *code, "{args:?}");
    }
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'"),
        0,
        "nothing was run"
    );
}

#[cfg(feature = "mysql")]
mod mysql {
    use super::{json_lines, NAMES};
    use crate::providers::{Backend, Mysql};
    use crate::support::cmd::{command, run};
    use crate::support::Project;
    use diesel::connection::SimpleConnection;
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    fn project(second: &str) -> Project {
        let p = crate::providers::scenarios::project::<Mysql>();
        p.migration(NAMES[0], Mysql::INIT)
            .migration(NAMES[1], second);
        p
    }

    /// Statements like `pattern` running in the databases of `dbs` (the server is shared).
    fn running(dbs: &[Mysql], pattern: &str) -> i64 {
        let names: Vec<String> = dbs.iter().map(|d| format!("'{}'", d.name)).collect();
        dbs[0].count(&format!("SELECT CAST(count(*) AS SIGNED) AS n FROM information_schema.PROCESSLIST WHERE DB IN ({}) AND INFO LIKE '%{pattern}%' AND ID <> CONNECTION_ID()", names.join(", ")))
    }

    // Issue 19 on MySQL: `--schemas` matches databases of the server; one broken tenant;
    // each target has Prisma's rows.
    #[test]
    fn fleet_deploys_mysql_databases_by_pattern() {
        let dbs: Vec<Mysql> = (0..3)
            .map(|i| Mysql::create(&format!("fleetpat{i}")))
            .collect();
        let pattern = format!("prismig_{}_*_fleetpat?", std::process::id());
        let p = project(Mysql::ADD_POST);
        dbs[1]
            .conn()
            .batch_execute("CREATE TABLE `Post` (id int)")
            .unwrap();
        let out = run(
            &p,
            &dbs[0].url(),
            &["migrate", "deploy", "--schemas", &pattern, "--json"],
        );
        assert_eq!(out.code, 1, "{out:#?}");
        let lines = json_lines(&out);
        let summary = lines.last().unwrap();
        assert_eq!(summary["targets"], 3, "{summary}");
        assert_eq!(summary["not_ok"], serde_json::json!([1]));
        // The broken one had tables and no history: P3005, as a single deploy says.
        assert_eq!(
            lines.iter().find(|l| l["index"] == 1).unwrap()["error"]["code"],
            "P3005"
        );
        for i in [0, 2] {
            let rows = dbs[i].rows();
            assert_eq!(rows.len(), 2);
            assert!(rows
                .iter()
                .all(|r| r.finished && r.applied_steps_count == 1));
        }
    }

    // Issue 19, MySQL locks: while a fleet runs, the server's `prisma_migrate` is held,
    // so a single deploy with --strict-lock gets P1002; the fleet's targets take
    // `prisma_migrate:<db>` and do not wait for each other. SIGINT then cancels both
    // statements (KILL QUERY), exit 130, each started row failed with its error.
    #[test]
    fn a_running_mysql_fleet_holds_prismas_lock_and_sigint_cancels_it() {
        let dbs: Vec<Mysql> = (0..2)
            .map(|i| Mysql::create(&format!("fleetsig{i}")))
            .collect();
        let pattern = format!("prismig_{}_*_fleetsig?", std::process::id());
        // SLEEP alone returns 1 when killed (the script would then succeed); inside a
        // query it fails with 1317, as a long statement does.
        let p = project("SELECT 1 FROM (SELECT 1 AS x) d WHERE SLEEP(30) = 0;\n");
        let child = command(
            &p,
            &dbs[0].url(),
            &["migrate", "deploy", "--schemas", &pattern, "--json"],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while running(&dbs, "SLEEP(30)") < 2 {
            assert!(Instant::now() < deadline, "both targets never ran together");
            std::thread::sleep(Duration::from_millis(50));
        }
        let single = project(Mysql::ADD_POST);
        let other = Mysql::create("fs_single");
        let out = run(
            &single,
            &other.url(),
            &["migrate", "deploy", "--lock-timeout", "1s", "--strict-lock"],
        );
        out.failure();
        assert!(out.stderr.starts_with("Error: P1002\n"), "{}", out.stderr);
        let sent = Instant::now();
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
        let out = child.wait_with_output().unwrap();
        assert!(sent.elapsed() < Duration::from_secs(10));
        assert_eq!(out.status.code(), Some(130));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(super::schema_errors(&stdout), "");
        assert!(stdout.contains("\"signal\":\"SIGINT\""), "{stdout}");
        assert!(stdout.contains("\"interrupted\":2"), "{stdout}");
        assert_eq!(
            running(&dbs, "SLEEP(30)"),
            0,
            "KILL QUERY reached both targets"
        );
        // Each started row stays failed, with the error and "interrupted" in its logs, as a
        // single deploy leaves it (MySQL cannot roll a file back).
        for db in &dbs {
            let row = db
                .rows()
                .into_iter()
                .find(|r| r.migration_name == NAMES[1])
                .unwrap();
            assert!(!row.finished && !row.rolled_back, "{row:?}");
            let logs = row.logs.as_deref().unwrap();
            assert!(
                logs.contains("prismig was interrupted by SIGINT") && logs.contains("1317"),
                "{logs}"
            );
        }
        // The fleet's server lock is gone with it.
        run(
            &single,
            &other.url(),
            &["migrate", "deploy", "--lock-timeout", "1s", "--strict-lock"],
        )
        .success();
    }
}

// Issue 19: on a terminal, a live line (done, failed, running, the slowest running target)
// instead of a line per target; a line for each failure; then the table.
#[test]
fn a_terminal_shows_live_progress() {
    let db = TestDb::new("fleet_tty");
    create_schemas(
        &db,
        &["tty_a".to_owned(), "tty_b".to_owned(), "tty_c".to_owned()],
    );
    let p = Project::new();
    // tty_c already has "Post": its second migration fails.
    p.migration(NAMES[0], INIT).migration(
        "20240102000000_wait",
        "SELECT pg_sleep(1.5);\nCREATE TABLE \"Post\" (id int);\n",
    );
    break_tenant(&p, &db.url_with("schema=tty_c"), &db, "tty_c");
    let out = crate::support::cmd::run_on_tty(
        &p,
        &db.url(),
        &["migrate", "deploy", "--schemas", "tty_*", "--jobs", "2"],
    );
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(
        out.stdout.contains(" done, ") && out.stdout.contains(" running; slowest: postgresql://"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("error P3018 postgresql://"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("] ok "),
        "no line per successful target: {}",
        out.stdout
    );
    assert!(
        out.stdout.contains("3 targets in ") && out.stdout.contains(": 2 succeeded, 1 error P3018"),
        "{}",
        out.stdout
    );
}

// Issue 19: SIGTERM mid-fleet in text mode: exit 143, the table says which targets were
// interrupted, and stderr names the targets that completed.
#[test]
fn sigterm_names_the_completed_targets() {
    let db = TestDb::new("fleet_sigterm");
    create_schemas(
        &db,
        &[
            "term_a".to_owned(),
            "term_b".to_owned(),
            "term_c".to_owned(),
        ],
    );
    let long = "20240102000000_long";
    // term_a is up to date already (an edited checksum does not make deploy apply again).
    let done = Project::new();
    done.migration(NAMES[0], INIT)
        .migration(long, "SELECT 1;\n");
    run(&done, &db.url_with("schema=term_a"), &["migrate", "deploy"]).success();
    let p = Project::new();
    p.migration(NAMES[0], INIT)
        .migration(long, "SELECT pg_sleep(30);\n");
    let child = command(
        &p,
        &db.url(),
        &["migrate", "deploy", "--schemas", "term_*", "--jobs", "3"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while running_sleeps(&db) < 2 {
        assert!(Instant::now() < deadline, "two targets never ran together");
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(143), "{stdout}\n{stderr}");
    assert!(stdout.contains(": 1 succeeded, 2 interrupted"), "{stdout}");
    assert!(
        stderr.contains("SIGTERM received")
            && stderr.contains("completed: postgresql://")
            && stderr.trim_end().ends_with("schema=term_a"),
        "{stderr}"
    );
    assert_eq!(running_sleeps(&db), 0);
}
