use super::*;
use proptest::prelude::*;

fn texts(script: &str) -> Vec<&str> {
    split(script).into_iter().map(|s| s.text.trim()).collect()
}

#[test]
fn semicolons_inside_quotes_comments_and_bodies_do_not_split() {
    let script = r#"-- a; comment
CREATE TABLE "a;b" (c text DEFAULT 'x;y' /* z; */);
SELECT E'it\'s; fine', 'it''s; fine', U&'d;';
CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END $body$ LANGUAGE plpgsql;
DO $$ BEGIN PERFORM 1; END $$;
CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END; SELECT a; END;
/* nested /* comment; */ still; */ SELECT 1
"#;
    let t = texts(script);
    assert_eq!(t.len(), 6, "{t:#?}");
    assert!(t[0].starts_with("-- a; comment\nCREATE TABLE"));
    assert!(t[4].starts_with("CREATE FUNCTION g"));
    assert!(t[4].ends_with("SELECT a; END;"));
    assert_eq!(t[5], "/* nested /* comment; */ still; */ SELECT 1");
}

#[test]
fn comment_only_fragments_are_dropped_and_offsets_kept() {
    let script = "SELECT 1;\n-- trailing comment\n";
    let s = split(script);
    assert_eq!(s.len(), 1);
    let script = "SELECT 1;  SELECT 2;";
    let s = split(script);
    assert_eq!(s[1].start, 9);
    assert_eq!(&script[s[1].start..], "  SELECT 2;");
}

#[test]
fn dollar_signs_that_are_not_quotes() {
    let t = texts("SELECT $1; SELECT a$b$c FROM t; SELECT 2");
    assert_eq!(t, ["SELECT $1;", "SELECT a$b$c FROM t;", "SELECT 2"]);
}

#[test]
fn statements_that_refuse_a_transaction_block() {
    let yes = [
        (
            "CREATE INDEX CONCURRENTLY i ON t (a);",
            "CREATE INDEX CONCURRENTLY",
        ),
        (
            "create unique index concurrently if not exists i on t (a)",
            "CREATE INDEX CONCURRENTLY",
        ),
        (
            "-- x\nDROP INDEX CONCURRENTLY IF EXISTS i;",
            "DROP INDEX CONCURRENTLY",
        ),
        (
            "REINDEX (VERBOSE) TABLE CONCURRENTLY t;",
            "REINDEX CONCURRENTLY",
        ),
        ("VACUUM ANALYZE t;", "VACUUM"),
    ];
    for (s, name) in yes {
        assert_eq!(needs_no_transaction(s, false), Some(name), "{s}");
    }
    for s in [
        "CREATE INDEX i ON t (a);",
        "REINDEX TABLE t;",
        "SELECT 'VACUUM';",
        "ALTER TYPE m ADD VALUE 'x';",
    ] {
        assert_eq!(needs_no_transaction(s, false), None, "{s}");
    }
    assert_eq!(
        needs_no_transaction("ALTER TYPE m ADD VALUE 'x';", true),
        Some("ALTER TYPE … ADD VALUE")
    );
}

#[test]
fn split_reason_needs_two_statements_or_the_directive() {
    let one = "CREATE INDEX CONCURRENTLY i ON t (a);\n";
    assert_eq!(split_reason(one, &split(one), false), None);
    let two = "CREATE INDEX CONCURRENTLY i ON t (a);\nCREATE INDEX j ON t (b);\n";
    assert_eq!(
        split_reason(two, &split(two), false),
        Some(SplitReason::Statement(
            "CREATE INDEX CONCURRENTLY".to_owned()
        ))
    );
    let plain = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n";
    assert_eq!(split_reason(plain, &split(plain), false), None);
    let directive = format!("{NO_TRANSACTION_DIRECTIVE}\n{plain}");
    assert_eq!(
        split_reason(&directive, &split(&directive), false),
        Some(SplitReason::Directive)
    );
}

/// A statement built from pieces that may hide a `;`.
fn statement() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-z_][a-z0-9_]{0,8}".prop_map(|s| s),
        "[a-z ;$]{0,10}".prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
        "[a-z ;$]{0,10}".prop_map(|s| format!("\"{}\"", s.replace('"', "\"\""))),
        "[a-z ;']{0,10}".prop_map(|s| format!("$tag${s}$tag$")),
        "[a-z ;']{0,10}".prop_map(|s| format!("$${s}$$")),
        "[a-z ;']{0,10}".prop_map(|s| format!("/* {s} */")),
        "[a-z ;']{0,10}".prop_map(|s| format!("-- {s}\n")),
        "[a-z ;\\\\]{0,10}".prop_map(|s| format!("E'{}'", s.replace('\\', "\\\\"))),
        Just("(1, 2)".to_owned()),
    ];
    (
        "[a-z][a-z0-9_]{0,8}",
        proptest::collection::vec(piece, 0..6),
    )
        .prop_map(|(head, pieces)| {
            let mut s = head;
            for p in pieces {
                s.push(' ');
                s.push_str(&p);
            }
            s
        })
}

proptest! {
    #[test]
    fn splits_exactly_where_statements_end(stmts in proptest::collection::vec(statement(), 1..8)) {
        let script = stmts.iter().map(|s| format!("{s};")).collect::<Vec<_>>().join("\n");
        let got = split(&script);
        prop_assert_eq!(got.len(), stmts.len(), "{}", script);
        for (g, s) in got.iter().zip(&stmts) {
            prop_assert_eq!(g.text.trim_start(), format!("{s};"));
            prop_assert_eq!(&script[g.start..g.start + g.text.len()], g.text);
        }
    }

    #[test]
    fn never_panics_and_stays_on_char_boundaries(script in "\\PC{0,200}") {
        for s in split(&script) {
            prop_assert!(script.is_char_boundary(s.start));
            prop_assert!(script.is_char_boundary(s.start + s.text.len()));
        }
        let _ = split_reason(&script, &split(&script), true);
    }
}
