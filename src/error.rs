//! Every expected failure, with its Prisma error code (or ours where Prisma has none),
//! its exact message, how it is rendered and the exit code. Bugs panic instead.
//!
//! Texts are those of `prisma-migrate.md` §7.2 (current templates, Prisma ≥ 6.7).

use std::fmt;

/// Exit codes, documented in ARCHITECTURE.md. Prisma uses 1 for every failure.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILURE: u8 = 1;
    /// SIGINT, as Prisma (130 = 128 + 2).
    pub const INTERRUPTED: u8 = 130;
    /// SIGTERM (143 = 128 + 15).
    pub const TERMINATED: u8 = 143;
}

/// How the CLI prints an error (§7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    /// `Error: P1001: <message>` — connection probe errors.
    Connection,
    /// `Error: P3018\n\n<message>\n\n` — schema-engine errors with a code.
    Engine,
    /// `Error: <message>` — CLI-level errors Prisma prints without a code.
    Plain,
    /// `Error: PM####: <message>` — prismig's own errors.
    Own,
    /// Printed as is, without `Error: ` (help and flag errors).
    Bare,
    /// `Error: <message>\n\n\n` — a schema-engine error without a code (`db execute`'s
    /// server messages).
    EngineUncoded,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Authentication failed against database server, the provided database credentials for `{user}` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at the configured address.")]
    AuthenticationFailed { user: String },

    #[error("Can't reach database server at `{location}`\n\nPlease make sure your database server is running at `{location}`.")]
    Unreachable { location: String },

    #[error("The database server was reached but timed out.\n\nPlease try again.\n\nPlease make sure your database server is running at the configured address.\n\nContext: {context}\n")]
    Timeout {
        context: String,
        /// Who held the lock when prismig gave up (not part of Prisma's text).
        holder: Option<Box<crate::event::LockHolder>>,
    },

    #[error("Database `{name}` does not exist")]
    DatabaseDoesNotExist { name: String },

    #[error("User was denied access on the database `{database}`")]
    AccessDenied { database: String },

    #[error("Error opening a TLS connection: {message}")]
    Tls { message: String },

    #[error("The provided database string is invalid. {details} in database URL. Please refer to the documentation in https://www.prisma.io/docs/reference/database-reference/connection-urls for constructing a correct connection string. In some cases, certain characters must be escaped. Please check the string for any illegal characters.")]
    InvalidUrl { details: String },

    #[error("Socket timeout (the database failed to respond to a query within the configured timeout — see https://pris.ly/d/postgresql-connector for more details).")]
    SocketTimeout,

    #[error("Server has closed the connection.")]
    ConnectionClosed,

    #[error("Failed to create database: {error}")]
    DatabaseCreationFailed { error: String },

    #[error("The `{name}` database is a system database, it should not be altered with prisma migrate. Please connect to another database.")]
    SystemDatabase { name: String },

    #[error("The database schema is not empty. Read more about how to baseline an existing production database: https://pris.ly/d/migrate-baseline")]
    SchemaNotEmpty,

    #[error("The migration `{name}` is already recorded as applied in the database.")]
    AlreadyApplied { name: String },

    #[error("migrate found failed migrations in the target database, new migrations will not be applied. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n{details}")]
    FailedMigrations { details: String },

    #[error("Migration `{name}` cannot be rolled back because it was never applied to the database. Hint: did you pass in the whole migration name? (example: \"20201207184859_initial_migration\")")]
    NeverApplied { name: String },

    #[error("Migration `{name}` cannot be rolled back because it is not in a failed state.")]
    NotFailed { name: String },

    #[error("Could not find the migration file at {path}. Please delete the directory or restore the migration file.")]
    MigrationFileNotFound { path: String },

    #[error("The migration {name} could not be found. Please make sure that the migration exists, and that you included the whole name of the directory. (example: \"20201207184859_initial_migration\")")]
    MigrationNotFound { name: String },

    #[error("A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\nMigration name: {name}\n\nDatabase error code: {code}\n\nDatabase error:\n{error}\n")]
    ApplyFailed {
        name: String,
        code: String,
        error: String,
    },

    #[error("The datasource provider `{provider}` specified in your schema does not match the one specified in the migration_lock.toml, `{expected}`. Please remove your current migration directory and start a new migration history with prisma migrate dev. Read more: https://pris.ly/d/migrate-provider-switch")]
    ProviderMismatch { provider: String, expected: String },

    /// P1012, printed as Prisma's `GetConfigError` block (§7.3).
    #[error("{message}")]
    SchemaValidation { message: String },

    /// The schema engine's code-less invariant error (§6.3 step 3).
    #[error("Invariant violation: called markMigrationRolledBack on a database without migrations table.")]
    RollbackWithoutTable,

    /// Prisma's CLI-level errors: exact texts, no code (§7.3, §6.1).
    #[error("{0}")]
    Cli(String),

    /// Flag errors (printed without `Error: `).
    #[error("{0}")]
    Usage(String),

    /// A database error during bookkeeping: Prisma reports those without a code.
    #[error("{0}")]
    Database(String),

    /// prismig's own errors, with our codes.
    #[error("{message}")]
    Own { code: &'static str, message: String },

    /// `db execute`: an error as Prisma's schema engine reports it, with its code
    /// (`P1001\n\n…`), or the server's message alone.
    #[error("{message}")]
    Execute {
        code: Option<&'static str>,
        message: String,
    },
    /// A migration failed in the shadow database (`migrate diff`, `status --drift`).
    #[error(
        "Migration `{name}` failed to apply cleanly to the shadow database. \nError:\n{error}"
    )]
    ShadowApplyFailed { name: String, error: String },

    /// A given shadow database could not be emptied, not even object by object.
    #[error("The fallback method for database resets failed, meaning Migrate could not clean up the database entirely. Original error: \n{error}")]
    ResetFailed { error: String },

    #[error("interrupted by {}: the statement in flight was cancelled, and nothing more was applied", crate::db::interrupt::signal_name(*signal))]
    Interrupted { signal: i32 },

    /// A fleet (`--targets`, `--schemas`) that cannot start: nothing was run on any target.
    #[error("{0}")]
    Fleet(FleetError),
}

/// Why a fleet does not start (PM8001…). Each names the line or option at fault and how to
/// fix it; `hint` is the way out printed after it.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    #[error("{path}, line {line}: `{text}` is not a database URL or `$ENV_NAME` ({reason})")]
    BadLine {
        path: String,
        line: usize,
        /// The line with any password masked.
        text: String,
        reason: String,
    },
    #[error("{path}, line {line}: the environment variable `{name}` is not set (neither in the environment nor in the loaded .env files)")]
    UnknownEnv {
        path: String,
        line: usize,
        name: String,
    },
    #[error("no target: {what}")]
    NoTarget { what: String },
    #[error(
        "{target}: a fleet runs on PostgreSQL and MySQL servers, not on SQLite files ({reason})"
    )]
    Sqlite { target: String, reason: String },
    #[error("{option} cannot be used with --targets or --schemas: {reason}")]
    Refused { option: String, reason: String },
    #[error("cannot read the targets file {path}: {error}")]
    Unreadable { path: String, error: String },
}

impl FleetError {
    pub fn code(&self) -> &'static str {
        match self {
            FleetError::BadLine { .. } => "PM8001",
            FleetError::UnknownEnv { .. } => "PM8002",
            FleetError::NoTarget { .. } => "PM8003",
            FleetError::Sqlite { .. } => "PM8004",
            FleetError::Refused { .. } => "PM8005",
            FleetError::Unreadable { .. } => "PM8006",
        }
    }

    pub fn hint(&self) -> String {
        match self {
            FleetError::BadLine { .. } => "write one target per line: a URL such as postgresql://user@host/db?schema=s, or $ENV_NAME; `#` starts a comment".to_owned(),
            FleetError::UnknownEnv { name, .. } => format!("export {name}, add it to .env, or write the URL on that line"),
            FleetError::NoTarget { .. } => "check the file or the pattern: --schemas matches schema names with * and ?, e.g. 'tenant_*'".to_owned(),
            FleetError::Sqlite { target, .. } => format!("deploy a SQLite file on its own: prismig migrate deploy --url {}", crate::shell::quote(target)),
            FleetError::Refused { option, .. } => format!("run without {option}, or run the command once per database without --targets/--schemas"),
            FleetError::Unreadable { .. } => "pass a readable file to --targets".to_owned(),
        }
    }
}

/// A database error outside migration scripts: the timeout set from `socket_timeout` is
/// P1008 and a dropped connection P1017, as Prisma reports them; the rest carry the text.
pub fn from_database_message(message: String) -> Error {
    if message.contains("canceling statement due to statement timeout") {
        Error::SocketTimeout
    } else if message.contains("server closed the connection unexpectedly")
        || message.contains("no connection to the server")
    {
        Error::ConnectionClosed
    } else {
        Error::Database(message)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The stable code: Prisma's P-code where Prisma has one, else ours (`PM####`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::AuthenticationFailed { .. } => "P1000",
            Error::Unreachable { .. } => "P1001",
            Error::Timeout { .. } => "P1002",
            Error::DatabaseDoesNotExist { .. } => "P1003",
            Error::AccessDenied { .. } => "P1010",
            Error::Tls { .. } => "P1011",
            Error::InvalidUrl { .. } => "P1013",
            Error::SocketTimeout => "P1008",
            Error::ConnectionClosed => "P1017",
            Error::DatabaseCreationFailed { .. } => "P3000",
            Error::SystemDatabase { .. } => "P3004",
            Error::SchemaNotEmpty => "P3005",
            Error::AlreadyApplied { .. } => "P3008",
            Error::FailedMigrations { .. } => "P3009",
            Error::NeverApplied { .. } => "P3011",
            Error::NotFailed { .. } => "P3012",
            Error::MigrationFileNotFound { .. } => "P3015",
            Error::MigrationNotFound { .. } => "P3017",
            Error::ApplyFailed { .. } => "P3018",
            Error::ProviderMismatch { .. } => "P3019",
            Error::SchemaValidation { .. } => "P1012",
            Error::RollbackWithoutTable => "PM3011",
            Error::Cli(_) => "PM1012",
            Error::Usage(_) => "PM0001",
            Error::Database(_) => "PM2000",
            Error::Own { code, .. } => code,
            Error::Interrupted { .. } => "PM0130",
            Error::Execute { code, .. } => code.unwrap_or("PM2010"),
            Error::ShadowApplyFailed { .. } => "P3006",
            Error::ResetFailed { .. } => "P3016",
            Error::Fleet(f) => f.code(),
        }
    }

    pub fn rendering(&self) -> Rendering {
        match self {
            Error::AuthenticationFailed { .. }
            | Error::Unreachable { .. }
            | Error::DatabaseDoesNotExist { .. }
            | Error::AccessDenied { .. }
            | Error::Tls { .. }
            | Error::InvalidUrl { .. }
            | Error::ConnectionClosed
            | Error::SocketTimeout
            | Error::DatabaseCreationFailed { .. } => Rendering::Connection,
            Error::Timeout { .. }
            | Error::SystemDatabase { .. }
            | Error::SchemaNotEmpty
            | Error::AlreadyApplied { .. }
            | Error::FailedMigrations { .. }
            | Error::NeverApplied { .. }
            | Error::NotFailed { .. }
            | Error::MigrationFileNotFound { .. }
            | Error::MigrationNotFound { .. }
            | Error::ApplyFailed { .. }
            | Error::ProviderMismatch { .. }
            | Error::ShadowApplyFailed { .. }
            | Error::ResetFailed { .. } => Rendering::Engine,
            Error::SchemaValidation { .. }
            | Error::RollbackWithoutTable
            | Error::Cli(_)
            | Error::Database(_) => Rendering::Plain,
            Error::Own { .. } | Error::Fleet(_) => Rendering::Own,
            Error::Usage(_) => Rendering::Bare,
            Error::Interrupted { .. } => Rendering::Plain,
            Error::Execute { code: Some(_), .. } => Rendering::Engine,
            Error::Execute { code: None, .. } => Rendering::EngineUncoded,
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Interrupted { signal } if *signal == libc::SIGTERM => exit::TERMINATED,
            Error::Interrupted { .. } => exit::INTERRUPTED,
            _ => exit::FAILURE,
        }
    }

    pub fn own(code: &'static str, message: impl fmt::Display) -> Error {
        Error::Own {
            code,
            message: message.to_string(),
        }
    }
}

#[cfg(test)]
mod own_codes {
    use std::collections::BTreeMap;
    use std::path::Path;

    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs")
                // Test modules in their own file only check the codes.
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                out.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }

    // A code names one kind of failure: two modules raising the same code would make
    // scripts that match on it act on the wrong thing.
    #[test]
    fn each_own_code_belongs_to_one_module() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let re = regex::Regex::new(r#""(PM\d{4})""#).unwrap();
        let mut owners: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (file, text) in &files {
            let text = text.split("#[cfg(test)]").next().unwrap_or(text);
            for c in re.captures_iter(text) {
                let list = owners.entry(c[1].to_owned()).or_default();
                if !list.contains(file) {
                    list.push(file.clone());
                }
            }
        }
        let shared: Vec<_> = owners.iter().filter(|(_, f)| f.len() > 1).collect();
        assert!(
            shared.is_empty(),
            "codes raised by several modules: {shared:?}"
        );
    }
}
