//! What a migration script leaves in the catalog: the tables, indexes, columns, types and
//! constraints it creates or drops. `fix` checks them in the database to tell a failed
//! migration that left nothing behind from one that was finished by hand. Pure; a
//! statement it does not understand is counted, never guessed at.

use super::statements::split;
use regex::Regex;
use std::sync::LazyLock;

/// One identifier as written: quoted names keep their case, bare ones are folded by the
/// database (PostgreSQL to lower case; SQLite and MySQL compare without case).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    pub text: String,
    pub quoted: bool,
}

/// A possibly schema-qualified name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QualifiedName {
    pub schema: Option<Ident>,
    pub name: Ident,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SchemaObject {
    /// A table, view or sequence.
    Relation(QualifiedName),
    Index(QualifiedName),
    Type(QualifiedName),
    Schema(Ident),
    Column(QualifiedName, Ident),
    Constraint(QualifiedName, Ident),
}

impl std::fmt::Display for SchemaObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn q(n: &QualifiedName) -> String {
            match &n.schema {
                Some(s) => format!("{}.{}", s.text, n.name.text),
                None => n.name.text.clone(),
            }
        }
        match self {
            SchemaObject::Relation(n) => write!(f, "table {}", q(n)),
            SchemaObject::Index(n) => write!(f, "index {}", q(n)),
            SchemaObject::Type(n) => write!(f, "type {}", q(n)),
            SchemaObject::Schema(n) => write!(f, "schema {}", n.text),
            SchemaObject::Column(t, c) => write!(f, "column {}.{}", q(t), c.text),
            SchemaObject::Constraint(t, c) => write!(f, "constraint {} on {}", c.text, q(t)),
        }
    }
}

/// An object and whether it exists once the script has run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub object: SchemaObject,
    pub present_when_applied: bool,
}

/// The script's checkable effects, and how many statements have none that can be checked
/// (data changes, `ALTER COLUMN`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptEffects {
    pub expectations: Vec<Expectation>,
    pub unchecked_statements: usize,
}

// Bare names: anything up to a blank or punctuation (cheaper to compile than Unicode
// classes, and the database, not this pattern, decides what a valid name is).
const IDENT: &str = r#"(?:"(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[^\s"`\[\]().,;=]+)"#;

fn re(pattern: &str) -> Regex {
    let pattern = pattern
        .replace("QNAME", &format!(r"({IDENT}(?:\s*\.\s*{IDENT})?)"))
        .replace("NAME", &format!(r"({IDENT})"));
    Regex::new(&format!("(?is){pattern}")).expect("static pattern")
}

static CREATE_TABLE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^create\s+(?:or\s+replace\s+)?(?:(?:global\s+|local\s+)?(?:temp|temporary)\s+|unlogged\s+)?(?:table|(?:materialized\s+)?view|sequence)\s+(?:if\s+not\s+exists\s+)?QNAME",
    )
});
static CREATE_INDEX: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^create\s+(?:unique\s+)?index\s+(?:concurrently\s+)?(?:if\s+not\s+exists\s+)?QNAME\s+on\s+(?:only\s+)?QNAME",
    )
});
static CREATE_TYPE: LazyLock<Regex> = LazyLock::new(|| re(r"^create\s+type\s+QNAME"));
static CREATE_SCHEMA: LazyLock<Regex> =
    LazyLock::new(|| re(r"^create\s+schema\s+(?:if\s+not\s+exists\s+)?NAME"));
static DROP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^drop\s+(table|(?:materialized\s+)?view|sequence|index|type|schema)\s+(?:concurrently\s+)?(?:if\s+exists\s+)?(.*?)(?:\s+(?:cascade|restrict))?\s*;?\s*$",
    )
});
static ALTER_TABLE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?QNAME\s+(.*?)\s*;?\s*$"));
static RENAME_TO: LazyLock<Regex> = LazyLock::new(|| re(r"^rename\s+to\s+NAME$"));
static RENAME_COLUMN: LazyLock<Regex> =
    LazyLock::new(|| re(r"^rename\s+(?:column\s+)?NAME\s+to\s+NAME$"));
static ADD_CONSTRAINT: LazyLock<Regex> =
    LazyLock::new(|| re(r"^add\s+constraint\s+(?:if\s+not\s+exists\s+)?NAME\s"));
static ADD_COLUMN: LazyLock<Regex> =
    LazyLock::new(|| re(r"^add\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?NAME\s"));
static DROP_CONSTRAINT: LazyLock<Regex> =
    LazyLock::new(|| re(r"^drop\s+constraint\s+(?:if\s+exists\s+)?NAME"));
static DROP_COLUMN: LazyLock<Regex> =
    LazyLock::new(|| re(r"^drop\s+(?:column\s+)?(?:if\s+exists\s+)?NAME"));

fn ident(raw: &str) -> Ident {
    let raw = raw.trim();
    let unquote = |s: &str, q: char| s.replace(&format!("{q}{q}"), &q.to_string());
    if let Some(inner) = raw.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Ident {
            text: unquote(inner, '"'),
            quoted: true,
        }
    } else if let Some(inner) = raw.strip_prefix('`').and_then(|s| s.strip_suffix('`')) {
        Ident {
            text: inner.to_owned(),
            quoted: true,
        }
    } else if let Some(inner) = raw.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        Ident {
            text: inner.to_owned(),
            quoted: true,
        }
    } else {
        Ident {
            text: raw.to_owned(),
            quoted: false,
        }
    }
}

/// Splits `a.b` (outside quotes) into schema and name.
fn qualified(raw: &str) -> QualifiedName {
    let parts = split_top_level(raw, b'.');
    match parts.as_slice() {
        [schema, name] => QualifiedName {
            schema: Some(ident(schema)),
            name: ident(name),
        },
        _ => QualifiedName {
            schema: None,
            name: ident(raw),
        },
    }
}

/// Splits on `sep` outside quotes and parentheses.
fn split_top_level(s: &str, sep: u8) -> Vec<&str> {
    let b = s.as_bytes();
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<u8>, 0);
    for (i, &c) in b.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'"' | b'`' | b'\'' => quote = Some(c),
                b'(' => depth += 1,
                b')' => depth -= 1,
                _ if c == sep && depth == 0 => {
                    parts.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            },
        }
    }
    parts.push(&s[start..]);
    parts
}

/// The statement without its leading comments and blank space.
fn strip_leading_comments(mut s: &str) -> &str {
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix("--") {
            s = rest.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(rest) = s.strip_prefix("/*") {
            s = rest.split_once("*/").map_or("", |(_, r)| r);
        } else {
            return s;
        }
    }
}

/// One statement's expectations, or `None` when it has none that can be checked.
fn statement_effects(text: &str) -> Option<Vec<Expectation>> {
    let present = |object| Expectation {
        object,
        present_when_applied: true,
    };
    let absent = |object| Expectation {
        object,
        present_when_applied: false,
    };
    if let Some(c) = CREATE_TABLE.captures(text) {
        return Some(vec![present(SchemaObject::Relation(qualified(&c[1])))]);
    }
    if let Some(c) = CREATE_INDEX.captures(text) {
        let mut name = qualified(&c[1]);
        // An index lives in its table's schema.
        if name.schema.is_none() {
            name.schema = qualified(&c[2]).schema;
        }
        return Some(vec![present(SchemaObject::Index(name))]);
    }
    if let Some(c) = CREATE_TYPE.captures(text) {
        return Some(vec![present(SchemaObject::Type(qualified(&c[1])))]);
    }
    if let Some(c) = CREATE_SCHEMA.captures(text) {
        return Some(vec![present(SchemaObject::Schema(ident(&c[1])))]);
    }
    if let Some(c) = DROP.captures(text) {
        let kind = c[1].to_ascii_lowercase();
        let names = split_top_level(&c[2], b',');
        return Some(
            names
                .into_iter()
                .map(|n| {
                    let n = qualified(n);
                    absent(match kind.as_str() {
                        "index" => SchemaObject::Index(n),
                        "type" => SchemaObject::Type(n),
                        "schema" => SchemaObject::Schema(n.name),
                        _ => SchemaObject::Relation(n),
                    })
                })
                .collect(),
        );
    }
    if let Some(c) = ALTER_TABLE.captures(text) {
        let table = qualified(&c[1]);
        let mut out = Vec::new();
        for action in split_top_level(&c[2], b',') {
            let action = action.trim();
            if let Some(r) = RENAME_TO.captures(action) {
                out.push(absent(SchemaObject::Relation(table.clone())));
                out.push(present(SchemaObject::Relation(QualifiedName {
                    schema: table.schema.clone(),
                    name: ident(&r[1]),
                })));
            } else if let Some(r) = ADD_CONSTRAINT.captures(action) {
                out.push(present(SchemaObject::Constraint(
                    table.clone(),
                    ident(&r[1]),
                )));
            } else if let Some(r) = DROP_CONSTRAINT.captures(action) {
                out.push(absent(SchemaObject::Constraint(
                    table.clone(),
                    ident(&r[1]),
                )));
            } else if let Some(r) = RENAME_COLUMN.captures(action) {
                if r[1].eq_ignore_ascii_case("constraint") {
                    return None;
                }
                out.push(absent(SchemaObject::Column(table.clone(), ident(&r[1]))));
                out.push(present(SchemaObject::Column(table.clone(), ident(&r[2]))));
            } else if let Some(r) = ADD_COLUMN.captures(action) {
                if is_keyword(&r[1]) {
                    return None;
                }
                out.push(present(SchemaObject::Column(table.clone(), ident(&r[1]))));
            } else if let Some(r) = DROP_COLUMN.captures(action) {
                if is_keyword(&r[1]) {
                    return None;
                }
                out.push(absent(SchemaObject::Column(table.clone(), ident(&r[1]))));
            } else {
                // ALTER COLUMN, SET …, ENABLE …: the catalog shows no name for them.
                return None;
            }
        }
        return Some(out);
    }
    None
}

/// Words after ADD/DROP that begin something other than a column.
fn is_keyword(word: &str) -> bool {
    const WORDS: [&str; 8] = [
        "constraint",
        "primary",
        "unique",
        "foreign",
        "check",
        "index",
        "key",
        "exclude",
    ];
    WORDS.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// The checkable effects of `script`, as the database is left when every statement ran.
/// An object two statements touch (SQLite's table redefinitions, a table created twice)
/// tells nothing either way: it is left out, and a statement left with nothing to check
/// counts as unchecked.
pub fn script_effects(script: &str) -> ScriptEffects {
    let mut effects = ScriptEffects::default();
    // (object, present when applied, touched by more than one statement)
    let mut seen: Vec<(SchemaObject, bool, bool)> = Vec::new();
    let mut statements: Vec<Vec<SchemaObject>> = Vec::new();
    for statement in split(script) {
        let text = strip_leading_comments(statement.text);
        if text.trim_end_matches(';').trim().is_empty() {
            continue;
        }
        match statement_effects(text) {
            Some(list) if !list.is_empty() => {
                let mut objects = Vec::new();
                for e in list {
                    objects.push(e.object.clone());
                    match seen.iter_mut().find(|(o, _, _)| *o == e.object) {
                        Some(entry) => {
                            entry.1 = e.present_when_applied;
                            entry.2 = true;
                        }
                        None => seen.push((e.object, e.present_when_applied, false)),
                    }
                }
                statements.push(objects);
            }
            _ => effects.unchecked_statements += 1,
        }
    }
    let ambiguous = |o: &SchemaObject| seen.iter().any(|(x, _, twice)| x == o && *twice);
    effects.unchecked_statements += statements
        .iter()
        .filter(|objects| objects.iter().all(ambiguous))
        .count();
    effects.expectations = seen
        .iter()
        .filter(|(_, _, twice)| !twice)
        .map(|(object, present_when_applied, _)| Expectation {
            object: object.clone(),
            present_when_applied: *present_when_applied,
        })
        .collect();
    effects
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(script: &str) -> (Vec<String>, usize) {
        let e = script_effects(script);
        (
            e.expectations
                .iter()
                .map(|x| {
                    format!(
                        "{}{}",
                        if x.present_when_applied { "+" } else { "-" },
                        x.object
                    )
                })
                .collect(),
            e.unchecked_statements,
        )
    }

    #[test]
    fn prisma_generated_postgres_script() {
        let script = r#"-- CreateEnum
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');

-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "Post" ADD COLUMN "views" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "rating" DOUBLE PRECISION;

UPDATE "Post" SET "views" = 1;
"#;
        assert_eq!(
            describe(script),
            (
                vec![
                    "+type Role".to_owned(),
                    "+table User".to_owned(),
                    "+index User_email_key".to_owned(),
                    "+constraint Post_authorId_fkey on Post".to_owned(),
                    "+column Post.views".to_owned(),
                    "+column Post.rating".to_owned(),
                ],
                1
            )
        );
    }

    #[test]
    fn drops_renames_and_schemas() {
        let (objects, unchecked) = describe(
            "DROP TABLE IF EXISTS a, \"S\".b CASCADE;\nDROP INDEX CONCURRENTLY i;\nALTER TABLE x RENAME TO y;\nALTER TABLE y RENAME COLUMN c TO d;\nALTER TABLE y DROP COLUMN e, ALTER COLUMN f SET NOT NULL;\nCREATE SCHEMA IF NOT EXISTS app;\n",
        );
        assert_eq!(
            objects,
            [
                "-table a",
                "-table S.b",
                "-index i",
                "-table x",
                "+table y",
                "-column y.c",
                "+column y.d",
                "+schema app"
            ]
        );
        assert_eq!(unchecked, 1);
    }

    #[test]
    fn sqlite_redefinitions_tell_nothing() {
        let script = "PRAGMA foreign_keys=OFF;\nCREATE TABLE \"new_Post\" (\"id\" INTEGER);\nINSERT INTO \"new_Post\" SELECT \"id\" FROM \"Post\";\nDROP TABLE \"Post\";\nALTER TABLE \"new_Post\" RENAME TO \"Post\";\nPRAGMA foreign_keys=ON;\n";
        let (objects, unchecked) = describe(script);
        assert!(objects.is_empty(), "{objects:?}");
        assert_eq!(unchecked, 6);
    }

    #[test]
    fn quoted_names_keep_case_and_escapes() {
        let e = script_effects("CREATE TABLE \"a\"\"b\" (id int); create table `My` (id int); CREATE INDEX ix ON s.t (c);");
        assert_eq!(
            e.expectations[0].object,
            SchemaObject::Relation(QualifiedName {
                schema: None,
                name: Ident {
                    text: "a\"b".into(),
                    quoted: true
                }
            })
        );
        assert!(
            matches!(&e.expectations[1].object, SchemaObject::Relation(n) if n.name.text == "My" && n.name.quoted)
        );
        assert!(
            matches!(&e.expectations[2].object, SchemaObject::Index(n) if n.schema.as_ref().map(|s| s.text.as_str()) == Some("s"))
        );
    }

    // The seed's broken migration: PostgreSQL rejects `ADD CONSTRAINT IF NOT EXISTS`, so
    // the whole file rolls back; its effects are still what the file says.
    #[test]
    fn seed_fixture_is_understood() {
        let script = include_str!("../../tests/fixtures/stogram_add_new_features_broken.sql");
        let e = script_effects(script);
        assert!(e.expectations.len() >= 3, "{e:?}");
        assert!(e
            .expectations
            .iter()
            .any(|x| matches!(x.object, SchemaObject::Constraint(..))));
    }

    // One row per rule of what a statement leaves in the catalog (`fix` probes these; a
    // statement it cannot read is counted, never guessed at). Objects print as `+` (exists
    // once applied) or `-` (gone once applied).
    #[test]
    fn statement_rules() {
        for (script, objects, unchecked, rule) in [
            ("CREATE TABLE t (a int);", &["+table t"][..], 0, "a table"),
            (
                "CREATE UNLOGGED TABLE IF NOT EXISTS s.t (a int);",
                &["+table s.t"],
                0,
                "schema-qualified, with modifiers",
            ),
            ("CREATE OR REPLACE VIEW v AS SELECT 1;", &["+table v"], 0, "views are relations"),
            ("CREATE SEQUENCE q;", &["+table q"], 0, "sequences are relations"),
            (
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY s.t (a);",
                &["+index s.i"],
                0,
                "an index lives in its table's schema",
            ),
            ("CREATE TYPE s.e AS ENUM ('a');", &["+type s.e"], 0, "a type"),
            ("CREATE SCHEMA IF NOT EXISTS \"App\";", &["+schema App"], 0, "a schema"),
            ("DROP VIEW v;", &["-table v"], 0, "dropping a view"),
            ("DROP SEQUENCE IF EXISTS q;", &["-table q"], 0, "dropping a sequence"),
            ("DROP INDEX s.i;", &["-index s.i"], 0, "dropping an index"),
            ("DROP TYPE e, s.f CASCADE;", &["-type e", "-type s.f"], 0, "dropping types"),
            ("DROP SCHEMA app RESTRICT;", &["-schema app"], 0, "dropping a schema"),
            (
                "DROP TABLE \"a,b\", \"c.d\".e;",
                &["-table a,b", "-table c.d.e"],
                0,
                "commas and dots inside quotes are part of the name",
            ),
            (
                "ALTER TABLE s.t ADD CONSTRAINT c CHECK (a IN (1, 2)), ADD COLUMN d int;",
                &["+constraint c on s.t", "+column s.t.d"],
                0,
                "commas inside parentheses do not end an action",
            ),
            (
                "ALTER TABLE t ADD CONSTRAINT c CHECK (a > ')'), ADD d int;",
                &["+constraint c on t", "+column t.d"],
                0,
                "a parenthesis inside a string does not count",
            ),
            (
                "ALTER TABLE t DROP CONSTRAINT IF EXISTS c, DROP d;",
                &["-constraint c on t", "-column t.d"],
                0,
                "dropping a constraint and a column",
            ),
            (
                "ALTER TABLE IF EXISTS ONLY s.t RENAME TO u;",
                &["-table s.t", "+table s.u"],
                0,
                "a renamed table keeps its schema",
            ),
            (
                "ALTER TABLE t RENAME a TO b;",
                &["-column t.a", "+column t.b"],
                0,
                "RENAME without COLUMN renames a column",
            ),
            ("ALTER TABLE t RENAME CONSTRAINT a TO b;", &[], 1, "renamed constraints are not read"),
            ("ALTER TABLE t ADD PRIMARY KEY (a);", &[], 1, "ADD PRIMARY KEY adds no column"),
            ("ALTER TABLE t ADD UNIQUE (a);", &[], 1, "ADD UNIQUE adds no column"),
            ("ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u;", &[], 1, "nor FOREIGN KEY"),
            ("ALTER TABLE t ADD CHECK (a > 0);", &[], 1, "nor CHECK"),
            ("ALTER TABLE t ADD INDEX i (a);", &[], 1, "nor MySQL's ADD INDEX"),
            ("ALTER TABLE t ADD KEY i (a);", &[], 1, "nor MySQL's ADD KEY"),
            ("ALTER TABLE t ADD EXCLUDE USING gist (a WITH &&);", &[], 1, "nor EXCLUDE"),
            ("ALTER TABLE t DROP PRIMARY KEY;", &[], 1, "MySQL's DROP PRIMARY KEY drops no column"),
            ("ALTER TABLE t DROP CONSTRAINT;", &[], 1, "a constraint keyword is no column name"),
            ("ALTER TABLE t ALTER COLUMN a SET NOT NULL;", &[], 1, "ALTER COLUMN is not read"),
            ("UPDATE t SET a = 1;", &[], 1, "data changes are not read"),
            (
                "/* setup */ -- note\nCREATE TABLE t (a int);",
                &["+table t"],
                0,
                "leading comments are skipped",
            ),
            ("-- only a comment\n", &[], 0, "a comment alone is no statement"),
            ("CREATE TABLE t (a int);\n;\n", &["+table t"], 0, "an empty statement is none"),
            (
                "CREATE TABLE t (a int);\nDROP TABLE t;",
                &[],
                2,
                "created and dropped: tells nothing, both statements unchecked",
            ),
            (
                "CREATE TABLE t (a int);\nCREATE TABLE u (a int);\nDROP TABLE t, u;\nCREATE TABLE u (b int);",
                &[],
                4,
                "every object of a statement touched twice",
            ),
            (
                "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int, ADD COLUMN c int;\nALTER TABLE t DROP COLUMN c;",
                &["+table t", "+column t.b"],
                1,
                "a statement with one object left still counts",
            ),
        ] {
            let (got, got_unchecked) = describe(script);
            assert_eq!(got, objects, "{script}: {rule}");
            assert_eq!(got_unchecked, unchecked, "{script}: {rule} (unchecked)");
        }
    }

    #[test]
    fn display_names_each_kind() {
        let name = |schema: Option<&str>, text: &str| QualifiedName {
            schema: schema.map(ident),
            name: ident(text),
        };
        for (object, want) in [
            (SchemaObject::Relation(name(Some("s"), "t")), "table s.t"),
            (SchemaObject::Index(name(None, "i")), "index i"),
            (SchemaObject::Type(name(Some("s"), "e")), "type s.e"),
            (SchemaObject::Schema(ident("s")), "schema s"),
            (
                SchemaObject::Column(name(Some("s"), "t"), ident("c")),
                "column s.t.c",
            ),
            (
                SchemaObject::Constraint(name(None, "t"), ident("k")),
                "constraint k on t",
            ),
        ] {
            assert_eq!(object.to_string(), want);
        }
    }

    // Quoting as each database writes names: PostgreSQL's "…" with "" for a quote, MySQL's
    // backticks, SQL Server's brackets; a bare name is left for the database to fold.
    #[test]
    fn identifier_quoting() {
        for (raw, text, quoted) in [
            ("\"a\"\"b\"", "a\"b", true),
            ("`My`", "My", true),
            ("[My Table]", "My Table", true),
            ("  Bare ", "Bare", false),
            ("\"", "\"", false),
        ] {
            assert_eq!(
                ident(raw),
                Ident {
                    text: text.into(),
                    quoted
                },
                "{raw}"
            );
        }
        assert_eq!(
            qualified("\"s\" . t").schema.map(|s| s.text),
            Some("s".to_owned())
        );
        assert_eq!(
            qualified("a.b.c").name.text,
            "a.b.c",
            "three parts: not split"
        );
    }
}
