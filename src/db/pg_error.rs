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
