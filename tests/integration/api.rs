//! The library API (`prismig::Migrator`): its typed reports, events and errors, against
//! real databases. The texts and codes are those of `prisma-migrate.md` (§4 deploy, §5
//! status, §6 resolve, §7.2 codes); the CLI's bytes for the same runs are tested elsewhere.

use crate::support::{Project, TestDb, ADD_POST, BAD, INIT};
use prismig::{DiffSide, Event, MigrationState, Migrator};
use std::cell::RefCell;
use std::time::Duration;

fn project(migrations: &[(&str, &str)]) -> Project {
    let p = Project::new();
    for (name, sql) in migrations {
        p.migration(name, sql);
    }
    p
}

/// The transcripts' project: `init`, then `add_post`.
fn init_and_post() -> Project {
    project(&[
        ("20240101000000_init", INIT),
        ("20240102000000_add_post", ADD_POST),
    ])
}

// §4: applied migrations in order, with their statements; the folder's count; a second
// deploy applies nothing. The rows are Prisma's finished rows.
#[test]
fn deploy_reports_what_it_applied() {
    let db = TestDb::new("api_deploy");
    let p = init_and_post();
    let events = RefCell::new(Vec::new());
    let migrator = Migrator::from_project(p.path())
        .url(db.url())
        .on_event(|e| events.borrow_mut().push(e.clone()));
    let deployed = migrator.deploy().unwrap();
    assert_eq!(
        deployed.names(),
        ["20240101000000_init", "20240102000000_add_post"]
    );
    assert_eq!(deployed.found, 2);
    assert_eq!(deployed.remaining, 0);
    assert!(!deployed.database_created);
    assert_eq!(deployed.applied[1].statements, 2);
    let rows = db.rows();
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .all(|r| r.finished && r.applied_steps_count == 1));

    let events = events.borrow().clone();
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::MigrationsFound { count: 2, .. })));
    let applying: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Applying { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(applying, ["20240101000000_init", "20240102000000_add_post"]);
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Applied { name, .. } if name == "20240102000000_add_post")));

    let again = migrator.deploy().unwrap();
    assert!(again.applied.is_empty());
    assert_eq!(db.rows().len(), 2);
}

// §4.4: a database that does not exist is created (Prisma's line, as an event too).
#[test]
fn deploy_creates_the_database() {
    let db = TestDb::unique_name("api_created");
    let p = project(&[("20240101000000_init", INIT)]);
    let deployed = Migrator::from_project(p.path())
        .url(db.url())
        .deploy()
        .unwrap();
    assert!(deployed.database_created);
    assert_eq!(deployed.names(), ["20240101000000_init"]);
}

// `--to`: the migrations after it stay pending and are counted.
#[test]
fn deploy_to_stops_at_the_named_migration() {
    let db = TestDb::new("api_to");
    let p = init_and_post();
    let deployed = Migrator::from_project(p.path())
        .url(db.url())
        .to("20240101000000_init")
        .deploy()
        .unwrap();
    assert_eq!(deployed.names(), ["20240101000000_init"]);
    assert_eq!(deployed.remaining, 1);
}

// §4.7/§7.2: a failing script is P3018 with the migration, the SQLSTATE and a hint; the
// next deploy is P3009 naming it; status says failed (1, detailed 3); resolve
// --rolled-back records it and deploy applies the fixed file as a new row.
#[test]
fn a_failed_migration_is_a_typed_error_until_resolved() {
    let db = TestDb::new("api_failed");
    let p = project(&[("20240101000000_init", INIT), ("20240102000000_bad", BAD)]);
    let migrator = Migrator::from_project(p.path()).url(db.url());

    let e = migrator.deploy().unwrap_err();
    assert_eq!(e.code(), "P3018");
    assert_eq!(e.migration(), Some("20240102000000_bad"));
    assert_eq!(e.database_code(), Some("42601"));
    assert_eq!(e.exit_code(), 1);
    assert!(
        e.message().starts_with("A migration failed to apply."),
        "{}",
        e.message()
    );
    assert!(e
        .to_string()
        .starts_with("P3018: A migration failed to apply."));
    // Prisma's bytes colour the `Position:` excerpt; the log form does not.
    assert!(e.message().contains('\x1b'));
    assert!(!e.to_string().contains('\x1b'));
    assert!(e.to_string().contains("Position:"), "{e}");
    assert_eq!(e.hint_command(), Some("prismig fix"));
    assert!(e.hint().unwrap().contains("20240102000000_bad"));

    let e = migrator.deploy().unwrap_err();
    assert_eq!(e.code(), "P3009");
    assert_eq!(e.migration(), Some("20240102000000_bad"));

    let status = migrator.status().unwrap();
    assert_eq!(
        status.migrations,
        [
            ("20240101000000_init".to_owned(), MigrationState::Applied),
            ("20240102000000_bad".to_owned(), MigrationState::Failed),
        ]
    );
    assert_eq!(status.failed(), ["20240102000000_bad"]);
    assert!(!status.is_up_to_date());
    assert_eq!(status.prisma_exit_code(), 1);
    assert_eq!(status.detailed_exit_code(), 3);

    let resolved = migrator.resolve_rolled_back("20240102000000_bad").unwrap();
    assert_eq!(resolved.name, "20240102000000_bad");
    assert_eq!(resolved.state, MigrationState::RolledBack);
    let e = migrator
        .resolve_rolled_back("20240101000000_init")
        .unwrap_err();
    assert_eq!(e.code(), "P3012");
    assert_eq!(e.migration(), Some("20240101000000_init"));

    p.migration(
        "20240102000000_bad",
        "ALTER TABLE \"User\" ADD COLUMN \"email\" TEXT;\n",
    );
    let deployed = migrator.deploy().unwrap();
    assert_eq!(deployed.names(), ["20240102000000_bad"]);
    let status = migrator.status().unwrap();
    assert!(status.is_up_to_date());
    assert_eq!(status.detailed_exit_code(), 0);
}

// §5: pending migrations (exit 1, detailed 2), then up to date.
#[test]
fn status_reports_pending_migrations() {
    let db = TestDb::new("api_status");
    let p = init_and_post();
    let migrator = Migrator::from_project(p.path()).url(db.url());
    migrator.to("20240101000000_init").deploy().unwrap();
    let migrator = Migrator::from_project(p.path()).url(db.url());
    let status = migrator.status().unwrap();
    assert!(status.managed);
    assert_eq!(status.pending(), ["20240102000000_add_post"]);
    assert!(status.failed().is_empty() && status.diverged().is_empty());
    assert_eq!(status.prisma_exit_code(), 1);
    assert_eq!(status.detailed_exit_code(), 2);
    migrator.deploy().unwrap();
    assert!(migrator.status().unwrap().pending().is_empty());
}

// §5.3: a database with tables and no history: deploy would refuse with P3005 (detailed
// 5); resolve --applied baselines it (§6.2), and a second one is P3008.
#[test]
fn an_unmanaged_database_is_baselined_with_resolve_applied() {
    let db = TestDb::new("api_unmanaged");
    db.exec(INIT);
    let p = init_and_post();
    let migrator = Migrator::from_project(p.path()).url(db.url());
    let status = migrator.status().unwrap();
    assert!(!status.managed);
    assert_eq!(status.detailed_exit_code(), 5);
    assert_eq!(migrator.deploy().unwrap_err().code(), "P3005");

    let resolved = migrator.resolve_applied("20240101000000_init").unwrap();
    assert_eq!(resolved.state, MigrationState::Applied);
    assert_eq!(
        migrator
            .resolve_applied("20240101000000_init")
            .unwrap_err()
            .code(),
        "P3008"
    );
    assert_eq!(
        migrator
            .resolve_applied("20990101000000_nope")
            .unwrap_err()
            .code(),
        "P3017"
    );
    assert_eq!(
        migrator.deploy().unwrap().names(),
        ["20240102000000_add_post"]
    );
}

// §7.2 P1002: the lock another session holds, past the migrator's lock timeout.
#[test]
fn the_lock_timeout_is_p1002() {
    use diesel::RunQueryDsl;
    let db = TestDb::new("api_lock");
    let p = project(&[("20240101000000_init", INIT)]);
    let mut holder = db.conn();
    diesel::sql_query("SELECT pg_advisory_lock(72707369)")
        .execute(&mut holder)
        .unwrap();
    let e = Migrator::from_project(p.path())
        .url(db.url())
        .lock_timeout(Duration::from_millis(300))
        .deploy()
        .unwrap_err();
    assert_eq!(e.code(), "P1002");
    assert!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'") <= 1
    );
}

// A migrations folder and a URL, no schema: SQLite.
#[test]
fn from_migrations_deploys_without_a_schema() {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("migrations");
    std::fs::create_dir_all(migrations.join("20240101000000_init")).unwrap();
    std::fs::write(
        migrations.join("20240101000000_init/migration.sql"),
        "CREATE TABLE \"User\" (\"id\" TEXT NOT NULL PRIMARY KEY);\n",
    )
    .unwrap();
    let url = format!("file:{}", dir.path().join("app.db").display());
    let migrator = Migrator::from_migrations(&migrations, url);
    assert_eq!(migrator.deploy().unwrap().names(), ["20240101000000_init"]);
    let status = migrator.status().unwrap();
    assert_eq!(
        status.migrations,
        [("20240101000000_init".to_owned(), MigrationState::Applied)]
    );
}

// `--schema PATH`: the schema's datasource and its migrations folder.
#[test]
fn from_schema_reads_that_schema() {
    let db = TestDb::new("api_schema");
    let p = project(&[("20240101000000_init", INIT)]);
    let deployed = Migrator::from_schema(p.path().join("prisma/schema.prisma"))
        .url(db.url())
        .deploy()
        .unwrap();
    assert_eq!(deployed.names(), ["20240101000000_init"]);
}

// Project errors keep their codes: no schema is P1012's neighbour, Prisma's text.
#[test]
fn a_directory_without_a_schema_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let e = Migrator::from_project(dir.path()).deploy().unwrap_err();
    assert!(
        e.message().contains("Could not find Prisma Schema"),
        "{}",
        e.message()
    );
}

// §9.7: no drift after deploy; a table added by hand is drift.
#[test]
fn drift_compares_the_database_with_its_migrations() {
    let db = TestDb::new("api_drift");
    let p = project(&[("20240101000000_init", INIT)]);
    let migrator = Migrator::from_project(p.path()).url(db.url());
    migrator.deploy().unwrap();
    let drift = migrator.drift().unwrap();
    assert!(!drift.has_drift(), "{}", drift.summary);
    assert!(drift.status.is_up_to_date());
    db.exec("CREATE TABLE \"Extra\" (\"id\" INTEGER);");
    let drift = migrator.drift().unwrap();
    assert!(drift.has_drift());
    assert!(drift.summary.contains("Extra"), "{}", drift.summary);
}

// `migrate diff` through the API: the migrations against the database, and a refusal
// (PM7005) to replay into the migrator's own database, even when it is not a side.
#[test]
fn diff_never_replays_into_the_migrators_database() {
    let db = TestDb::new("api_diff");
    let p = project(&[("20240101000000_init", INIT)]);
    let migrator = Migrator::from_project(p.path()).url(db.url());
    let d = migrator
        .diff(DiffSide::Empty, DiffSide::Migrations(p.migrations()))
        .unwrap();
    assert!(!d.is_empty());
    assert!(d.summary.contains("User"), "{}", d.summary);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'"),
        0
    );

    let e = Migrator::from_project(p.path())
        .url(db.url())
        .shadow_database_url(db.url())
        .diff(DiffSide::Empty, DiffSide::Migrations(p.migrations()))
        .unwrap_err();
    assert_eq!(e.code(), "PM7005");
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'"),
        0
    );

    migrator.deploy().unwrap();
    let d = migrator
        .diff(
            DiffSide::Migrations(p.migrations()),
            DiffSide::ProjectDatasource,
        )
        .unwrap();
    assert!(d.is_empty(), "{}", d.summary);
}

/// `examples/embed.rs`, built as `cargo test` builds examples (with this test's
/// features), then found next to the `prismig` binary.
fn embed_example() -> std::path::PathBuf {
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_prismig"));
    let dir = bin.parent().unwrap();
    let exe = dir.join("examples").join("embed");
    let mut build = std::process::Command::new(env!("CARGO"));
    build
        .args(["build", "--quiet", "--example", "embed", "--manifest-path"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"));
    if cfg!(feature = "mysql") {
        build.args(["--features", "mysql"]);
    }
    // A no-op when the test run built it already; builds it when only this test was.
    let status = build.status().unwrap();
    assert!(status.success(), "cargo build --example embed");
    assert!(exe.exists(), "{}", exe.display());
    exe
}

fn run_embed(exe: &std::path::Path, p: &Project, url: &str) -> std::process::Output {
    std::process::Command::new(exe)
        .arg(p.path())
        .env("DATABASE_URL", url)
        .output()
        .unwrap()
}

// The example service: starts after applying a good migration; refuses to start, with the
// P-code, on a broken one (P3018), and again on the next start (P3009).
#[test]
fn the_embed_example_refuses_to_start_on_a_failed_migration() {
    let exe = embed_example();
    let db = TestDb::new("api_embed");
    let p = project(&[("20240101000000_init", INIT)]);
    let out = run_embed(&exe, &p, &db.url());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "serving\n");
    assert!(
        stderr.contains("migration 20240101000000_init applied"),
        "{stderr}"
    );

    p.migration("20240102000000_bad", BAD);
    let out = run_embed(&exe, &p, &db.url());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("refusing to start: P3018: "), "{stderr}");

    let out = run_embed(&exe, &p, &db.url());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("refusing to start: P3009: "), "{stderr}");
    assert!(out.stdout.is_empty());
}

// §5.2: the folder lost an applied migration and has a new one: the histories diverge
// (Prisma's exit 1, detailed 4); `diverged()` names the applied one the folder lacks.
#[test]
fn status_names_diverged_migrations() {
    let db = TestDb::new("api_diverged");
    let p = init_and_post();
    let migrator = Migrator::from_project(p.path()).url(db.url());
    migrator.deploy().unwrap();
    assert!(migrator.status().unwrap().diverged().is_empty());
    p.remove_migration("20240102000000_add_post");
    p.migration("20240103000000_add_email", crate::support::ADD_EMAIL);
    let status = migrator.status().unwrap();
    assert_eq!(status.diverged(), ["20240102000000_add_post"]);
    assert_eq!(status.pending(), ["20240103000000_add_email"]);
    assert_eq!(status.prisma_exit_code(), 1);
    assert_eq!(status.detailed_exit_code(), 4);
}
