//! `db execute` = Prisma 6.19: the cases of Prisma's own
//! `packages/migrate/src/__tests__/DbExecute.test.ts` (generic, MongoDB, SQLite,
//! PostgreSQL, MySQL), each under the name Prisma gives it. Prisma's snapshots are the
//! error's message; the CLI prints it after `Error: `.

use crate::support::cmd;
use crate::support::TestDb;
use std::io::Write;
use std::path::Path;

const SEE: &str = "See `prisma db execute -h`";

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }
    fn path(&self) -> &Path {
        self.0.path()
    }
    fn write(&self, rel: &str, text: &str) -> &Dir {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }
}

fn prismig(dir: &Dir, args: &[&str], stdin: Option<&str>) -> cmd::Output {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_prismig"));
    c.arg("db")
        .arg("execute")
        .args(args)
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        input.write_all(s.as_bytes()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    cmd::Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[track_caller]
fn succeeded(out: &cmd::Output) {
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(out.stdout, "Script executed successfully.\n", "{out:#?}");
    assert_eq!(out.stderr, "", "{out:#?}");
}

/// Prisma prints the error's message after `Error: `; an engine error with a code is
/// `CODE\n\nmessage\n`, one without is the message and an empty line.
#[track_caller]
fn failed(out: &cmd::Output, message: &str) {
    assert_eq!(out.code, 1, "{out:#?}");
    assert_eq!(out.stdout, "", "{out:#?}");
    assert_eq!(out.stderr, format!("Error: {message}\n"), "{out:#?}");
}

#[track_caller]
fn failed_with_code(out: &cmd::Output, code: &str, message: &str) {
    failed(out, &format!("{code}\n\n{message}\n"));
}

const P1013_SCHEME: &str = "The provided database string is invalid. `invalidurl` is not a known connection URL scheme. Prisma cannot determine the connector. in database URL. Please refer to the documentation in https://www.prisma.io/docs/reference/database-reference/connection-urls for constructing a correct connection string. In some cases, certain characters must be escaped. Please check the string for any illegal characters.";
const P1013_PORT: &str = "The provided database string is invalid. invalid port number in database URL. Please refer to the documentation in https://www.prisma.io/docs/reference/database-reference/connection-urls for constructing a correct connection string. In some cases, certain characters must be escaped. Please check the string for any illegal characters.";

fn p1001(host: &str, port: u16) -> String {
    format!("Can't reach database server at `{host}`:`{port}`\n\nPlease make sure your database server is running at `{host}`:`{port}`.")
}

mod generic {
    use super::*;

    #[test]
    fn should_trigger_a_warning_if_preview_feature_is_provided() {
        let d = Dir::new();
        let out = prismig(
            &d,
            &[
                "--preview-feature",
                "--file=./doesnotexists.sql",
                "--schema=1",
            ],
            None,
        );
        assert_eq!(out.code, 1);
        assert!(out.stderr.contains("\"prisma db execute\" was in Preview and is now Generally Available.\nYou can now remove the --preview-feature flag.\n"), "{}", out.stderr);
        assert!(out
            .stderr
            .ends_with("Error: Provided --file at ./doesnotexists.sql doesn't exist.\n"));
    }

    #[test]
    fn should_fail_if_missing_file_and_stdin() {
        let out = prismig(&Dir::new(), &[], None);
        failed(
            &out,
            &format!("Either --stdin or --file must be provided.\n{SEE}"),
        );
    }

    #[test]
    fn should_fail_if_both_file_and_stdin_are_provided() {
        let out = prismig(&Dir::new(), &["--file=1", "--stdin"], None);
        failed(&out, &format!("--stdin and --file cannot be used at the same time. Only 1 must be provided. \n{SEE}"));
    }

    #[test]
    fn should_fail_if_missing_schema_and_url() {
        let out = prismig(&Dir::new(), &["--file=1"], None);
        failed(
            &out,
            &format!("Either --url or --schema must be provided.\n{SEE}"),
        );
    }

    #[test]
    fn should_fail_if_both_schema_and_url_are_provided() {
        let out = prismig(&Dir::new(), &["--stdin", "--schema=1", "--url=1"], None);
        failed(&out, &format!("--url and --schema cannot be used at the same time. Only 1 must be provided.\n{SEE}"));
    }

    #[test]
    fn should_fail_if_file_does_no_exists() {
        let out = prismig(
            &Dir::new(),
            &["--file=./doesnotexists.sql", "--schema=1"],
            None,
        );
        failed(
            &out,
            "Provided --file at ./doesnotexists.sql doesn't exist.",
        );
    }

    #[test]
    fn should_fail_if_schema_does_no_exists() {
        let d = Dir::new();
        d.write("script.sql", "-- empty");
        let out = prismig(
            &d,
            &["--file=./script.sql", "--schema=./doesnoexists.schema"],
            None,
        );
        failed(
            &out,
            "Provided --schema at ./doesnoexists.schema doesn't exist.",
        );
    }
}

mod mongodb {
    use super::*;

    #[test]
    fn should_fail_with_not_supported_error_with_file_schema() {
        let d = Dir::new();
        d.write(
            "prisma/schema.prisma",
            "datasource my_db {\n  provider = \"mongodb\"\n  url      = \"mongodb://localhost:27017/tests\"\n}\n",
        );
        d.write("script.js", "Something for MongoDB");
        let out = prismig(
            &d,
            &["--schema=./prisma/schema.prisma", "--file=./script.js"],
            None,
        );
        failed(&out, "dbExecute is not supported on MongoDB\n\n");
    }
}

mod sqlite {
    use super::*;

    const SQL: &str = "-- Drop & Create & Drop\nDROP TABLE IF EXISTS 'test-dbexecute';\nCREATE TABLE 'test-dbexecute' (\"id\" INTEGER PRIMARY KEY);\nDROP TABLE 'test-dbexecute';";

    /// Prisma's `schema-only-sqlite` fixture.
    fn schema_only() -> Dir {
        let d = Dir::new();
        d.write(
            "prisma/schema.prisma",
            "datasource my_db {\n  provider = \"sqlite\"\n  url      = \"file:dev.db\"\n}\n\nmodel Blog {\n  id Int @id\n}\n",
        );
        d
    }

    /// Prisma's `introspection/sqlite` fixture: a database with a table.
    fn introspection() -> Dir {
        let d = Dir::new();
        let out = prismig(
            &d,
            &["--url=file:dev.db", "--stdin"],
            Some("CREATE TABLE Post (id INTEGER PRIMARY KEY, title TEXT);"),
        );
        succeeded(&out);
        d
    }

    #[test]
    fn should_pass_if_no_schema_file_in_directory_with_file_url() {
        let d = Dir::new();
        d.write("script.sql", SQL);
        succeeded(&prismig(
            &d,
            &["--url=file:./dev.db", "--file=./script.sql"],
            None,
        ));
        assert!(d.path().join("dev.db").is_file());
    }

    #[test]
    fn should_pass_with_stdin_schema() {
        let d = schema_only();
        succeeded(&prismig(
            &d,
            &["--stdin", "--schema=./prisma/schema.prisma"],
            Some(&format!("{SQL}\n")),
        ));
        // The URL is relative to the schema's folder.
        assert!(d.path().join("prisma/dev.db").is_file());
    }

    #[test]
    fn should_pass_with_file_schema() {
        let d = schema_only();
        d.write("script.sql", SQL);
        succeeded(&prismig(
            &d,
            &["--schema=./prisma/schema.prisma", "--file=./script.sql"],
            None,
        ));
    }

    #[test]
    fn should_pass_using_a_transaction_with_file_schema() {
        let d = schema_only();
        d.write(
            "script.sql",
            &format!("-- start a transaction\nBEGIN;\n\n{SQL}\n\n-- commit changes    \nCOMMIT;"),
        );
        succeeded(&prismig(
            &d,
            &["--schema=./prisma/schema.prisma", "--file=./script.sql"],
            None,
        ));
    }

    #[test]
    fn should_pass_with_file_url_file_dev_db() {
        let d = introspection();
        d.write("script.sql", SQL);
        succeeded(&prismig(
            &d,
            &["--url=file:dev.db", "--file=./script.sql"],
            None,
        ));
    }

    #[test]
    fn should_pass_with_empty_file_url_file_dev_db() {
        let d = introspection();
        d.write("script.sql", "");
        succeeded(&prismig(
            &d,
            &["--url=file:dev.db", "--file=./script.sql"],
            None,
        ));
    }

    #[test]
    fn should_fail_with_p1013_error_with_invalid_url_with_file_url() {
        let d = schema_only();
        d.write("script.sql", "-- empty");
        let out = prismig(&d, &["--url=invalidurl", "--file=./script.sql"], None);
        failed_with_code(&out, "P1013", P1013_SCHEME);
    }

    // the default behavior with sqlite is to create the db if it doesn't exists
    #[test]
    fn should_pass_with_file_url_file_doesnotexists_db() {
        let d = introspection();
        d.write("script.sql", SQL);
        succeeded(&prismig(
            &d,
            &["--url=file:doesnotexists.db", "--file=./script.sql"],
            None,
        ));
        assert!(d.path().join("doesnotexists.db").is_file());
    }

    #[test]
    fn should_fail_with_file_schema_if_there_is_a_database_error() {
        let d = schema_only();
        d.write("script.sql", "DROP TABLE \"test-doesnotexists\";");
        let out = prismig(
            &d,
            &["--schema=./prisma/schema.prisma", "--file=./script.sql"],
            None,
        );
        failed(
            &out,
            "SQLite database error\nno such table: test-doesnotexists\n\n",
        );
    }

    #[test]
    fn should_fail_with_invalid_sql_error_from_database_with_file_schema() {
        let d = schema_only();
        d.write("script.sql", "ThisisnotSQL,itshouldfail");
        let out = prismig(
            &d,
            &["--schema=./prisma/schema.prisma", "--file=./script.sql"],
            None,
        );
        failed(
            &out,
            "SQLite database error\nnear \"ThisisnotSQL\": syntax error\n\n",
        );
        // prismig's addition: the same error in JSON, with a code of ours.
        let out = prismig(
            &d,
            &[
                "--schema=./prisma/schema.prisma",
                "--file=./script.sql",
                "--json",
            ],
            None,
        );
        assert_eq!(out.code, 1);
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(doc["error"]["code"], "PM2010");
        assert_eq!(
            doc["error"]["message"],
            "SQLite database error\nnear \"ThisisnotSQL\": syntax error"
        );
    }
}

mod postgresql {
    use super::*;

    const SQL: &str = "-- Drop & Create & Drop\nDROP SCHEMA IF EXISTS \"test-dbexecute\";\nCREATE SCHEMA \"test-dbexecute\";\nDROP SCHEMA \"test-dbexecute\";";

    /// Prisma's `schema-only-postgresql` fixture, pointed at a new database.
    fn schema_only(db: &TestDb) -> Dir {
        let d = Dir::new();
        d.write(
            "prisma/schema.prisma",
            &format!(
                "datasource my_db {{\n  provider = \"postgresql\"\n  url      = \"{}\"\n}}\n\nmodel Blog {{\n  id Int @id\n}}\n",
                db.url()
            ),
        );
        d.write(
            "prisma/using-dotenv.prisma",
            "datasource my_db {\n  provider = \"postgresql\"\n  url      = env(\"DOTENV_PG_URI\")\n}\n",
        );
        d.write(
            "prisma/.env",
            "DOTENV_PG_URI=postgres://user:password@fromdotenvdoesnotexist:5432/db\n",
        );
        d
    }

    fn schema_args() -> [&'static str; 2] {
        ["--schema=./prisma/schema.prisma", "--file=./script.sql"]
    }

    #[test]
    fn should_pass_with_file_schema() {
        let db = TestDb::new("dbexec_pg");
        let d = schema_only(&db);
        d.write("script.sql", SQL);
        succeeded(&prismig(&d, &schema_args(), None));
    }

    #[test]
    fn should_use_env_var_from_env_file() {
        let db = TestDb::new("dbexec_pg");
        let d = schema_only(&db);
        d.write("script.sql", SQL);
        let out = prismig(
            &d,
            &[
                "--schema=./prisma/using-dotenv.prisma",
                "--file=./script.sql",
            ],
            None,
        );
        failed_with_code(&out, "P1001", &p1001("fromdotenvdoesnotexist", 5432));
    }

    #[test]
    fn should_pass_using_a_transaction_with_file_schema() {
        let db = TestDb::new("dbexec_pg");
        let d = schema_only(&db);
        d.write(
            "script.sql",
            &format!(
                "-- start a transaction\nBEGIN;\n\n{SQL}\n      \n-- commit changes    \nCOMMIT;"
            ),
        );
        succeeded(&prismig(&d, &schema_args(), None));
    }

    #[test]
    fn should_pass_with_file_url() {
        let db = TestDb::new("dbexec_pg");
        let d = schema_only(&db);
        d.write("script.sql", SQL);
        succeeded(&prismig(
            &d,
            &["--url", &db.url(), "--file=./script.sql"],
            None,
        ));
    }

    #[test]
    fn should_pass_with_empty_file_url() {
        let db = TestDb::new("dbexec_pg");
        let d = schema_only(&db);
        d.write("script.sql", "");
        succeeded(&prismig(
            &d,
            &["--url", &db.url(), "--file=./script.sql"],
            None,
        ));
    }

    // DROP DATABASE cannot be executed from a multi-command string: the script is sent as
    // one query, not split.
    #[test]
    fn should_fail_if_drop_database_with_file_schema() {
        let db = TestDb::new("dbexec_pg");
        let d = schema_only(&db);
        d.write(
            "script.sql",
            "-- Drop & Create & Drop\n      DROP DATABASE IF EXISTS \"test-dbexecute\";\n      CREATE DATABASE \"test-dbexecute\";\n      DROP DATABASE \"test-dbexecute\";",
        );
        let out = prismig(&d, &schema_args(), None);
        assert_eq!(out.code, 1);
        assert!(
            out.stderr.contains("ERROR: DROP DATABASE cannot"),
            "{}",
            out.stderr
        );
    }

    #[test]
    fn should_fail_with_p1013_error_with_invalid_url_with_file_url() {
        let db = TestDb::new("dbexec_pg");
        let d = schema_only(&db);
        d.write("script.sql", "-- empty");
        let out = prismig(
            &d,
            &[
                "--url=postgresql://johndoe::::////::randompassword@doesnotexist/mydb",
                "--file=./script.sql",
            ],
            None,
        );
        failed_with_code(&out, "P1013", P1013_PORT);
    }

    #[test]
    fn should_fail_with_p1013_error_with_invalid_url_provider_with_file_url() {
        let db = TestDb::new("dbexec_pg");
        let d = schema_only(&db);
        d.write("script.sql", "-- empty");
        let out = prismig(&d, &["--url=invalidurl", "--file=./script.sql"], None);
        failed_with_code(&out, "P1013", P1013_SCHEME);
    }

    #[test]
    fn should_fail_with_p1001_error_with_unreachable_url_with_file_url() {
        let db = TestDb::new("dbexec_pg");
        let d = schema_only(&db);
        d.write("script.sql", "-- empty");
        let out = prismig(
            &d,
            &[
                "--url=postgresql://johndoe:randompassword@doesnotexist:5432/mydb?schema=public",
                "--file=./script.sql",
            ],
            None,
        );
        failed_with_code(&out, "P1001", &p1001("doesnotexist", 5432));
    }

    #[test]
    fn should_fail_with_p1003_error_with_file_schema() {
        let db = TestDb::new("dbexec_pg");
        let d = schema_only(&db);
        d.write("script.sql", "DROP DATABASE \"test-doesnotexists\";");
        let out = prismig(&d, &schema_args(), None);
        let base = url::Url::parse(&db.url()).unwrap();
        failed_with_code(
            &out,
            "P1003",
            &format!(
                "Database `test-doesnotexists` does not exist on the database server at `{}:{}`.",
                base.host_str().unwrap(),
                base.port().unwrap_or(5432)
            ),
        );
    }

    #[test]
    fn should_fail_with_invalid_sql_error_from_database_with_file_schema() {
        let db = TestDb::new("dbexec_pg");
        let d = schema_only(&db);
        d.write("script.sql", "ThisisnotSQLitshouldfail");
        let out = prismig(&d, &schema_args(), None);
        failed(
            &out,
            "db error: ERROR: syntax error at or near \"ThisisnotSQLitshouldfail\"\n\n",
        );
    }
}

#[cfg(feature = "mysql")]
mod mysql {
    use super::*;
    use crate::providers::{Backend, Mysql};

    const SQL: &str = "-- Drop & Create & Drop\nDROP DATABASE IF EXISTS `test-dbexecute`;\nCREATE DATABASE `test-dbexecute`;\nDROP DATABASE `test-dbexecute`;";

    fn schema_only(db: &Mysql) -> Dir {
        let d = Dir::new();
        d.write(
            "prisma/schema.prisma",
            &format!(
                "datasource my_db {{\n  provider = \"mysql\"\n  url      = \"{}\"\n}}\n\nmodel Blog {{\n  id Int @id\n}}\n",
                db.url()
            ),
        );
        d
    }

    fn schema_args() -> [&'static str; 2] {
        ["--schema=./prisma/schema.prisma", "--file=./script.sql"]
    }

    #[test]
    fn should_pass_with_file_schema() {
        let db = Mysql::create("dbexec");
        let d = schema_only(&db);
        d.write("script.sql", SQL);
        succeeded(&prismig(&d, &schema_args(), None));
    }

    // Only fails on MySQL
    #[test]
    fn should_fail_with_empty_file_schema() {
        let db = Mysql::create("dbexec");
        let d = schema_only(&db);
        d.write("script.sql", "");
        let out = prismig(&d, &schema_args(), None);
        failed(&out, "Query was empty\n\n");
    }

    #[test]
    fn should_pass_using_a_transaction_with_file_schema() {
        let db = Mysql::create("dbexec");
        let d = schema_only(&db);
        d.write(
            "script.sql",
            &format!("-- start a transaction\nSTART TRANSACTION;\n\n{SQL}\n      \n-- commit changes    \nCOMMIT;"),
        );
        succeeded(&prismig(&d, &schema_args(), None));
    }

    #[test]
    fn should_pass_with_file_url() {
        let db = Mysql::create("dbexec");
        let d = schema_only(&db);
        d.write("script.sql", SQL);
        succeeded(&prismig(
            &d,
            &["--url", &db.url(), "--file=./script.sql"],
            None,
        ));
    }

    #[test]
    fn should_fail_with_p1013_error_with_invalid_url_with_file_url() {
        let db = Mysql::create("dbexec");
        let d = schema_only(&db);
        d.write("script.sql", "-- empty");
        let out = prismig(
            &d,
            &[
                "--url=mysql://johndoe::::////::randompassword@doesnotexist:3306/mydb",
                "--file=./script.sql",
            ],
            None,
        );
        failed_with_code(&out, "P1013", P1013_PORT);
    }

    #[test]
    fn should_fail_with_p1013_error_with_invalid_url_provider_with_file_url() {
        let db = Mysql::create("dbexec");
        let d = schema_only(&db);
        d.write("script.sql", "-- empty");
        let out = prismig(&d, &["--url=invalidurl", "--file=./script.sql"], None);
        failed_with_code(&out, "P1013", P1013_SCHEME);
    }

    #[test]
    fn should_fail_with_p1001_error_with_unreachable_url_with_file_url() {
        let db = Mysql::create("dbexec");
        let d = schema_only(&db);
        d.write("script.sql", "-- empty");
        let out = prismig(
            &d,
            &[
                "--url=mysql://johndoe:randompassword@doesnotexist:3306/mydb",
                "--file=./script.sql",
            ],
            None,
        );
        failed_with_code(&out, "P1001", &p1001("doesnotexist", 3306));
    }

    #[test]
    fn should_fail_with_sql_error_from_database_with_file_schema() {
        let db = Mysql::create("dbexec");
        let d = schema_only(&db);
        d.write("script.sql", "DROP DATABASE `test-doesnotexists`;");
        let out = prismig(&d, &schema_args(), None);
        failed(
            &out,
            "Can't drop database 'test-doesnotexists'; database doesn't exist\n\n",
        );
    }

    // The server's own text (MariaDB names itself where MySQL does).
    #[test]
    fn should_fail_with_invalid_sql_error_from_database_with_file_schema() {
        let db = Mysql::create("dbexec");
        let d = schema_only(&db);
        d.write("script.sql", "This is not SQL, it should fail");
        let out = prismig(&d, &schema_args(), None);
        assert_eq!(out.code, 1, "{out:#?}");
        assert!(out.stderr.starts_with("Error: You have an error in your SQL syntax; check the manual that corresponds to your "), "{}", out.stderr);
        assert!(
            out.stderr.ends_with(
                " server version for the right syntax to use near 'This is not SQL, it should fail' at line 1\n\n\n"
            ),
            "{}",
            out.stderr
        );
    }
}

// prismig's addition: SIGINT cancels the script in flight (PQcancel) and exits 130.
#[test]
fn sigint_cancels_the_script() {
    let db = TestDb::new("dbexec_sigint");
    let d = Dir::new();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_prismig"))
        .args(["db", "execute", "--stdin", "--url", &db.url()])
        .current_dir(d.path())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"CREATE TABLE before_sleep (id int); SELECT pg_sleep(30);")
        .unwrap();
    // Wait until the server runs the sleep.
    let started = std::time::Instant::now();
    while db.count("SELECT count(*) AS n FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()") == 0 {
        assert!(started.elapsed().as_secs() < 20, "the script never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // SAFETY: the pid is our child's.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(started.elapsed().as_secs() < 20);
    // One query, one implicit transaction: the table is gone with it.
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'before_sleep'"),
        0
    );
}
