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

    // `split`'s contract: statements are slices of the script, in order, without overlap,
    // each ending at its `;` (but the last); whatever lies outside them is whitespace,
    // comments and `;` only; comment spans are ordered, disjoint and start a comment; and a
    // statement split again is itself (the splitter's state is reset at each `;`).
    #[test]
    fn statements_and_comments_tile_the_script(script in "\\PC{0,200}") {
        let stmts = split(&script);
        let spans = comment_spans(&script);
        let mut covered = vec![false; script.len()];
        let mut end = 0;
        for (k, s) in stmts.iter().enumerate() {
            prop_assert!(s.start >= end, "overlap in {:?}", script);
            prop_assert_eq!(&script[s.start..s.start + s.text.len()], s.text);
            prop_assert!(!s.text.trim().is_empty());
            if k + 1 < stmts.len() {
                prop_assert!(s.text.ends_with(';'), "{:?}", s.text);
            }
            let again = split(s.text);
            prop_assert_eq!(again.len(), 1, "{:?}", s.text);
            prop_assert_eq!(again[0].text, s.text);
            end = s.start + s.text.len();
            covered[s.start..end].iter_mut().for_each(|c| *c = true);
        }
        let mut span_end = 0;
        for r in &spans {
            prop_assert!(r.start >= span_end && r.start < r.end && r.end <= script.len());
            let head = &script[r.start..];
            prop_assert!(head.starts_with("--") || head.starts_with("/*"), "{:?}", head);
            span_end = r.end;
            covered[r.clone()].iter_mut().for_each(|c| *c = true);
        }
        for (i, b) in script.bytes().enumerate() {
            prop_assert!(
                covered[i] || b.is_ascii_whitespace() || b == b';',
                "byte {} of {:?} is in no statement", i, script
            );
        }
        let _ = split_reason(&script, &stmts, true);
    }
}

// ARCHITECTURE.md, "Execution model": which files run with their history row inside
// prismig's transaction block. Each row: script, whether it may be wrapped, the rule.
#[test]
fn which_files_run_with_their_row_in_one_transaction() {
    let cases: &[(&str, bool, &str)] = &[
        (
            "CREATE TABLE a (id int);",
            true,
            "a lone CREATE TABLE means the same in a block",
        ),
        (
            "CREATE TABLE a (id int); INSERT INTO a VALUES (1);",
            true,
            "several plain statements: an implicit block already",
        ),
        ("", true, "an empty file"),
        ("-- only a comment\n", true, "comments only"),
        (
            "UPDATE counter SET n = n + 1; SELECT pg_sleep(3);",
            true,
            "§9.1's bump",
        ),
        (
            "SET search_path TO other; CREATE TABLE x(id int);",
            true,
            "§9.2 i: session SET is undone with a rolled-back block too",
        ),
        ("CREATE TABLE r(id int); RESET ALL;", true, "§9.2 d"),
        (
            "DO $$ BEGIN PERFORM 1; END $$; SELECT 1;",
            true,
            "DO among others runs in the implicit block already",
        ),
        (
            "BEGIN; CREATE TABLE t1(id int); COMMIT;",
            false,
            "§9.2 a: the file's own BEGIN",
        ),
        (
            "START TRANSACTION; CREATE TABLE t(id int); COMMIT;",
            false,
            "START TRANSACTION",
        ),
        (
            "CREATE TABLE s1(id int); COMMIT; CREATE TABLE s2(id int);",
            false,
            "§9.2 f: COMMIT mid-file",
        ),
        (
            "CREATE TABLE keep(id int); ROLLBACK;",
            false,
            "§9.2 c: ROLLBACK",
        ),
        (
            "CREATE TABLE w(id int); SAVEPOINT a;",
            false,
            "§9.2 h: SAVEPOINT fails in an implicit block only",
        ),
        ("end;", false, "END is COMMIT"),
        ("abort;", false, "ABORT is ROLLBACK"),
        ("RELEASE SAVEPOINT a;", false, "RELEASE"),
        ("PREPARE TRANSACTION 'x';", false, "two-phase commit"),
        (
            "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; CREATE TABLE t2(id int);",
            false,
            "§9.2 b: must come before any query of the transaction",
        ),
        (
            "SET LOCAL statement_timeout = 1; SELECT 1;",
            false,
            "SET LOCAL would reach the row's INSERT",
        ),
        (
            "SET ROLE app; CREATE TABLE t(id int);",
            false,
            "the row's INSERT would run as another role",
        ),
        (
            "SET SESSION AUTHORIZATION app; SELECT 1;",
            false,
            "SET SESSION AUTHORIZATION",
        ),
        (
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY; SELECT 1;",
            false,
            "transaction characteristics",
        ),
        (
            "SET transaction_read_only = on; SELECT 1;",
            false,
            "the block would be read-only for the row",
        ),
        (
            "SET default_transaction_read_only = on; SELECT 1;",
            true,
            "only later transactions: not this block",
        ),
        (
            "CREATE INDEX CONCURRENTLY i ON t (a);",
            false,
            "a lone statement that refuses a block",
        ),
        (
            "/* x */ CREATE UNIQUE INDEX CONCURRENTLY i ON t (a);",
            false,
            "after a comment too",
        ),
        ("VACUUM t;", false, "VACUUM"),
        ("CREATE DATABASE d;", false, "CREATE DATABASE"),
        ("DROP DATABASE d;", false, "DROP DATABASE"),
        ("ALTER SYSTEM SET work_mem = '1MB';", false, "ALTER SYSTEM"),
        (
            "CREATE TABLESPACE s LOCATION '/x';",
            false,
            "CREATE TABLESPACE",
        ),
        (
            "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p;",
            false,
            "a subscription's slot cannot be made in a block",
        ),
        (
            "ALTER TYPE mood ADD VALUE 'x';",
            false,
            "ADD VALUE refuses a block before PostgreSQL 12: taken as such",
        ),
        ("CALL p();", false, "a lone CALL may COMMIT"),
        ("DO $$ BEGIN COMMIT; END $$;", false, "a lone DO may COMMIT"),
        ("LOCK TABLE t;", false, "a lone LOCK fails outside a block"),
        ("DISCARD ALL;", false, "DISCARD ALL refuses a block"),
        ("REINDEX SCHEMA public;", false, "not listed"),
        ("INSERT INTO t VALUES (1);", true, "a lone INSERT"),
        (
            "ALTER TABLE t ADD COLUMN c int;",
            true,
            "a lone ALTER TABLE",
        ),
        ("COMMENT ON TABLE t IS 'x';", true, "a lone COMMENT"),
    ];
    for (script, wrap, rule) in cases {
        assert_eq!(may_wrap(&split(script)), *wrap, "{rule}: {script}");
    }
}

// A file with no statement of its own that ends or marks a transaction is exactly one
// transaction on PostgreSQL (a cancel or an error leaves nothing of it).
#[test]
fn which_files_control_their_own_transaction() {
    let cases: &[(&str, bool)] = &[
        ("CREATE TABLE a(id int); SELECT 1;", false),
        ("BEGIN; SELECT 1; COMMIT;", true),
        (
            "begin isolation level serializable; select 1; commit;",
            true,
        ),
        ("SELECT 1; END;", true),
        ("START TRANSACTION; SELECT 1;", true),
        ("START x;", false),
        ("PREPARE TRANSACTION 'a';", true),
        ("PREPARE q AS SELECT 1;", false),
        ("CALL p();", true),
        ("CALL p(); SELECT 1;", false),
        ("DO $$ BEGIN END $$;", true),
        (
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;",
            false,
        ),
        ("-- BEGIN;\nSELECT 1;", false),
        ("SELECT 'BEGIN;';", false),
    ];
    for (script, controls) in cases {
        assert_eq!(controls_transaction(&split(script)), *controls, "{script}");
    }
}

// §9.3: the COPY forms that need the client's data channel, wherever the words stand.
#[test]
fn copy_with_the_client_channel_is_found() {
    let cases: &[(&str, Option<&str>)] = &[
        ("COPY t FROM STDIN;", Some("COPY t FROM STDIN;")),
        (
            "SELECT 1; copy t (a, b) from stdin with (format csv);",
            Some(" copy t (a, b) from stdin with (format csv);"),
        ),
        (
            "COPY (SELECT 1) TO STDOUT;",
            Some("COPY (SELECT 1) TO STDOUT;"),
        ),
        ("COPY t FROM '/tmp/x.csv';", None),
        ("COPY t TO '/tmp/x.csv';", None),
        ("SELECT 'COPY t FROM STDIN';", None),
        ("-- COPY t FROM STDIN;\nSELECT 1;", None),
        ("INSERT INTO stdin VALUES (1);", None),
    ];
    for (script, found) in cases {
        assert_eq!(client_copy(&split(script)), *found, "{script}");
    }
}

// The comment spans that a non-UTF-8 byte may sit in (§9.4 a) and nothing else.
#[test]
fn comment_spans_cover_comments_only() {
    let script = "SELECT '-- no'; -- yes\n/* a /* b */ c */ SELECT \"/* no */\", $$-- no$$;";
    let spans: Vec<&str> = comment_spans(script)
        .into_iter()
        .map(|r| &script[r])
        .collect();
    assert_eq!(spans, ["-- yes\n", "/* a /* b */ c */"]);
    let unterminated = "SELECT 1; /* open";
    assert_eq!(
        comment_spans(unterminated),
        vec![std::ops::Range { start: 10, end: 17 }]
    );
}

// PostgreSQL's lexical rules (docs "Lexical Structure", §4.1): where a `;` ends a statement
// and where it does not. Each row: script, the expected statements, the rule.
#[test]
fn lexical_rules_for_statement_ends() {
    let rows: &[(&str, &[&str], &str)] = &[
        (
            "UPDATE t SET a = CASE WHEN b THEN 1 ELSE 2 END; SELECT 1;",
            &["UPDATE t SET a = CASE WHEN b THEN 1 ELSE 2 END;", "SELECT 1;"],
            "CASE … END outside a BEGIN ATOMIC body opens nothing",
        ),
        (
            "SELECT 1 END; SELECT 2;",
            &["SELECT 1 END;", "SELECT 2;"],
            "an END at depth 0 closes nothing",
        ),
        (
            "SELECT 1 AS case; SELECT 2;",
            &["SELECT 1 AS case;", "SELECT 2;"],
            "a CASE at depth 0 opens nothing (`AS case` is a column label: PostgreSQL's ColLabel takes reserved words)",
        ),
        (
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END; SELECT 3;",
            &[
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;",
                "SELECT 3;",
            ],
            "BEGIN ATOMIC … END is one statement; CASE … END nests inside it",
        ),
        (
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql begin atomic select 1; end; SELECT 3;",
            &[
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql begin atomic select 1; end;",
                "SELECT 3;",
            ],
            "keywords are case-insensitive",
        ),
        (
            "BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT 1; COMMIT;",
            &["BEGIN ISOLATION LEVEL SERIALIZABLE;", "SELECT 1;", "COMMIT;"],
            "only ATOMIC right after BEGIN opens a body",
        ),
        (
            "SELECT atomic FROM t; SELECT 2;",
            &["SELECT atomic FROM t;", "SELECT 2;"],
            "ATOMIC not after BEGIN opens nothing",
        ),
        (
            "SELECT begin, atomic FROM t; SELECT 2;",
            &["SELECT begin, atomic FROM t;", "SELECT 2;"],
            "punctuation separates BEGIN from ATOMIC",
        ),
        (
            "SELECT begin 'x' atomic; SELECT 2;",
            &["SELECT begin 'x' atomic;", "SELECT 2;"],
            "a string separates BEGIN from ATOMIC",
        ),
        (
            "SELECT begin \"x\" atomic; SELECT 2;",
            &["SELECT begin \"x\" atomic;", "SELECT 2;"],
            "a quoted identifier separates BEGIN from ATOMIC",
        ),
        (
            "SELECT begin $$x$$ atomic; SELECT 2;",
            &["SELECT begin $$x$$ atomic;", "SELECT 2;"],
            "a dollar-quoted string separates BEGIN from ATOMIC",
        ),
        (
            "SELECT begin; SELECT atomic; SELECT 2;",
            &["SELECT begin;", "SELECT atomic;", "SELECT 2;"],
            "a `;` separates BEGIN from ATOMIC",
        ),
        (
            "SELECT 1 - 2; SELECT 4 / 2; SELECT 3;",
            &["SELECT 1 - 2;", "SELECT 4 / 2;", "SELECT 3;"],
            "a lone - or / starts no comment",
        ),
        (
            "SELECT 1 -- x; y\n; SELECT 2;",
            &["SELECT 1 -- x; y\n;", "SELECT 2;"],
            "-- runs to the end of the line",
        ),
        (
            "SELECT 1 /* a /* b; */ c; */; SELECT 2;",
            &["SELECT 1 /* a /* b; */ c; */;", "SELECT 2;"],
            "/* */ comments nest",
        ),
        (
            "SELECT 1 /* x */; SELECT 2 /**/;",
            &["SELECT 1 /* x */;", "SELECT 2 /**/;"],
            "a comment ends at its first unnested */",
        ),
        (
            "SELECT 'a\\'; SELECT 2;",
            &["SELECT 'a\\';", "SELECT 2;"],
            "a backslash does not escape in a standard string",
        ),
        (
            "SELECT date'a\\'; SELECT 2;",
            &["SELECT date'a\\';", "SELECT 2;"],
            "an e ending an identifier does not make an escape string",
        ),
        (
            "SELECT x.e'a\\'b'; SELECT 2;",
            &["SELECT x.e'a\\'b';", "SELECT 2;"],
            "after punctuation, e starts a token: an escape string",
        ),
        (
            "SELECT e'it\\'s; x'; SELECT 2;",
            &["SELECT e'it\\'s; x';", "SELECT 2;"],
            "lowercase e'…' is an escape string",
        ),
        (
            "SELECT E'a\\\\'; SELECT 2;",
            &["SELECT E'a\\\\';", "SELECT 2;"],
            "an escaped backslash ends an escape string",
        ),
        (
            "E'a\\';'; SELECT 2;",
            &["E'a\\';';", "SELECT 2;"],
            "an escape string at the start of the script",
        ),
        (
            "SELECT 'it''s; x'; SELECT 2;",
            &["SELECT 'it''s; x';", "SELECT 2;"],
            "'' is a quote inside a string",
        ),
        (
            "SELECT \"a\"\"; b\"; SELECT 2;",
            &["SELECT \"a\"\"; b\";", "SELECT 2;"],
            "\"\" is a quote inside a quoted identifier",
        ),
        (
            "DO $_x$ BEGIN PERFORM 1; END $_x$; SELECT 1;",
            &["DO $_x$ BEGIN PERFORM 1; END $_x$;", "SELECT 1;"],
            "a tag may start with an underscore",
        ),
        (
            "DO $a1$ BEGIN PERFORM 1; END $a1$; SELECT 1;",
            &["DO $a1$ BEGIN PERFORM 1; END $a1$;", "SELECT 1;"],
            "a tag may hold digits",
        ),
        (
            "DO $é$ BEGIN PERFORM 1; END $é$; SELECT 1;",
            &["DO $é$ BEGIN PERFORM 1; END $é$;", "SELECT 1;"],
            "a tag may hold non-ASCII letters",
        ),
        (
            "DO $a$ $b$; $a$; SELECT 1;",
            &["DO $a$ $b$; $a$;", "SELECT 1;"],
            "only the same tag closes",
        ),
        (
            "DO $a$ $ab; $a$; SELECT 1;",
            &["DO $a$ $ab; $a$;", "SELECT 1;"],
            "the closing tag is the whole $a$, not a text starting with $a",
        ),
        (
            "SELECT $1a$ ; SELECT 2;",
            &["SELECT $1a$ ;", "SELECT 2;"],
            "a tag cannot start with a digit",
        ),
        (
            "SELECT x$$ ; SELECT 2;",
            &["SELECT x$$ ;", "SELECT 2;"],
            "$ inside an identifier opens nothing",
        ),
        (
            "SELECT 1;;; SELECT 2;",
            &["SELECT 1;", "SELECT 2;"],
            "empty statements are left out",
        ),
        (
            "-- only a comment;\n/* and; another */",
            &[],
            "a script of comments has no statement",
        ),
        ("SELECT 1", &["SELECT 1"], "the last statement needs no `;`"),
        ("SELECT $", &["SELECT $"], "a $ ending the script"),
        ("SELECT $a", &["SELECT $a"], "an unfinished tag ending the script"),
        ("SELECT $a1", &["SELECT $a1"], "an unfinished tag with a digit ending the script"),
        (
            "xe'a\\'; SELECT 2;",
            &["xe'a\\';", "SELECT 2;"],
            "an e ending an identifier at the start of the script",
        ),
        (
            "$$;$$; SELECT 2;",
            &["$$;$$;", "SELECT 2;"],
            "a dollar quote at the start of the script",
        ),
        (
            "SELECT 1 AS a1$x$; SELECT 2;",
            &["SELECT 1 AS a1$x$;", "SELECT 2;"],
            "digits and $ continue an identifier (§4.1.1): a $ after a digit in a name opens no quote",
        ),
    ];
    for (script, expected, rule) in rows {
        assert_eq!(texts(script), *expected, "{script}: {rule}");
    }
}

// PostgreSQL's reference pages: statements that "cannot be executed inside a transaction
// block". The name is what the user sees in the reason.
#[test]
fn every_statement_that_refuses_a_block_is_named() {
    let rows: &[(&str, bool, Option<&str>, &str)] = &[
        (
            "CREATE DATABASE d;",
            false,
            Some("CREATE DATABASE"),
            "CREATE DATABASE",
        ),
        (
            "drop database d;",
            false,
            Some("DROP DATABASE"),
            "DROP DATABASE",
        ),
        (
            "ALTER SYSTEM SET work_mem = 1;",
            false,
            Some("ALTER SYSTEM"),
            "ALTER SYSTEM",
        ),
        (
            "CREATE TABLESPACE s LOCATION '/x';",
            false,
            Some("CREATE TABLESPACE"),
            "CREATE TABLESPACE",
        ),
        (
            "DROP TABLESPACE s;",
            false,
            Some("DROP TABLESPACE"),
            "DROP TABLESPACE",
        ),
        (
            "ALTER TABLESPACE s RENAME TO t;",
            false,
            None,
            "ALTER TABLESPACE runs in a block",
        ),
        (
            "ALTER DATABASE d SET x = 1;",
            false,
            None,
            "ALTER DATABASE … SET runs in a block",
        ),
        ("VACUUM;", false, Some("VACUUM"), "VACUUM alone"),
        (
            "/* CREATE TABLE */ CREATE INDEX CONCURRENTLY i ON t (a);",
            false,
            Some("CREATE INDEX CONCURRENTLY"),
            "words inside a leading /* */ comment are skipped",
        ),
        (
            "/*/ DROP */ CREATE INDEX CONCURRENTLY i ON t (a);",
            false,
            Some("CREATE INDEX CONCURRENTLY"),
            "/*/ opens a comment that the / does not close",
        ),
        (
            "-- DROP\nCREATE INDEX CONCURRENTLY i ON t (a);",
            false,
            Some("CREATE INDEX CONCURRENTLY"),
            "words inside a leading -- comment are skipped",
        ),
        (
            "CREATE INDEX CONCURRENTLY",
            false,
            Some("CREATE INDEX CONCURRENTLY"),
            "no text after the words",
        ),
        (
            "REINDEX INDEX CONCURRENTLY i;",
            false,
            Some("REINDEX CONCURRENTLY"),
            "REINDEX",
        ),
        (
            "REINDEX (VERBOSE) INDEX i;",
            false,
            None,
            "REINDEX without CONCURRENTLY",
        ),
        (
            "CREATE INDEX \"concurrently\" ON t (a);",
            false,
            None,
            "a quoted name is a name, never a keyword (PostgreSQL 4.1.1): an index called concurrently",
        ),
        (
            "CREATE UNIQUE INDEX \"CONCURRENTLY\" ON t (a);",
            false,
            None,
            "a quoted name after UNIQUE",
        ),
        (
            "DROP INDEX \"concurrently\";",
            false,
            None,
            "DROP INDEX of an index called concurrently",
        ),
        (
            "REINDEX TABLE \"concurrently\";",
            false,
            None,
            "REINDEX of a table called concurrently",
        ),
        (
            "CREATE INDEX \"a\"\"b\" ON t (a);",
            false,
            None,
            "a doubled quote inside a quoted name does not end it",
        ),
        (
            "CREATE INDEX \"x\"\"concurrently ON t (a);",
            false,
            None,
            "a name left open to the end holds the rest",
        ),
        (
            "ALTER TYPE m RENAME VALUE 'add value' TO 'x';",
            true,
            None,
            "ADD VALUE inside a string is not ADD VALUE (PostgreSQL 4.1.2.1)",
        ),
        (
            "CREATE INDEX CONCURRENTLY \"i\" ON t (a);",
            false,
            Some("CREATE INDEX CONCURRENTLY"),
            "a quoted name after the keyword",
        ),
        (
            "DROP INDEX i;",
            false,
            None,
            "DROP INDEX without CONCURRENTLY",
        ),
        (
            "CREATE UNIQUE INDEX i ON t (a);",
            false,
            None,
            "UNIQUE without CONCURRENTLY",
        ),
        (
            "ALTER TYPE m ADD VALUE 'x';",
            true,
            Some("ALTER TYPE … ADD VALUE"),
            "before PostgreSQL 12",
        ),
        (
            "ALTER TYPE m RENAME VALUE 'x' TO 'y';",
            true,
            None,
            "only ADD VALUE refuses a block",
        ),
        (
            "ALTER TYPE m ADD ATTRIBUTE a int;",
            true,
            None,
            "ADD is not ADD VALUE",
        ),
        (
            "ALTER TYPE \"my schema\".\"m\" /* c */ ADD VALUE IF NOT EXISTS 'x';",
            true,
            Some("ALTER TYPE … ADD VALUE"),
            "quoted names and comments before ADD VALUE",
        ),
        (
            "ALTER TABLE t ADD VALUE int;",
            true,
            None,
            "only ALTER TYPE",
        ),
        (
            "ALTER TYPE \"a/b\" ADD VALUE 'x';",
            true,
            Some("ALTER TYPE … ADD VALUE"),
            "a lone / starts no comment",
        ),
        (
            "ALTER TYPE \"a-b\" ADD VALUE 'x';",
            true,
            Some("ALTER TYPE … ADD VALUE"),
            "a lone - starts no comment",
        ),
        (
            "ALTER TYPE \"a*\" ADD VALUE 'x';",
            true,
            Some("ALTER TYPE … ADD VALUE"),
            "only /* starts a comment, not any character before *",
        ),
    ];
    for (statement, old_server, expected, rule) in rows {
        assert_eq!(
            needs_no_transaction(statement, *old_server),
            *expected,
            "{statement}: {rule}"
        );
    }
}

// The directive must be the first line exactly (a BOM and trailing spaces allowed), and the
// first statement that refuses a block names the reason.
#[test]
fn split_reason_rules() {
    let plain = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n";
    let rows: Vec<(String, Option<SplitReason>, &str)> = vec![
        (
            format!("\u{feff}{NO_TRANSACTION_DIRECTIVE}  \n{plain}"),
            Some(SplitReason::Directive),
            "BOM and trailing spaces",
        ),
        (
            format!("{NO_TRANSACTION_DIRECTIVE}\nSELECT 1;"),
            Some(SplitReason::Directive),
            "the directive holds even for one statement",
        ),
        (
            format!("\n{NO_TRANSACTION_DIRECTIVE}\n{plain}"),
            None,
            "only on the first line",
        ),
        (
            format!("{NO_TRANSACTION_DIRECTIVE}x\n{plain}"),
            None,
            "the whole line",
        ),
        (
            "VACUUM; CREATE DATABASE d;".to_owned(),
            Some(SplitReason::Statement("VACUUM".to_owned())),
            "the first such statement is named",
        ),
        (
            "SELECT 1; ALTER TYPE m ADD VALUE 'x';".to_owned(),
            None,
            "ADD VALUE counts only on old servers",
        ),
    ];
    for (script, expected, rule) in rows {
        assert_eq!(
            split_reason(&script, &split(&script), false),
            expected,
            "{rule}"
        );
    }
    let old = "SELECT 1; ALTER TYPE m ADD VALUE 'x';";
    assert_eq!(
        split_reason(old, &split(old), true),
        Some(SplitReason::Statement("ALTER TYPE … ADD VALUE".to_owned()))
    );
}

// `words`, what the statement checks match on: the first `n` words, upper-cased, comments
// and parenthesised option lists skipped. Each row: statement, n, the words, the rule.
#[test]
fn words_are_the_first_n_leading_words() {
    let rows: &[(&str, usize, &[&str], &str)] = &[
        (
            "create index concurrently i on t (a)",
            3,
            &["CREATE", "INDEX", "CONCURRENTLY"],
            "at most n words, upper-cased",
        ),
        (
            "/* x */ -- y\nREINDEX (VERBOSE) TABLE CONCURRENTLY t",
            4,
            &["REINDEX", "TABLE", "CONCURRENTLY", "T"],
            "comments and an option list in parentheses are skipped",
        ),
        ("VACUUM;", 6, &["VACUUM"], "fewer words than n"),
        (
            "a - b",
            3,
            &["A", "B"],
            "a lone - is an operator, not a comment (PostgreSQL 4.1.5)",
        ),
        (
            "a / b",
            3,
            &["A", "B"],
            "a lone / is an operator, not a comment",
        ),
        (
            "a -b c",
            3,
            &["A", "B", "C"],
            "- before a letter is not a comment",
        ),
        (
            "a --b\nc",
            3,
            &["A", "C"],
            "-- comments out the rest of the line",
        ),
        (
            "x \"a\"\"b\" y",
            3,
            &["X", "\"a\"\"b\"", "Y"],
            "a doubled quote stays inside one quoted name (PostgreSQL 4.1.1)",
        ),
        (
            "x 'it''s' \"q\" y",
            4,
            &["X", "'it''s'", "\"q\"", "Y"],
            "a string, then a quoted name: each one word as written",
        ),
        (
            "x E'it\\'s' \"q\" y",
            5,
            &["X", "E", "'it\\'s'", "\"q\"", "Y"],
            "an E'…' string takes backslash escapes, as the splitter reads it",
        ),
        (
            "x \"open y",
            3,
            &["X", "\"open y"],
            "a quoted name left open holds the rest",
        ),
    ];
    for (statement, n, expected, rule) in rows {
        assert_eq!(words(statement, *n), *expected, "{statement}: {rule}");
    }
}
