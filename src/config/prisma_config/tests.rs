use super::*;

const DIR: &str = "/proj";

fn eval_with(text: &str, env: &mut Env) -> Result<Evaluated> {
    evaluate(
        text,
        Path::new("/proj/prisma.config.ts"),
        "prisma.config.ts",
        Path::new(DIR),
        Path::new(DIR),
        env,
    )
}

fn eval(text: &str) -> Result<Evaluated> {
    let mut env = Env::default();
    env.set("DATABASE_URL", "postgresql://a@h/d");
    env.set("EMPTY", "");
    eval_with(text, &mut env)
}

fn url(text: &str) -> Result<Option<String>> {
    eval(text)?.url.get()
}

fn value(f: &Field) -> Option<String> {
    f.get().unwrap()
}

#[test]
fn url_forms_people_write() {
    for expr in [
        "env(\"DATABASE_URL\")",
        "env('DATABASE_URL')",
        "process.env.DATABASE_URL",
        "process.env.DATABASE_URL!",
        "process.env[\"DATABASE_URL\"]",
        "process.env['DATABASE_URL']!",
        "process.env.DATABASE_URL as string",
        "(process.env.DATABASE_URL as string)",
        "process.env.NOPE ?? \"postgresql://a@h/d\"",
        "process.env.EMPTY || \"postgresql://a@h/d\"",
        "process.env.NOPE || process.env.DATABASE_URL",
        "\"postgresql://a@h/d\"",
        "'postgresql://a@h/d'",
        "`postgresql://a@h/d`",
        "`postgresql://a@${'h'}/d`",
        "\"postgresql://\" + \"a@h/d\"",
    ] {
        let text = format!(
            "import {{ defineConfig, env }} from \"prisma/config\";\nexport default defineConfig({{\n  datasource: {{\n    url: {expr},\n  }},\n}});\n"
        );
        assert_eq!(
            url(&text).unwrap().as_deref(),
            Some("postgresql://a@h/d"),
            "{expr}"
        );
    }
}

#[test]
fn export_forms() {
    let cases = [
        // plain object
        "export default { datasource: { url: process.env.DATABASE_URL } }",
        // satisfies / as
        "import type { PrismaConfig } from 'prisma';\nexport default { datasource: { url: process.env.DATABASE_URL } } satisfies PrismaConfig;",
        "import type { PrismaConfig } from 'prisma';\nexport default { datasource: { url: process.env.DATABASE_URL } } as PrismaConfig;",
        // a const binding
        "import { defineConfig } from '@prisma/config';\nconst config = defineConfig({ datasource: { url: process.env.DATABASE_URL } });\nexport default config;",
        "const config: PrismaConfig = { datasource: { url: process.env.DATABASE_URL } };\nexport default config;",
        // CommonJS
        "const { defineConfig } = require('prisma/config');\nmodule.exports = defineConfig({ datasource: { url: process.env.DATABASE_URL } });",
        "export = { datasource: { url: process.env.DATABASE_URL } }",
        "const c = { datasource: { url: process.env.DATABASE_URL } };\nexport { c as default };",
        // namespace import, shorthand, spreads, quoted keys
        "import * as pc from 'prisma/config';\nconst url = pc.env('DATABASE_URL');\nexport default pc.defineConfig({ datasource: { url } });",
        "const base = { url: process.env.DATABASE_URL };\nexport default { datasource: { ...base } };",
        "export default { 'datasource': { ['url']: process.env.DATABASE_URL } }",
        // one line, any layout, comments anywhere
        "export default/*x*/{datasource:{url:process.env.DATABASE_URL/* y */}}//z",
    ];
    for text in cases {
        assert_eq!(
            url(text).unwrap().as_deref(),
            Some("postgresql://a@h/d"),
            "{text}"
        );
    }
}

// Issue 14: a commented-out URL before the real one, a one-line datasource, a `const`
// migrations path.
#[test]
fn the_three_cases_regexes_got_wrong() {
    let text = "import { defineConfig, env } from \"prisma/config\";\n/*\n  url: \"postgresql://x@h/old_db\",\n*/\n// url: \"postgresql://x@h/older\",\nconst migrationsDir = \"db/migrations\";\nexport default defineConfig({ datasource: { url: env(\"MIGRATE_URL\") }, migrations: { path: migrationsDir } });\n";
    let mut env = Env::default();
    env.set("MIGRATE_URL", "postgresql://u@h/real");
    env.set("DATABASE_URL", "postgresql://u@h/wrong");
    let e = eval_with(text, &mut env).unwrap();
    assert_eq!(value(&e.url).as_deref(), Some("postgresql://u@h/real"));
    assert_eq!(value(&e.migrations).as_deref(), Some("db/migrations"));
    assert_eq!(value(&e.schema), None);
}

#[test]
fn paths() {
    let text = "import path from 'node:path';\nimport { join } from 'path';\nconst root = path.resolve(__dirname, 'db');\nexport default {\n  schema: path.join(import.meta.dirname, 'prisma', 'schema.prisma'),\n  migrations: { path: join(root, './migrations/../migrations') },\n};\n";
    let e = eval(text).unwrap();
    assert_eq!(
        value(&e.schema).as_deref(),
        Some("/proj/prisma/schema.prisma")
    );
    assert_eq!(value(&e.migrations).as_deref(), Some("/proj/db/migrations"));
    let e = eval("export default { schema: `${__dirname}/x.prisma`, migrations: { path: process.cwd() + '/m' } }").unwrap();
    assert_eq!(value(&e.schema).as_deref(), Some("/proj/x.prisma"));
    assert_eq!(value(&e.migrations).as_deref(), Some("/proj/m"));
}

#[test]
fn unset_variables() {
    // Prisma's env() throws while the file loads.
    let e = url(
        "import { env } from 'prisma/config';\nexport default { datasource: { url: env('NOPE') } }",
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .ends_with("PrismaConfigEnvError: Cannot resolve environment variable: NOPE."),
        "{e}"
    );
    // process.env.X unset is `undefined`: no URL (Prisma then says it is required).
    assert_eq!(
        url("export default { datasource: { url: process.env.NOPE } }").unwrap(),
        None
    );
    // Interpolated into a template it would give "undefined": refused.
    let e = url("export default { datasource: { url: `postgresql://u@h/${process.env.NOPE}` } }")
        .unwrap_err();
    assert_eq!(e.code(), "PM1016");
    assert!(e.to_string().contains("prisma.config.ts:1:"), "{e}");
}

#[test]
fn refusals_name_the_place_and_the_way_out() {
    let e = url("export default {\n  datasource: {\n    url: buildUrl(process.env),\n  },\n}\n")
        .unwrap_err();
    assert_eq!(e.code(), "PM1016");
    let m = e.to_string();
    assert!(
        m.contains("`buildUrl(process.env)` at prisma.config.ts:3:10"),
        "{m}"
    );
    assert!(m.contains("--url"), "{m}");

    // Only the field that is needed is refused: the schema is still known.
    let e = eval("export default { schema: 'a.prisma', datasource: { url: f() } }").unwrap();
    assert_eq!(value(&e.schema).as_deref(), Some("a.prisma"));
    assert!(e.url.get().is_err());

    let e = eval("export default { schema: [k] }").unwrap();
    assert!(e.schema.get().unwrap_err().to_string().contains("--schema"));

    for (text, at) in [
        (
            "const k = 'url';\nexport default { datasource: { [k]: 'x' } }",
            "2:32",
        ),
        (
            "import { url } from './secrets';\nexport default { datasource: { url } }",
            "1:1",
        ),
        ("import './setup';\nexport default {}", "1:1"),
        ("export default defineConfig({})", "1:16"),
        ("console.log('x');\nexport default {}", "1:1"),
        ("process.env.DATABASE_URL = 'x';\nexport default {}", "1:1"),
        ("export default async () => ({})", "1:1"),
        ("for (;;) {}\nexport default {}", "1:1"),
    ] {
        let r = eval(text).and_then(|e| e.url.get().map(|_| ()));
        let err = r.expect_err(text);
        assert!(
            err.code().starts_with("PM10"),
            "{text}: {} {err}",
            err.code()
        );
        assert!(
            err.to_string().contains(&format!("prisma.config.ts:{at}")),
            "{text}: {err}"
        );
    }
}

#[test]
fn syntax_errors_and_missing_exports() {
    let e = eval("export default { datasource: { url: 'x' }").unwrap_err();
    assert_eq!(e.code(), "PM1020");
    assert!(e.to_string().contains("prisma.config.ts:1:"), "{e}");
    let e = eval("const x = 1;").unwrap_err();
    assert_eq!(e.code(), "PM1021");
    let e = eval("export default 'postgresql://x'").unwrap_err();
    assert_eq!(e.code(), "PM1021");
    let e = eval("export default { schema: 3 }").unwrap();
    assert_eq!(e.schema.get().unwrap_err().code(), "PM1022");
}

#[test]
fn a_throwing_guard() {
    let text = "if (!process.env.NOPE) throw new Error('NOPE is not set');\nexport default {}";
    assert_eq!(eval(text).unwrap_err().code(), "PM1023");
    let text = "if (!process.env.DATABASE_URL) { throw new Error('unset') }\nexport default { datasource: { url: process.env.DATABASE_URL! } }";
    assert_eq!(url(text).unwrap().as_deref(), Some("postgresql://a@h/d"));
}

#[test]
fn other_fields_are_not_read() {
    let text = "import { defineConfig } from 'prisma/config';\nexport default defineConfig({\n  earlyAccess: true,\n  engine: 'classic',\n  migrations: { path: 'm', seed: 'tsx prisma/seed.ts', initShadowDb: `CREATE TABLE x ()` },\n  datasource: { url: 'file:./dev.db', shadowDatabaseUrl: 'file:./shadow.db' },\n  typedSql: { path: 'sql' },\n  adapter: async () => { return null },\n});\n";
    let e = eval(text).unwrap();
    assert_eq!(value(&e.migrations).as_deref(), Some("m"));
    assert_eq!(value(&e.url).as_deref(), Some("file:./dev.db"));
    assert_eq!(value(&e.shadow_url).as_deref(), Some("file:./shadow.db"));
}

#[test]
fn dotenv_forms_load_the_file_prisma_7_would() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join(".env"), "DOTENV_URL=postgresql://from@dotenv/db\n").unwrap();
    std::fs::create_dir_all(d.join("env")).unwrap();
    std::fs::write(
        d.join("env/prod.env"),
        "DOTENV_URL=postgresql://from@prod/db\n",
    )
    .unwrap();
    let run = |text: &str, env: &mut Env| {
        evaluate(
            text,
            &d.join("prisma.config.ts"),
            "prisma.config.ts",
            d,
            d,
            env,
        )
        .unwrap()
    };
    let tail = "export default { datasource: { url: process.env.DOTENV_URL } }";
    for head in [
        "import 'dotenv/config';",
        "import dotenv from 'dotenv';\ndotenv.config();",
        "import * as dotenv from 'dotenv';\ndotenv.config({ quiet: true });",
        "import { config } from 'dotenv';\nconfig();",
        "require('dotenv').config();",
        "require('dotenv/config');",
    ] {
        let mut env = Env::default();
        let e = run(&format!("{head}\n{tail}"), &mut env);
        assert_eq!(
            value(&e.url).as_deref(),
            Some("postgresql://from@dotenv/db"),
            "{head}"
        );
        assert_eq!(e.env_files, vec![".env".to_owned()], "{head}");
    }
    // `path`, and the real environment wins unless `override`.
    let mut env = Env::default();
    let e = run(
        &format!(
            "import {{ config }} from 'dotenv';\nconfig({{ path: './env/prod.env' }});\n{tail}"
        ),
        &mut env,
    );
    assert_eq!(value(&e.url).as_deref(), Some("postgresql://from@prod/db"));
    let mut env = Env::default();
    env.set("DOTENV_URL", "postgresql://real@env/db");
    let e = run(&format!("import 'dotenv/config';\n{tail}"), &mut env);
    assert_eq!(value(&e.url).as_deref(), Some("postgresql://real@env/db"));
    let mut env = Env::default();
    env.set("DOTENV_URL", "postgresql://real@env/db");
    let e = run(
        &format!("import dotenv from 'dotenv';\ndotenv.config({{ override: true }});\n{tail}"),
        &mut env,
    );
    assert_eq!(
        value(&e.url).as_deref(),
        Some("postgresql://from@dotenv/db")
    );
    // Without dotenv, `.env` is not read (Prisma 7).
    let mut env = Env::default();
    let e = run(tail, &mut env);
    assert_eq!(value(&e.url), None);
    assert!(e.env_files.is_empty());
    // Statement order: a value read before `config()` does not see `.env`.
    let mut env = Env::default();
    let e = run(
        "import dotenv from 'dotenv';\nconst url = process.env.DOTENV_URL ?? 'file:./before.db';\ndotenv.config();\nexport default { datasource: { url } }",
        &mut env,
    );
    assert_eq!(value(&e.url).as_deref(), Some("file:./before.db"));
}

#[test]
fn path_join_is_nodes() {
    assert_eq!(path_join(&["a".into(), "b".into()]), "a/b");
    assert_eq!(path_join(&["a".into(), "../b".into()]), "b");
    assert_eq!(path_join(&["/a".into(), "./b/".into()]), "/a/b");
    assert_eq!(path_join(&["".into()]), ".");
    assert_eq!(path_join(&["a".into(), "..".into()]), ".");
}
