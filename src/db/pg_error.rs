//! A PostgreSQL error report rendered as Prisma's schema engine renders it in P3018
//! (`prisma-migrate.md` §4.7): tokio-postgres' `DbError` Display, the `Position:` excerpt,
//! and the `DbError` Debug dump.

use std::fmt::Write;

/// The error fields libpq gives (`PQresultErrorField`).
#[derive(Debug, Clone, Default)]
pub struct DbErrorReport {
    pub severity: String,
    pub severity_nonlocalized: Option<String>,
    pub code: String,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    pub position: Option<u32>,
    pub internal_position: Option<u32>,
    pub internal_query: Option<String>,
    pub where_: Option<String>,
    pub schema: Option<String>,
    pub table: Option<String>,
    pub column: Option<String>,
    pub datatype: Option<String>,
    pub constraint: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub routine: Option<String>,
}

impl DbErrorReport {
    /// tokio-postgres `impl Display for DbError`.
    fn display(&self) -> String {
        let mut s = format!("{}: {}", self.severity, self.message);
        if let Some(d) = &self.detail {
            let _ = write!(s, "\nDETAIL: {d}");
        }
        if let Some(h) = &self.hint {
            let _ = write!(s, "\nHINT: {h}");
        }
        s
    }

    /// tokio-postgres' derived `Debug` of `DbError`.
    fn debug(&self) -> String {
        fn opt(v: &Option<String>) -> String {
            match v {
                Some(s) => format!("Some({s:?})"),
                None => "None".to_owned(),
            }
        }
        let parsed = match self.severity_nonlocalized.as_deref() {
            Some("PANIC") => "Some(Panic)",
            Some("FATAL") => "Some(Fatal)",
            Some("ERROR") => "Some(Error)",
            Some("WARNING") => "Some(Warning)",
            Some("NOTICE") => "Some(Notice)",
            Some("DEBUG") => "Some(Debug)",
            Some("INFO") => "Some(Info)",
            Some("LOG") => "Some(Log)",
            _ => "None",
        };
        let position = match (self.position, self.internal_position) {
            (Some(p), _) => format!("Some(Original({p}))"),
            (None, Some(p)) => format!(
                "Some(Internal {{ position: {p}, query: {:?} }})",
                self.internal_query.clone().unwrap_or_default()
            ),
            (None, None) => "None".to_owned(),
        };
        format!(
            "DbError {{ severity: {:?}, parsed_severity: {parsed}, code: SqlState(E{}), message: {:?}, detail: {}, hint: {}, position: {position}, where_: {}, schema: {}, table: {}, column: {}, datatype: {}, constraint: {}, file: {}, line: {}, routine: {} }}",
            self.severity,
            self.code,
            self.message,
            opt(&self.detail),
            opt(&self.hint),
            opt(&self.where_),
            opt(&self.schema),
            opt(&self.table),
            opt(&self.column),
            opt(&self.datatype),
            opt(&self.constraint),
            opt(&self.file),
            self.line.map_or("None".to_owned(), |l| format!("Some({l})")),
            opt(&self.routine),
        )
    }

    /// The `Database error:` body of P3018 for `script`.
    pub fn render(&self, script: &str) -> String {
        let position = self
            .position
            .map(|p| position_excerpt(script, p as usize))
            .unwrap_or_default();
        format!("{}{}\n\n{}", self.display(), position, self.debug())
    }
}

/// The engine's excerpt: up to five preceding lines and the error line, ANSI bold numbers
/// and a red error line, always (even off a terminal). The server's position counts
/// characters while the running index counts bytes plus one per line, as in the engine.
fn position_excerpt(script: &str, position: usize) -> String {
    let mut previous: [&str; 5] = [""; 5];
    let mut byte_index = 0;
    for (idx, line) in script.lines().enumerate() {
        let line_number = idx + 1;
        byte_index += line.len() + 1;
        if position <= byte_index {
            let numbered: Vec<String> = previous
                .iter()
                .enumerate()
                .filter_map(|(i, l)| line_number.checked_sub(previous.len() - i).map(|n| (n, l)))
                .map(|(n, l)| {
                    format!(
                        "\x1b[1m{n:>3}\x1b[0m{}{l}",
                        if l.is_empty() { "" } else { " " }
                    )
                })
                .collect();
            return format!(
                "\n\nPosition:\n{}\n\x1b[1m{line_number:>3}\x1b[1;31m {line}\x1b[0m",
                numbered.join("\n")
            );
        }
        previous = [previous[1], previous[2], previous[3], previous[4], line];
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The seed's migration and the exact excerpt from prisma-transcripts.md (d1).
    #[test]
    fn excerpt_matches_prisma_for_an_error_on_line_three() {
        let script = "-- AlterTable\nALTER TABLE \"User\" ADD COLUMN \"email\" TEXT;\nALTER TABLE \"User\" ADD CONSTRAINT IF NOT EXISTS \"x\" UNIQUE (\"name\");\nCREATE INDEX \"User_email_idx\" ON \"User\"(\"email\");\n";
        let got = position_excerpt(script, 96);
        let want = "\n\nPosition:\n\x1b[1m  0\x1b[0m\n\x1b[1m  1\x1b[0m -- AlterTable\n\x1b[1m  2\x1b[0m ALTER TABLE \"User\" ADD COLUMN \"email\" TEXT;\n\x1b[1m  3\x1b[1;31m ALTER TABLE \"User\" ADD CONSTRAINT IF NOT EXISTS \"x\" UNIQUE (\"name\");\x1b[0m";
        assert_eq!(got, want);
    }

    #[test]
    fn debug_matches_tokio_postgres() {
        let e = DbErrorReport {
            severity: "ERROR".into(),
            severity_nonlocalized: Some("ERROR".into()),
            code: "42P07".into(),
            message: "relation \"User\" already exists".into(),
            file: Some("heap.c".into()),
            line: Some(1164),
            routine: Some("heap_create_with_catalog".into()),
            ..Default::default()
        };
        assert_eq!(
            e.render("CREATE TABLE \"User\" (\"id\" TEXT);\n"),
            "ERROR: relation \"User\" already exists\n\nDbError { severity: \"ERROR\", parsed_severity: Some(Error), code: SqlState(E42P07), message: \"relation \\\"User\\\" already exists\", detail: None, hint: None, position: None, where_: None, schema: None, table: None, column: None, datatype: None, constraint: None, file: Some(\"heap.c\"), line: Some(1164), routine: Some(\"heap_create_with_catalog\") }"
        );
    }

    #[test]
    fn detail_and_hint_follow_the_message() {
        let e = DbErrorReport {
            severity: "ERROR".into(),
            message: "m".into(),
            detail: Some("d".into()),
            hint: Some("h".into()),
            code: "XX000".into(),
            ..Default::default()
        };
        assert!(e
            .render("")
            .starts_with("ERROR: m\nDETAIL: d\nHINT: h\n\nDbError {"));
    }
}

/// Rows that pin each rule of the P3018 rendering (`prisma-migrate.md` §4.7).
#[cfg(test)]
mod rules {
    use super::*;

    fn report(severity: Option<&str>) -> DbErrorReport {
        DbErrorReport {
            severity: "ERROR".into(),
            severity_nonlocalized: severity.map(str::to_owned),
            code: "XX000".into(),
            message: "m".into(),
            ..Default::default()
        }
    }

    fn debug_field<'a>(debug: &'a str, field: &str) -> &'a str {
        let start = debug.find(&format!("{field}: ")).expect(field) + field.len() + 2;
        let rest = &debug[start..];
        let end = rest.find(", ").unwrap_or(rest.len());
        &rest[..end]
    }

    // tokio-postgres parses the non-localized severity (libpq's `PG_DIAG_SEVERITY_NONLOCALIZED`,
    // PostgreSQL ≥ 9.6) into `Severity`; anything else, or its absence, is `None`.
    #[test]
    fn parsed_severity_names_each_level() {
        for (given, want) in [
            (Some("PANIC"), "Some(Panic)"),
            (Some("FATAL"), "Some(Fatal)"),
            (Some("ERROR"), "Some(Error)"),
            (Some("WARNING"), "Some(Warning)"),
            (Some("NOTICE"), "Some(Notice)"),
            (Some("DEBUG"), "Some(Debug)"),
            (Some("INFO"), "Some(Info)"),
            (Some("LOG"), "Some(Log)"),
            (Some("FEHLER"), "None"),
            (Some("error"), "None"),
            (None, "None"),
        ] {
            let debug = report(given).debug();
            assert_eq!(debug_field(&debug, "parsed_severity"), want, "{given:?}");
        }
    }

    // `ErrorPosition::Original(u32)` when the error is in the query sent; `Internal` with the
    // internally generated query (e.g. inside a PL/pgSQL function) otherwise; `Original` wins.
    #[test]
    fn position_is_original_then_internal() {
        for (position, internal, query, want) in [
            (Some(7), None, None, "Some(Original(7))".to_owned()),
            (Some(7), Some(3), Some("q"), "Some(Original(7))".to_owned()),
            (
                None,
                Some(3),
                Some("SELECT 1"),
                "Some(Internal { position: 3, query: \"SELECT 1\" })".to_owned(),
            ),
            (
                None,
                Some(4),
                None,
                "Some(Internal { position: 4, query: \"\" })".to_owned(),
            ),
            (None, None, Some("q"), "None".to_owned()),
        ] {
            let e = DbErrorReport {
                position,
                internal_position: internal,
                internal_query: query.map(str::to_owned),
                ..report(Some("ERROR"))
            };
            let debug = e.debug();
            let start = debug.find("position: ").unwrap() + "position: ".len();
            assert!(
                debug[start..].starts_with(&format!("{want}, where_: ")),
                "{position:?} {internal:?}: {debug}"
            );
        }
    }

    // Every optional field prints as `Some("…")` in its own place, in tokio-postgres' order.
    #[test]
    fn debug_prints_every_field_in_order() {
        let e = DbErrorReport {
            severity: "FEHLER".into(),
            severity_nonlocalized: Some("ERROR".into()),
            code: "23505".into(),
            message: "dup".into(),
            detail: Some("d".into()),
            hint: Some("h".into()),
            where_: Some("w".into()),
            schema: Some("s".into()),
            table: Some("t".into()),
            column: Some("c".into()),
            datatype: Some("dt".into()),
            constraint: Some("k".into()),
            file: Some("f.c".into()),
            line: Some(9),
            routine: Some("r".into()),
            ..Default::default()
        };
        assert_eq!(
            e.debug(),
            "DbError { severity: \"FEHLER\", parsed_severity: Some(Error), code: SqlState(E23505), message: \"dup\", detail: Some(\"d\"), hint: Some(\"h\"), position: None, where_: Some(\"w\"), schema: Some(\"s\"), table: Some(\"t\"), column: Some(\"c\"), datatype: Some(\"dt\"), constraint: Some(\"k\"), file: Some(\"f.c\"), line: Some(9), routine: Some(\"r\") }"
        );
    }

    // Display: `{severity}: {message}`, then DETAIL and HINT each only when given.
    #[test]
    fn display_adds_detail_and_hint_only_when_given() {
        for (detail, hint, want) in [
            (None, None, "ERROR: m"),
            (Some("d"), None, "ERROR: m\nDETAIL: d"),
            (None, Some("h"), "ERROR: m\nHINT: h"),
            (Some("d"), Some("h"), "ERROR: m\nDETAIL: d\nHINT: h"),
        ] {
            let e = DbErrorReport {
                detail: detail.map(str::to_owned),
                hint: hint.map(str::to_owned),
                ..report(None)
            };
            assert_eq!(e.display(), want);
            assert_eq!(
                e.render("x"),
                format!("{want}\n\n{}", e.debug()),
                "no position: no excerpt"
            );
        }
    }

    const BOLD: &str = "\x1b[1m";
    const PLAIN: &str = "\x1b[0m";
    const RED: &str = "\x1b[1;31m";

    fn context(n: usize, line: &str) -> String {
        let space = if line.is_empty() { "" } else { " " };
        format!("{BOLD}{n:>3}{PLAIN}{space}{line}")
    }

    fn error_line(n: usize, line: &str) -> String {
        format!("{BOLD}{n:>3}{RED} {line}{PLAIN}")
    }

    // The line is the first whose running index (bytes + 1 per line) reaches the position:
    // the position of a line's last character, and of its newline, is still that line.
    #[test]
    fn excerpt_finds_the_line_by_running_index() {
        let script = "ab\ncd\n\nefgh\ni\nj\nk\nl\n";
        for (position, want) in [
            (1, 1),
            (3, 1),
            (4, 2),
            (6, 2),
            (7, 3),
            (8, 4),
            (12, 4),
            (13, 5),
            (20, 8),
        ] {
            let got = position_excerpt(script, position);
            let last = got.lines().last().unwrap_or_default().to_owned();
            let line = script.lines().nth(want - 1).unwrap();
            assert_eq!(last, error_line(want, line), "position {position}");
        }
        assert_eq!(position_excerpt(script, 21), "", "past the end: no excerpt");
        assert_eq!(position_excerpt("", 1), "");
    }

    // Up to five preceding lines, numbered; numbers below 0 are left out, 0 shows as an
    // empty line; an empty line has no space after its number.
    #[test]
    fn excerpt_shows_five_preceding_lines() {
        let script = "l1\nl2\n\nl4\nl5\nl6\nl7\n";
        let got = position_excerpt(script, 19);
        let want = format!(
            "\n\nPosition:\n{}\n{}\n{}\n{}\n{}\n{}",
            context(2, "l2"),
            context(3, ""),
            context(4, "l4"),
            context(5, "l5"),
            context(6, "l6"),
            error_line(7, "l7"),
        );
        assert_eq!(got, want);

        let got = position_excerpt(script, 4);
        let want = format!(
            "\n\nPosition:\n{}\n{}\n{}",
            context(0, ""),
            context(1, "l1"),
            error_line(2, "l2")
        );
        assert_eq!(got, want, "line 2: lines 0 and 1, 0 empty");
    }

    // The server counts characters, the index bytes: after multi-byte text the line found is
    // an earlier one, as in the engine.
    #[test]
    fn excerpt_counts_bytes_as_the_engine_does() {
        let script = "é;\nx;\n";
        // `x` is character 4 but byte 5: the engine still shows line 1.
        assert!(position_excerpt(script, 4).ends_with(&error_line(1, "é;")));
        assert!(position_excerpt(script, 5).ends_with(&error_line(2, "x;")));
    }

    #[test]
    fn render_puts_the_excerpt_between_display_and_debug() {
        let e = DbErrorReport {
            position: Some(1),
            ..report(Some("ERROR"))
        };
        assert_eq!(
            e.render("x\n"),
            format!(
                "ERROR: m\n\nPosition:\n{}\n{}\n\n{}",
                context(0, ""),
                error_line(1, "x"),
                e.debug()
            )
        );
    }
}
