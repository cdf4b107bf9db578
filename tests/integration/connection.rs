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
    // The schema line comes first, as in the appendix.
    assert_eq!(
        out.stdout,
        "Prisma schema loaded from prisma/schema.prisma\n"
    );
    assert!(out.stderr.starts_with("Error: Prisma schema validation - (get-config wasm)\nError code: P1012\nerror: Error validating datasource `db`: the URL must start with the protocol `postgresql://` or `postgres://`.\n  -->  prisma/schema.prisma:7\n   | \n 6 |   provider = \"postgresql\"\n 7 |   url      = env(\"DATABASE_URL\")\n   | \n\nValidation Error Count: 1\n[Context: getConfig]\n"), "{}", out.stderr);
}

fn socket_dir() -> String {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Dir {
        #[diesel(sql_type = diesel::sql_types::Text)]
        unix_socket_directories: String,
    }
    diesel::sql_query("SHOW unix_socket_directories")
        .get_result::<Dir>(&mut crate::support::db::admin())
        .unwrap()
        .unix_socket_directories
        .split(',')
        .next()
        .unwrap()
        .trim()
        .to_owned()
}

// §8.4: the header for each URL shape. Connecting URLs must also work.
#[test]
fn header_line_for_every_url_shape() {
    let db = TestDb::new("conn_header");
    let p = project();
    let header_of = |url: &str| -> String {
        let out = run(&p, url, &["migrate", "status"]);
        out.stdout.lines().nth(1).unwrap_or("").to_owned()
    };
    // No port: the host alone; connects to 5432.
    let no_port = db.url().replacen(":5432/", "/", 1);
    if no_port != db.url() {
        assert_eq!(
            header_of(&no_port),
            format!(
                "Datasource \"db\": PostgreSQL database \"{}\", schema \"public\" at \"127.0.0.1\"",
                db.name
            )
        );
    }
    // The `host` parameter (Unix socket) does not change the printed location.
    let socket = format!(
        "postgresql://postgres@localhost/{}?host={}",
        db.name,
        socket_dir()
    );
    let out = run(&p, &socket, &["migrate", "deploy"]);
    out.success();
    assert!(
        out.stdout.contains(&format!(
            "database \"{}\", schema \"public\" at \"localhost\"\n",
            db.name
        )),
        "{}",
        out.stdout
    );
    // Percent-encoded database name: printed as written, decoded to connect.
    let encoded = db.url().replace(&db.name, &db.name.replace('_', "%5F"));
    let out = run(&p, &encoded, &["migrate", "status"]);
    out.success();
    assert!(
        out.stdout
            .contains(&format!("database \"{}\"", db.name.replace('_', "%5F"))),
        "{}",
        out.stdout
    );
    // IPv6 with brackets, and P1001 without them.
    let out = run(
        &p,
        "postgresql://postgres@[::1]:5499/db",
        &["migrate", "status"],
    );
    assert!(
        out.stdout
            .contains("database \"db\", schema \"public\" at \"[::1]:5499\"\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .starts_with("Error: P1001: Can't reach database server at `::1:5499`"),
        "{}",
        out.stderr
    );
    // A socket path in the host parameter is the P1001 location.
    let out = run(
        &p,
        "postgresql://postgres@localhost/db?host=/var/run/nowhere",
        &["migrate", "status"],
    );
    assert_eq!(out.stderr, "Error: P1001: Can't reach database server at `/var/run/nowhere:5432`\n\nPlease make sure your database server is running at `/var/run/nowhere:5432`.\n");
}

// multiSchema: `schemas = [...]` is printed and its tables make the database non-empty.
#[test]
fn multi_schema_datasource() {
    let db = TestDb::new("conn_multischema");
    db.exec("CREATE SCHEMA billing; CREATE TABLE billing.invoice (id int);");
    let p = project();
    p.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n  schemas  = [\"public\", \"billing\"]\n}\n",
    );
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert!(
        out.stdout.contains(&format!(
            "database \"{}\", schemas \"public, billing\" at ",
            db.name
        )),
        "{}",
        out.stdout
    );
    assert!(out.stderr.starts_with("Error: P3005\n"), "{}", out.stderr);
}

// §9 `socket_timeout`: enforced; a migration running longer fails instead of hanging.
#[test]
fn socket_timeout_is_enforced() {
    let db = TestDb::new("conn_socket_timeout");
    let p = project();
    p.migration("20240102000000_slow", "SELECT pg_sleep(3);\n");
    let started = std::time::Instant::now();
    let out = run(
        &p,
        &db.url_with("socket_timeout=1&options=-c%20application_name%3Dx"),
        &["migrate", "deploy"],
    );
    out.failure();
    assert!(started.elapsed() < std::time::Duration::from_millis(2900));
    assert!(
        out.stderr
            .contains("Migration name: 20240102000000_slow\n\nDatabase error code: 57014\n"),
        "{}",
        out.stderr
    );
    let rows = db.rows();
    assert!(rows[0].finished && !rows[1].finished);
}

// `--wait`: a database that comes up late is waited for, with progress on stderr; one that
// never does fails with P1001 once the time is up.
#[test]
fn wait_for_the_database() {
    use crate::support::proxy::{free_port, Proxy};
    let db = TestDb::new("conn_wait");
    let p = project();
    let port = free_port();
    let url = format!("postgresql://postgres@127.0.0.1:{port}/{}", db.name);
    let upstream = prismig::__internal::dburl::PgUrl::parse(&db.url())
        .unwrap()
        .error_location();
    let child = crate::support::cmd::command(&p, &url, &["migrate", "deploy", "--wait", "20s"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let _proxy = Proxy::start(port, upstream);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "Waiting for the database server at 127.0.0.1:{port} (0s of 20s)…\n"
        )),
        "{stderr}"
    );
    assert_eq!(db.rows().len(), 1);

    let started = std::time::Instant::now();
    let out = run(
        &p,
        &format!("postgresql://postgres@127.0.0.1:{}/x", free_port()),
        &["migrate", "status", "--wait", "1s"],
    );
    out.failure();
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    assert!(
        out.stderr
            .contains("Waiting for the database server at 127.0.0.1:"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("Error: P1001: Can't reach database server at `127.0.0.1:"),
        "{}",
        out.stderr
    );
}
