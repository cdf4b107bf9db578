//! A migration that fails (§4.6, §4.7, §4.4) and its recovery (§6), first with the seed's
//! real failure: `ADD CONSTRAINT IF NOT EXISTS`, which PostgreSQL rejects.

use crate::support::{cmd::run, header, Project, TestDb, ADD_EMAIL, ADD_POST, BAD, INIT};
use prismig::__internal::migration::checksum;

const P3018_HEAD: &str = "Error: P3018\n\nA migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\n";

/// Transcript (d1): the exact P3018 text, ANSI escapes included.
fn seed_p3018() -> String {
    format!(
        "{P3018_HEAD}Migration name: 20240103000000_bad\n\nDatabase error code: 42601\n\nDatabase error:\nERROR: syntax error at or near \"NOT\"\n\nPosition:\n\x1b[1m  0\x1b[0m\n\x1b[1m  1\x1b[0m -- AlterTable\n\x1b[1m  2\x1b[0m ALTER TABLE \"User\" ADD COLUMN \"email\" TEXT;\n\x1b[1m  3\x1b[1;31m ALTER TABLE \"User\" ADD CONSTRAINT IF NOT EXISTS \"x\" UNIQUE (\"name\");\x1b[0m\n\nDbError {{ severity: \"ERROR\", parsed_severity: Some(Error), code: SqlState(E42601), message: \"syntax error at or near \\\"NOT\\\"\", detail: None, hint: None, position: Some(Original(96)), where_: None, schema: None, table: None, column: None, datatype: None, constraint: None, file: Some(\"scan.l\"), line: Some(1188), routine: Some(\"scanner_yyerror\") }}\n\n\n"
    )
}

fn failed_project(db: &TestDb) -> Project {
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .migration("20240102000000_add_post", ADD_POST)
        .migration("20240103000000_bad", BAD);
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert_eq!(
        out.stdout,
        format!("{}\n3 migrations found in prisma/migrations\n\nApplying migration `20240101000000_init`\nApplying migration `20240102000000_add_post`\nApplying migration `20240103000000_bad`\n", header(db))
    );
    let stderr = &out.stderr;
    assert_eq!(stderr, &seed_p3018());
    p
}

// §4.6–§4.7, transcripts (d1)–(d4), (e1)–(e1d), (d2-1)–(d2-5).
#[test]
fn seed_migration_fails_atomically_then_rolls_back_and_redeploys() {
    let db = TestDb::new("seed_failure");
    let p = failed_project(&db);

    // Nothing of the script is left: the first ADD COLUMN was rolled back with the rest.
    assert_eq!(db.count("SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'User' AND column_name = 'email'"), 0);
    let rows = db.rows();
    assert_eq!(rows.len(), 3);
    let bad = &rows[2];
    assert_eq!(bad.migration_name, "20240103000000_bad");
    assert_eq!(
        bad.checksum,
        "78eb1e5f216013337059420bbaa779f61e1e3cbb1f3eb196cea77cedb5bb71de"
    );
    assert!(!bad.finished && !bad.rolled_back);
    assert_eq!(bad.applied_steps_count, 0);
    let logs = bad.logs.as_deref().expect("logs of the failed row");
    let cli_text = seed_p3018();
    let message = cli_text
        .strip_prefix("Error: P3018\n\n")
        .unwrap()
        .strip_suffix("\n\n")
        .unwrap();
    assert!(logs.starts_with(&format!("{message}\n   0: ")), "{logs:?}");

    // P3009 on the next deploy, with the row's start time in chrono's format.
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert_eq!(
        out.stdout,
        format!(
            "{}\n3 migrations found in prisma/migrations\n\n",
            header(&db)
        )
    );
    let started = db.text("SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS v FROM _prisma_migrations WHERE finished_at IS NULL");
    // chrono: no fraction when zero, 3 digits for whole milliseconds, else 6.
    let (secs, us) = started.split_once('.').unwrap();
    let started = match us {
        "000000" => secs.to_owned(),
        _ if us.ends_with("000") => format!("{secs}.{}", &us[..3]),
        _ => started.clone(),
    };
    assert_eq!(
        out.stderr,
        format!("Error: P3009\n\nmigrate found failed migrations in the target database, new migrations will not be applied. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\nThe `20240103000000_bad` migration started at {started} UTC failed\n\n\n")
    );

    // status: failed block on stderr, exit 1 (transcript d4, 6.19 whitespace).
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.failure();
    assert_eq!(
        out.stdout,
        format!("{}\n3 migrations found in prisma/migrations\n", header(&db))
    );
    assert_eq!(
        out.stderr,
        "Following migration have failed:\n20240103000000_bad\n\nDuring development if the failed migration(s) have not been deployed to a production database you can then fix the migration(s) and run prisma migrate dev.\n\nThe failed migration(s) can be marked as rolled back or applied:\n      \n- If you rolled back the migration(s) manually:\nprisma migrate resolve --rolled-back \"20240103000000_bad\"\n\n- If you fixed the database manually (hotfix):\nprisma migrate resolve --applied \"20240103000000_bad\"\n\nRead more about how to resolve migration issues in a production database:\nhttps://pris.ly/d/migrate-resolve\n"
    );

    // resolve --rolled-back (e1), twice (e1d).
    for _ in 0..2 {
        let out = run(
            &p,
            &db.url(),
            &["migrate", "resolve", "--rolled-back", "20240103000000_bad"],
        );
        out.success();
        assert_eq!(
            out.stdout,
            format!(
                "{}\nMigration 20240103000000_bad marked as rolled back.\n\n",
                header(&db)
            )
        );
        assert_eq!(out.stderr, "");
    }
    let rows = db.rows();
    assert!(rows[2].rolled_back && !rows[2].finished);

    // status reads it as up to date (as Prisma), and says what Prisma does not.
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.success();
    assert!(out.stdout.ends_with("\nDatabase schema is up to date!\n"));
    assert!(
        out.stderr.contains(
            "marked as rolled back; migrate deploy will apply it again:\n20240103000000_bad\n"
        ),
        "{}",
        out.stderr
    );

    // Fix the file and deploy: a new row, the old one stays rolled back (d2-3, d2-4).
    p.migration("20240103000000_bad", ADD_EMAIL);
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert!(out
        .stdout
        .contains("Applying migration `20240103000000_bad`\n"));
    let rows = db.rows();
    assert_eq!(rows.len(), 4);
    assert_eq!(
        (
            rows[3].migration_name.as_str(),
            rows[3].finished,
            rows[3].applied_steps_count,
            rows[3].logs.is_none()
        ),
        ("20240103000000_bad", true, 1, true)
    );
    assert_eq!(rows[3].checksum, checksum(ADD_EMAIL));
    assert!(rows[2].rolled_back);
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.success();
    assert_eq!(out.stderr, "");
}

// §6.2 on a failed row: the hotfix path (transcripts e2-1 … e2-5).
#[test]
fn resolve_applied_is_the_hotfix_path() {
    let db = TestDb::new("seed_hotfix");
    let p = failed_project(&db);
    // The operator applies a corrected change by hand.
    db.exec("ALTER TABLE \"User\" ADD COLUMN \"email\" TEXT");
    let out = run(
        &p,
        &db.url(),
        &["migrate", "resolve", "--applied", "20240103000000_bad"],
    );
    out.success();
    assert_eq!(
        out.stdout,
        format!(
            "{}\nMigration 20240103000000_bad marked as applied.\n\n",
            header(&db)
        )
    );
    let rows = db.rows();
    assert_eq!(rows.len(), 4);
    assert!(rows[2].rolled_back && !rows[2].finished);
    let applied = &rows[3];
    assert_eq!(applied.migration_name, "20240103000000_bad");
    assert!(applied.finished && !applied.rolled_back && applied.started_equals_finished);
    assert_eq!(applied.logs.as_deref(), Some(""));
    assert_eq!(applied.applied_steps_count, 0);
    assert_eq!(applied.checksum, checksum(BAD));
    run(&p, &db.url(), &["migrate", "status"]).success();
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert!(out.stdout.ends_with("No pending migrations to apply.\n"));
}

// §4.7 without a position (transcript p1); a statement refusing a transaction block (p2).
#[test]
fn errors_without_position_and_non_transactional_statements() {
    let db = TestDb::new("fail_shapes");
    let p = Project::new();
    p.migration("20240101000000_init", INIT).migration(
        "20240104000000_dup_table",
        "CREATE TABLE \"User\" (\"id\" TEXT);\n",
    );
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert!(out.stderr.starts_with(&format!("{P3018_HEAD}Migration name: 20240104000000_dup_table\n\nDatabase error code: 42P07\n\nDatabase error:\nERROR: relation \"User\" already exists\n\nDbError {{ severity: \"ERROR\", parsed_severity: Some(Error), code: SqlState(E42P07), message: \"relation \\\"User\\\" already exists\", detail: None, hint: None, position: None, where_: None, schema: None, table: None, column: None, datatype: None, constraint: None, file: Some(\"heap.c\"), ")), "{}", out.stderr);
    assert!(out
        .stderr
        .ends_with("routine: Some(\"heap_create_with_catalog\") }\n\n\n"));

    // Transcript (p2) shows the 6.19 engine failing with 25001; since Prisma 7.4 (engines
    // #5767) the engine runs such a file statement by statement, and so does prismig.
    let db = TestDb::new("fail_cic");
    let p = Project::new();
    p.migration("20240101000000_init", INIT).migration(
        "20240104000000_concurrently",
        "CREATE INDEX CONCURRENTLY \"User_name_idx\" ON \"User\"(\"name\");\nCREATE INDEX \"User_id_idx2\" ON \"User\"(\"id\");\n",
    );
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    assert_eq!(db.count("SELECT count(*) AS n FROM pg_indexes WHERE indexname IN ('User_name_idx', 'User_id_idx2')"), 2);

    // An index *named* concurrently is built in the file's one transaction: the file stays
    // atomic, and its failure leaves nothing of it.
    let db = TestDb::new("fail_named_cic");
    let p = Project::new();
    p.migration("20240101000000_init", INIT).migration(
        "20240104000000_named",
        "CREATE TABLE \"T\" (\"a\" INTEGER);\nCREATE INDEX \"concurrently\" ON \"T\"(\"a\");\nSELECT 1/0;\n",
    );
    run(&p, &db.url(), &["migrate", "deploy"]).failure();
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'T'"),
        0,
        "the failed file left its first statement behind: it did not run as one transaction"
    );
}

// §3.3: a folder without migration.sql fails with P3015 when reached; earlier ones stay
// applied (transcript m1); status lists it as not yet applied (m2).
#[test]
fn missing_migration_sql_is_p3015_when_reached() {
    let db = TestDb::new("fail_p3015");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    std::fs::create_dir_all(p.migrations().join("20240104000000_empty_dir")).unwrap();
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert_eq!(out.stdout, format!("{}\n2 migrations found in prisma/migrations\n\nApplying migration `20240101000000_init`\n", header(&db)));
    assert_eq!(out.stderr, "Error: P3015\n\nCould not find the migration file at migration.sql. Please delete the directory or restore the migration file.\n\n");
    let rows = db.rows();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].finished);
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.failure();
    assert!(out.stdout.ends_with("2 migrations found in prisma/migrations\nFollowing migration have not yet been applied:\n20240104000000_empty_dir\n\nTo apply migrations in development run prisma migrate dev.\nTo apply migrations in production run prisma migrate deploy.\n"), "{}", out.stdout);
}
