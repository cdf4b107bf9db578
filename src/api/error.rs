//! The error a [`Migrator`](crate::Migrator) returns: Prisma's code, message and exit code,
//! and prismig's hint.

use crate::output::hint::{hint, Hint, Invocation};
use std::fmt;

/// A failure, as the `prismig` command line reports it.
///
/// [`code`](Error::code) is Prisma's P-code where Prisma has one (`P3018` a migration
/// failed, `P3009` a failed migration blocks deploy, `P1001` the server cannot be reached,
/// …) and prismig's own `PM####` otherwise; [`message`](Error::message) is the text Prisma
/// prints for it.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// std::fs::create_dir_all(dir.path().join("migrations/20240101000000_init"))?;
/// std::fs::write(dir.path().join("migrations/20240101000000_init/migration.sql"), "CREATE TABLE;")?;
/// let url = format!("file:{}", dir.path().join("app.db").display());
///
/// let error = prismig::Migrator::from_migrations(dir.path().join("migrations"), url)
///     .deploy()
///     .unwrap_err();
/// assert_eq!(error.code(), "P3018");
/// assert_eq!(error.migration(), Some("20240101000000_init"));
/// assert_eq!(error.exit_code(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Error {
    inner: Box<crate::error::Error>,
    hint: Option<Hint>,
}

impl Error {
    pub(crate) fn new(inner: crate::error::Error) -> Error {
        let hint = hint(&inner, &Invocation::default());
        Error {
            inner: Box::new(inner),
            hint,
        }
    }

    /// Prisma's P-code (`P3018`), or prismig's own (`PM3110`) where Prisma has none.
    pub fn code(&self) -> &'static str {
        self.inner.code()
    }

    /// Prisma's text for the error, byte for byte as the CLI prints it after `Error:
    /// P3018` (P3018's `Position:` excerpt includes ANSI colour escapes, as Prisma's).
    /// `Display` gives `CODE: message` without them, for logs.
    pub fn message(&self) -> String {
        self.inner.to_string()
    }

    /// What to do next, when prismig knows: one sentence naming the command to run.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_ref().map(|h| h.text.as_str())
    }

    /// The `prismig` command line that resolves the situation or finds out how, quoted for
    /// a POSIX shell.
    pub fn hint_command(&self) -> Option<&str> {
        self.hint.as_ref().map(|h| h.command.as_str())
    }

    /// The exit code the CLI ends with: 1, or 130/143 when a signal interrupted the run.
    pub fn exit_code(&self) -> u8 {
        self.inner.exit_code()
    }

    /// The migration the error is about, when it names one (a failed script, a migration
    /// not found, the failed migration that blocks deploy).
    pub fn migration(&self) -> Option<&str> {
        use crate::error::Error as E;
        match &*self.inner {
            E::ApplyFailed { name, .. }
            | E::AlreadyApplied { name }
            | E::NeverApplied { name }
            | E::NotFailed { name }
            | E::MigrationNotFound { name }
            | E::ShadowApplyFailed { name, .. } => Some(name),
            E::FailedMigrations { details } => details
                .split_once("The `")
                .and_then(|(_, rest)| rest.split_once("` migration started at"))
                .map(|(name, _)| name),
            _ => None,
        }
    }

    /// The database's own error code for a failed migration script: the SQLSTATE on
    /// PostgreSQL (`42P01`), the error number on MySQL, the result code on SQLite.
    pub fn database_code(&self) -> Option<&str> {
        match &*self.inner {
            crate::error::Error::ApplyFailed { code, .. } => Some(code),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // For logs: no ANSI escapes, no driver dump (those are Prisma's bytes for a terminal).
        let text = crate::output::hint::plain_message(&self.inner.to_string());
        write!(f, "{}: {}", self.code(), text.trim_end())
    }
}

impl std::error::Error for Error {}

impl From<crate::error::Error> for Error {
    fn from(inner: crate::error::Error) -> Error {
        Error::new(inner)
    }
}
