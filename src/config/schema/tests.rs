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

/// The schema with `url = {expr}` as its datasource's last line.
fn with_url(expr: &str) -> String {
    format!("datasource db {{\n  provider = \"postgresql\"\n  url = {expr}\n}}\n")
}

const BAD_LINE: &str = "Error validating: This line is not a valid definition within a datasource.";

// One row per rule of the grammar's `expression` (datamodel.pest) and of the loader's
// reading of a value: a string is a literal, `env("X")` an environment variable, an array
// its strings; anything else is kept as written. A value the grammar cannot read leaves the
// line invalid.
#[test]
fn expression_rules() {
    use Value::*;
    let lit = |s: &str| Some(Literal(s.to_owned()));
    let other = |s: &str| Some(Other(s.to_owned()));
    for (expr, want, diagnostic, rule) in [
        ("\"a\"", lit("a"), None, "a string"),
        ("\"\"", lit(""), None, "an empty string"),
        ("\"é ü\"", lit("é ü"), None, "a string beyond ASCII"),
        ("env(\"U\")", Some(Env("U".into())), None, "env(\"…\")"),
        (
            "env( \"U\" , )",
            Some(Env("U".into())),
            None,
            "blanks and a trailing comma",
        ),
        (
            "env(\"U\", \"V\")",
            other("env(\"U\", \"V\")"),
            None,
            "env with two arguments",
        ),
        ("env()", other("env()"), None, "env without an argument"),
        (
            "env(U)",
            other("env(U)"),
            None,
            "env of a name, not a string",
        ),
        (
            "other(\"U\")",
            other("other(\"U\")"),
            None,
            "another function",
        ),
        (
            "f(a: \"x\", b: )",
            other("f(a: \"x\", b: )"),
            None,
            "named and empty arguments",
        ),
        (
            "f (\"x\")",
            other("f (\"x\")"),
            None,
            "a blank before the argument list",
        ),
        (
            "[\"a\", \"b\"]",
            Some(List(vec!["a".into(), "b".into()])),
            None,
            "an array",
        ),
        (
            "[ \"a\" ,\"b\" ]",
            Some(List(vec!["a".into(), "b".into()])),
            None,
            "an array, blanks",
        ),
        ("[]", Some(List(vec![])), None, "an empty array"),
        (
            "[\"a\", 1, b]",
            Some(List(vec!["a".into()])),
            None,
            "an array keeps its strings",
        ),
        ("42", other("42"), None, "an integer"),
        ("-1.5", other("-1.5"), None, "a negative decimal"),
        ("a.b.c", other("a.b.c"), None, "a dotted path"),
        ("a.", other("a."), None, "a path may end in a dot"),
        (
            "a-b_c",
            other("a-b_c"),
            None,
            "identifiers take `-` and `_`",
        ),
        ("true", other("true"), None, "a constant"),
        ("1.", None, Some(BAD_LINE), "a decimal point needs digits"),
        ("-", None, Some(BAD_LINE), "a sign alone is no number"),
        ("\"open", None, Some(BAD_LINE), "an unclosed string"),
        (
            "\"a\tb\"",
            None,
            Some(BAD_LINE),
            "a control character in a string",
        ),
        (
            "\"a\\",
            None,
            Some(BAD_LINE),
            "a backslash at the end of the file's string",
        ),
        ("[\"a\"", None, Some(BAD_LINE), "an unclosed array"),
        (
            "[\"a\",]",
            None,
            Some(BAD_LINE),
            "an array takes no trailing comma",
        ),
        (
            "env(\"U\"",
            None,
            Some(BAD_LINE),
            "an unclosed argument list",
        ),
        (
            "_a",
            None,
            Some(BAD_LINE),
            "an identifier starts with a letter or digit",
        ),
        (
            "\"a\" \"b\"",
            None,
            Some(BAD_LINE),
            "one expression per property",
        ),
        ("\"a\" // note", lit("a"), None, "a trailing comment"),
    ] {
        let text = with_url(expr);
        let parsed = parse(&text);
        let messages: Vec<&str> = parsed
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(
            messages,
            diagnostic.into_iter().collect::<Vec<_>>(),
            "{expr}: {rule}"
        );
        let ds = parse_datasource(&text).expect(rule);
        assert_eq!(ds.url.map(|a| a.value), want, "{expr}: {rule}");
    }
}

// A value's line and span: `line` is 1-based, the span covers the value as written.
#[test]
fn attribute_line_and_span() {
    for expr in ["\"a\"", "env(\"U\")", "[\"a\"]", "42", "a.b"] {
        let text = with_url(expr);
        let url = parse_datasource(&text).unwrap().url.unwrap();
        assert_eq!(url.line, 3, "{expr}");
        assert_eq!(&text[url.span.0..url.span.1], expr);
    }
}

// String escapes are JSON's (Prisma reads string literals with serde_json): each one, a
// surrogate pair, and the two errors with their spans (an invalid `\u` spans six bytes, or up
// to the string's end, never part of a character).
#[test]
fn string_escapes() {
    for (escaped, want) in [
        (r#"\""#, "\""),
        (r"\\", "\\"),
        (r"\/", "/"),
        (r"\b", "\u{8}"),
        (r"\f", "\u{c}"),
        (r"\n", "\n"),
        (r"\r", "\r"),
        (r"\t", "\t"),
        (r"\u00e9", "é"),
        (r"\u00E9x", "éx"),
        (r"\ud83d\ude00", "😀"),
        (r"a\u0041\u0042b", "aABb"),
    ] {
        let text = with_url(&format!("\"{escaped}\""));
        let parsed = parse(&text);
        assert_eq!(parsed.diagnostics, vec![], "{escaped}");
        assert_eq!(
            parse_datasource(&text).unwrap().url.unwrap().value,
            Value::Literal(want.into()),
            "{escaped}"
        );
    }
    let unknown = "Unknown escape sequence. If the value is a windows-style path, `\\` must be escaped as `\\\\`.";
    let invalid = "Invalid unicode escape sequence.";
    for (escaped, message, spanned) in [
        (r"\q", unknown, r"\q"),
        (r"a\é", unknown, r"\é"),
        (r"\u12", invalid, r"\u12"),
        (r"\u12x4", invalid, r"\u12x4"),
        (r"\uZZZZ", invalid, r"\uZZZZ"),
        (r"\ud83d", invalid, r"\ud83d"),
        (r"\u", invalid, r"\u"),
        (r"\ué", invalid, r"\ué"),
        (r"ab\u12", invalid, r"\u12"),
        (r"x\u123é", invalid, r"\u123"),
    ] {
        let text = with_url(&format!("\"{escaped}\""));
        let parsed = parse(&text);
        assert_eq!(parsed.diagnostics.len(), 1, "{escaped}");
        let d = &parsed.diagnostics[0];
        assert_eq!(d.message, message, "{escaped}");
        assert_eq!(&text[d.span.0..d.span.1], spanned, "{escaped}");
    }
}

// datamodel.pest's WHITESPACE (Unicode space separators and tab, never a line break) and
// NEWLINE (`\n`, `\r\n`, `\r`).
#[test]
fn blanks_and_line_breaks() {
    for (text, ok, rule) in [
        (
            "datasource db {\r\n  provider = \"sqlite\"\r\n}\r\n",
            true,
            "CRLF",
        ),
        (
            "datasource db {\r  provider = \"sqlite\"\r}\r",
            true,
            "CR alone",
        ),
        (
            "datasource\tdb\t{\n\tprovider\t=\t\"sqlite\"\t\n}\n",
            true,
            "tabs",
        ),
        (
            "datasource db {\n  provider\u{a0}=\u{3000}\"sqlite\"\n}\n",
            true,
            "Unicode spaces",
        ),
        (
            "datasource db {\n  provider = \"sqlite\"\n}",
            true,
            "no newline at the end",
        ),
        (
            "datasource db {\n  provider =\u{b}\"sqlite\"\n}\n",
            false,
            "a vertical tab is no blank",
        ),
        (
            "datasource db {\n  provider =\u{85}\"sqlite\"\n}\n",
            false,
            "nor NEL",
        ),
        (
            "datasource db {\n  provider =\u{2028}\"sqlite\"\n}\n",
            false,
            "nor LINE SEPARATOR",
        ),
    ] {
        let parsed = parse(text);
        assert_eq!(
            parsed.diagnostics.is_empty(),
            ok,
            "{rule}: {:?}",
            parsed.diagnostics
        );
        assert_eq!(parsed.blocks.len(), 1, "{rule}");
        let ds = lift_datasource(text, &parsed.blocks[0], &mut Vec::new());
        assert_eq!(ds.and_then(|d| d.provider).is_some(), ok, "{rule}");
    }
}

// Top-level rules of datamodel.pest: which blocks are read, skipped or reported, with the
// diagnostics' spans.
#[test]
fn top_level_rules() {
    let invalid_line = "Error validating: This line is invalid. It does not start with any known Prisma schema keyword.";
    let invalid_block = "Error validating: This block is invalid. It does not start with any known Prisma schema keyword. Valid keywords include 'model', 'enum', 'type', 'datasource' and 'generator'.";
    let type_alias = "Error validating: Invalid type definition. Please check the documentation in https://pris.ly/d/composite-types";
    for (text, blocks, diagnostics, rule) in [
        ("", &[][..], &[][..], "an empty file"),
        ("\n\n  \n", &[], &[], "blank lines"),
        ("// a\n/// b\n", &[], &[], "comments"),
        (
            "generator client {\n  provider = \"prisma-client-js\"\n}\n",
            &[(BlockKind::Generator, "client")],
            &[],
            "a generator",
        ),
        (
            "datasource db {\n  provider = \"sqlite\"\n}\ngenerator g {\n}\n",
            &[(BlockKind::Datasource, "db"), (BlockKind::Generator, "g")],
            &[],
            "two blocks",
        ),
        (
            "datasource db {\n  // c\n\n  provider = \"sqlite\"\n  url =\n}\n",
            &[(BlockKind::Datasource, "db")],
            &[],
            "comments, blank lines and a property without a value",
        ),
        (
            "datasource db {\n  // c\n  provider = \"sqlite\"\n}\n",
            &[(BlockKind::Datasource, "db")],
            &[],
            "a comment right before a property",
        ),
        (
            "datasource db {\n\n  provider = \"sqlite\"\n}\n",
            &[(BlockKind::Datasource, "db")],
            &[],
            "a blank line without a comment",
        ),
        (
            "generator g {\n  what\n}\n",
            &[(BlockKind::Generator, "g")],
            &[(
                "Error validating: This line is not a valid definition within a generator.",
                "what\n",
            )],
            "a stray line in a generator",
        ),
        (
            "model M {\n  id Int @id\n\n  }\n",
            &[],
            &[],
            "a model, closed by a `}` after blanks",
        ),
        (
            "enum E {\n  A\n}\nview V {\n}\ntype T {\n}\n",
            &[],
            &[],
            "enum, view, type",
        ),
        (
            "type T = String @db.Text\n",
            &[],
            &[(type_alias, "type T = String @db.Text")],
            "a type alias",
        ),
        (
            "type T\n",
            &[],
            &[(invalid_line, "type T\n")],
            "`type` without `=` or a block",
        ),
        (
            "model {\n}\n",
            &[],
            &[(invalid_block, "model {\n}")],
            "a model without a name",
        ),
        (
            "foo bar {\n}\n",
            &[],
            &[(invalid_line, "foo bar {\n"), (invalid_line, "}\n")],
            "two words before `{`",
        ),
        (
            "foo {\n  x\n",
            &[],
            &[(invalid_line, "foo {\n"), (invalid_line, "x\n")],
            "an unclosed arbitrary block",
        ),
        (
            "model M {\n  id Int\n",
            &[],
            &[(invalid_line, "model M {\n"), (invalid_line, "id Int\n")],
            "an unclosed model",
        ),
        (
            "datasource {\n}\n",
            &[],
            &[(invalid_block, "datasource {\n}")],
            "a datasource without a name",
        ),
        (
            "datasource db\n",
            &[],
            &[(invalid_line, "datasource db\n")],
            "a datasource without a block",
        ),
        (
            "datasource db {\n  provider = \"sqlite\"\n",
            &[],
            &[
                (invalid_line, "datasource db {\n"),
                (invalid_line, "provider = \"sqlite\"\n"),
            ],
            "an unclosed datasource",
        ),
    ] {
        let parsed = parse(text);
        let got: Vec<(BlockKind, &str)> = parsed
            .blocks
            .iter()
            .map(|b| (b.kind, b.name.as_str()))
            .collect();
        assert_eq!(got, blocks, "{rule}");
        let got: Vec<(&str, &str)> = parsed
            .diagnostics
            .iter()
            .map(|d| (d.message.as_str(), &text[d.span.0..d.span.1]))
            .collect();
        assert_eq!(got, diagnostics, "{rule}");
    }
    let text = "\ndatasource db {\n  provider = \"sqlite\"\n}\n";
    assert_eq!(
        parse(text).blocks[0].span,
        (1, text.len() - 1),
        "a block's span"
    );
}

// psl's datasource loader: what it requires of `provider`, which value wins, which
// properties it reads.
#[test]
fn datasource_loader_rules() {
    let load = |body: &str| {
        let text = format!("datasource db {{\n{body}}}\n");
        let parsed = parse(&text);
        assert_eq!(parsed.diagnostics, vec![], "{body}");
        let mut d = Vec::new();
        let ds = lift_datasource(&text, &parsed.blocks[0], &mut d);
        let messages: Vec<(String, String)> = d
            .iter()
            .map(|x| (x.message.clone(), text[x.span.0..x.span.1].to_owned()))
            .collect();
        (ds, messages)
    };
    for provider in [
        "postgresql",
        "postgres",
        "mysql",
        "sqlite",
        "sqlserver",
        "mongodb",
        "cockroachdb",
    ] {
        let (ds, d) = load(&format!("  provider = \"{provider}\"\n"));
        assert!(d.is_empty(), "{provider}");
        assert_eq!(
            ds.unwrap().provider.unwrap().value,
            Value::Literal(provider.into())
        );
    }
    let (ds, d) = load("  provider = \"\"\n");
    assert!(ds.is_none());
    assert_eq!(
        d,
        [(
            "Error validating datasource `db`: The provider argument in a datasource must not be empty".to_owned(),
            "\"\"".to_owned()
        )]
    );
    let (ds, d) = load("  provider = postgresql\n");
    assert!(ds.is_none());
    assert_eq!(
        d,
        [(
            "Error validating datasource `db`: The provider argument in a datasource must be a string literal".to_owned(),
            "postgresql".to_owned()
        )]
    );
    // Only env() gets the env() message; any other function is not a string literal.
    let (ds, d) = load("  provider = other(\"P\")\n");
    assert!(ds.is_none());
    assert_eq!(
        d,
        [(
            "Error validating datasource `db`: The provider argument in a datasource must be a string literal".to_owned(),
            "other(\"P\")".to_owned()
        )]
    );
    let (ds, d) = load("  provider = \"sqlite\"\n  url =\n");
    assert!(ds.is_none());
    assert_eq!(
        d[0].0,
        "Property url in datasource db needs to be assigned a value"
    );
    assert!(
        d[0].1.starts_with("datasource db {") && d[0].1.ends_with('}'),
        "the block's span"
    );

    // The last of repeated properties wins; each property lands in its own field.
    let body = "  provider = \"mysql\"\n  provider = \"postgresql\"\n  url = \"a\"\n  url = \"b\"\n  directUrl = \"c\"\n  shadowDatabaseUrl = \"d\"\n  schemas = [\"e\"]\n";
    let (ds, d) = load(body);
    assert!(d.is_empty());
    let ds = ds.unwrap();
    // The datasource keeps its block's name and span (P1012 excerpts point at it).
    assert_eq!(ds.name, "db");
    assert_eq!(ds.span, (0, format!("datasource db {{\n{body}}}").len()));
    let value = |a: Option<Attribute>| a.map(|a| a.value);
    assert_eq!(
        value(ds.provider),
        Some(Value::Literal("postgresql".into()))
    );
    assert_eq!(value(ds.url), Some(Value::Literal("b".into())));
    assert_eq!(value(ds.direct_url), Some(Value::Literal("c".into())));
    assert_eq!(
        value(ds.shadow_database_url),
        Some(Value::Literal("d".into()))
    );
    assert_eq!(value(ds.schemas), Some(Value::List(vec!["e".into()])));
    assert!(
        parse_datasource("generator g {\n}\n").is_none(),
        "a generator is no datasource"
    );
}

// psl's pretty printer: the line before, the spanned lines, a caret under an empty span.
#[test]
fn pretty_rules() {
    let text = "a\nbc\nd\n";
    assert_eq!(
        pretty("s.prisma", text, (3, 3), "E"),
        "error: E\n  -->  s.prisma:2\n   | \n 1 | a\n 2 | bc\n   |  ^ Unexpected token.\n   | \n"
    );
    assert_eq!(
        pretty("s.prisma", text, (2, 6), "E"),
        "error: E\n  -->  s.prisma:2\n   | \n 1 | a\n 2 | bc\n 3 | d\n   | \n"
    );
    assert_eq!(
        pretty("s.prisma", text, (0, 0), "E"),
        "error: E\n  -->  s.prisma:1\n   | \n   | \n 1 | a\n   | ^ Unexpected token.\n   | \n"
    );
    assert_eq!(
        pretty("s.prisma", "é\n", (1, 1), "E"),
        "error: E\n  -->  s.prisma:1\n   | \n   | \n 1 | é\n   | ^ Unexpected token.\n   | \n",
        "a span inside a character starts at the character"
    );
    let long: String = (1..=12).map(|n| format!("l{n}\n")).collect();
    let at = long.find("l11").unwrap();
    assert_eq!(
        pretty("s.prisma", &long, (at, at + 3), "E"),
        "error: E\n  -->  s.prisma:11\n   | \n10 | l10\n11 | l11\n   | \n"
    );
    assert_eq!(
        pretty("s.prisma", text, (99, 99), "E"),
        "error: E\n  -->  s.prisma:4\n   | \n 3 | d\n 4 | \n   | ^ Unexpected token.\n   | \n",
        "past the end: the last line"
    );
}
