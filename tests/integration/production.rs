//! prismig's production additions (issue: dry run, JSON, targets, non-transactional
//! migrations, rollback, backups, logs, authoring helpers). With none of the flags the
//! behaviour is Prisma's (the other test files); here, each flag.

use crate::support::cmd::{command, output, run};
use crate::support::{Project, TestDb, ADD_EMAIL, ADD_POST, INIT};
use prismig::__internal::event::MigrationState;
use prismig::__internal::output::json::{Document, Verdict};

fn json(out: &crate::support::cmd::Output) -> Document {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

fn project() -> Project {
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .migration("20240102000000_add_post", ADD_POST)
        .migration("20240103000000_add_email", ADD_EMAIL);
    p
}

#[test]
fn dry_run_changes_nothing() {
    // A database that does not exist: not created.
    let missing = TestDb::unique_name("prod_dry_missing");
    let p = project();
    let out = run(
        &p,
        &missing.url(),
        &["migrate", "deploy", "--dry-run", "--json"],
    );
    out.success();
    let doc = json(&out);
    let plan = doc.plan.unwrap();
    assert!(!plan.database_exists && !plan.table_exists);
    assert_eq!(
        plan.pending
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        [
            "20240101000000_init",
            "20240102000000_add_post",
            "20240103000000_add_email"
        ]
    );
    assert!(plan.pending.iter().all(|m| m.atomic));
    assert_eq!(plan.pending[1].statements, 2);
    assert_eq!(plan.pending[0].preview, [INIT.trim_end()]);
    let admin = crate::support::db::admin();
    drop(admin);
    assert_eq!(
        TestDb::new("prod_dry_probe").count(&format!(
            "SELECT count(*) AS n FROM pg_database WHERE datname = '{}'",
            missing.name
        )),
        0
    );

    // An existing database with a missing schema: no schema, no table, no row, no lock.
    let db = TestDb::new("prod_dry");
    let out = run(
        &p,
        &db.url_with("schema=fresh"),
        &["migrate", "deploy", "--dry-run"],
    );
    out.success();
    assert!(
        out.stdout.contains("Dry run: nothing is changed.\n"),
        "{}",
        out.stdout
    );
    assert!(out
        .stdout
        .contains("3 migrations would be applied, in this order:\n"));
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'fresh'"),
        0
    );

    // After the first migration: only the rest would run; a failed row blocks (exit 1).
    let p1 = Project::new();
    p1.migration("20240101000000_init", INIT);
    run(&p1, &db.url(), &["migrate", "deploy"]).success();
    let out = run(&p, &db.url(), &["migrate", "deploy", "--dry-run", "--json"]);
    let plan = json(&out).plan.unwrap();
    assert!(plan.table_exists);
    assert_eq!(plan.pending.len(), 2);
    assert_eq!(db.rows().len(), 1);
    db.exec("UPDATE _prisma_migrations SET finished_at = NULL");
    let out = run(&p, &db.url(), &["migrate", "deploy", "--dry-run", "--json"]);
    out.failure();
    assert!(json(&out)
        .plan
        .unwrap()
        .blocked_by
        .unwrap()
        .starts_with("P3009: "));
}

#[test]
fn json_documents_for_deploy_status_and_errors() {
    let db = TestDb::new("prod_json");
    let p = project();
    let out = run(&p, &db.url(), &["migrate", "deploy", "--json"]);
    out.success();
    assert_eq!(out.stderr, "");
    let doc = json(&out);
    assert!(doc.ok && doc.exit_code == 0);
    assert_eq!(doc.command, "migrate deploy");
    assert_eq!(doc.datasource.unwrap().provider, "postgresql");
    assert_eq!(doc.migrations_found, Some(3));
    assert_eq!(
        doc.applied
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        [
            "20240101000000_init",
            "20240102000000_add_post",
            "20240103000000_add_email"
        ]
    );

    // Every state at once: applied, edited, failed, rolled back, pending, missing locally.
    p.migration("20240102000000_add_post", "SELECT 'edited';\n");
    p.remove_migration("20240103000000_add_email");
    p.migration("20240104000000_broken", "SELECT 1/0;\n");
    run(&p, &db.url(), &["migrate", "deploy"]).failure();
    p.migration("20240105000000_later", "SELECT 1;\n");
    let out = run(&p, &db.url(), &["migrate", "status", "--json"]);
    out.failure();
    let status = json(&out).status.unwrap();
    assert_eq!(status.verdict, Verdict::Diverged);
    let states: Vec<(String, MigrationState)> = status
        .migrations
        .into_iter()
        .map(|e| (e.name, e.state))
        .collect();
    assert_eq!(
        states,
        [
            ("20240101000000_init".to_owned(), MigrationState::Applied),
            ("20240102000000_add_post".to_owned(), MigrationState::Edited),
            ("20240104000000_broken".to_owned(), MigrationState::Failed),
            ("20240105000000_later".to_owned(), MigrationState::Pending),
            (
                "20240103000000_add_email".to_owned(),
                MigrationState::MissingLocally
            ),
        ]
    );

    // Errors: code, message, hint; nothing on stderr.
    let out = run(&p, &db.url(), &["migrate", "deploy", "--json"]);
    out.failure();
    assert_eq!(out.stderr, "");
    let doc = json(&out);
    assert!(!doc.ok);
    let error = doc.error.unwrap();
    assert_eq!(error.code, "P3009");
    assert!(error.message.starts_with("migrate found failed migrations"));
    assert!(error.hint.is_some());
    let out = run(
        &p,
        &db.url(),
        &[
            "migrate",
            "resolve",
            "--rolled-back",
            "20240104000000_broken",
            "--json",
        ],
    );
    let resolved = json(&out).resolved.unwrap();
    assert_eq!(
        (resolved.name.as_str(), resolved.marked.as_str()),
        ("20240104000000_broken", "rolled_back")
    );
    let out = run(
        &p,
        "postgresql://u:secret-pw@127.0.0.1:5499/x",
        &["migrate", "status", "--json"],
    );
    assert_eq!(json(&out).error.unwrap().code, "P1001");
    assert!(!out.stdout.contains("secret-pw"));
}

// README "Exit codes": `status --exit-code detailed` says what deploy would do.
#[test]
fn detailed_exit_codes() {
    let db = TestDb::new("prod_exit");
    let p = Project::new();
    let status = |p: &Project| {
        run(
            p,
            &db.url(),
            &["migrate", "status", "--exit-code", "detailed"],
        )
        .code
    };
    assert_eq!(status(&p), 0, "empty database, nothing to apply");
    p.migration("20240101000000_init", INIT);
    assert_eq!(status(&p), 2, "pending");
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    assert_eq!(status(&p), 0, "up to date");
    p.migration("20240102000000_bad", "SELECT 1/0;");
    run(&p, &db.url(), &["migrate", "deploy"]).failure();
    assert_eq!(status(&p), 3, "failed: deploy refuses with P3009");
    run(
        &p,
        &db.url(),
        &["migrate", "resolve", "--rolled-back", "20240102000000_bad"],
    )
    .success();
    // Rolled back, still in the folder: Prisma's status calls it applied, deploy applies
    // it again.
    assert_eq!(status(&p), 2, "rolled back: deploy would apply it again");
    let dry = run(&p, &db.url(), &["migrate", "deploy", "--dry-run"]);
    assert!(dry.stdout.contains("20240102000000_bad"), "{dry:?}");
    assert_eq!(run(&p, &db.url(), &["migrate", "status"]).code, 0);
    p.remove_migration("20240102000000_bad");
    assert_eq!(status(&p), 0, "rolled back and gone from the folder");
    p.migration("20240103000000_new", "SELECT 1;");
    db.exec("INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES ('x', 'c', '20231231000000_elsewhere', now(), now(), 1)");
    assert_eq!(status(&p), 4, "diverged");
    assert_eq!(
        run(
            &p,
            "postgresql://x@127.0.0.1:5499/x",
            &["migrate", "status", "--exit-code", "detailed"]
        )
        .code,
        1,
        "error"
    );
    // Prisma's codes stay the default.
    assert_eq!(run(&p, &db.url(), &["migrate", "status"]).code, 1);

    // A database with tables but no history: deploy stops with P3005.
    let other = TestDb::new("prod_exit_p3005");
    other.exec("CREATE TABLE legacy (id int)");
    let code = run(
        &p,
        &other.url(),
        &["migrate", "status", "--exit-code", "detailed"],
    )
    .code;
    assert_eq!(code, 5, "unmanaged");
    let deploy = run(&p, &other.url(), &["migrate", "deploy"]);
    assert!(deploy.stderr.contains("P3005"), "{deploy:?}");
}

#[test]
fn deploy_to_a_target() {
    let db = TestDb::new("prod_to");
    let p = project();
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--to", "20240102000000_add_post"],
    );
    out.success();
    assert!(!out.stdout.contains("add_email"));
    // An early stop says what is left instead of Prisma's "All migrations …".
    assert!(
        out.stdout
            .ends_with("Stopped at --to: 1 pending migration(s) after it were not applied.\n"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("All migrations"), "{}", out.stdout);
    assert_eq!(db.rows().len(), 2);
    // Already applied: nothing to do, and a pipeline can run the same step again.
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--to", "20240102000000_add_post"],
    );
    out.success();
    assert!(
        out.stdout.contains("No pending migrations to apply up to --to; 1 pending migration(s) after it were not applied."),
        "{}",
        out.stdout
    );
    assert_eq!(db.rows().len(), 2);
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--to", "20991231000000_nope"],
    );
    assert!(out.stderr.starts_with("Error: PM3101: "), "{}", out.stderr);
    run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--to", "20240103000000_add_email"],
    )
    .success();
    assert_eq!(db.rows().len(), 3);
}

#[test]
fn statements_that_refuse_a_transaction_run_one_by_one() {
    let db = TestDb::new("prod_notx");
    let p = Project::new();
    p.migration("20240101000000_init", INIT).migration(
        "20240102000000_indexes",
        "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY \"a\" ON \"User\"(\"name\");\nCREATE INDEX CONCURRENTLY \"b\" ON \"User\"(\"id\");\nDROP INDEX CONCURRENTLY \"b\";\nREINDEX TABLE CONCURRENTLY \"User\";\n",
    );
    let out = run(&p, &db.url(), &["migrate", "deploy", "--json"]);
    out.success();
    let doc = json(&out);
    assert_eq!(doc.applied[1].statements, 5);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_indexes WHERE indexname IN ('a', 'b')"),
        1
    );
    assert_eq!(db.rows()[1].applied_steps_count, 1);

    // The directive forces it; a failure halfway is recorded truthfully.
    p.migration(
        "20240103000000_halfway",
        "-- prismig:no-transaction\nALTER TABLE \"User\" ADD COLUMN \"x\" TEXT;\nALTER TABLE \"User\" ADD COLUMN \"x\" TEXT;\n",
    );
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert!(
        out.stderr.contains("Database error code: 42701\n"),
        "{}",
        out.stderr
    );
    // The position excerpt points at the failing statement's line in the whole file.
    assert!(
        out.stderr
            .contains("\x1b[1m  3\x1b[1;31m ALTER TABLE \"User\" ADD COLUMN \"x\" TEXT;\x1b[0m")
            || !out.stderr.contains("Position:"),
        "{}",
        out.stderr
    );
    assert_eq!(db.count("SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'User' AND column_name = 'x'"), 1, "the first statement committed");
    let row = db
        .rows()
        .into_iter()
        .find(|r| r.migration_name == "20240103000000_halfway")
        .unwrap();
    assert!(!row.finished);
    assert_eq!(row.applied_steps_count, 1);
    assert!(row.logs.unwrap().contains("prismig ran this file statement by statement (-- prismig:no-transaction): 1 of 2 statements committed before the failure and stay applied."));

    // Without the directive the same file is one transaction: nothing stays.
    let db = TestDb::new("prod_notx_atomic");
    let p = Project::new();
    p.migration("20240101000000_init", INIT).migration(
        "20240103000000_atomic",
        "ALTER TABLE \"User\" ADD COLUMN \"x\" TEXT;\nALTER TABLE \"User\" ADD COLUMN \"x\" TEXT;\n",
    );
    run(&p, &db.url(), &["migrate", "deploy"]).failure();
    assert_eq!(db.count("SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'User' AND column_name = 'x'"), 0);
    assert_eq!(db.rows()[1].applied_steps_count, 0, "Prisma's row");
}

#[test]
fn rollback_runs_down_sql_and_deploy_reapplies() {
    let db = TestDb::new("prod_rollback");
    let p = project();
    p.write(
        "prisma/migrations/20240103000000_add_email/down.sql",
        "ALTER TABLE \"User\" DROP COLUMN \"email\";\n",
    );
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    let has_email = || {
        db.count("SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'User' AND column_name = 'email'")
    };

    let out = run(
        &p,
        &db.url(),
        &["migrate", "rollback", "20240102000000_add_post"],
    );
    out.failure();
    assert!(out.stderr.starts_with("Error: PM3202: 20240102000000_add_post is not the last applied migration (20240103000000_add_email is)"), "{}", out.stderr);
    let out = run(
        &p,
        &db.url(),
        &["migrate", "rollback", "20240102000000_add_post", "--force"],
    );
    assert!(
        out.stderr
            .starts_with("Error: PM3203: 20240102000000_add_post has no down.sql"),
        "{}",
        out.stderr
    );

    let out = run(
        &p,
        &db.url(),
        &[
            "migrate",
            "rollback",
            "20240103000000_add_email",
            "--dry-run",
        ],
    );
    out.success();
    assert_eq!(has_email(), 1);
    let out = run(
        &p,
        &db.url(),
        &["migrate", "rollback", "20240103000000_add_email"],
    );
    out.success();
    assert!(out.stdout.ends_with("\nMigration 20240103000000_add_email rolled back: its down.sql ran and it is marked as rolled back.\n\n"));
    assert_eq!(has_email(), 0);
    let row = db
        .rows()
        .into_iter()
        .find(|r| r.migration_name == "20240103000000_add_email")
        .unwrap();
    assert!(row.rolled_back && row.finished);
    // Prisma's status reads it as up to date; deploy applies it again, as a new row.
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert!(out
        .stdout
        .contains("Applying migration `20240103000000_add_email`\n"));
    assert_eq!(has_email(), 1);
    assert_eq!(db.rows().len(), 4);
    let out = run(
        &p,
        &db.url(),
        &["migrate", "rollback", "20991231000000_nope"],
    );
    assert!(out.stderr.starts_with("Error: P3017\n"), "{}", out.stderr);
}

#[test]
fn backups_before_applying() {
    let db = TestDb::new("prod_backup");
    let p = project();
    let path = p.path().join("backups/before.dump");
    let arg = format!("--backup={}", path.display());
    let out = run(&p, &db.url(), &["migrate", "deploy", &arg]);
    out.success();
    assert!(
        out.stdout
            .contains(&format!("Backup written to {}\n", path.display())),
        "{}",
        out.stdout
    );
    let dump = std::fs::read(&path).unwrap();
    assert!(dump.starts_with(b"PGDMP"), "pg_dump custom format");
    // Nothing pending: no backup.
    std::fs::remove_file(&path).unwrap();
    run(&p, &db.url(), &["migrate", "deploy", &arg]).success();
    assert!(!path.exists());
    // A generated name in the working directory.
    p.migration("20240104000000_more", "SELECT 1;");
    let out = run(&p, &db.url(), &["migrate", "deploy", "--backup", "--json"]);
    let backup = json(&out).backup.unwrap();
    assert!(
        backup.starts_with(&format!("prismig-backup-{}-", db.name)) && backup.ends_with(".dump"),
        "{backup}"
    );
    assert!(p.path().join(&backup).is_file());

    // SQLite: the online copy is a database holding the tables.
    let sqlite = tempfile::tempdir().unwrap();
    let url = format!("file:{}", sqlite.path().join("app.db").display());
    let s = Project::new();
    s.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"sqlite\"\n  url      = env(\"DATABASE_URL\")\n}\n",
    );
    s.write(
        "prisma/migrations/migration_lock.toml",
        "provider = \"sqlite\"\n",
    );
    s.migration("20240101000000_init", INIT);
    run(&s, &url, &["migrate", "deploy"]).success();
    s.migration("20240102000000_post", "CREATE TABLE \"Post\" (id INTEGER);");
    let copy = sqlite.path().join("copy.db");
    run(
        &s,
        &url,
        &["migrate", "deploy", &format!("--backup={}", copy.display())],
    )
    .success();
    let out = std::process::Command::new("sqlite3").arg(&copy).arg("SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type='table' ORDER BY name)").output();
    if let Ok(out) = out {
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "User,_prisma_migrations"
        );
    } else {
        assert!(std::fs::read(&copy)
            .unwrap()
            .starts_with(b"SQLite format 3"));
    }
}

#[test]
fn log_formats() {
    let db = TestDb::new("prod_logs");
    let p = project();
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--log-format", "json"],
    );
    out.success();
    let lines: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines
        .iter()
        .all(|l| l["time"].as_str().is_some_and(|t| t.ends_with('Z'))));
    let applied: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["message"].as_str().unwrap().starts_with("applied "))
        .collect();
    assert_eq!(applied.len(), 3);
    assert!(applied[0]["duration_ms"].is_u64());
    assert!(lines.last().unwrap()["message"]
        .as_str()
        .unwrap()
        .starts_with("deploy finished: 3 applied in "));
    let out = run(
        &p,
        &db.url(),
        &["migrate", "status", "--log-format", "text"],
    );
    let last = out.stdout.lines().last().unwrap().to_owned();
    assert!(last.contains(" info  status: UpToDate"), "{last}");
    assert!(!last.contains('✅'), "no markers off a terminal");
}

#[test]
fn migrate_new_and_db_execute() {
    let p = Project::new();
    std::fs::remove_file(p.migrations().join("migration_lock.toml")).unwrap();
    let out = output({
        let mut c = command(&p, "", &["migrate", "new", "add new-features"]);
        c.env_remove("DATABASE_URL");
        c
    });
    out.success();
    let created: Vec<_> = std::fs::read_dir(p.migrations())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let folder = created
        .iter()
        .find(|n| n.ends_with("_add_new_features"))
        .unwrap();
    assert_eq!(folder.len(), "20240101000000_add_new_features".len());
    assert_eq!(
        std::fs::read_to_string(p.migrations().join(folder).join("migration.sql")).unwrap(),
        "-- This is an empty migration.\n"
    );
    assert!(
        std::fs::read_to_string(p.migrations().join("migration_lock.toml"))
            .unwrap()
            .ends_with("provider = \"postgresql\"\n")
    );
    assert!(out.stdout.contains(&format!(
        "Created prisma/migrations/{folder}/migration.sql\n"
    )));

    let db = TestDb::new("prod_execute");
    p.write(
        "script.sql",
        "CREATE TABLE executed (id int); INSERT INTO executed VALUES (1);",
    );
    let out = run(
        &p,
        &db.url(),
        &["db", "execute", "--file", "script.sql", "--url", &db.url()],
    );
    out.success();
    assert_eq!(out.stdout, "Script executed successfully.\n");
    assert_eq!(db.count("SELECT count(*) AS n FROM executed"), 1);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'"),
        0,
        "no history"
    );
    let mut c = command(
        &p,
        &db.url(),
        &[
            "db",
            "execute",
            "--stdin",
            "--schema",
            "prisma/schema.prisma",
        ],
    );
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"SELECT 1/0;")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    // The server's message, as Prisma's engine prints it (DbExecute.test.ts).
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: db error: ERROR: division by zero\n\n\n"
    );
}

// The JSON Schema in the repo describes the document's fields.
#[test]
fn json_schema_lists_the_documents_fields() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../schema/prismig-output.schema.json")).unwrap();
    let props = schema["properties"].as_object().unwrap();
    let full = Document {
        command: "x".into(),
        ..Default::default()
    };
    let value = serde_json::to_value(full).unwrap();
    for key in value.as_object().unwrap().keys() {
        assert!(props.contains_key(key), "{key}");
    }
    for key in [
        "datasource",
        "applied",
        "failed",
        "plan",
        "status",
        "resolved",
        "error",
        "warnings",
        "backup",
    ] {
        assert!(props.contains_key(key), "{key}");
    }
}

// Every repair action the program can report is one the schema allows.
#[test]
fn json_schema_lists_every_repair_action() {
    use prismig::__internal::event::RepairAction::*;
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../schema/prismig-output.schema.json")).unwrap();
    let allowed = schema["properties"]["repair"]["properties"]["steps"]["items"]["properties"]
        ["action"]["enum"]
        .as_array()
        .unwrap()
        .clone();
    let all = [
        MarkApplied,
        MarkRolledBack,
        Restamp,
        Rename,
        Archive,
        RemoveRow,
        Restore,
        MoveToTrash,
        MoveUp,
        RenameFile,
        WriteLockfile,
        Keep,
        Note,
    ];
    for a in all {
        // A new variant fails to compile here until it is listed above.
        match a {
            MarkApplied | MarkRolledBack | Restamp | Rename | Archive | RemoveRow | Restore
            | MoveToTrash | MoveUp | RenameFile | WriteLockfile | Keep | Note => {}
        }
        let name = serde_json::to_value(a).unwrap();
        assert!(allowed.contains(&name), "{name}");
    }
    assert_eq!(allowed.len(), all.len());
}

// In a statement-by-statement run the P3018 excerpt still numbers the lines of the file.
#[test]
fn split_runs_report_positions_in_the_whole_file() {
    let db = TestDb::new("prod_notx_position");
    let p = Project::new();
    p.migration("20240101000000_init", INIT).migration(
        "20240102000000_typo",
        "-- prismig:no-transaction\nCREATE INDEX CONCURRENTLY \"a\" ON \"User\"(\"name\");\nCREATE INDEXX \"b\" ON \"User\"(\"id\");\n",
    );
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert!(out.stderr.contains("Database error code: 42601\n\nDatabase error:\nERROR: syntax error at or near \"INDEXX\"\n\nPosition:\n"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("\x1b[1m  3\x1b[1;31m CREATE INDEXX \"b\" ON \"User\"(\"id\");\x1b[0m"),
        "{}",
        out.stderr
    );
}

// baseline saves its record before it changes anything: when the record cannot be written,
// it stops with PM3403 and the history stays as it was (no table created either).
#[test]
fn baseline_changes_nothing_when_its_record_cannot_be_saved() {
    let db = TestDb::new("prod_baseline_record");
    db.exec(INIT);
    let p = project();
    p.migration("20240101000000_init", INIT);
    // A file where the record folder should be.
    p.write(".prismig", "not a folder");
    let out = run(
        &p,
        &db.url(),
        &["baseline", "--to", "20240101000000_init", "--yes"],
    );
    out.failure();
    assert!(
        out.stderr.contains("PM3403") && out.stderr.contains("nothing was changed"),
        "{}",
        out.stderr
    );
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'"),
        0
    );
}
