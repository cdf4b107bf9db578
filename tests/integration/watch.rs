//! What an operator sees during a deploy (issue 18): progress and the still-running line on
//! a terminal, the holder of the migration lock, prismig's hints, the lock-timeout guard,
//! JSON checked against its schema, and each command's `--help`.

use crate::support::{self, cmd, cmd::run, header, json, Project, TestDb, INIT};
use std::time::{Duration, Instant};

/// `prismig <args>` on a pseudo-terminal: what it showed, with the CRs removed.
fn run_on_tty(p: &Project, url: &str, args: &[&str]) -> cmd::Output {
    let mut out = cmd::run_on_tty(p, url, args);
    out.stdout = out.stdout.replace('\r', "");
    out
}

/// Whether `doc` follows `schema/prismig-output.schema.json`.
fn schema_errors(doc: &str) -> String {
    json::schema_errors("prismig-output.schema.json", doc, json::Documents::One)
}

#[track_caller]
fn assert_clean_json(doc: &str) {
    assert_eq!(schema_errors(doc), "", "{doc}");
    assert!(!doc.contains("\\u001b") && !doc.contains('\x1b'), "{doc}");
    assert!(!doc.contains("DbError {"), "{doc}");
}

const SLOW: &str = "-- backfill\nSELECT pg_sleep(6.5);\n";

// On a terminal: [i/n] before each migration, its duration after it, and the
// still-running line (refreshed in place on stderr) for a script longer than 5 s.
#[test]
fn a_terminal_shows_the_count_durations_and_a_still_running_line() {
    let db = TestDb::new("watch_tty");
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .migration("20240102000000_slow", SLOW);
    let out = run_on_tty(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    let s = &out.stdout;
    assert!(
        s.contains("[1/2] Applying migration `20240101000000_init`\n  applied in "),
        "{s}"
    );
    assert!(
        s.contains("[2/2] Applying migration `20240102000000_slow`\n"),
        "{s}"
    );
    assert!(
        s.contains("still running (5 s): SELECT pg_sleep(6.5);"),
        "{s}"
    );
    assert!(
        s.contains("still running (6 s): SELECT pg_sleep(6.5);"),
        "{s}"
    );
    // Refreshed in place, and erased before the duration line.
    assert!(s.contains("\x1b[2Kstill running (6 s)"), "{s}");
    assert!(s.contains("\x1b[2K  applied in 6."), "{s}");
    assert!(s.contains("All migrations have been successfully applied."));
}

// The same deploy through a pipe: Prisma's bytes, nothing added.
#[test]
fn a_pipe_gets_prismas_bytes_only() {
    let db = TestDb::new("watch_pipe");
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .migration("20240102000000_slow", SLOW);
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert_eq!(
        out.stdout,
        format!(
            "{}\n2 migrations found in prisma/migrations\n\nApplying migration `20240101000000_init`\nApplying migration `20240102000000_slow`\n{}",
            header(&db),
            support::applied_summary(&["20240101000000_init", "20240102000000_slow"])
        )
    );
    assert_eq!(out.stderr, "");
}

// --log-format json: start, a heartbeat every 10 s, end with the duration.
#[test]
fn log_lines_have_start_heartbeat_and_end() {
    let db = TestDb::new("watch_log");
    let p = Project::new();
    p.migration("20240101000000_slow", "SELECT pg_sleep(10.6);\n");
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--log-format", "json"],
    );
    out.success();
    let events: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["migration"] == "20240101000000_slow")
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["start", "heartbeat", "end"], "{}", out.stdout);
    assert_eq!(events[0]["index"], 1);
    assert_eq!(events[0]["total"], 1);
    assert_eq!(events[1]["elapsed_s"], 10);
    assert_eq!(events[1]["statement"], "SELECT pg_sleep(10.6);");
    assert!(events[2]["duration_ms"].as_u64().unwrap() >= 10_600);
}

// After 1 s of waiting, stderr names the session holding the lock; P1002 names it too.
#[test]
fn a_waiting_deploy_names_the_lock_holder() {
    use diesel::Connection;
    let db = TestDb::new("watch_holder");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    let mut holder =
        diesel::PgConnection::establish(&db.url_with("application_name=nightly_report")).unwrap();
    diesel::connection::SimpleConnection::batch_execute(
        &mut holder,
        "SELECT pg_advisory_lock(72707369)",
    )
    .unwrap();
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--lock-timeout", "2s"],
    );
    out.failure();
    assert!(
        out.stderr
            .starts_with("Waiting for the migration lock, held by pid "),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("(application nightly_report, from "),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("waiting up to 2 s in all (--lock-timeout)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Error: P1002\n\n"), "{}", out.stderr);

    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--lock-timeout", "1500ms", "--json"],
    );
    out.failure();
    assert_clean_json(&out.stdout);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["error"]["code"], "P1002");
    assert_eq!(doc["error"]["lock_holder"]["application"], "nightly_report");
    assert_eq!(doc["lock_holder"]["application"], "nightly_report");
    assert_eq!(
        doc["error"]["command"],
        "prismig migrate deploy --json --lock-timeout 60s"
    );

    // On a terminal, the hint line names the holder and the way out.
    let out = run_on_tty(
        &p,
        &db.url(),
        &["migrate", "deploy", "--lock-timeout", "1s"],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("hint: the migration lock is held by pid "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("or wait longer: prismig migrate deploy --lock-timeout 60s\n"),
        "{}",
        out.stdout
    );
    drop(holder);
}

/// A session holding ACCESS EXCLUSIVE on "User" for `hold`, from a thread; returns once
/// the lock is held.
fn hold_table(db: &TestDb, hold: Duration) -> std::thread::JoinHandle<()> {
    let url = db.url();
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut c = diesel::PgConnection::establish(&url).unwrap();
        c.batch_execute("BEGIN; LOCK TABLE \"User\" IN ACCESS EXCLUSIVE MODE")
            .unwrap();
        tx.send(()).unwrap();
        std::thread::sleep(hold);
        c.batch_execute("COMMIT").unwrap();
    });
    rx.recv().unwrap();
    handle
}

const ADD_COLUMN: &str = "ALTER TABLE \"User\" ADD COLUMN \"nickname\" TEXT;\n";

// The guard: 200 ms lock timeouts against a lock held for 1 s; the deploy succeeds on a
// retry, each attempt said on stderr, and the row is an ordinary finished row.
#[test]
#[expect(clippy::print_stderr, reason = "the measured times go to the test log")]
fn the_guard_retries_until_the_lock_is_free() {
    let db = TestDb::new("watch_guard_ok");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    p.migration("20240102000000_nickname", ADD_COLUMN);

    let holder = hold_table(&db, Duration::from_secs(1));
    let started = Instant::now();
    let out = run(
        &p,
        &db.url(),
        &[
            "migrate",
            "deploy",
            "--statement-lock-timeout",
            "200ms",
            "--lock-retries",
            "5",
            "--lock-retry-delay",
            "300ms",
        ],
    );
    let took = started.elapsed();
    holder.join().unwrap();
    out.success();
    eprintln!(
        "guard success: deploy took {took:?}; stderr:\n{}",
        out.stderr
    );
    assert!(
        out.stderr.starts_with(
            "warn migration `20240102000000_nickname`, attempt 1 of 6: ERROR: canceling statement due to lock timeout; nothing of it was applied, trying again in 300 ms\n"
        ),
        "{}",
        out.stderr
    );
    assert!(took >= Duration::from_millis(1000), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    // Non-terminal stdout is Prisma's.
    assert!(out
        .stdout
        .ends_with(&support::applied_summary(&["20240102000000_nickname"])));
    let rows = db.rows();
    let row = rows
        .iter()
        .find(|r| r.migration_name == "20240102000000_nickname")
        .unwrap();
    assert!(row.finished && !row.rolled_back);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        db.count(
            "SELECT count(*) AS n FROM information_schema.columns WHERE column_name = 'nickname'"
        ),
        1
    );
}

// Retries exhausted: P3018 with 55P03, nothing of the script applied, the row marked
// rolled back with the attempts in its logs; the next deploy applies the migration.
#[test]
#[expect(clippy::print_stderr, reason = "the measured times go to the test log")]
fn the_guard_gives_up_cleanly_when_retries_run_out() {
    let db = TestDb::new("watch_guard_fail");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    p.migration("20240102000000_nickname", ADD_COLUMN);

    let holder = hold_table(&db, Duration::from_secs(3));
    let started = Instant::now();
    let out = run(
        &p,
        &db.url(),
        &[
            "migrate",
            "deploy",
            "--statement-lock-timeout",
            "200ms",
            "--lock-retries",
            "2",
            "--lock-retry-delay",
            "200ms",
            "--json",
        ],
    );
    let took = started.elapsed();
    out.failure();
    eprintln!("guard exhausted: deploy took {took:?}");
    assert_clean_json(&out.stdout);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["error"]["code"], "P3018");
    assert!(doc["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Database error code: 55P03"));
    assert_eq!(doc["lock_retries"].as_array().unwrap().len(), 2);
    assert_eq!(doc["lock_retries"][1]["delay_ms"], 400);
    // 3 attempts of 200 ms and pauses of 200 + 400 ms, well before the lock is free.
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(
        db.count(
            "SELECT count(*) AS n FROM information_schema.columns WHERE column_name = 'nickname'"
        ),
        0
    );
    let rows = db.rows();
    let row = rows
        .iter()
        .find(|r| r.migration_name == "20240102000000_nickname")
        .unwrap();
    assert!(!row.finished && row.rolled_back, "{row:?}");
    assert!(
        row.logs.as_deref().unwrap().contains(
            "prismig made 3 attempts (--statement-lock-timeout 200 ms, --lock-retries 2)"
        ),
        "{row:?}"
    );
    holder.join().unwrap();

    // Nothing blocks the next deploy: it applies the migration again.
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert_eq!(
        db.count(
            "SELECT count(*) AS n FROM information_schema.columns WHERE column_name = 'nickname'"
        ),
        1
    );
}

// Without the flag, nothing is set on the session: a script waits as under Prisma.
#[test]
fn without_the_guard_a_script_waits_for_the_lock() {
    let db = TestDb::new("watch_noguard");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    p.migration("20240102000000_nickname", ADD_COLUMN);
    let holder = hold_table(&db, Duration::from_millis(1500));
    let started = Instant::now();
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    assert!(started.elapsed() >= Duration::from_millis(1300));
    holder.join().unwrap();
}

// --statement-timeout: the server ends a script that runs longer.
#[test]
fn the_statement_timeout_is_a_ceiling_for_a_script() {
    let db = TestDb::new("watch_stmt_timeout");
    let p = Project::new();
    p.migration("20240101000000_slow", "SELECT pg_sleep(3);\n");
    let started = Instant::now();
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--statement-timeout", "500ms"],
    );
    out.failure();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        out.stderr.contains("Database error code: 57014"),
        "{}",
        out.stderr
    );
    // A zero would mean "no timeout" to the server: refused.
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--statement-timeout", "0s"],
    );
    out.failure();
    assert!(out.stderr.starts_with("Error: PM3140: "), "{}", out.stderr);
    // The retry flags need the lock timeout.
    let out = run(&p, &db.url(), &["migrate", "deploy", "--lock-retries", "2"]);
    out.failure();
    assert!(
        out.stderr.contains("--statement-lock-timeout"),
        "{}",
        out.stderr
    );
}

// Hints on a terminal: Prisma's text, then one `hint:` line with the prismig command,
// quoted for a shell and keeping --schema.
#[test]
fn hints_name_the_prismig_command_with_the_users_schema() {
    let db = TestDb::new("watch_hint");
    let p = Project::new();
    p.write("my schema/schema.prisma", crate::support::project::SCHEMA);
    p.write(
        "my schema/migrations/migration_lock.toml",
        crate::support::project::LOCKFILE,
    );
    p.write(
        "my schema/migrations/20240101000000_it's/migration.sql",
        "SELECT 1/0;",
    );
    let out = run_on_tty(
        &p,
        &db.url(),
        &["migrate", "deploy", "--schema", "my schema/schema.prisma"],
    );
    assert_eq!(out.code, 1);
    // A terminal gets the real migrations folder (Prisma prints `prisma/migrations`).
    assert!(
        out.stdout
            .contains("\n1 migration found in my schema/migrations\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Database error code: 22012"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "hint: fix the script, then `prismig fix --schema 'my schema/schema.prisma'` tells whether `20240101000000_it's` left anything; if nothing of it is left: prismig migrate resolve --rolled-back '20240101000000_it'\\''s' --schema 'my schema/schema.prisma'\n"
        ),
        "{}",
        out.stdout
    );
    // The next deploy stops at P3009; the hint names the failed migration.
    let out = run_on_tty(
        &p,
        &db.url(),
        &["migrate", "deploy", "--schema", "my schema/schema.prisma"],
    );
    assert!(out.stdout.contains("Error: P3009"), "{}", out.stdout);
    assert!(out.stdout.contains("hint: `prismig fix --schema 'my schema/schema.prisma'` checks what `20240101000000_it's` left"), "{}", out.stdout);
    // Through a pipe, stderr is Prisma's text alone.
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--schema", "my schema/schema.prisma"],
    );
    assert!(!out.stderr.contains("hint:"), "{}", out.stderr);
    assert!(
        out.stdout
            .ends_with("\n1 migration found in prisma/migrations\n\n"),
        "{}",
        out.stdout
    );
    // JSON: the same as fields, and no escapes or debug dumps.
    let out = run(
        &p,
        &db.url(),
        &[
            "migrate",
            "deploy",
            "--schema",
            "my schema/schema.prisma",
            "--json",
        ],
    );
    assert_clean_json(&out.stdout);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        doc["error"]["command"],
        "prismig fix --schema 'my schema/schema.prisma'"
    );
}

// P3018's text carries ANSI escapes and the DbError dump (Prisma's bytes); JSON has neither.
#[test]
fn json_errors_carry_no_escapes_or_dumps() {
    let db = TestDb::new("watch_json_clean");
    let p = Project::new();
    p.migration("20240101000000_bad", "SELECT 1;\nSELEC 2;\n");
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    assert!(out.stderr.contains("\x1b[1m"), "{}", out.stderr);
    assert!(out.stderr.contains("DbError {"));
    let db = TestDb::new("watch_json_clean2");
    let out = run(&p, &db.url(), &["migrate", "deploy", "--json"]);
    out.failure();
    assert_clean_json(&out.stdout);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let message = doc["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("syntax error at or near \"SELEC\""),
        "{message}"
    );
    assert!(
        message.contains("Position:\n  0\n  1 SELECT 1;\n  2 SELEC 2;"),
        "{message}"
    );
}

// rollback --dry-run says so, in text and JSON, and shows down.sql.
#[test]
fn rollback_dry_run_says_it_is_one_and_shows_down_sql() {
    let db = TestDb::new("watch_rollback_dry");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    p.write(
        "prisma/migrations/20240101000000_init/down.sql",
        "DROP TABLE \"User\";\n",
    );
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    let out = run(
        &p,
        &db.url(),
        &["migrate", "rollback", "20240101000000_init", "--dry-run"],
    );
    out.success();
    assert!(
        out.stdout.ends_with("\nDry run: nothing is changed.\n\n`down.sql` of 20240101000000_init would run, in one transaction with marking the migration as rolled back:\n\n    DROP TABLE \"User\";\n\n"),
        "{}",
        out.stdout
    );
    let out = run(
        &p,
        &db.url(),
        &[
            "migrate",
            "rollback",
            "20240101000000_init",
            "--dry-run",
            "--json",
        ],
    );
    out.success();
    assert_clean_json(&out.stdout);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["dry_run"], true);
    assert_eq!(doc["rollback_plan"]["down_sql"], "DROP TABLE \"User\";\n");
    assert!(doc.get("rolled_back").is_none(), "{doc}");
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'User'"),
        1
    );
}

// Successful JSON documents of several commands follow the schema.
#[test]
fn json_documents_follow_the_schema() {
    let db = TestDb::new("watch_json_schema");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    for args in [
        &["migrate", "deploy", "--dry-run", "--json"][..],
        &["migrate", "deploy", "--json"],
        &["migrate", "status", "--json"],
        &[
            "migrate",
            "resolve",
            "--applied",
            "20240101000000_init",
            "--json",
        ],
        &["sync", "--json"],
        &["fix", "--json"],
        &["baseline", "--json"],
        &["cleanup", "--json"],
        &["db", "execute", "--file", "x.sql", "--json"],
        &["migrate", "rollback", "20240101000000_init", "--json"],
        &["migrate", "new", "x y", "--json"],
        &["migrate", "resolve", "--rolled-back", "nope", "--json"],
    ] {
        p.write("x.sql", "SELECT 1;");
        p.write(
            "prisma/migrations/20240101000000_init/down.sql",
            "DROP TABLE \"User\";",
        );
        let out = run(&p, &db.url(), args);
        assert!(out.stdout.starts_with('{'), "{args:?}: {out:?}");
        assert_clean_json(&out.stdout);
    }
}

// `migrate new` four times within a second: four folders, in order; no leading blank line.
#[test]
fn migrate_new_timestamps_increase_strictly() {
    let p = Project::new();
    for _ in 0..4 {
        let out = run(
            &p,
            "postgresql://u@127.0.0.1:1/x",
            &["migrate", "new", "step"],
        );
        out.success();
        assert!(
            out.stdout.starts_with("Created prisma/migrations/"),
            "{}",
            out.stdout
        );
    }
    let mut names: Vec<String> = std::fs::read_dir(p.migrations())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("_step"))
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 4, "{names:?}");
}

// --wait: one line per real second waited.
#[test]
fn wait_counts_real_seconds() {
    let p = Project::new();
    let out = run(
        &p,
        "postgresql://postgres@127.0.0.1:5499/x",
        &["migrate", "status", "--wait", "3s"],
    );
    out.failure();
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("Waiting for the database server"))
        .collect();
    let mut seen = lines.clone();
    seen.dedup();
    assert_eq!(seen, lines, "{}", out.stderr);
    assert!(lines.len() >= 2, "{}", out.stderr);
    assert!(lines[0].ends_with("(0s of 3s)…"), "{}", out.stderr);
    assert!(lines[1].ends_with("(1s of 3s)…"), "{}", out.stderr);
}

// Each command's --help lists the flags it uses, in one layout.
#[test]
fn every_help_lists_only_the_flags_of_its_command() {
    let p = Project::new();
    let connects = ["--url", "--wait"];
    let locks = ["--lock-timeout", "--strict-lock"];
    let guard = [
        "--statement-lock-timeout",
        "--lock-retries",
        "--lock-retry-delay",
        "--statement-timeout",
    ];
    let cases: &[(&[&str], bool, bool, bool)] = &[
        (&["migrate", "deploy"], true, true, true),
        (&["deploy"], true, true, true),
        (&["migrate", "status"], true, false, false),
        (&["status"], true, false, false),
        (&["migrate", "resolve"], true, true, false),
        (&["resolve"], true, true, false),
        (&["migrate", "rollback"], true, true, false),
        (&["migrate", "new"], false, false, false),
        (&["baseline"], true, true, false),
        (&["fix"], true, true, false),
        (&["sync"], true, false, false),
        (&["cleanup"], false, false, false),
        (&["db", "execute"], true, false, false),
    ];
    for (command, connect, lock, guarded) in cases {
        let mut args = command.to_vec();
        args.push("--help");
        let out = run(&p, "postgresql://u@h/d", &args);
        out.success();
        let help = &out.stdout;
        for (flags, wanted) in [
            (&connects[..], *connect),
            (&locks[..], *lock),
            (&guard[..], *guarded),
        ] {
            for flag in flags {
                assert_eq!(
                    help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                    wanted,
                    "{command:?} {flag}:\n{help}"
                );
            }
        }
        for flag in [
            "--schema <PATH>",
            "--config <PATH>",
            "--json",
            "--log-format <FORMAT>",
            "-h, --help",
        ] {
            assert!(help.contains(flag), "{command:?} {flag}:\n{help}");
        }
        // One layout: each flag on its own line, its text on the next.
        assert!(!help.contains("Possible values:"), "{command:?}:\n{help}");
        assert!(
            help.contains("\n  -h, --help\n          Print help\n"),
            "{command:?}:\n{help}"
        );
        assert!(
            !help.contains("(see a summary with '-h')"),
            "{command:?}:\n{help}"
        );
    }
}

// SQLite: after 1 s, stderr says another process holds the file.
#[test]
fn sqlite_names_the_file_another_process_holds() {
    use crate::providers::{Backend, Sqlite};
    use diesel::connection::SimpleConnection;
    let db = Sqlite::create("watch_sqlite_lock");
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
    let mut holder = db.conn();
    holder.batch_execute("BEGIN EXCLUSIVE").unwrap();
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--lock-timeout", "2s"],
    );
    out.failure();
    assert!(
        out.stderr
            .starts_with("Waiting for the migration lock, held by another process using "),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Error: P1002\n\n"), "{}", out.stderr);
    // --statement-timeout has no SQLite meaning: refused before anything is done.
    holder.batch_execute("COMMIT").unwrap();
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--statement-timeout", "5s"],
    );
    out.failure();
    assert!(out.stderr.contains("Error: PM3141: "), "{}", out.stderr);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM sqlite_master WHERE name = 'User'"),
        0
    );
}

#[cfg(feature = "mysql")]
mod mysql {
    use super::*;
    use crate::providers::{Backend, Mysql};
    use diesel::connection::SimpleConnection;

    fn project() -> Project {
        let p = Project::new();
        p.write(
            "prisma/schema.prisma",
            "datasource db {\n  provider = \"mysql\"\n  url      = env(\"DATABASE_URL\")\n}\n",
        );
        p.write(
            "prisma/migrations/migration_lock.toml",
            "provider = \"mysql\"\n",
        );
        p.migration("20240101000000_init", Mysql::INIT);
        p
    }

    // The connection holding GET_LOCK, from IS_USED_LOCK and the process list.
    #[test]
    fn mysql_names_the_lock_holder() {
        let db = Mysql::create("watch_my_holder");
        let mut holder = db.conn();
        holder
            // Server-wide: another test's deploy (or fleet) may hold it a moment; wait.
            .batch_execute("SELECT GET_LOCK('prisma_migrate', 60)")
            .unwrap();
        let p = project();
        let out = run(
            &p,
            &db.url(),
            &[
                "migrate",
                "deploy",
                "--lock-timeout",
                "2s",
                "--strict-lock",
                "--json",
            ],
        );
        out.failure();
        assert_clean_json(&out.stdout);
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(doc["error"]["code"], "P1002");
        let session = doc["lock_holder"]["session"].as_str().unwrap();
        assert!(session.starts_with("connection "), "{doc}");
        assert!(
            doc["lock_holder"]["client"]
                .as_str()
                .unwrap()
                .starts_with("root@"),
            "{doc}"
        );
        assert_eq!(doc["error"]["lock_holder"]["session"], session);
        drop(holder);
    }

    // The guard on MySQL: lock_wait_timeout (whole seconds) ends the ALTER behind a
    // table lock; the retry reuses the started row and finishes it.
    #[test]
    fn mysql_guard_retries_behind_a_table_lock() {
        let db = Mysql::create("watch_my_guard");
        let p = project();
        run(&p, &db.url(), &["migrate", "deploy"]).success();
        p.migration(
            "20240102000000_nickname",
            "ALTER TABLE `User` ADD COLUMN `nickname` VARCHAR(191) NULL;\n",
        );
        let url = db.url();
        let (tx, rx) = std::sync::mpsc::channel();
        let holder = std::thread::spawn(move || {
            use diesel::Connection;
            let mut c = diesel::MysqlConnection::establish(&url).unwrap();
            c.batch_execute("LOCK TABLES `User` WRITE").unwrap();
            tx.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(1500));
            c.batch_execute("UNLOCK TABLES").unwrap();
        });
        rx.recv().unwrap();
        let out = run(
            &p,
            &db.url(),
            &[
                "migrate",
                "deploy",
                "--statement-lock-timeout",
                "1s",
                "--lock-retry-delay",
                "200ms",
            ],
        );
        holder.join().unwrap();
        out.success();
        assert!(
            out.stderr
                .contains("attempt 1 of 4: Lock wait timeout exceeded"),
            "{}",
            out.stderr
        );
        let rows = db.rows();
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(rows.iter().all(|r| r.finished), "{rows:?}");
        assert!(db.column_exists("User", "nickname"));
    }
}

// A file run statement by statement (Prisma's sequence, its started row first) is retried
// while none of its statements has committed, reusing that row; once one has, never.
#[test]
fn the_guard_retries_a_split_file_only_before_its_first_commit() {
    let db = TestDb::new("watch_guard_split");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    p.migration(
        "20240102000000_split",
        "-- prismig:no-transaction\nALTER TABLE \"User\" ADD COLUMN \"a\" TEXT;\nALTER TABLE \"User\" ADD COLUMN \"b\" TEXT;\n",
    );
    let guard = [
        "migrate",
        "deploy",
        "--statement-lock-timeout",
        "200ms",
        "--lock-retries",
        "5",
        "--lock-retry-delay",
        "300ms",
    ];
    let holder = hold_table(&db, Duration::from_secs(1));
    let out = run(&p, &db.url(), &guard);
    holder.join().unwrap();
    out.success();
    assert!(out.stderr.contains("attempt 1 of 6"), "{}", out.stderr);
    let rows: Vec<_> = db
        .rows()
        .into_iter()
        .filter(|r| r.migration_name == "20240102000000_split")
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].finished, "{rows:?}");

    // The first statement commits, the second waits: no retry, Prisma's failure.
    p.migration(
        "20240103000000_half",
        "-- prismig:no-transaction\nCREATE TABLE \"Other\" (\"id\" INT);\nALTER TABLE \"User\" ADD COLUMN \"c\" TEXT;\n",
    );
    let holder = hold_table(&db, Duration::from_secs(1));
    let out = run(&p, &db.url(), &guard);
    holder.join().unwrap();
    out.failure();
    assert!(!out.stderr.contains("attempt 1 of"), "{}", out.stderr);
    assert!(
        out.stderr.contains("Database error code: 55P03"),
        "{}",
        out.stderr
    );
    let row = db
        .rows()
        .into_iter()
        .find(|r| r.migration_name == "20240103000000_half")
        .unwrap();
    assert!(!row.finished && !row.rolled_back, "{row:?}");
    assert_eq!(row.applied_steps_count, 1, "{row:?}");
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'Other'"),
        1
    );
}
