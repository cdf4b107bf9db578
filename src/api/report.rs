//! What the [`Migrator`](crate::Migrator)'s methods return, and the progress events it
//! passes to [`on_event`](crate::Migrator::on_event).

use crate::error::exit;
use crate::reconcile::{Diagnosis, History};
use std::time::Duration;

pub use crate::event::MigrationState;

/// Progress while a [`Migrator`](crate::Migrator) works, passed to the callback given
/// to [`on_event`](crate::Migrator::on_event). New kinds, and new fields of a kind, may be
/// added: match with `..`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A configuration or layout warning, in Prisma's words.
    #[non_exhaustive]
    Warning { message: String },
    /// The server did not accept a connection yet; retrying until `limit`
    /// ([`wait`](crate::Migrator::wait)).
    #[non_exhaustive]
    Waiting {
        location: String,
        elapsed: Duration,
        limit: Duration,
    },
    /// Another session holds the migration lock; still waiting, at most `limit`.
    #[non_exhaustive]
    LockWaiting { waited: Duration, limit: Duration },
    /// The database did not exist and was created (Prisma's line).
    #[non_exhaustive]
    DatabaseCreated { message: String },
    /// The migrations folder was read.
    #[non_exhaustive]
    MigrationsFound { count: usize },
    /// A migration's script is about to run.
    #[non_exhaustive]
    Applying { name: String },
    /// A migration was applied and recorded.
    #[non_exhaustive]
    Applied {
        name: String,
        duration: Duration,
        statements: usize,
    },
    /// A migration's script failed; the error follows.
    #[non_exhaustive]
    Failed { name: String, duration: Duration },
    /// The server's lock timeout ended an attempt of `name` with nothing of it left; the
    /// next attempt starts after `delay`.
    #[non_exhaustive]
    LockRetry {
        name: String,
        attempt: u32,
        attempts: u32,
        delay: Duration,
    },
}

impl Event {
    /// The public form of an internal event, for those a caller can act on.
    pub(crate) fn from_internal(e: &crate::event::Event) -> Option<Event> {
        use crate::event::Event as I;
        Some(match e {
            I::Warning { message } => Event::Warning {
                message: message.clone(),
            },
            I::Waiting {
                location,
                elapsed,
                limit,
            } => Event::Waiting {
                location: location.clone(),
                elapsed: *elapsed,
                limit: *limit,
            },
            I::LockWaiting { waited, limit, .. } => Event::LockWaiting {
                waited: *waited,
                limit: *limit,
            },
            I::DatabaseCreated { message } => Event::DatabaseCreated {
                message: message.clone(),
            },
            I::MigrationsFound { count } => Event::MigrationsFound { count: *count },
            I::ApplyingMigration { name } => Event::Applying { name: name.clone() },
            I::MigrationApplied {
                name,
                elapsed,
                statements,
            } => Event::Applied {
                name: name.clone(),
                duration: *elapsed,
                statements: *statements,
            },
            I::MigrationFailed { name, elapsed, .. } => Event::Failed {
                name: name.clone(),
                duration: *elapsed,
            },
            I::LockRetry {
                name,
                attempt,
                attempts,
                delay,
                ..
            } => Event::LockRetry {
                name: name.clone(),
                attempt: *attempt,
                attempts: *attempts,
                delay: *delay,
            },
            _ => return None,
        })
    }
}

/// One migration [`deploy`](crate::Migrator::deploy) applied.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppliedMigration {
    /// The folder's name, e.g. `20240101000000_init`.
    pub name: String,
    /// How long its script and row took.
    pub duration: Duration,
    /// The statements it ran.
    pub statements: usize,
}

/// What [`deploy`](crate::Migrator::deploy) did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Deployed {
    /// The migrations applied, in order; empty when the database was up to date.
    pub applied: Vec<AppliedMigration>,
    /// The migrations in the folder.
    pub found: usize,
    /// Pending migrations left after the one given to [`to`](crate::Migrator::to).
    pub remaining: usize,
    /// Whether the database did not exist and was created.
    pub database_created: bool,
}

impl Deployed {
    /// The names of the migrations applied, in order.
    pub fn names(&self) -> Vec<&str> {
        self.applied.iter().map(|m| m.name.as_str()).collect()
    }
}

/// What [`status`](crate::Migrator::status) found: every migration of the folder and
/// of the history, and the verdict `prisma migrate status` gives.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Status {
    /// Local migrations in folder order, then history rows without a folder.
    pub migrations: Vec<(String, MigrationState)>,
    /// Whether the database has a `_prisma_migrations` table.
    pub managed: bool,
    diagnosis: Diagnosis,
    detailed: u8,
}

impl Status {
    pub(crate) fn new(
        migrations: Vec<(String, MigrationState)>,
        diagnosis: Diagnosis,
        detailed: u8,
    ) -> Status {
        Status {
            migrations,
            managed: diagnosis.has_migrations_table,
            diagnosis,
            detailed,
        }
    }

    fn named(&self, state: MigrationState) -> Vec<&str> {
        self.migrations
            .iter()
            .filter(|(_, s)| *s == state)
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// Local migrations without a row: what deploy applies.
    pub fn pending(&self) -> Vec<&str> {
        self.named(MigrationState::Pending)
    }

    /// Migrations whose last attempt failed: deploy refuses (P3009) until they are
    /// resolved.
    pub fn failed(&self) -> Vec<&str> {
        self.named(MigrationState::Failed)
    }

    /// Migrations the database applied that the folder lacks, when the folder also has
    /// migrations the database lacks (Prisma's "Your local migration history and the
    /// migrations table from your database are different"); empty otherwise.
    pub fn diverged(&self) -> Vec<&str> {
        match &self.diagnosis.history {
            History::Diverge { unpersisted, .. } => {
                unpersisted.iter().map(String::as_str).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Prisma's "Database schema is up to date!": exit code 0.
    pub fn is_up_to_date(&self) -> bool {
        self.prisma_exit_code() == exit::OK
    }

    /// `prisma migrate status`'s exit code: 0 up to date (edited migrations and rows
    /// without a folder included), else 1.
    pub fn prisma_exit_code(&self) -> u8 {
        crate::commands::prisma_code(&self.diagnosis)
    }

    /// `prismig migrate status --exit-code detailed`: 0 up to date, 2 something to apply,
    /// 3 a failed migration, 4 diverged, 5 a database with tables but no history.
    pub fn detailed_exit_code(&self) -> u8 {
        self.detailed
    }
}

/// What [`resolve_applied`](crate::Migrator::resolve_applied) or
/// [`resolve_rolled_back`](crate::Migrator::resolve_rolled_back) recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Resolved {
    /// The migration's folder name.
    pub name: String,
    /// [`MigrationState::Applied`] or [`MigrationState::RolledBack`].
    pub state: MigrationState,
}

/// What [`drift`](crate::Migrator::drift) found: the status, and the differences between
/// the database's schema and its applied migrations replayed in a shadow database.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Drift {
    /// The status, as [`status`](crate::Migrator::status) reports it.
    pub status: Status,
    /// Prisma's drift summary; `No difference detected.` when there is none.
    pub summary: String,
    changes: usize,
}

impl Drift {
    pub(crate) fn new(status: Status, summary: String, changes: usize) -> Drift {
        Drift {
            status,
            summary,
            changes,
        }
    }

    /// Whether the database's schema differs from what its migrations create.
    pub fn has_drift(&self) -> bool {
        self.changes > 0
    }
}

/// What [`diff`](crate::Migrator::diff) found between two schemas.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Difference {
    /// Prisma's summary of the changes (`migrate diff`'s output); `No difference
    /// detected.` when there is none.
    pub summary: String,
    changes: usize,
}

impl Difference {
    pub(crate) fn new(summary: String, changes: usize) -> Difference {
        Difference { summary, changes }
    }

    /// Whether the two schemas are the same.
    pub fn is_empty(&self) -> bool {
        self.changes == 0
    }
}

/// One side of [`diff`](crate::Migrator::diff).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiffSide {
    /// An empty schema.
    Empty,
    /// The schema of the database at this URL (read only; a relative SQLite path is read
    /// from the datasource's folder).
    Url(String),
    /// A migrations folder, replayed into a shadow database (a relative path is read from
    /// the project's directory, the working directory for
    /// [`from_schema`](crate::Migrator::from_schema) and
    /// [`from_migrations`](crate::Migrator::from_migrations)).
    Migrations(std::path::PathBuf),
    /// The [`Migrator`](crate::Migrator)'s own database (read only).
    ProjectDatasource,
}
