//! The command line: flags, aliases, help, version, project errors.

use crate::support::{cmd::run, Project, TestDb, INIT};

#[test]
fn version_and_help() {
    let p = Project::new();
    let out = run(&p, "", &["--version"]);
    out.success();
    assert_eq!(
        out.stdout,
        format!("prismig {}\n", env!("CARGO_PKG_VERSION"))
    );
    let out = run(&p, "", &["migrate", "resolve", "--help"]);
    out.success();
    for flag in [
        "--schema",
        "--config",
        "--applied",
        "--rolled-back",
        "--url",
    ] {
        assert!(out.stdout.contains(flag), "{flag}: {}", out.stdout);
    }
}

#[test]
fn unknown_flags_fail_with_exit_code_1() {
    let p = Project::new();
    let out = run(&p, "", &["migrate", "deploy", "--foo"]);
    out.failure();
    assert!(out.stderr.contains("--foo"), "{}", out.stderr);
    let out = run(&p, "", &["migrate", "deploy", "--lock-timeout", "soon"]);
    out.failure();
}

#[test]
fn short_aliases_run_the_same_commands() {
    let db = TestDb::new("cli_alias");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    run(&p, &db.url(), &["deploy"]).success();
    run(&p, &db.url(), &["status"]).success();
    let out = run(
        &p,
        &db.url(),
        &["resolve", "--rolled-back", "20240101000000_init"],
    );
    assert!(out.stderr.starts_with("Error: P3012"));
}

// §7.3: no schema anywhere.
#[test]
fn schema_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::support::cmd::output({
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_prismig"));
        c.args(["migrate", "status"])
            .current_dir(dir.path())
            .env_remove("DATABASE_URL");
        c
    });
    out.failure();
    assert_eq!(out.stderr, "Error: Could not find Prisma Schema that is required for this command.\nYou can either provide it with `--schema` argument,\nset it in your Prisma Config file (e.g., `prisma.config.ts`),\nset it as `prisma.schema` in your package.json,\nor put it into the default location (`./prisma/schema.prisma`, or `./schema.prisma`.\nChecked following paths:\n\nschema.prisma: file not found\nprisma/schema.prisma: file not found\n\nSee also https://pris.ly/d/prisma-schema-location\n");
    let p = Project::new();
    let out = run(
        &p,
        "",
        &["migrate", "status", "--schema", "nope/schema.prisma"],
    );
    out.failure();
    assert_eq!(out.stderr, "Error: Could not load `--schema` from provided path `nope/schema.prisma`: file or directory not found\n");
}

// Appendix "no DATABASE_URL anywhere": P1012 with the schema excerpt.
#[test]
fn missing_env_var_is_p1012() {
    let p = Project::new();
    let out = crate::support::cmd::output({
        let mut c = crate::support::cmd::command(&p, "", &["migrate", "status"]);
        c.env_remove("DATABASE_URL");
        c
    });
    out.failure();
    assert!(out.stderr.starts_with("Error: Prisma schema validation - (get-config wasm)\nError code: P1012\nerror: Environment variable not found: DATABASE_URL.\n  -->  prisma/schema.prisma:7\n   | \n 6 |   provider = \"postgresql\"\n 7 |   url      = env(\"DATABASE_URL\")\n   | \n"), "{}", out.stderr);
}

// `.env` next to the schema is loaded, without overriding the real environment.
#[test]
fn dotenv_next_to_the_schema() {
    let db = TestDb::new("cli_dotenv");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    p.write("prisma/.env", format!("DATABASE_URL=\"{}\"\n", db.url()));
    let out = crate::support::cmd::output({
        let mut c = crate::support::cmd::command(&p, "", &["migrate", "deploy"]);
        c.env_remove("DATABASE_URL");
        c
    });
    out.success();
    assert_eq!(
        out.stderr,
        "Environment variables loaded from prisma/.env\n"
    );
    assert_eq!(db.rows().len(), 1);
}
