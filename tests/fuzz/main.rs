//! Fuzz targets (proptest): the URL parsers, the lockfile reader, the migrations-folder
//! reader and the statement splitter never panic and keep their invariants, on mutations of
//! the corpora in tests/fuzz/corpus. `scripts/fuzz.sh` runs them long; the suite, briefly.
#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use prismig::__internal::dburl::{MysqlUrlParse, PgUrl, SqliteUrl};
use prismig::__internal::migration::statements::{split, split_reason};
use prismig::__internal::migration::{read_lock_provider, MigrationsDir};
use proptest::prelude::*;
use std::path::Path;

fn corpus(name: &str) -> Vec<String> {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fuzz/corpus")
            .join(name),
    )
    .unwrap()
    .lines()
    .map(|l| l.replace("\\n", "\n").replace("\\r", "\r"))
    .collect()
}

/// A corpus entry with random edits: insertions, deletions, replacements.
fn mutated(seeds: Vec<String>) -> impl Strategy<Value = String> {
    (
        proptest::sample::select(seeds),
        proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, "\\PC{0,4}"), 0..6),
    )
        .prop_map(|(seed, edits)| {
            let mut chars: Vec<char> = seed.chars().collect();
            for (at, kind, text) in edits {
                let i = if chars.is_empty() {
                    0
                } else {
                    at.index(chars.len() + 1)
                };
                match kind {
                    0 => chars.splice(i..i, text.chars()).for_each(drop),
                    1 if i < chars.len() => {
                        chars.remove(i);
                    }
                    _ if i < chars.len() => {
                        let end = (i + text.chars().count()).min(chars.len());
                        chars.splice(i..end, text.chars()).for_each(drop);
                    }
                    _ => {}
                }
            }
            chars.into_iter().collect()
        })
}

proptest! {
    #[test]
    fn url_parsers_never_panic(url in mutated(corpus("urls.txt"))) {
        if let Ok(u) = PgUrl::parse(&url) {
            // A URL that parses has a connection string, a header and an error location.
            let _ = u.conninfo();
            let _ = u.header_location();
            let _ = u.error_location();
            // An empty schema only comes from an empty `schema` parameter (`?schema=`, or
            // `?schema` without a value), as in Prisma's URL reader.
            prop_assert!(
                !u.schema().is_empty()
                    || url::Url::parse(&url).is_ok_and(|p| p
                        .query_pairs()
                        .any(|(k, v)| k == "schema" && v.is_empty()))
            );
        }
        let _ = SqliteUrl::parse(&url, Path::new("/base"));
        let _ = MysqlUrlParse::parse(&url, Path::new("/base"));
        // A masked URL never shows the password.
        if let Ok(parsed) = url::Url::parse(&url) {
            if let Some(pw) = parsed.password().filter(|p| p.len() > 3 && *p != "****") {
                let needle = format!(":{}@", pw);
                prop_assert!(!prismig::__internal::dburl::mask(&url).contains(&needle));
            }
        }
    }

    #[test]
    fn lockfile_reader_takes_the_first_provider_line(text in mutated(corpus("lockfiles.txt"))) {
        let got = read_lock_provider(&text);
        match text.lines().find(|l| l.starts_with("provider")) {
            Some(line) => prop_assert_eq!(got, line.strip_prefix("provider = ").unwrap_or(line).trim_matches('"')),
            None => prop_assert_eq!(got, "<PROVIDER NOT FOUND>"),
        }
    }

    #[test]
    fn splitter_never_panics_and_covers_the_code(script in mutated(corpus("scripts.sql"))) {
        let statements = split(&script);
        let mut end = 0;
        for s in &statements {
            prop_assert!(s.start >= end);
            prop_assert_eq!(&script[s.start..s.start + s.text.len()], s.text);
            end = s.start + s.text.len();
        }
        let _ = split_reason(&script, &statements, true);
    }

    #[test]
    fn folder_reader_lists_only_folders_in_order(
        entries in proptest::collection::vec(("[0-9]{14}_[a-zA-Z _'-]{0,8}", any::<bool>(), any::<bool>()), 0..12)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut folders = std::collections::BTreeSet::new();
        for (name, is_dir, with_sql) in entries {
            let path = dir.path().join(&name);
            if path.exists() { continue; }
            if is_dir {
                std::fs::create_dir(&path).unwrap();
                if with_sql { std::fs::write(path.join("migration.sql"), "SELECT 1;").unwrap(); }
                folders.insert(name);
            } else {
                std::fs::write(&path, "not a migration").unwrap();
            }
        }
        let read = MigrationsDir::read(dir.path());
        let names: std::collections::BTreeSet<String> = read.migrations.iter().map(|m| m.name.clone()).collect();
        prop_assert_eq!(names, folders);
        for pair in read.migrations.windows(2) {
            prop_assert_ne!(prismig::__internal::migration::locale_compare(&pair[0].name, &pair[1].name), std::cmp::Ordering::Greater);
        }
    }
}

/// A value no config in the corpus names: it may only come out where the text asks for it.
const SILENT: &str = "postgresql://silent@default/db";

proptest! {
    // The config evaluator never panics, and never makes a value up: a URL it returns is
    // one the text spells, or a variable the text names (DATABASE_URL is set but only
    // used when written); a refusal carries one of its codes.
    #[test]
    fn config_evaluator_never_panics_nor_defaults(text in mutated(corpus("configs.txt"))) {
        let mut env = prismig::__internal::config::Env::default();
        env.set("DATABASE_URL", SILENT);
        env.set("MIGRATE_URL", "postgresql://named@var/db");
        let dir = Path::new("/proj");
        let result = prismig::__internal::config::evaluate_config(
            &text,
            &dir.join("prisma.config.ts"),
            "prisma.config.ts",
            dir,
            dir,
            &mut env,
        );
        match result {
            Err(e) => prop_assert!(
                ["PM1016", "PM1020", "PM1021", "PM1022", "PM1023", "PM1012"].contains(&e.code()),
                "{} {}", e.code(), e
            ),
            Ok(ev) => {
                for field in [&ev.url, &ev.shadow_url, &ev.schema, &ev.migrations] {
                    match field.get() {
                        Ok(Some(v)) => {
                            prop_assert!(
                                !v.contains("silent@default") || text.contains("DATABASE_URL"),
                                "{v} from {text:?}"
                            );
                        }
                        Ok(None) => {}
                        Err(e) => prop_assert!(
                            ["PM1016", "PM1022", "PM1012"].contains(&e.code()),
                            "{} {}", e.code(), e
                        ),
                    }
                }
                if ev.url.get().is_ok_and(|u| u.is_some()) {
                    prop_assert!(text.contains("url"), "a URL out of nowhere: {text:?}");
                }
                if ev.schema.get().is_ok_and(|u| u.is_some()) {
                    prop_assert!(text.contains("schema"), "a schema out of nowhere: {text:?}");
                }
            }
        }
    }

    // The schema parser never panics, and every diagnostic it reports can be printed.
    #[test]
    fn schema_parser_never_panics(text in mutated(corpus("schemas.txt"))) {
        let parsed = prismig::__internal::config::schema::parse(&text);
        for d in &parsed.diagnostics {
            prop_assert!(d.span.0 <= d.span.1 && d.span.1 <= text.len());
            let _ = prismig::__internal::config::schema::pretty("s.prisma", &text, d.span, &d.message);
        }
        for b in &parsed.blocks {
            let mut diagnostics = Vec::new();
            let _ = prismig::__internal::config::schema::lift_datasource(&text, b, &mut diagnostics);
            for d in diagnostics {
                let _ = prismig::__internal::config::schema::pretty("s.prisma", &text, d.span, &d.message);
            }
        }
    }
}
