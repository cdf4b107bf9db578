//! Where the URL comes from (§8.3) and the header lines of each layout (§8.4); colour.

use crate::support::{cmd, cmd::run, location, Project, TestDb, INIT};

// Prisma 6: `directUrl` wins over `url`.
#[test]
fn direct_url_wins_over_url() {
    let db = TestDb::new("config_direct");
    let p = Project::new();
    p.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider  = \"postgresql\"\n  url       = env(\"DATABASE_URL\")\n  directUrl = env(\"DIRECT_URL\")\n}\n",
    );
    p.migration("20240101000000_init", INIT);
    let mut c = cmd::command(
        &p,
        "postgresql://postgres@127.0.0.1:5499/pooler?pgbouncer=true",
        &["migrate", "deploy"],
    );
    c.env("DIRECT_URL", db.url());
    cmd::output(c).success();
    assert_eq!(db.rows().len(), 1);
}

// `.env` in the working directory; the real environment wins over it.
#[test]
fn dotenv_in_the_working_directory_never_overrides_the_environment() {
    let db = TestDb::new("config_cwd_env");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    p.write(
        ".env",
        "DATABASE_URL=postgresql://postgres@127.0.0.1:5499/wrong\n",
    );
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert_eq!(out.stderr, "Environment variables loaded from .env\n");
    let out = cmd::output({
        let mut c = cmd::command(&p, "", &["migrate", "status"]);
        c.env_remove("DATABASE_URL");
        c
    });
    out.failure();
    assert!(
        out.stderr
            .contains("Can't reach database server at `127.0.0.1:5499`"),
        "{}",
        out.stderr
    );
}

// Prisma 7 layout: config and schema lines on stderr (transcript header), URL from the config.
#[test]
fn prisma7_config_layout() {
    let db = TestDb::new("config_p7");
    let p = Project::new();
    p.write(
        "prisma/schema.prisma",
        "generator client {\n  provider = \"prisma-client\"\n  output   = \"../generated\"\n}\n\ndatasource db {\n  provider = \"postgresql\"\n}\n",
    );
    p.write(
        "prisma.config.ts",
        "import \"dotenv/config\";\nimport { defineConfig, env } from \"prisma/config\";\n\nexport default defineConfig({\n  schema: \"prisma/schema.prisma\",\n  migrations: {\n    path: \"prisma/migrations\",\n  },\n  datasource: {\n    url: env(\"DATABASE_URL\"),\n  },\n});\n",
    );
    p.migration("20240101000000_init", INIT);
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert_eq!(out.stderr, "Loaded Prisma config from prisma.config.ts.\n\nPrisma schema loaded from prisma/schema.prisma.\n");
    assert_eq!(
        out.stdout,
        format!(
            "Datasource \"db\": PostgreSQL database \"{}\", schema \"public\" at \"{}\"\n\n1 migration found in prisma/migrations\n\nApplying migration `20240101000000_init`\n\nThe following migration(s) have been applied:\n\nmigrations/\n  └─ 20240101000000_init/\n    └─ migration.sql\n\nAll migrations have been successfully applied.\n",
            db.name,
            location(&db)
        )
    );
    // transcript (i10): the config's env() on an unset variable.
    let out = cmd::output({
        let mut c = cmd::command(&p, "", &["migrate", "deploy"]);
        c.env_remove("DATABASE_URL");
        c
    });
    out.failure();
    assert!(
        out.stderr.contains(
            "Error: PrismaConfigEnvError: Cannot resolve environment variable: DATABASE_URL.\n"
        ),
        "{}",
        out.stderr
    );
}

// Colour only on a terminal, never with NO_COLOR (§8.4); `script` gives the binary a TTY.
#[test]
fn colour_only_on_a_terminal_without_no_color() {
    let db = TestDb::new("config_colour");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    let bin = env!("CARGO_BIN_EXE_prismig");
    let tty = |no_color: bool| {
        let mut c = std::process::Command::new("script");
        c.args(["-qec", &format!("{bin} migrate deploy"), "/dev/null"])
            .current_dir(p.path())
            .env("DATABASE_URL", db.url())
            .env_remove("NO_COLOR");
        if no_color {
            c.env("NO_COLOR", "1");
        }
        String::from_utf8_lossy(&c.output().expect("script(1) from util-linux").stdout).into_owned()
    };
    let coloured = tty(false);
    assert!(
        coloured.contains("\x1b[32mAll migrations have been successfully applied.\x1b[39m"),
        "{coloured:?}"
    );
    assert!(
        coloured.contains("20240101000000_\x1b[36m\x1b[1minit"),
        "{coloured:?}"
    );
    let plain = tty(true);
    assert!(
        plain.contains("No pending migrations to apply.") && !plain.contains('\x1b'),
        "{plain:?}"
    );
    // Not a terminal (the other tests): no escapes at all.
    let out = cmd::output({
        let mut c = cmd::command(&p, &db.url(), &["migrate", "status"]);
        c.env_remove("NO_COLOR");
        c
    });
    assert!(!out.stdout.contains('\x1b'));
}

// §7.3: the URL's scheme must match the schema's provider (Prisma 6's P1012 texts).
#[test]
fn url_scheme_must_match_the_provider() {
    let cases = [
        (
            "sqlite",
            "postgresql://x@h/d",
            "the URL must start with the protocol `file:`.",
        ),
        (
            "mysql",
            "file:./dev.db",
            "the URL must start with the protocol `mysql://`.",
        ),
        (
            "postgresql",
            "mysql://root@127.0.0.1/x",
            "the URL must start with the protocol `postgresql://` or `postgres://`.",
        ),
    ];
    for (provider, url, message) in cases {
        let p = Project::new();
        p.write("prisma/schema.prisma", format!("datasource db {{\n  provider = \"{provider}\"\n  url      = env(\"DATABASE_URL\")\n}}\n"));
        let out = run(&p, url, &["migrate", "status"]);
        out.failure();
        assert!(out.stderr.contains(&format!("error: Error validating datasource `db`: {message}\n  -->  prisma/schema.prisma:3\n")), "{provider}: {}", out.stderr);
    }
}
