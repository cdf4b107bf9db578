//! Bad input, table-driven: each case gets its code (Prisma's, or prismig's PM code), its
//! exit code, and leaves the database as it should (nothing written where it fails first).

use crate::support::cmd::{command, output, run};
use crate::support::{Project, TestDb, INIT};

/// What a case does to a fresh project.
type Setup = Box<dyn Fn(&Project)>;

struct Case {
    name: &'static str,
    setup: Setup,
    /// `{url}` is the test database's URL.
    args: &'static [&'static str],
    url: Option<&'static str>,
    exit: i32,
    stderr_has: &'static str,
    /// Whether `_prisma_migrations` may exist afterwards.
    writes: bool,
}

fn case(
    name: &'static str,
    setup: impl Fn(&Project) + 'static,
    args: &'static [&'static str],
    exit: i32,
    stderr_has: &'static str,
    writes: bool,
) -> Case {
    Case {
        name,
        setup: Box::new(setup),
        args,
        url: None,
        exit,
        stderr_has,
        writes,
    }
}

fn with_url(mut c: Case, url: &'static str) -> Case {
    c.url = Some(url);
    c
}

fn mig(p: &Project, name: &str, sql: &[u8]) {
    p.write(&format!("prisma/migrations/{name}/migration.sql"), sql);
}

const DEPLOY: &[&str] = &["migrate", "deploy"];
const STATUS: &[&str] = &["migrate", "status"];

fn cases() -> Vec<Case> {
    let schema = |provider: &'static str| {
        move |p: &Project| {
            p.write("prisma/schema.prisma", format!("datasource db {{\n  provider = \"{provider}\"\n  url      = env(\"DATABASE_URL\")\n}}\n"));
        }
    };
    vec![
        case(
            "no migrations folder: deploy goes on, as Prisma",
            |p| {
                std::fs::remove_dir_all(p.migrations()).unwrap();
            },
            DEPLOY,
            0,
            "",
            true,
        ),
        case(
            "a file where the migrations folder should be",
            |p| {
                std::fs::remove_dir_all(p.migrations()).unwrap();
                p.write("prisma/migrations", "not a folder");
            },
            DEPLOY,
            0,
            "",
            true,
        ),
        case(
            "migration.sql is a folder",
            |p| {
                std::fs::create_dir_all(p.migrations().join("20240101000000_x/migration.sql"))
                    .unwrap();
            },
            DEPLOY,
            1,
            "Error: P3015",
            true,
        ),
        case(
            "folder without migration.sql",
            |p| {
                std::fs::create_dir_all(p.migrations().join("20240101000000_x")).unwrap();
            },
            DEPLOY,
            1,
            "Error: P3015",
            true,
        ),
        case(
            "symlinked migration folder is skipped",
            |p| {
                let t = p.path().join("elsewhere");
                std::fs::create_dir_all(&t).unwrap();
                std::fs::write(t.join("migration.sql"), "SELECT 1;").unwrap();
                std::os::unix::fs::symlink(&t, p.migrations().join("20240101000000_link")).unwrap();
            },
            DEPLOY,
            0,
            "",
            true,
        ),
        case(
            "migration.sql is a symlink to a file",
            |p| {
                std::fs::create_dir_all(p.migrations().join("20240101000000_x")).unwrap();
                std::fs::write(p.path().join("real.sql"), "SELECT 1;").unwrap();
                std::os::unix::fs::symlink(
                    p.path().join("real.sql"),
                    p.migrations().join("20240101000000_x/migration.sql"),
                )
                .unwrap();
            },
            DEPLOY,
            0,
            "",
            true,
        ),
        case(
            "non-UTF-8 bytes in a comment",
            |p| mig(p, "20240101000000_x", b"-- caf\xe9\nSELECT 1;\n"),
            DEPLOY,
            0,
            "",
            true,
        ),
        case(
            "a UTF-8 BOM: PostgreSQL rejects it, as with Prisma",
            |p| mig(p, "20240101000000_x", "\u{feff}SELECT 1;".as_bytes()),
            DEPLOY,
            1,
            "Database error code: 42601",
            true,
        ),
        case(
            "an empty script",
            |p| mig(p, "20240101000000_x", b""),
            DEPLOY,
            0,
            "",
            true,
        ),
        case(
            "a comment-only script",
            |p| mig(p, "20240101000000_x", b"-- nothing\n/* at all */\n"),
            DEPLOY,
            0,
            "",
            true,
        ),
        case(
            "a NUL byte in a script",
            |p| mig(p, "20240101000000_x", b"SELECT 1;\0SELECT 2;"),
            DEPLOY,
            1,
            "NUL byte",
            true,
        ),
        case(
            "an unterminated dollar quote",
            |p| mig(p, "20240101000000_x", b"DO $$ BEGIN PERFORM 1;"),
            DEPLOY,
            1,
            "Database error code: 42601",
            true,
        ),
        case(
            "a quote in a migration name",
            |p| mig(p, "20240101000000_it's", b"SELECT 1;"),
            DEPLOY,
            0,
            "",
            true,
        ),
        case(
            "a space in a migration name",
            |p| mig(p, "20240101000000_a b", b"SELECT 1;"),
            DEPLOY,
            0,
            "",
            true,
        ),
        case(
            "unicode in a migration name",
            |p| mig(p, "20240101000000_añadir_ñ", b"SELECT 1;"),
            DEPLOY,
            0,
            "",
            true,
        ),
        case(
            "names differing only in case",
            |p| {
                mig(p, "20240101000000_init", b"SELECT 1;");
                mig(p, "20240101000000_Init", b"SELECT 2;");
            },
            DEPLOY,
            0,
            "",
            true,
        ),
        case(
            "SQL in a migration name is only a name",
            |p| {
                mig(
                    p,
                    "20240101000000_x'); DROP TABLE \"_prisma_migrations\"; --",
                    b"SELECT 1;",
                )
            },
            DEPLOY,
            0,
            "",
            true,
        ),
        case(
            "lockfile without a provider line",
            |p| {
                p.write("prisma/migrations/migration_lock.toml", "# nothing\n");
            },
            DEPLOY,
            1,
            "`<PROVIDER NOT FOUND>`",
            false,
        ),
        case(
            "lockfile of binary garbage",
            |p| {
                p.write(
                    "prisma/migrations/migration_lock.toml",
                    [0xffu8, 0xfe, 0x00, 0x01],
                );
            },
            DEPLOY,
            1,
            "Error: P3019",
            false,
        ),
        case(
            "lockfile of another provider",
            |p| {
                p.write(
                    "prisma/migrations/migration_lock.toml",
                    "provider = \"mysql\"\n",
                );
            },
            STATUS,
            1,
            "Error: P3019",
            false,
        ),
        case(
            "unknown provider",
            schema("oracle"),
            DEPLOY,
            1,
            "Datasource provider not known: \"oracle\"",
            false,
        ),
        case(
            "provider and URL disagree",
            schema("mysql"),
            DEPLOY,
            1,
            "the URL must start with the protocol `mysql://`",
            false,
        ),
        case(
            "no schema at all",
            |p| {
                std::fs::remove_file(p.path().join("prisma/schema.prisma")).unwrap();
            },
            &["migrate", "deploy", "--schema", "missing.prisma"],
            1,
            "Could not load `--schema`",
            false,
        ),
        case(
            "schema without a datasource, no DATABASE_URL",
            |p| {
                p.write("prisma/schema.prisma", "model A {\n  id Int @id\n}\n");
            },
            &["migrate", "status", "--url", ""],
            1,
            "Error:",
            false,
        ),
        with_url(
            case(
                "invalid port",
                |_| {},
                STATUS,
                1,
                "P1013: The provided database string is invalid. invalid port number",
                false,
            ),
            "postgresql://u:pw@127.0.0.1:99999/db",
        ),
        with_url(
            case(
                "invalid IPv6 host",
                |_| {},
                STATUS,
                1,
                "P1013: The provided database string is invalid. invalid IPv6 address",
                false,
            ),
            "postgresql://u@[::g]:5432/db",
        ),
        with_url(
            case(
                "non-numeric connect_timeout",
                |_| {},
                STATUS,
                1,
                "Error: P1013:",
                false,
            ),
            "postgresql://u@127.0.0.1/db?connect_timeout=soon",
        ),
        with_url(
            case(
                "non-boolean pgbouncer",
                |_| {},
                STATUS,
                1,
                "Error: P1013:",
                false,
            ),
            "postgresql://u@127.0.0.1/db?pgbouncer=maybe",
        ),
        with_url(
            case(
                "non-numeric socket_timeout",
                |_| {},
                STATUS,
                1,
                "Error: P1013:",
                false,
            ),
            "postgresql://u@127.0.0.1/db?socket_timeout=x",
        ),
        with_url(
            case(
                "non-numeric connection_limit",
                |_| {},
                STATUS,
                1,
                "Error: P1013:",
                false,
            ),
            "postgresql://u@127.0.0.1/db?connection_limit=many",
        ),
        with_url(
            case(
                "a misspelt scheme",
                |_| {},
                STATUS,
                1,
                "the URL must start with the protocol `postgresql://` or `postgres://`",
                false,
            ),
            "postgress://u@127.0.0.1/db",
        ),
        with_url(
            case(
                "an Accelerate URL",
                |_| {},
                DEPLOY,
                1,
                "Using an Accelerate URL is not supported",
                false,
            ),
            "prisma://accelerate.prisma-data.net/?api_key=x",
        ),
        with_url(
            case(
                "nothing listens",
                |_| {},
                DEPLOY,
                1,
                "Error: P1001: Can't reach database server at `127.0.0.1:5499`",
                false,
            ),
            "postgresql://u:pw@127.0.0.1:5499/db",
        ),
        with_url(
            case("an unknown role", |_| {}, STATUS, 1, "Error: P1010:", false),
            "postgresql://nobody_here@127.0.0.1:5432/postgres",
        ),
        case(
            "--to a missing migration",
            |p| mig(p, "20240101000000_x", b"SELECT 1;"),
            &["migrate", "deploy", "--to", "nope"],
            1,
            "Error: PM3101",
            true,
        ),
        case(
            "rollback without down.sql",
            |p| mig(p, "20240101000000_x", b"SELECT 1;"),
            &["migrate", "rollback", "20240101000000_x"],
            1,
            "Error: PM3201",
            false,
        ),
        case(
            "db execute of a missing file",
            |_| {},
            &[
                "db",
                "execute",
                "--file",
                "missing.sql",
                "--schema",
                "prisma/schema.prisma",
            ],
            1,
            "Error: Provided --file at missing.sql doesn't exist.",
            false,
        ),
        case(
            "fix --undo of a file that is not there",
            |_| {},
            &["fix", "--undo", "missing.json", "--yes"],
            1,
            "Error: PM3402",
            false,
        ),
        case(
            "fix --undo of a file that is not a record",
            |p| {
                p.write("record.json", "[1, 2]");
            },
            &["fix", "--undo", "record.json", "--yes"],
            1,
            "is not a prismig repair record",
            false,
        ),
        case(
            "fix --archive with --undo",
            |_| {},
            &["fix", "--archive", "--undo", "x.json"],
            1,
            "cannot be used with",
            false,
        ),
        case(
            "cleanup --undo of a file that is not a manifest",
            |p| {
                p.write("manifest.json", "{}");
            },
            &["cleanup", "--undo", "manifest.json", "--yes"],
            1,
            "Error: PM3411",
            false,
        ),
        case(
            "cleanup --undo of a file that is not there",
            |_| {},
            &["cleanup", "--undo", "missing.json"],
            1,
            "Error: PM3411",
            false,
        ),
        case(
            "migrate new with no usable name",
            |_| {},
            &["migrate", "new", "!!!"],
            1,
            "Error: PM3301",
            false,
        ),
        case(
            "resolve with an empty name",
            |_| {},
            &["migrate", "resolve", "--applied", ""],
            1,
            "--applied or --rolled-back must be part of the command",
            false,
        ),
        case(
            "a malformed duration",
            |_| {},
            &["migrate", "deploy", "--lock-timeout", "soon"],
            1,
            "invalid duration",
            false,
        ),
        case(
            "an unknown flag",
            |_| {},
            &["migrate", "deploy", "--yolo"],
            1,
            "--yolo",
            false,
        ),
        case(
            "--json and --log-format together",
            |_| {},
            &["migrate", "status", "--json", "--log-format", "text"],
            1,
            "cannot be used with",
            false,
        ),
        case(
            "a prisma.config with a computed URL",
            |p| {
                p.write(
                    "prisma.config.ts",
                    "export default {\n  datasource: {\n    url: buildUrl(),\n  },\n}\n",
                );
                p.write(
                    "prisma/schema.prisma",
                    "datasource db {\n  provider = \"postgresql\"\n}\n",
                );
            },
            STATUS,
            1,
            "Error: PM1016: cannot evaluate `buildUrl()` at prisma.config.ts:3:10",
            false,
        ),
    ]
}

#[test]
fn bad_input_table() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for c in cases {
        let db = TestDb::new("bad");
        let p = Project::new();
        (c.setup)(&p);
        let url = c.url.map(str::to_owned).unwrap_or_else(|| db.url());
        let out = run(&p, &url, c.args);
        assert_eq!(out.code, c.exit, "{}: {out:?}", c.name);
        assert!(
            out.stderr.contains(c.stderr_has),
            "{}: {}",
            c.name,
            out.stderr
        );
        if c.exit != 0 {
            assert!(!out.stderr.contains("panicked"), "{}", c.name);
        }
        if !c.writes {
            assert_eq!(
                db.count(
                    "SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'"
                ),
                0,
                "{}: nothing written",
                c.name
            );
        }
        assert!(
            !out.stdout.contains("pw@") && !out.stderr.contains(":pw"),
            "{}: a password printed",
            c.name
        );
    }
}

// Names are bound, never SQL: the quoted and injected names land exactly.
#[test]
fn hostile_names_are_recorded_exactly() {
    let db = TestDb::new("bad_names");
    let p = Project::new();
    let names = [
        "20240101000000_it's",
        "20240101000001_x'); DROP TABLE \"_prisma_migrations\"; --",
        "20240101000002_a b",
        "20240101000003_añadir",
    ];
    for n in names {
        mig(&p, n, b"SELECT 1;");
    }
    run(&p, &db.url(), DEPLOY).success();
    let recorded: Vec<String> = db.rows().into_iter().map(|r| r.migration_name).collect();
    assert_eq!(recorded, names);
    run(&p, &db.url(), STATUS).success();
}

// A read-only user and a read-only (recovery-like) session: clear errors, nothing written.
#[test]
fn read_only_targets() {
    let db = TestDb::new("bad_readonly");
    let role = format!("prismig_ro_{}", std::process::id());
    crate::support::db::admin().batch_execute_wrapper(&format!(
        "CREATE ROLE \"{role}\" LOGIN; GRANT CONNECT ON DATABASE \"{}\" TO \"{role}\"",
        db.name
    ));
    db.exec(&format!(
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT USAGE ON SCHEMA public TO \"{role}\""
    ));
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    let url = db.url().replacen("postgres@", &format!("{role}@"), 1);
    let out = run(&p, &url, DEPLOY);
    out.failure();
    assert!(
        out.stderr.contains("permission denied for schema public"),
        "{}",
        out.stderr
    );
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'"),
        0
    );

    let out = run(
        &p,
        &db.url_with("options=-c%20default_transaction_read_only%3Don"),
        DEPLOY,
    );
    out.failure();
    assert!(
        out.stderr.contains("read-only transaction"),
        "{}",
        out.stderr
    );
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'"),
        0
    );
    db.exec(&format!("DROP OWNED BY \"{role}\""));
    crate::support::db::admin().batch_execute_wrapper(&format!(
        "REVOKE ALL ON DATABASE \"{}\" FROM \"{role}\"; DROP ROLE \"{role}\"",
        db.name
    ));
}

// `_prisma_migrations` with extra columns reads by name; one missing a column fails clearly.
#[test]
fn history_tables_in_other_layouts() {
    let db = TestDb::new("bad_layouts");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    run(&p, &db.url(), DEPLOY).success();
    db.exec("ALTER TABLE _prisma_migrations ADD COLUMN note TEXT DEFAULT 'x'");
    run(&p, &db.url(), STATUS).success();
    p.migration("20240102000000_more", "SELECT 1;");
    run(&p, &db.url(), DEPLOY).success();
    db.exec("ALTER TABLE _prisma_migrations DROP COLUMN applied_steps_count");
    let out = run(&p, &db.url(), STATUS);
    out.failure();
    assert!(out.stderr.contains("applied_steps_count"), "{}", out.stderr);
}

// No secret in temporary files: a TLS identity is decrypted into memory only.
#[test]
fn no_secret_reaches_temporary_files() {
    let tmp = tempfile::tempdir().unwrap();
    let p = Project::new();
    let mut c = command(
        &p,
        "postgresql://u:hunter2@127.0.0.1:5499/x?sslidentity=missing.p12&sslpassword=s3cr3t",
        DEPLOY,
    );
    c.env("TMPDIR", tmp.path());
    let out = output(c);
    out.failure();
    assert!(
        !out.stderr.contains("s3cr3t") && !out.stderr.contains("hunter2"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

trait BatchExecute {
    fn batch_execute_wrapper(self, sql: &str);
}

impl BatchExecute for diesel::pg::PgConnection {
    fn batch_execute_wrapper(mut self, sql: &str) {
        use diesel::connection::SimpleConnection;
        self.batch_execute(sql).unwrap();
    }
}
