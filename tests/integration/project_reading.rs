//! Reading a project exactly as Prisma does (issue 14): every `prisma.config.*` form Prisma
//! reads is read identically (each deployed end to end) or refused with a coded error that
//! names the place; Prisma's P1012 schema errors (transcripts §9.5); no schema, no run.

use crate::support::cmd::{self, run};
use crate::support::db::count_at;
use crate::support::{Project, TestDb, INIT};

const SCHEMA_NO_URL: &str = "datasource db {\n  provider = \"postgresql\"\n}\n";
/// DATABASE_URL in these tests: a server nobody listens on, so using it shows.
const WRONG: &str = "postgresql://postgres@127.0.0.1:5499/wrong";

fn config_project(name: &str, config: &str, migrations: &str) -> Project {
    let p = Project::new();
    std::fs::remove_dir_all(p.migrations()).unwrap();
    p.write("prisma/schema.prisma", SCHEMA_NO_URL);
    p.write(name, config);
    p.write(
        &format!("{migrations}/20240101000000_init/migration.sql"),
        INIT,
    );
    p
}

fn deploy(p: &Project, env: &[(&str, &str)]) -> cmd::Output {
    let mut c = cmd::command(p, WRONG, &["migrate", "deploy"]);
    c.env_remove("MIGRATE_URL");
    for (k, v) in env {
        c.env(k, v);
    }
    cmd::output(c)
}

// Each form, with the URL in MIGRATE_URL (or in the file) and a wrong DATABASE_URL.
#[test]
fn every_config_form_deploys_where_prisma_would() {
    let forms: Vec<(&str, &str, String, &str)> = vec![
        (
            "defineConfig and env()",
            "prisma.config.ts",
            "import { defineConfig, env } from \"prisma/config\";\nexport default defineConfig({\n  schema: \"prisma/schema.prisma\",\n  datasource: { url: env(\"MIGRATE_URL\") },\n});\n".into(),
            "prisma/migrations",
        ),
        (
            "plain object, process.env with !",
            "prisma.config.ts",
            "export default {\n  datasource: {\n    url: process.env.MIGRATE_URL!,\n  },\n};\n".into(),
            "prisma/migrations",
        ),
        (
            "satisfies, process.env[\"X\"] as string",
            "prisma.config.ts",
            "import type { PrismaConfig } from \"prisma\";\nexport default {\n  datasource: { url: process.env[\"MIGRATE_URL\"] as string },\n} satisfies PrismaConfig;\n".into(),
            "prisma/migrations",
        ),
        (
            "the issue's three: a commented URL, a one-line datasource, a const path",
            "prisma.config.ts",
            "import { defineConfig, env } from \"prisma/config\";\n/*\n  datasource: { url: \"postgresql://postgres@127.0.0.1:5499/old_db\" },\n*/\nconst migrationsDir = \"db/migrations\";\nexport default defineConfig({\n  migrations: { path: migrationsDir },\n  datasource: { url: env(\"MIGRATE_URL\") },\n});\n".into(),
            "db/migrations",
        ),
        (
            "?? a literal",
            "prisma.config.ts",
            "export default { datasource: { url: process.env.UNSET_URL ?? \"@URL@\" } };\n".into(),
            "prisma/migrations",
        ),
        (
            "|| a literal",
            "prisma.config.ts",
            "export default { datasource: { url: process.env.EMPTY_URL || '@URL@' } };\n".into(),
            "prisma/migrations",
        ),
        (
            "a template and let bindings",
            "prisma.config.ts",
            "let base = process.env.MIGRATE_BASE;\nlet name = 'x';\nname = undefined;\nexport default { datasource: { url: `${base}/@DB@` } };\n".into(),
            "prisma/migrations",
        ),
        (
            "path.join(__dirname) and import.meta.dirname",
            "prisma.config.mts",
            "import path from \"node:path\";\nexport default {\n  schema: path.join(import.meta.dirname, \"prisma\", \"schema.prisma\"),\n  migrations: { path: path.join(__dirname, \"sql\", \"migrations\") },\n  datasource: { url: process.env.MIGRATE_URL },\n};\n".into(),
            "sql/migrations",
        ),
        (
            "CommonJS",
            "prisma.config.cjs",
            "const { defineConfig, env } = require(\"prisma/config\");\nconst path = require(\"path\");\nmodule.exports = defineConfig({\n  migrations: { path: path.resolve(__dirname, \"m\") },\n  datasource: { url: env(\"MIGRATE_URL\") },\n});\n".into(),
            "m",
        ),
        (
            ".config/prisma.ts",
            ".config/prisma.ts",
            "export default { schema: \"prisma/schema.prisma\", datasource: { url: process.env.MIGRATE_URL } }\n".into(),
            "prisma/migrations",
        ),
    ];
    for (name, file, text, migrations) in forms {
        let db = TestDb::new("cfg_form");
        // "let name = …; name = undefined" is an assignment statement: refused below; here
        // the form without it.
        let text = text
            .replace("let name = 'x';\nname = undefined;\n", "")
            .replace("@URL@", &db.url())
            .replace("@DB@", &db.name);
        let p = config_project(file, &text, migrations);
        let base = db.url();
        let base = &base[..base.rfind('/').unwrap()];
        let out = deploy(
            &p,
            &[
                ("MIGRATE_URL", &db.url()),
                ("MIGRATE_BASE", base),
                ("EMPTY_URL", ""),
            ],
        );
        assert_eq!(out.code, 0, "{name}: {out:#?}");
        assert_eq!(db.rows().len(), 1, "{name}");
        assert_eq!(db.rows()[0].migration_name, "20240101000000_init", "{name}");
    }
}

#[test]
fn dotenv_forms_deploy_with_the_file_they_load() {
    for head in [
        "import \"dotenv/config\";",
        "import dotenv from \"dotenv\";\ndotenv.config({ path: \"deploy/.env.deploy\" });",
        "import { config } from \"dotenv\";\nconfig({ path: [\"deploy/.env.deploy\"] });",
    ] {
        let db = TestDb::new("cfg_dotenv");
        let p = config_project(
            "prisma.config.ts",
            &format!(
                "{head}\nexport default {{ datasource: {{ url: process.env.MIGRATE_URL }} }};\n"
            ),
            "prisma/migrations",
        );
        let line = format!("MIGRATE_URL=\"{}\"\n", db.url());
        p.write(".env", &line);
        p.write("deploy/.env.deploy", &line);
        let out = deploy(&p, &[]);
        assert_eq!(out.code, 0, "{head}: {out:#?}");
        assert!(
            out.stderr.contains("Environment variables loaded from "),
            "{head}: {}",
            out.stderr
        );
        assert_eq!(db.rows().len(), 1, "{head}");
    }
}

// Anything the evaluator cannot decide: a coded refusal naming file:line:column and the
// expression, with the way out; nothing is created or connected to.
#[test]
fn undecidable_configs_are_refused_before_any_connection() {
    let cases = [
        (
            "export default {\n  datasource: { url: buildUrl() },\n}\n",
            "prisma.config.ts:2:22",
            "`buildUrl()`",
            "--url",
        ),
        (
            "import { url } from \"./secrets\";\nexport default { datasource: { url } };\n",
            "prisma.config.ts:1:1",
            "./secrets",
            "--config",
        ),
        (
            "const key = \"url\";\nexport default { datasource: { [key]: process.env.MIGRATE_URL } };\n",
            "prisma.config.ts:2:32",
            "[key]",
            "--url",
        ),
        (
            "export default { datasource: { url: `postgresql://u@h/${process.env.NOPE}` } };\n",
            "prisma.config.ts:1:",
            "process.env.NOPE",
            "--url",
        ),
        (
            "let url = process.env.MIGRATE_URL;\nurl = url + \"?x=1\";\nexport default { datasource: { url } };\n",
            "prisma.config.ts:2:1",
            "url = url",
            "--config",
        ),
        (
            "export default { schema: schemaPath(), datasource: { url: process.env.MIGRATE_URL } };\n",
            "prisma.config.ts:1:26",
            "schemaPath()",
            "--schema",
        ),
        // PM1020: a syntax error.
        (
            "export default { datasource: { url: process.env.MIGRATE_URL }\n",
            "prisma.config.ts:",
            "cannot parse the config file",
            "fix the syntax",
        ),
        // PM1021: no default export, or not an object.
        (
            "const config = { datasource: { url: process.env.MIGRATE_URL } };\n",
            "prisma.config.ts",
            "no default export",
            "--config",
        ),
        (
            "export default process.env.MIGRATE_URL;\n",
            "prisma.config.ts:1:1",
            "is a string, not an object",
            "defineConfig",
        ),
        // PM1022: a field of the wrong type.
        (
            "export default { schema: 42, datasource: { url: process.env.MIGRATE_URL } };\n",
            "prisma.config.ts:1:26",
            "`schema` is a number",
            "--schema",
        ),
        // PM1023: the file throws.
        (
            "if (!process.env.NOT_SET) throw new Error(\"NOT_SET is required\");\nexport default { datasource: { url: process.env.MIGRATE_URL } };\n",
            "prisma.config.ts:1:27",
            "throws",
            "set what it checks",
        ),
    ];
    for (text, at, what, way_out) in cases {
        let db = TestDb::unique_name("cfg_refused");
        let p = config_project("prisma.config.ts", text, "prisma/migrations");
        let out = deploy(&p, &[("MIGRATE_URL", &db.url())]);
        assert_eq!(out.code, 1, "{text}: {out:#?}");
        assert!(
            out.stderr.starts_with("Error: PM10"),
            "{text}: {}",
            out.stderr
        );
        for needle in [at, what, way_out] {
            assert!(
                out.stderr.contains(needle),
                "{text}: {needle} in {}",
                out.stderr
            );
        }
        assert_eq!(out.stdout, "", "{text}");
        assert!(
            count_at(&db.url(), "SELECT 1 AS n").is_none(),
            "{text}: the database was created"
        );
    }
}

// An undecidable field is refused only when it is needed: --url stands in for the URL.
#[test]
fn url_flag_stands_in_for_an_undecidable_url() {
    let db = TestDb::new("cfg_flag");
    let p = config_project(
        "prisma.config.ts",
        "export default { datasource: { url: vault.read(\"db\") } };\n",
        "prisma/migrations",
    );
    let out = cmd::run(&p, WRONG, &["migrate", "deploy", "--url", &db.url()]);
    out.success();
    assert_eq!(db.rows().len(), 1);
}

const NO_SCHEMA: &str = "Error: Could not find Prisma Schema that is required for this command.\nYou can either provide it with `--schema` argument,\nset it in your Prisma Config file (e.g., `prisma.config.ts`),\nset it as `prisma.schema` in your package.json,\nor put it into the default location (`./prisma/schema.prisma`, or `./schema.prisma`.\nChecked following paths:\n\nschema.prisma: file not found\nprisma/schema.prisma: file not found\n\nSee also https://pris.ly/d/prisma-schema-location\n";

// transcripts §9.5, last case: no schema anywhere, DATABASE_URL at a database that does
// not exist. Nothing on stdout, the database is not created; --url changes nothing.
#[test]
fn no_schema_no_run() {
    let db = TestDb::unique_name("noschema");
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["migrate", "deploy"],
        vec!["migrate", "status"],
        vec!["migrate", "deploy", "--url", &db.url()],
        vec!["migrate", "resolve", "--applied", "x"],
    ] {
        let out = cmd::output({
            let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_prismig"));
            c.args(&args)
                .current_dir(dir.path())
                .env("DATABASE_URL", db.url())
                .env("NO_COLOR", "1");
            c
        });
        assert_eq!(out.code, 1, "{args:?}");
        assert_eq!(out.stdout, "", "{args:?}");
        assert_eq!(out.stderr, NO_SCHEMA, "{args:?}");
        assert!(
            count_at(&db.url(), "SELECT 1 AS n").is_none(),
            "{args:?}: the database was created"
        );
    }
}

fn p1012(schema_file: &str, text: &str, args: &[&str]) -> cmd::Output {
    let p = Project::new();
    p.write(schema_file, text);
    p.migration("20240101000000_init", INIT);
    let db = TestDb::unique_name("p1012");
    let out = run(&p, &db.url(), args);
    out.failure();
    // Prisma 6.19 prints the schema line (stdout) before the validation error.
    assert_eq!(
        out.stdout,
        format!("Prisma schema loaded from {schema_file}\n")
    );
    assert!(
        count_at(&db.url(), "SELECT 1 AS n").is_none(),
        "the database was created"
    );
    out
}

fn version_line() -> String {
    format!("prismig version : {}\n", env!("CARGO_PKG_VERSION"))
}

// transcripts §9.5: each P1012 text, byte for byte (the last line names prismig).
#[test]
fn p1012_two_datasource_blocks() {
    let out = p1012(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\ndatasource db2 {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n",
        &["migrate", "deploy"],
    );
    assert_eq!(out.stderr, format!("Error: Prisma schema validation - (get-config wasm)\nError code: P1012\nerror: Error validating datasource `db`: You defined more than one datasource. This is not allowed yet because support for multiple databases has not been implemented yet.\n  -->  prisma/schema.prisma:1\n   | \n   | \n 1 | datasource db {{\n 2 |   provider = \"postgresql\"\n 3 |   url      = env(\"DATABASE_URL\")\n 4 | }}\n   | \n\n\nerror: Error validating datasource `db2`: You defined more than one datasource. This is not allowed yet because support for multiple databases has not been implemented yet.\n  -->  prisma/schema.prisma:6\n   | \n 5 | \n 6 | datasource db2 {{\n 7 |   provider = \"postgresql\"\n 8 |   url      = env(\"DATABASE_URL\")\n 9 | }}\n   | \n\nValidation Error Count: 2\n[Context: getConfig]\n\n{}", version_line()));
}

#[test]
fn p1012_unclosed_block() {
    let out = p1012(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n\n",
        &["migrate", "deploy"],
    );
    assert_eq!(out.stderr, format!("Error: Prisma schema validation - (get-config wasm)\nError code: P1012\nerror: Error validating: This line is invalid. It does not start with any known Prisma schema keyword.\n  -->  prisma/schema.prisma:1\n   | \n   | \n 1 | datasource db {{\n 2 |   provider = \"postgresql\"\n   | \n\n\nerror: Error validating: This line is invalid. It does not start with any known Prisma schema keyword.\n  -->  prisma/schema.prisma:2\n   | \n 1 | datasource db {{\n 2 |   provider = \"postgresql\"\n 3 |   url      = env(\"DATABASE_URL\")\n   | \n\n\nerror: Error validating: This line is invalid. It does not start with any known Prisma schema keyword.\n  -->  prisma/schema.prisma:3\n   | \n 2 |   provider = \"postgresql\"\n 3 |   url      = env(\"DATABASE_URL\")\n 4 | \n   | \n\nValidation Error Count: 3\n[Context: getConfig]\n\n{}", version_line()));
}

#[test]
fn p1012_missing_and_unknown_provider() {
    let out = p1012(
        "prisma/schema.prisma",
        "datasource db {\n  url      = env(\"DATABASE_URL\")\n}\n",
        &["migrate", "deploy"],
    );
    assert_eq!(out.stderr, format!("Error: Prisma schema validation - (get-config wasm)\nError code: P1012\nerror: Argument \"provider\" is missing in data source block \"db\".\n  -->  prisma/schema.prisma:1\n   | \n   | \n 1 | datasource db {{\n 2 |   url      = env(\"DATABASE_URL\")\n 3 | }}\n   | \n\nValidation Error Count: 1\n[Context: getConfig]\n\n{}", version_line()));
    let out = p1012(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"oracle\"\n  url      = env(\"DATABASE_URL\")\n}\n",
        &["migrate", "deploy"],
    );
    assert_eq!(out.stderr, format!("Error: Prisma schema validation - (get-config wasm)\nError code: P1012\nerror: Datasource provider not known: \"oracle\".\n  -->  prisma/schema.prisma:2\n   | \n 1 | datasource db {{\n 2 |   provider = \"oracle\"\n   | \n\nValidation Error Count: 1\n[Context: getConfig]\n\n{}", version_line()));
}

#[test]
fn p1012_a_file_that_is_not_a_schema() {
    let out = p1012(
        "notes.txt",
        "hello\n",
        &["migrate", "deploy", "--schema", "notes.txt"],
    );
    assert_eq!(out.stderr, format!("Error: Prisma schema validation - (get-config wasm)\nError code: P1012\nerror: Error validating: This line is invalid. It does not start with any known Prisma schema keyword.\n  -->  notes.txt:1\n   | \n   | \n 1 | hello\n 2 | \n   | \n\nValidation Error Count: 1\n[Context: getConfig]\n\n{}", version_line()));
}

// Prisma 7 (a config file) rejects `url` in the schema.
#[test]
fn p1012_url_in_a_prisma7_schema() {
    let p = Project::new();
    p.write(
        "prisma.config.ts",
        "export default { datasource: { url: process.env.DATABASE_URL } }\n",
    );
    p.migration("20240101000000_init", INIT);
    let db = TestDb::unique_name("p1012_p7");
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert_eq!(out.stderr, format!("Loaded Prisma config from prisma.config.ts.\n\nPrisma schema loaded from prisma/schema.prisma.\nError: Prisma schema validation - (get-config wasm)\nError code: P1012\nerror: The datasource property `url` is no longer supported in schema files. Move connection URLs for Migrate to `prisma.config.ts` and pass either `adapter` for a direct database connection or `accelerateUrl` for Accelerate to the `PrismaClient` constructor. See https://pris.ly/d/config-datasource and https://pris.ly/d/prisma7-client-config\n  -->  prisma/schema.prisma:7\n   | \n 6 |   provider = \"postgresql\"\n 7 |   url      = env(\"DATABASE_URL\")\n   | \n\nValidation Error Count: 1\n[Context: getConfig]\n\n{}", version_line()));
    assert!(count_at(&db.url(), "SELECT 1 AS n").is_none());
}

// Prisma 6: no `url` in the datasource and no --url: Prisma's loader error, never
// DATABASE_URL on its own.
#[test]
fn prisma6_datasource_without_url_is_refused() {
    let out = p1012(
        "prisma/schema.prisma",
        SCHEMA_NO_URL,
        &["migrate", "deploy"],
    );
    assert!(
        out.stderr.contains("error: Argument \"url\" is missing in data source block \"db\".\n  -->  prisma/schema.prisma:1\n"),
        "{}",
        out.stderr
    );
}

// Accelerate URLs: Prisma 6's text without a config file, Prisma 7's with one.
#[test]
fn accelerate_urls() {
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    for url in [
        "prisma://accelerate.prisma-data.net/?api_key=k",
        "prisma+postgres://accelerate.prisma-data.net/?api_key=k",
    ] {
        let out = run(&p, url, &["migrate", "deploy"]);
        out.failure();
        assert_eq!(out.stderr, "Error: \nUsing an Accelerate URL is not supported for this CLI command prisma migrate deploy yet.\nPlease use a direct connection to your database via the datasource `directUrl` setting.\n\nMore information about this limitation: https://pris.ly/d/accelerate-limitations\n\n", "{url}");
    }
    let p = config_project(
        "prisma.config.ts",
        "export default { datasource: { url: process.env.DATABASE_URL } }\n",
        "prisma/migrations",
    );
    let out = run(
        &p,
        "prisma+postgres://localhost:51213/?api_key=k",
        &["migrate", "status"],
    );
    out.failure();
    assert!(out.stderr.contains("Using an Accelerate URL is not supported for this CLI command prisma migrate status yet.\nPlease use a direct connection to your database in `prisma.config.ts`.\n"), "{}", out.stderr);
}

// A multi-file schema: the blocks of every file count, each error shows its own file.
#[test]
fn p1012_two_datasources_across_schema_files() {
    let p = Project::new();
    p.write(
        "prisma/schema/a.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n",
    );
    p.write(
        "prisma/schema/b.prisma",
        "generator client {\n  provider = \"prisma-client-js\"\n}\n\ndatasource other {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n",
    );
    let db = TestDb::unique_name("p1012_multi");
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--schema", "prisma/schema"],
    );
    out.failure();
    for needle in [
        "error: Error validating datasource `db`: You defined more than one datasource.",
        "  -->  prisma/schema/a.prisma:1\n",
        "error: Error validating datasource `other`: You defined more than one datasource.",
        "  -->  prisma/schema/b.prisma:5\n",
        "Validation Error Count: 2\n",
    ] {
        assert!(out.stderr.contains(needle), "{needle} in {}", out.stderr);
    }
    assert!(count_at(&db.url(), "SELECT 1 AS n").is_none());
}

// Prisma 6.x reads a config file too, and then still takes the URL from the schema; only
// Prisma 7 rejects `url` there. The project's Prisma says which.
#[test]
fn a_prisma6_project_with_a_config_file_keeps_its_schema_url() {
    let db = TestDb::new("cfg_p6");
    let p = Project::new();
    p.write(
        "prisma.config.ts",
        "import { defineConfig } from \"prisma/config\";\nexport default defineConfig({ schema: \"prisma/schema.prisma\" });\n",
    );
    p.write(
        "package.json",
        "{ \"devDependencies\": { \"prisma\": \"^6.19.0\" } }",
    );
    p.migration("20240101000000_init", INIT);
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    assert_eq!(db.rows().len(), 1);
    // The installed CLI wins over the declared range.
    p.write(
        "node_modules/prisma/package.json",
        "{ \"name\": \"prisma\", \"version\": \"7.1.0\" }",
    );
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.failure();
    assert!(
        out.stderr.contains(
            "error: The datasource property `url` is no longer supported in schema files."
        ),
        "{}",
        out.stderr
    );
}

// The config's schema path must exist (Prisma 7's text); nothing else is tried.
#[test]
fn a_missing_schema_from_the_config_is_refused() {
    let p = config_project(
        "prisma.config.ts",
        "export default { schema: \"db/schema.prisma\", datasource: { url: process.env.DATABASE_URL } }\n",
        "prisma/migrations",
    );
    let out = run(&p, WRONG, &["migrate", "deploy"]);
    out.failure();
    assert_eq!(
        out.stderr,
        format!(
            "Error: Could not load schema from `{}` provided by the Prisma config file: file or directory not found\n",
            p.path().join("db/schema.prisma").display()
        )
    );
}

// Transcripts, "Configuration (Prisma 6.19 CLI)", "invalid URL scheme": the lines Prisma
// prints before its validation error, byte for byte.
#[test]
fn p1012_comes_after_prismas_header_lines() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("package.json"),
        "{ \"name\": \"txcfg\", \"prisma\": { \"schema\": \"database/schema.prisma\" } }",
    )
    .unwrap();
    std::fs::create_dir_all(d.join("database")).unwrap();
    std::fs::write(
        d.join("database/schema.prisma"),
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n",
    )
    .unwrap();
    std::fs::write(d.join(".env"), "OTHER=1\n").unwrap();
    let out = cmd::output({
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_prismig"));
        c.args(["migrate", "status"])
            .current_dir(d)
            .env("DATABASE_URL", "postgrs://x@127.0.0.1/y")
            .env("NO_COLOR", "1");
        c
    });
    out.failure();
    assert_eq!(
        out.stdout,
        "Prisma schema loaded from database/schema.prisma\n"
    );
    assert_eq!(out.stderr, format!("warn The configuration property `package.json#prisma` is deprecated and will be removed in Prisma 7. Please migrate to a Prisma config file (e.g., `prisma.config.ts`).\nFor more information, see: https://pris.ly/prisma-config\n\nEnvironment variables loaded from .env\nError: Prisma schema validation - (get-config wasm)\nError code: P1012\nerror: Error validating datasource `db`: the URL must start with the protocol `postgresql://` or `postgres://`.\n  -->  database/schema.prisma:3\n   | \n 2 |   provider = \"postgresql\"\n 3 |   url      = env(\"DATABASE_URL\")\n   | \n\nValidation Error Count: 1\n[Context: getConfig]\n\n{}", version_line()));
}
