//! `migrate deploy` (§4): output, rows, the table, ordering, schemas, P3005.

use crate::support::{
    self, cmd::run, header, header_schema, Project, TestDb, ADD_EMAIL, ADD_POST, INIT,
};
use prismig::__internal::migration::checksum;

// §4.9 + transcripts (a), (b2), (c2): exact output; §1.1 row contents.
#[test]
fn deploy_applies_pending_migrations_with_prisma_output_and_rows() {
    let db = TestDb::new("deploy_basic");
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .migration("20240102000000_add_post", ADD_POST);
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert_eq!(
        out.stdout,
        format!(
            "{}\n2 migrations found in prisma/migrations\n\nApplying migration `20240101000000_init`\nApplying migration `20240102000000_add_post`\n{}",
            header(&db),
            support::applied_summary(&["20240101000000_init", "20240102000000_add_post"])
        )
    );
    assert_eq!(out.stderr, "");

    let rows = db.rows();
    assert_eq!(rows.len(), 2);
    for (row, (name, sql)) in rows.iter().zip([
        ("20240101000000_init", INIT),
        ("20240102000000_add_post", ADD_POST),
    ]) {
        assert_eq!(row.migration_name, name);
        assert_eq!(row.checksum, checksum(sql));
        assert!(row.finished && !row.rolled_back);
        assert_eq!(row.logs, None);
        assert_eq!(row.applied_steps_count, 1);
        assert!(
            uuid::Uuid::parse_str(&row.id).is_ok_and(|u| u.get_version_num() == 4),
            "{}",
            row.id
        );
        assert_eq!(row.id, row.id.to_lowercase());
    }
    // The transcript's checksum of the same init migration.
    assert_eq!(
        rows[0].checksum,
        "69bceb439ca0fff8a40ce804d310d3e66462f3bbc533e490e0eab77a003b1363"
    );
    assert_eq!(
        rows[1].checksum,
        "e848a51d405d5afe8ae9f173682eff8339b8d3ab0591511e704653de33c6518f"
    );

    // Nothing pending: two empty lines, then the message.
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert_eq!(
        out.stdout,
        format!(
            "{}\n2 migrations found in prisma/migrations\n\n\nNo pending migrations to apply.\n",
            header(&db)
        )
    );

    // A new local migration: only it is applied.
    p.migration("20240103000000_add_email", ADD_EMAIL);
    let out = run(&p, &db.url(), &["deploy"]);
    out.success();
    assert!(
        out.stdout
            .contains("\nApplying migration `20240103000000_add_email`\n\n"),
        "{}",
        out.stdout
    );
    assert_eq!(db.rows().len(), 3);
}

// §1.2: the table exactly as Prisma creates it (`\d _prisma_migrations` in the transcripts).
#[test]
fn the_history_table_has_prismas_columns() {
    let db = TestDb::new("deploy_ddl");
    let p = Project::new();
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    let cols = db.text(
        "SELECT string_agg(column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '') || ' ' || is_nullable || ' ' || coalesce(column_default, '-'), ', ' ORDER BY ordinal_position) AS v FROM information_schema.columns WHERE table_name = '_prisma_migrations'",
    );
    assert_eq!(
        cols,
        "id character varying(36) NO -, checksum character varying(64) NO -, finished_at timestamp with time zone YES -, migration_name character varying(255) NO -, logs text YES -, rolled_back_at timestamp with time zone YES -, started_at timestamp with time zone NO now(), applied_steps_count integer NO 0"
    );
    assert_eq!(
        db.text("SELECT string_agg(indexname, ',') AS v FROM pg_indexes WHERE tablename = '_prisma_migrations'"),
        "_prisma_migrations_pkey"
    );
}

// §4.1: zero local migrations still creates the table (transcript h2-2).
#[test]
fn deploy_without_migrations_creates_the_table() {
    let db = TestDb::new("deploy_none");
    let p = Project::new();
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert_eq!(
        out.stdout,
        format!(
            "{}\nNo migration found in prisma/migrations\n\n\nNo pending migrations to apply.\n",
            header(&db)
        )
    );
    assert_eq!(db.count("SELECT count(*) AS n FROM _prisma_migrations"), 0);
}

// §4.3: P3005 on a non-empty database, with Prisma's streams (transcript h1).
#[test]
fn deploy_refuses_a_non_empty_database_with_p3005() {
    let db = TestDb::new("deploy_p3005");
    db.exec("CREATE TABLE existing (id int)");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert_eq!(
        out.stdout,
        format!(
            "{}\n1 migration found in prisma/migrations\n\n",
            header(&db)
        )
    );
    assert_eq!(
        out.stderr,
        "Error: P3005\n\nThe database schema is not empty. Read more about how to baseline an existing production database: https://pris.ly/d/migrate-baseline\n\n"
    );
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'"),
        0
    );
}

// §4.3: only ordinary tables count; views, types, sequences and PostGIS tables do not.
#[test]
fn views_types_and_postgis_tables_do_not_make_a_database_non_empty() {
    let db = TestDb::new("deploy_view");
    db.exec("CREATE VIEW v AS SELECT 1 AS x; CREATE TYPE mood AS ENUM ('ok'); CREATE SEQUENCE s; CREATE TABLE spatial_ref_sys (srid int); CREATE SCHEMA other; CREATE TABLE other.t (id int);");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    assert_eq!(db.rows().len(), 1);
}

// §1.4: `?schema=` puts the table and the objects in that schema, created when missing
// (transcript h3-1, h3-2).
#[test]
fn schema_parameter_targets_and_creates_the_schema() {
    let db = TestDb::new("deploy_schema");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    let url = db.url_with("schema=custom");
    let out = run(&p, &url, &["migrate", "deploy"]);
    out.success();
    assert!(
        out.stdout.starts_with(&header_schema(&db, "custom")),
        "{}",
        out.stdout
    );
    assert_eq!(
        db.text("SELECT string_agg(tablename, ',' ORDER BY tablename) AS v FROM pg_tables WHERE schemaname = 'custom'"),
        "User,_prisma_migrations"
    );
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'"),
        0
    );
    assert_eq!(db.rows_in("custom").len(), 1);
    run(&p, &url, &["migrate", "status"]).success();
}

// §3.2: folders sort as Prisma ≥ 6.6 sorts them (ICU), so `_add_user` runs before `_add1`.
#[test]
fn migrations_apply_in_prismas_locale_order() {
    let db = TestDb::new("deploy_order");
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .migration(
            "20240102000000_add1",
            "ALTER TABLE \"User\" ADD COLUMN b int;",
        )
        .migration(
            "20240102000000_add_user",
            "ALTER TABLE \"User\" ADD COLUMN a int;",
        );
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    let order: Vec<String> = db.rows().into_iter().map(|r| r.migration_name).collect();
    assert_eq!(
        order,
        [
            "20240101000000_init",
            "20240102000000_add_user",
            "20240102000000_add1"
        ]
    );
    assert_eq!(
        db.text("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) AS v FROM information_schema.columns WHERE table_name = 'User'"),
        "id,name,a,b"
    );
}

// §4.1 step 6: deploy creates a missing database (transcript i7b).
#[test]
fn deploy_creates_a_missing_database() {
    let db = TestDb::unique_name("deploy_create");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert!(
        out.stdout.starts_with(&format!(
            "{}\nPostgreSQL database {} created at {}\n\n1 migration found in prisma/migrations\n\nApplying migration `20240101000000_init`\n",
            header(&db),
            db.name,
            support::location(&db)
        )),
        "{}",
        out.stdout
    );
    assert_eq!(db.rows().len(), 1);
}

// §3.3: an empty migration.sql is applied (transcript m3, m3b).
#[test]
fn an_empty_migration_is_applied() {
    let db = TestDb::new("deploy_empty");
    let p = Project::new();
    p.migration("20240104000000_empty_sql", "");
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    let rows = db.rows();
    assert_eq!(
        rows[0].checksum,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(rows[0].applied_steps_count, 1);
}

// A script may change the search path or leave a transaction open (transcripts §9.2 g, i);
// the bookkeeping is fooled by neither, and the open transaction is reported, not hidden.
#[test]
fn scripts_that_change_the_session() {
    let db = TestDb::new("deploy_session");
    let p = Project::new();
    p.migration("20240101000000_init", INIT).migration(
        "20240102000000_elsewhere",
        "CREATE SCHEMA other;\nSET search_path TO other;\nCREATE TABLE moved (id int);\n",
    );
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    assert_eq!(db.count("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'other' AND tablename = 'moved'"), 1);
    assert!(db.rows().iter().all(|r| r.finished));

    p.migration(
        "20240103000000_open",
        "BEGIN;\nCREATE TABLE never (id int);\n",
    );
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert!(out.stderr.contains("Database error code: none\n\nDatabase error:\nThe migration left a transaction open (a BEGIN without COMMIT). prismig rolled it back: nothing the script did after that BEGIN persists.\n"), "{}", out.stderr);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'never'"),
        0
    );
    let row = db
        .rows()
        .into_iter()
        .find(|r| r.migration_name == "20240103000000_open")
        .unwrap();
    assert!(!row.finished && row.logs.is_some());
}

// A deploy killed in the middle of a script leaves a truthful history: the script and its
// row are one transaction (ARCHITECTURE.md, execution model), so either both committed or
// neither did; the next deploy goes on, never stopping at P3009.
#[test]
fn a_killed_deploy_leaves_a_truthful_history() {
    let db = TestDb::new("deploy_killed");
    let p = Project::new();
    p.migration("20240101000000_init", INIT).migration(
        "20240102000000_slow",
        "CREATE TABLE half (id int);\nSELECT pg_sleep(3);\n",
    );
    let mut child = crate::support::cmd::command(&p, &db.url(), &["migrate", "deploy"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while db.count("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(3)%' AND pid <> pg_backend_pid()") == 0 {
        assert!(std::time::Instant::now() < deadline, "the script never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The server notices the closed connection and rolls the script back.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
    while db.count("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(3)%' AND pid <> pg_backend_pid()") > 0 {
        assert!(std::time::Instant::now() < deadline);
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let table = db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'half'") == 1;
    let rows = db.rows();
    let slow: Vec<_> = rows
        .iter()
        .filter(|r| r.migration_name == "20240102000000_slow")
        .collect();
    if table {
        assert!(slow.len() == 1 && slow[0].finished, "{rows:?}");
    } else {
        assert!(slow.is_empty(), "{rows:?}");
    }
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    run(&p, &db.url(), &["migrate", "status"]).success();
}
