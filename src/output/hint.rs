//! prismig's way out of an error: one line for a person (after Prisma's text) and the
//! command alone for programs (`--json`), with the user's `--schema`/`--config` kept and
//! every argument quoted for a POSIX shell.

use crate::error::Error;
use crate::event::LockHolder;
use crate::shell::quote;
use regex::Regex;
use std::sync::LazyLock;

/// How prismig was called, as far as a printed command must repeat it.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    /// `migrate deploy`, `fix`, …
    pub command: String,
    pub schema: Option<String>,
    pub config: Option<String>,
    /// The arguments as given (after the program name).
    pub args: Vec<String>,
}

impl Invocation {
    /// The user's own command line with `flag` set to `value` (replacing theirs).
    pub fn with_flag(&self, flag: &str, value: &str) -> String {
        let mut line = String::from("prismig");
        let mut args = self.args.iter();
        if self.args.is_empty() {
            for w in self.command.split(' ').filter(|w| !w.is_empty()) {
                line.push(' ');
                line.push_str(&quote(w));
            }
        }
        while let Some(a) = args.next() {
            if a == flag {
                args.next();
                continue;
            }
            if a.starts_with(&format!("{flag}=")) {
                continue;
            }
            line.push(' ');
            line.push_str(&quote(a));
        }
        line.push_str(&format!(" {flag} {}", quote(value)));
        line
    }

    /// `prismig <words…>` plus the user's `--schema` and `--config`.
    pub fn command_line(&self, words: &[&str]) -> String {
        let mut line = String::from("prismig");
        for w in words {
            line.push(' ');
            line.push_str(&quote(w));
        }
        for (flag, value) in [("--schema", &self.schema), ("--config", &self.config)] {
            if let Some(v) = value {
                line.push_str(&format!(" {flag} {}", quote(v)));
            }
        }
        line
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// The sentence printed after `hint: `.
    pub text: String,
    /// The command that resolves the situation (or finds out how).
    pub command: String,
}

static FAILED_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"The `([^`]+)` migration started at").expect("valid regex"));

/// `pid 4242 (psql, 10.0.0.5, idle in transaction, current query 35 s)`.
pub fn describe_holder(h: &LockHolder) -> String {
    let mut parts = Vec::new();
    if let Some(a) = &h.application {
        parts.push(format!("application {a}"));
    }
    if let Some(c) = &h.client {
        parts.push(format!("from {c}"));
    }
    if let Some(s) = &h.state {
        parts.push(s.clone());
    }
    if let Some(q) = h.query_seconds {
        let query = h
            .query
            .as_deref()
            .map(|q| format!(": {}", super::ticker::shorten(q, 60)))
            .unwrap_or_default();
        parts.push(format!("query started {q} s ago{query}"));
    }
    if parts.is_empty() {
        h.session.clone()
    } else {
        format!("{} ({})", h.session, parts.join(", "))
    }
}

pub fn hint(e: &Error, inv: &Invocation) -> Option<Hint> {
    match e {
        Error::FailedMigrations { details } => {
            let fix = inv.command_line(&["fix"]);
            let text = match FAILED_NAME.captures(details) {
                Some(c) => format!(
                    "`{fix}` checks what `{}` left in the database and proposes the resolve; if you undid it by hand: {}",
                    &c[1],
                    inv.command_line(&["migrate", "resolve", "--rolled-back", &c[1]])
                ),
                None => format!("`{fix}` checks what the failed migration left in the database and proposes the resolve"),
            };
            Some(Hint { text, command: fix })
        }
        Error::ApplyFailed { name, code, .. }
            if matches!(code.as_str(), "55P03" | "1205" | "3572") =>
        {
            let status = inv.command_line(&["migrate", "status"]);
            Some(Hint {
                text: format!("`{name}` waited too long for a lock another session holds (a long transaction on the same table); `{status}` tells whether deploy applies it again; deploy when that transaction is gone, or allow more with --statement-lock-timeout / --lock-retries"),
                command: status,
            })
        }
        Error::ApplyFailed { name, .. } => {
            let fix = inv.command_line(&["fix"]);
            Some(Hint {
                text: format!(
                    "fix the script, then `{fix}` tells whether `{name}` left anything; if nothing of it is left: {}",
                    inv.command_line(&["migrate", "resolve", "--rolled-back", name])
                ),
                command: fix,
            })
        }
        Error::SchemaNotEmpty => {
            let baseline = inv.command_line(&["baseline"]);
            Some(Hint {
                text: format!("the database already has tables: `{baseline}` shows which migrations it would mark as applied (nothing changes without --yes; --to NAME stops at NAME)"),
                command: baseline,
            })
        }
        Error::Timeout { holder, .. } => {
            let command = inv.with_flag("--lock-timeout", "60s");
            let who = match holder {
                Some(h) => format!("the migration lock is held by {}", describe_holder(h)),
                None => "another session holds the migration lock".to_owned(),
            };
            Some(Hint {
                text: format!("{who}; let it finish (or end it), or wait longer: {command}"),
                command,
            })
        }
        Error::MigrationFileNotFound { .. }
        | Error::MigrationNotFound { .. }
        | Error::NeverApplied { .. }
        | Error::NotFailed { .. }
        | Error::AlreadyApplied { .. } => {
            let sync = inv.command_line(&["sync"]);
            Some(Hint {
                text: format!("`{sync}` explains how the migrations folder and the history differ, with the commands that bring them together"),
                command: sync,
            })
        }
        Error::Fleet(f) => Some(Hint {
            text: f.hint(),
            command: inv.command_line(&inv.command.split(' ').collect::<Vec<_>>()),
        }),
        _ => None,
    }
}

static ANSI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\x1b\[[0-9;]*[A-Za-z]").expect("valid regex"));

/// An error message for programs: no ANSI escapes, no `DbError { … }` dump (both are
/// Prisma's P3018 bytes, meant for a terminal).
pub fn plain_message(message: &str) -> String {
    let text = ANSI.replace_all(message, "");
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("DbError {"))
        .collect();
    let mut out = kept.join("\n");
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv() -> Invocation {
        Invocation {
            command: "migrate deploy".into(),
            schema: Some("my schema/s.prisma".into()),
            config: None,
            args: [
                "migrate",
                "deploy",
                "--schema",
                "my schema/s.prisma",
                "--lock-timeout",
                "2s",
            ]
            .map(String::from)
            .to_vec(),
        }
    }

    #[test]
    fn the_users_command_line_is_repeated_with_the_flag_replaced() {
        let mut i = inv();
        assert_eq!(
            i.with_flag("--lock-timeout", "60s"),
            "prismig migrate deploy --schema 'my schema/s.prisma' --lock-timeout 60s"
        );
        i.args = [
            "migrate",
            "resolve",
            "--applied",
            "a'b",
            "--lock-timeout=1s",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            i.with_flag("--lock-timeout", "60s"),
            r"prismig migrate resolve --applied 'a'\''b' --lock-timeout 60s"
        );
    }

    #[test]
    fn failed_migrations_name_the_row_and_keep_the_schema() {
        let e = Error::FailedMigrations {
            details: "The `2024_it's` migration started at 2024-01-01 failed".into(),
        };
        let h = hint(&e, &inv()).unwrap();
        assert_eq!(h.command, "prismig fix --schema 'my schema/s.prisma'");
        assert!(
            h.text.ends_with(r"prismig migrate resolve --rolled-back '2024_it'\''s' --schema 'my schema/s.prisma'"),
            "{}",
            h.text
        );
    }

    #[test]
    fn lock_timeouts_name_the_holder() {
        let e = Error::Timeout {
            context: String::new(),
            holder: Some(Box::new(LockHolder {
                session: "pid 42".into(),
                application: Some("psql".into()),
                client: Some("10.0.0.5".into()),
                state: Some("idle in transaction".into()),
                query_seconds: Some(35),
                query: Some("SELECT\n 1".into()),
            })),
        };
        let h = hint(&e, &inv()).unwrap();
        assert!(h.text.starts_with("the migration lock is held by pid 42 (application psql, from 10.0.0.5, idle in transaction, query started 35 s ago: SELECT 1)"), "{}", h.text);
        assert_eq!(
            h.command,
            "prismig migrate deploy --schema 'my schema/s.prisma' --lock-timeout 60s"
        );
    }

    #[test]
    fn plain_messages_have_no_escapes_or_dumps() {
        let m = "Database error:\nERROR: x\n\nPosition:\n\x1b[1m  1\x1b[0m SELECT\n\nDbError { severity: \"ERROR\" }\n";
        assert_eq!(
            plain_message(m),
            "Database error:\nERROR: x\n\nPosition:\n  1 SELECT"
        );
    }
}
