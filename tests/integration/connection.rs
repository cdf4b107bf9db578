//! Connection errors (§7.2), texts from transcripts (i1)–(i8) and the Prisma 6.19 appendix.

use crate::support::{cmd::run, db::url_for, header, Project, TestDb, INIT};

fn project() -> Project {
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    p
}

#[test]
fn unreachable_server_is_p1001() {
    let p = project();
    let url = "postgresql://postgres:s3cret-pw@127.0.0.1:5499/oracle_i?schema=public";
    let out = run(&p, url, &["migrate", "deploy"]);
    out.failure();
    assert_eq!(out.stdout, "Prisma schema loaded from prisma/schema.prisma\nDatasource \"db\": PostgreSQL database \"oracle_i\", schema \"public\" at \"127.0.0.1:5499\"\n\n");
    assert_eq!(out.stderr, "Error: P1001: Can't reach database server at `127.0.0.1:5499`\n\nPlease make sure your database server is running at `127.0.0.1:5499`.\n");
    for args in [
        &["migrate", "status"][..],
        &["migrate", "resolve", "--applied", "20240101000000_init"][..],
    ] {
        let out = run(&p, url, args);
        out.failure();
        assert!(
            out.stdout.ends_with("at \"127.0.0.1:5499\"\n"),
            "{}",
            out.stdout
        );
        assert!(out.stderr.starts_with("Error: P1001: "));
        assert!(!out.stderr.contains("s3cret") && !out.stdout.contains("s3cret"));
    }
}

#[test]
fn missing_database_is_p1003_for_status_and_resolve() {
    let db = TestDb::unique_name("conn_missing");
    let p = project();
    for args in [
        &["migrate", "status"][..],
        &["migrate", "resolve", "--rolled-back", "x"][..],
        &["migrate", "resolve", "--applied", "20240101000000_init"][..],
    ] {
        let out = run(&p, &db.url(), args);
        out.failure();
        assert_eq!(out.stdout, header(&db));
        assert_eq!(
            out.stderr,
            format!("Error: P1003: Database `{}` does not exist\n", db.name)
        );
    }
}

#[test]
fn unknown_role_is_p1010() {
    let p = project();
    let url = url_for("postgres").replacen("postgres@", "nosuchuser@", 1);
    if !url.contains("nosuchuser@") {
        panic!("TEST_DATABASE_URL must name its user as postgres@ for this test: {url}");
    }
    let out = run(&p, &url, &["migrate", "deploy"]);
    out.failure();
    assert_eq!(
        out.stderr,
        "Error: P1010: User was denied access on the database `(not available)`\n"
    );
}

// Appendix "invalid port": only the prefix of the header, then P1013.
#[test]
fn malformed_url_is_p1013() {
    let p = project();
    let out = run(
        &p,
        "postgresql://x@127.0.0.1:99999/y",
        &["migrate", "status"],
    );
    out.failure();
    assert_eq!(
        out.stdout,
        "Prisma schema loaded from prisma/schema.prisma\nDatasource \"db\": PostgreSQL database\n"
    );
    assert_eq!(out.stderr, "Error: P1013: The provided database string is invalid. invalid port number in database URL. Please refer to the documentation in https://www.prisma.io/docs/reference/database-reference/connection-urls for constructing a correct connection string. In some cases, certain characters must be escaped. Please check the string for any illegal characters.\n");
}

// `--url` wins over the schema's datasource.
#[test]
fn url_flag_overrides_the_datasource() {
    let db = TestDb::new("conn_urlflag");
    let p = project();
    let out = run(
        &p,
        "postgresql://postgres@127.0.0.1:5499/unused",
        &["migrate", "deploy", "--url", &db.url()],
    );
    out.success();
    assert_eq!(db.rows().len(), 1);
}

// A URL scheme that does not match the provider (appendix "invalid URL scheme").
#[test]
fn wrong_scheme_is_p1012() {
    let p = project();
    let out = run(&p, "postgrs://x@127.0.0.1/y", &["migrate", "status"]);
    out.failure();
    assert_eq!(out.stdout, "");
    assert!(out.stderr.starts_with("Error: Prisma schema validation - (get-config wasm)\nError code: P1012\nerror: Error validating datasource `db`: the URL must start with the protocol `postgresql://` or `postgres://`.\n  -->  prisma/schema.prisma:7\n   | \n 6 |   provider = \"postgresql\"\n 7 |   url      = env(\"DATABASE_URL\")\n   | \n\nValidation Error Count: 1\n[Context: getConfig]\n"), "{}", out.stderr);
}
