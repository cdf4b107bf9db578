//! MySQL/MariaDB's own behaviour (§1.2–§1.4, §4.3, §4.5, §4.7, §7.2).

use crate::providers::{Backend, Mysql};
use crate::support::cmd::run;
use crate::support::Project;
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

fn with_db(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    u.set_path(db);
    u.to_string()
}

// §1.4: system databases, and a URL without a database (default `mysql`), are P3004.
#[test]
fn system_databases_are_p3004() {
    let db = Mysql::create("my_system");
    let p = project();
    for (path, name) in [
        ("/mysql", "mysql"),
        ("/Information_Schema", "Information_Schema"),
        ("", "mysql"),
    ] {
        let out = run(&p, &with_db(&db.url(), path), &["migrate", "status"]);
        out.failure();
        assert_eq!(out.stderr, format!("Error: P3004\n\nThe `{name}` database is a system database, it should not be altered with prisma migrate. Please connect to another database.\n\n"));
    }
}

// §1.2 (utf8mb4 DDL), §1.3 (UTC DATETIME(3)).
#[test]
fn table_ddl_and_utc_timestamps() {
    let db = Mysql::create("my_ddl");
    run(&project(), &db.url(), &["migrate", "deploy"]).success();
    assert_eq!(db.count(&format!("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = '{}' AND table_name = '_prisma_migrations' AND table_collation = 'utf8mb4_unicode_ci'", db.name)), 1);
    let cols = db.count(&format!(
        "SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_schema = '{}' AND table_name = '_prisma_migrations' AND CONCAT(column_name, ' ', column_type, ' ', is_nullable) IN ('id varchar(36) NO', 'checksum varchar(64) NO', 'finished_at datetime(3) YES', 'migration_name varchar(255) NO', 'logs text YES', 'rolled_back_at datetime(3) YES', 'started_at datetime(3) NO', 'applied_steps_count int(10) unsigned NO', 'applied_steps_count int unsigned NO')",
        db.name
    ));
    assert_eq!(cols, 8);
    // Written as UTC wall-clock time, whatever the session's time zone.
    assert_eq!(db.count("SELECT COUNT(*) AS n FROM _prisma_migrations WHERE ABS(TIMESTAMPDIFF(SECOND, started_at, UTC_TIMESTAMP())) < 60"), 1);
}

// §4.7: the server's error number and the 1-based number of the failing statement.
#[test]
fn p3018_names_the_failing_statement() {
    let db = Mysql::create("my_query_n");
    let p = project();
    p.migration(
        "20240102000000_third",
        "CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);\nCREATE TABLE a (id INT);\n",
    );
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert!(out.stderr.ends_with("Migration name: 20240102000000_third\n\nDatabase error code: 1050\n\nDatabase error:\nTable 'a' already exists\n\nPlease check the query number 3 from the migration file.\n\n\n"), "{}", out.stderr);
    assert!(
        db.table_exists("b"),
        "no transaction: earlier statements stay"
    );
    // A syntax error in the first statement is query number 1.
    let db = Mysql::create("my_query_1");
    let p = project();
    p.migration("20240102000000_bad", "CREATE TABLEX a (id INT);\n");
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    assert!(
        out.stderr.contains("Database error code: 1064\n"),
        "{}",
        out.stderr
    );
    assert!(out
        .stderr
        .contains("Please check the query number 1 from the migration file."));
}

// A file with only comments applies nothing and succeeds (the server says "Query was empty").
#[test]
fn comment_only_migration() {
    let db = Mysql::create("my_comments");
    let p = project();
    p.migration(
        "20240102000000_note",
        "-- nothing to do here\n/* really */\n",
    );
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    assert_eq!(db.rows().len(), 2);
}

// §4.5: GET_LOCK's timeout is ignored, as Prisma does; --strict-lock fails instead.
#[test]
fn get_lock_timeout_is_silent_unless_strict() {
    let db = Mysql::create("my_lock");
    let mut holder = db.conn();
    // The lock's name is server-wide: other tests' deploys may hold it for a moment, so
    // wait for it, and make sure it is held.
    #[derive(diesel::QueryableByName)]
    struct Got {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        got: i64,
    }
    let got: Got = diesel::RunQueryDsl::get_result(
        diesel::sql_query("SELECT GET_LOCK('prisma_migrate', 60) AS got"),
        &mut holder,
    )
    .unwrap();
    assert_eq!(got.got, 1);
    let p = project();
    let started = std::time::Instant::now();
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--lock-timeout", "1s", "--strict-lock"],
    );
    out.failure();
    assert!(out.stderr.starts_with("Error: P1002\n\n"), "{}", out.stderr);
    assert!(out.stderr.contains("GET_LOCK('prisma_migrate', 1)"));
    assert!(db.rows_if_any().is_none());
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--lock-timeout", "1s"],
    );
    out.success();
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));
    drop(holder);
}

// §4.3: views are not tables for P3005.
#[test]
fn views_do_not_count_for_p3005() {
    let db = Mysql::create("my_view");
    db.exec("CREATE VIEW v AS SELECT 1 AS x");
    run(&project(), &db.url(), &["migrate", "deploy"]).success();
}

// §7.2: P1000 with the user, P1001 with host:port; the password never printed.
#[test]
fn authentication_and_reachability() {
    let db = Mysql::create("my_auth");
    let user = format!("u{}", &db.name[db.name.len() - 6..]);
    crate::providers::mysql_admin()
        .batch_execute(&format!("CREATE USER '{user}'@'%' IDENTIFIED BY 'right-pw'; GRANT ALL ON `{}`.* TO '{user}'@'%'", db.name))
        .unwrap();
    let mut u = url::Url::parse(&db.url()).unwrap();
    u.set_username(&user).unwrap();
    u.set_password(Some("wrong-pw")).unwrap();
    let out = run(&project(), u.as_str(), &["migrate", "status"]);
    out.failure();
    assert_eq!(out.stderr, format!("Error: P1000: Authentication failed against database server, the provided database credentials for `{user}` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at the configured address.\n"));
    assert!(!out.stderr.contains("wrong-pw"));
    u.set_password(Some("right-pw")).unwrap();
    run(&project(), u.as_str(), &["migrate", "deploy"]).success();
    let out = run(
        &project(),
        "mysql://root@127.0.0.1:3399/x",
        &["migrate", "status"],
    );
    assert_eq!(out.stderr, "Error: P1001: Can't reach database server at `127.0.0.1:3399`\n\nPlease make sure your database server is running at `127.0.0.1:3399`.\n");
    let _ = crate::providers::mysql_admin().batch_execute(&format!("DROP USER '{user}'@'%'"));
}

// Prisma's engine (mysql_async) sends utf8mb4_general_ci (45) in its handshake, so its
// session speaks utf8mb4 with that collation on every server. MySQL's client library sends
// utf8mb4_0900_ai_ci (255), which MariaDB and MySQL 5.7 do not know: they fall back to the
// server's default, latin1 on a server nobody configured, where the text of a migration was
// stored double-encoded. Both raw sessions (deploy's scripts, `db execute`) must speak
// exactly what Prisma's does, on such a server too.
#[test]
fn scripts_speak_utf8mb4_as_prisma_does_on_a_latin1_server() {
    use diesel::sql_types::Text;
    use diesel::{QueryableByName, RunQueryDsl};
    #[derive(QueryableByName)]
    struct Stored {
        #[diesel(sql_type = Text)]
        text: String,
        #[diesel(sql_type = Text)]
        session: String,
    }
    const TEXT: &str = "Zoë 😀 日本";
    const HEX: &str = "5A6FC3AB20F09F988020E697A5E69CAC";
    const SESSION: &str = "utf8mb4,utf8mb4,utf8mb4,utf8mb4_general_ci";
    let server = crate::support::mariadb::Mariadb::start();
    let mut conn = server.conn();
    let read = |conn: &mut diesel::MysqlConnection, db: &str| -> Vec<(String, String)> {
        diesel::sql_query(format!(
            "SELECT HEX(v) AS text, cs AS session FROM `{db}`.t ORDER BY v"
        ))
        .load::<Stored>(conn)
        .unwrap()
        .into_iter()
        .map(|r| (r.text, r.session))
        .collect()
    };
    let insert = format!("INSERT INTO t VALUES ('{TEXT}', CONCAT_WS(',', @@character_set_client, @@character_set_connection, @@character_set_results, @@collation_connection));\n");
    // migrate deploy (the database is created by deploy, on the server's default: latin1).
    let p = project();
    p.migration(
        "20240102000000_text",
        &format!("CREATE TABLE t (v VARCHAR(50), cs VARCHAR(100)) DEFAULT CHARACTER SET utf8mb4;\n{insert}"),
    );
    run(&p, &server.url("my_charset"), &["migrate", "deploy"]).success();
    assert_eq!(
        read(&mut conn, "my_charset"),
        [(HEX.to_owned(), SESSION.to_owned())],
        "deploy's script session"
    );
    // db execute, on the same database.
    p.write("more.sql", &insert);
    run(
        &p,
        &server.url("my_charset"),
        &[
            "db",
            "execute",
            "--file",
            "more.sql",
            "--url",
            &server.url("my_charset"),
        ],
    )
    .success();
    assert_eq!(
        read(&mut conn, "my_charset"),
        [
            (HEX.to_owned(), SESSION.to_owned()),
            (HEX.to_owned(), SESSION.to_owned())
        ],
        "db execute's session"
    );
}
