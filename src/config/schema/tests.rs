use super::*;

#[test]
fn reads_a_prisma6_datasource() {
    let text = "generator client {\n  provider = \"prisma-client-js\"\n}\n\n// the database\ndatasource db {\n  provider  = \"postgresql\" // pg\n  url       = env(\"DATABASE_URL\")\n  directUrl = env(\"DIRECT_URL\")\n  schemas   = [\"a\", \"b\"]\n}\n";
    let parsed = parse(text);
    assert_eq!(parsed.diagnostics, vec![]);
    let ds = parse_datasource(text).unwrap();
    assert_eq!(ds.name, "db");
    assert_eq!(
        ds.provider.unwrap().value,
        Value::Literal("postgresql".into())
    );
    let url = ds.url.unwrap();
    assert_eq!(url.value, Value::Env("DATABASE_URL".into()));
    assert_eq!(url.line, 8);
    assert_eq!(
        ds.direct_url.unwrap().value,
        Value::Env("DIRECT_URL".into())
    );
    assert_eq!(
        ds.schemas.unwrap().value,
        Value::List(vec!["a".into(), "b".into()])
    );
}

#[test]
fn strings_comments_and_escapes() {
    let ds = parse_datasource(
        "datasource pg { // the one\n provider = \"postgresql\"\n url = \"postgresql://u@h/d?x=\\\"q\\\"\\u00e9\" // x\n}",
    )
    .unwrap();
    assert_eq!(ds.name, "pg");
    assert_eq!(
        ds.url.unwrap().value,
        Value::Literal("postgresql://u@h/d?x=\"q\"é".into())
    );
    let parsed = parse("datasource db {\n provider = \"sqlite\"\n url = \"C:\\dev.db\"\n}\n");
    assert_eq!(parsed.diagnostics.len(), 1);
    assert!(parsed.diagnostics[0]
        .message
        .starts_with("Unknown escape sequence."));
}

#[test]
fn models_enums_and_views_are_skipped() {
    let text = "model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique // x\n  @@map(\"users\")\n}\n\nenum Role {\n  A\n  B\n}\n\nview V {\n  id Int @unique\n}\n\ntype Address {\n  street String\n}\n\ndatasource db {\n  provider = \"mysql\"\n  url = env(\"U\")\n}\n";
    let parsed = parse(text);
    assert_eq!(parsed.diagnostics, vec![]);
    assert_eq!(parsed.blocks.len(), 1);
    assert!(parse_datasource(text).is_some());
    assert!(parse_datasource("model A {\n id Int @id\n}\n").is_none());
}

// transcripts §9.5: what Prisma's grammar makes of an unclosed block and a file that is
// not a schema.
#[test]
fn invalid_lines_as_the_peg_sees_them() {
    let text =
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n\n";
    let parsed = parse(text);
    assert!(parsed.blocks.is_empty());
    let lines: Vec<usize> = parsed
        .diagnostics
        .iter()
        .map(|d| text[..d.span.0].matches('\n').count() + 1)
        .collect();
    assert_eq!(lines, vec![1, 2, 3]);
    assert!(parsed.diagnostics.iter().all(|d| d.message
        == "Error validating: This line is invalid. It does not start with any known Prisma schema keyword."));

    let parsed = parse("hello\n");
    assert_eq!(parsed.diagnostics.len(), 1);
    assert_eq!(parsed.diagnostics[0].span, (0, 6));

    // A one-line block: `{` takes the rest of its line, so the block never closes.
    let parsed = parse("datasource db { provider = \"sqlite\" }\n");
    assert!(parsed.blocks.is_empty());
    assert_eq!(parsed.diagnostics.len(), 1);

    // A stray line inside a block.
    let parsed = parse("datasource db {\n  provider = \"sqlite\"\n  what is this\n}\n");
    assert_eq!(parsed.blocks.len(), 1);
    assert_eq!(
        parsed.diagnostics[0].message,
        "Error validating: This line is not a valid definition within a datasource."
    );

    // A block without a keyword.
    let parsed = parse("foo {\n  bar\n}\n");
    assert!(parsed.diagnostics[0]
        .message
        .starts_with("Error validating: This block is invalid."));
}

#[test]
fn the_loaders_errors() {
    let check = |text: &str| {
        let parsed = parse(text);
        let mut d = Vec::new();
        let ds = lift_datasource(text, &parsed.blocks[0], &mut d);
        (ds, d)
    };
    let (ds, d) = check("datasource db {\n  url      = env(\"DATABASE_URL\")\n}\n");
    assert!(ds.is_none());
    assert_eq!(
        d[0].message,
        "Argument \"provider\" is missing in data source block \"db\"."
    );
    let (_, d) = check("datasource db {\n  provider = \"oracle\"\n}\n");
    assert_eq!(d[0].message, "Datasource provider not known: \"oracle\".");
    assert_eq!(d[0].span, (29, 37));
    let (_, d) = check("datasource db {\n  provider = env(\"P\")\n}\n");
    assert_eq!(
        d[0].message,
        "A datasource must not use the env() function in the provider argument."
    );
    let (ds, d) = check("datasource db {\n  provider = \"sqlserver\"\n}\n");
    assert!(ds.is_some() && d.is_empty());
}

#[test]
fn pretty_prints_as_prisma() {
    let text = "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\ndatasource db2 {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";
    let parsed = parse(text);
    let second = parsed.blocks[1].span;
    assert_eq!(
        pretty("prisma/schema.prisma", text, parsed.blocks[0].span, "E"),
        "error: E\n  -->  prisma/schema.prisma:1\n   | \n   | \n 1 | datasource db {\n 2 |   provider = \"postgresql\"\n 3 |   url      = env(\"DATABASE_URL\")\n 4 | }\n   | \n"
    );
    assert_eq!(
        pretty("prisma/schema.prisma", text, second, "E"),
        "error: E\n  -->  prisma/schema.prisma:6\n   | \n 5 | \n 6 | datasource db2 {\n 7 |   provider = \"postgresql\"\n 8 |   url      = env(\"DATABASE_URL\")\n 9 | }\n   | \n"
    );
}
