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
    // An error the parser recovers from is still an error: Node refuses to load a module
    // with a `const` that has no initializer (a SyntaxError), so Prisma does too.
    let e = eval("const x;\nexport default {}").unwrap_err();
    assert_eq!(e.code(), "PM1020");
    // Two default exports: Node refuses the module (SyntaxError: Duplicate export of
    // 'default'); the last one never wins. Each pair of the three forms.
    for (text, at) in [
        (
            "export default { schema: 'a.prisma' };\nexport default { schema: 'b.prisma' };",
            "2:1",
        ),
        (
            "const c = {};\nexport default c;\nexport { c as default };",
            "3:10",
        ),
        (
            "const c = {};\nexport { c as default };\nexport default c;",
            "3:1",
        ),
        ("export default {};\nexport = {};", "2:1"),
    ] {
        let e = eval(text).unwrap_err();
        assert_eq!(e.code(), "PM1020", "{text}");
        assert!(
            e.to_string().contains("Duplicate export of 'default'"),
            "{text}: {e}"
        );
        assert!(
            e.to_string().contains(&format!("prisma.config.ts:{at}")),
            "{text}: {e}"
        );
    }
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

fn schema_of(expr: &str) -> Result<Option<String>> {
    eval(&format!(
        "import path from 'node:path';\nexport default {{ schema: {expr} }}"
    ))?
    .schema
    .get()
}

// Values as JavaScript computes them (ECMAScript: ToBoolean §7.2.14 "falsy" values,
// `&&`/`||`/`??` §13.13, `? :` §13.14, `+` §13.15.3, Number::toString §6.1.6.1.20) and as
// Node's `path` module and CommonJS/ESM give them (`__filename`, `import.meta.filename`).
// Each row: the `schema` expression, the string it evaluates to, the rule.
#[test]
fn values_as_javascript_computes_them() {
    for (expr, want, rule) in [
        ("0 ? 'a' : 'b'", "b", "0 is falsy"),
        ("1 ? 'a' : 'b'", "a", "a number other than 0 is truthy"),
        ("'' ? 'a' : 'b'", "b", "the empty string is falsy"),
        ("'x' ? 'a' : 'b'", "a", "a non-empty string is truthy"),
        ("null ? 'a' : 'b'", "b", "null is falsy"),
        ("undefined ? 'a' : 'b'", "b", "undefined is falsy"),
        ("true ? 'a' : 'b'", "a", "true is truthy"),
        ("false ? 'a' : 'b'", "b", "false is falsy"),
        ("({}) ? 'a' : 'b'", "a", "an object is truthy"),
        (
            "process.env.NOPE ?? undefined ?? 'b'",
            "b",
            "`??` skips undefined",
        ),
        (
            "'a' && 'b'",
            "b",
            "`&&` gives its right side when the left is truthy",
        ),
        (
            "'' && 'b' || 'c'",
            "c",
            "`&&` gives its left side when it is falsy",
        ),
        ("`${1 + 2}`", "3", "`+` of two numbers adds them"),
        ("`${1.5}`", "1.5", "String(1.5)"),
        (
            "`${9223372036854775808}`",
            "9223372036854776000",
            "String(2 ** 63): the shortest digits that read back, then zeros",
        ),
        ("`${true}-${false}`", "true-false", "booleans in a template"),
        ("<string>'a'", "a", "a type assertion is its operand"),
        ("`${'abc'.length}`", "3", "a string's length"),
        ("({ url: 'u' }).url", "u", "a property of an object"),
        (
            "({ a: 'x', a: 'y' }).a",
            "y",
            "the last of two equal keys wins",
        ),
        (
            "({ 0: 'x', a: 'y' }).a",
            "y",
            "a numeric key is a name, not a computed key",
        ),
        (
            "path.dirname('/proj/prisma/schema.prisma')",
            "/proj/prisma",
            "path.dirname",
        ),
        (
            "path.dirname('schema.prisma')",
            ".",
            "path.dirname of a bare name is .",
        ),
        (
            "path.join('/', '..', 'a')",
            "/a",
            "`..` above the root stays at the root",
        ),
        (
            "__filename",
            "/proj/prisma.config.ts",
            "CommonJS __filename",
        ),
        (
            "import.meta.filename",
            "/proj/prisma.config.ts",
            "ESM import.meta.filename",
        ),
    ] {
        assert_eq!(
            schema_of(expr).unwrap_or_else(|e| panic!("{expr}: {rule}: {e}")),
            Some(want.to_owned()),
            "{expr}: {rule}"
        );
    }
}

// What the evaluator refuses, and how: PM1022 when the value is known but is not a string
// (Prisma's config schema rejects it too), PM1016 when the value cannot be known without
// running the file; a throwing `env()` is Prisma's own error. Each row: the `schema`
// expression, the code, a part of the message, the rule.
#[test]
fn refusals_say_what_the_value_is() {
    for (expr, code, part, rule) in [
        ("null", "PM1022", "`schema` is null, not a string", "null"),
        ("true", "PM1022", "is a boolean", "a boolean"),
        ("3", "PM1022", "is a number", "a number"),
        ("['a.prisma']", "PM1022", "is an array", "an array"),
        ("({})", "PM1022", "is an object", "an object"),
        (
            "() => 'a.prisma'",
            "PM1022",
            "is a function",
            "a function is not called",
        ),
        (
            "typeof 'a'",
            "PM1016",
            "`typeof 'a'`",
            "only `!` of the unary operators",
        ),
        (
            "'a' - 'b'",
            "PM1016",
            "`'a' - 'b'`",
            "only `+` of the binary operators",
        ),
        (
            "'abc'.foo",
            "PM1016",
            "`.foo` of a string",
            "a string has only `length`",
        ),
        (
            "DATABASE_URL",
            "PM1016",
            "`DATABASE_URL` is not defined in this file",
            "an unknown name is not `require`",
        ),
        (
            "import.meta",
            "PM1016",
            "`import.meta` alone",
            "only import.meta.dirname and .filename",
        ),
        (
            "path.dirname('a', 'b')",
            "PM1016",
            "path.dirname takes one path",
            "path.dirname of two paths",
        ),
        (
            "env('EMPTY')",
            "PM1012",
            "Cannot resolve environment variable: EMPTY.",
            "Prisma's env() throws on an empty variable (spec §8.3)",
        ),
    ] {
        let text = format!(
            "import path from 'node:path';\nimport {{ env }} from 'prisma/config';\nexport default {{ schema: {expr} }}"
        );
        let e = eval(&text).and_then(|e| e.schema.get()).expect_err(expr);
        assert_eq!(e.code(), code, "{expr}: {rule}: {e}");
        assert!(e.to_string().contains(part), "{expr}: {rule}: {e}");
    }
}

// Statements: what the file does while it loads. Each row: the file, `Ok` with the schema
// it gives or the error code, the rule.
#[test]
fn statements_the_evaluator_follows() {
    let tail = "export default { schema: 'a.prisma' }";
    for (head, want, rule) in [
        (
            "if (!process.env.NOPE) { throw new Error('NOPE') }",
            Err("PM1023"),
            "a block of one `throw` that runs throws",
        ),
        (
            "if (!process.env.NOPE) { console.log('x'); throw new Error('NOPE') }",
            Err("PM1016"),
            "a block that does more than throw is not understood",
        ),
        (
            "if (!process.env.NOPE) { console.log('x') }",
            Err("PM1016"),
            "a block of one statement that is not `throw`",
        ),
        (
            "import 'node:path';",
            Ok("a.prisma"),
            "a side-effect import of a known module",
        ),
        (
            "require('node:path');",
            Ok("a.prisma"),
            "a require of a known module",
        ),
        (
            "require('./setup');",
            Err("PM1016"),
            "a require of a file runs its code",
        ),
        (
            "import { url } from './secrets';",
            Err("PM1016"),
            "an import of a file runs it, used or not",
        ),
        (
            "import { url } from '/srv/secrets.js';",
            Err("PM1016"),
            "an import of a file by its absolute path",
        ),
        (
            "import { helper } from 'some-package';",
            Ok("a.prisma"),
            "a name from an unknown package is refused only where it is used",
        ),
    ] {
        let text = format!("{head}\n{tail}");
        let got = eval(&text).and_then(|e| e.schema.get());
        match want {
            Ok(schema) => assert_eq!(
                got.unwrap_or_else(|e| panic!("{head}: {rule}: {e}"))
                    .as_deref(),
                Some(schema),
                "{head}: {rule}"
            ),
            Err(code) => assert_eq!(got.expect_err(head).code(), code, "{head}: {rule}"),
        }
    }
    // A computed key in a destructuring pattern is refused, whatever it computes to.
    let e = eval("const { ['schema']: s } = { schema: 'b.prisma' };\nexport default { schema: s }")
        .unwrap();
    assert_eq!(e.schema.get().unwrap_err().code(), "PM1016");
}

// dotenv's options (dotenv's README, "Options": `path` a string or a list of files, where
// the first file that sets a variable wins; `DOTENV_CONFIG_PATH` for `dotenv/config`), and
// requires of modules that load nothing. Each row: the head of the file, the variables set
// before it runs, the URL it gives, the `.env` files loaded.
#[test]
fn dotenv_options_and_requires() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join(".env"), "DOTENV_URL=postgresql://from@dotenv/db\n").unwrap();
    std::fs::create_dir_all(d.join("env")).unwrap();
    std::fs::write(
        d.join("env/prod.env"),
        "DOTENV_URL=postgresql://from@prod/db\n",
    )
    .unwrap();
    let dotenv = Some("postgresql://from@dotenv/db");
    let prod = Some("postgresql://from@prod/db");
    let tail = "export default { datasource: { url: process.env.DOTENV_URL } }";
    for (head, vars, url, files) in [
        (
            "import 'dotenv/config';",
            &[("DOTENV_CONFIG_PATH", "env/prod.env")][..],
            prod,
            &["env/prod.env"][..],
        ),
        (
            "import 'dotenv/config';",
            &[("DOTENV_CONFIG_PATH", "")],
            dotenv,
            &[".env"],
        ),
        (
            "import { config } from 'dotenv';\nconfig({ path: ['./env/prod.env', '.env'] });",
            &[],
            prod,
            &["env/prod.env", ".env"],
        ),
        (
            "import { config } from 'dotenv';\nconfig({ path: undefined });",
            &[],
            dotenv,
            &[".env"],
        ),
        ("require('node:path');", &[], None, &[]),
        ("import 'node:path';", &[], None, &[]),
    ] {
        let mut env = Env::default();
        for (k, v) in vars {
            env.set(k, v);
        }
        let e = evaluate(
            &format!("{head}\n{tail}"),
            &d.join("prisma.config.ts"),
            "prisma.config.ts",
            d,
            d,
            &mut env,
        )
        .unwrap_or_else(|e| panic!("{head}: {e}"));
        assert_eq!(value(&e.url).as_deref(), url, "{head} {vars:?}");
        assert_eq!(e.env_files, files, "{head} {vars:?}");
    }
}

// A refused expression is shown on one line, cut to 80 characters (79 and `…`).
#[test]
fn excerpts_are_cut_at_80_characters() {
    for (n, shown) in [
        (75, format!("f('{}')", "x".repeat(75))),
        (76, format!("f('{}…", "x".repeat(76))),
    ] {
        let call = format!("f('{}')", "x".repeat(n));
        assert_eq!(call.chars().count(), n + 5);
        let e = url(&format!(
            "export default {{ datasource: {{ url: {call} }} }}"
        ))
        .unwrap_err();
        assert!(e.to_string().contains(&format!("`{shown}` at")), "{n}: {e}");
    }
}

// Where Prisma looks for its config (spec §8.3: `prisma.config.{js,ts,mjs,cjs,mts,cts}` in
// the working directory, also `.config/prisma.*`; `--config` relative to the working
// directory), and how paths in it resolve: against the config file's directory (§3.1,
// §8.2), the project root for a file in `.config/`.
#[test]
fn the_config_file_is_found_where_prisma_looks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut env = Env::default();
    assert_eq!(default_path(d), None, "no config file");
    assert!(ConfigFile::find(d, None, &mut env).unwrap().is_none());

    std::fs::create_dir(d.join(".config")).unwrap();
    std::fs::write(
        d.join(".config/prisma.ts"),
        "export default { schema: 'db/schema.prisma', migrations: { path: './db/../m' } }",
    )
    .unwrap();
    assert_eq!(default_path(d), Some(d.join(".config/prisma.ts")));
    let c = ConfigFile::find(d, None, &mut env).unwrap().unwrap();
    assert_eq!(c.path, d.join(".config/prisma.ts"));
    assert_eq!(c.dir, d, "the project root, not .config");
    let at = |p: &str| Some(d.join(p).display().to_string());
    assert_eq!(value(&c.schema), at("db/schema.prisma"));
    assert_eq!(value(&c.migrations), at("m"));

    std::fs::write(d.join("prisma.config.js"), "export default {}").unwrap();
    assert_eq!(
        default_path(d),
        Some(d.join("prisma.config.js")),
        "the working directory before .config"
    );
    std::fs::write(d.join("prisma.config.ts"), "export default {}").unwrap();
    assert_eq!(
        default_path(d),
        Some(d.join("prisma.config.ts")),
        ".ts before .js"
    );

    let e = ConfigFile::find(d, Some(Path::new("nope.ts")), &mut env).unwrap_err();
    assert!(
        e.to_string().contains(&format!(
            "Config file not found at \"{}\"",
            d.join("nope.ts").display()
        )),
        "{e}"
    );
    std::fs::create_dir(d.join("sub")).unwrap();
    std::fs::write(d.join("sub/c.ts"), "export default { schema: 's.prisma' }").unwrap();
    let c = ConfigFile::find(d, Some(Path::new("sub/c.ts")), &mut env)
        .unwrap()
        .unwrap();
    assert_eq!(c.path, d.join("sub/c.ts"));
    assert_eq!(c.dir, d.join("sub"));
    assert_eq!(value(&c.schema), at("sub/s.prisma"));
}
