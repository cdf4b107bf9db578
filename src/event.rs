//! What commands report while they work. Commands emit events; reporters in `output/`
//! turn them into Prisma's text, JSON or log lines. Commands never format output.

use crate::reconcile::Diagnosis;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One migration's state, as `migrate status` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MigrationState {
    /// Applied and unchanged since.
    Applied,
    /// In the folder, never applied: deploy applies it.
    Pending,
    /// Its last attempt failed: deploy refuses (P3009) until it is resolved.
    Failed,
    /// Only rolled-back rows: deploy applies it again.
    RolledBack,
    /// Applied, then its file changed.
    Edited,
    /// A row without a local folder.
    MissingLocally,
}

/// A migration `deploy --dry-run` would apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedMigration {
    pub name: String,
    pub bytes: usize,
    /// The script's first lines (up to three non-empty ones).
    pub preview: Vec<String>,
    /// Whether it would run as one transaction (else statement by statement).
    pub atomic: bool,
    pub statements: usize,
}

/// What a repair does to one migration or file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairAction {
    /// A finished row is inserted, as `resolve --applied` does.
    MarkApplied,
    /// Failed rows get `rolled_back_at`, as `resolve --rolled-back` does.
    MarkRolledBack,
    /// The stored checksum becomes the file's.
    Restamp,
    /// The rows follow their renamed folder.
    Rename,
    /// Rows move to `_prisma_migrations_backup`.
    Archive,
    /// A row a previous repair inserted is deleted (`--undo`).
    RemoveRow,
    /// A previous repair's change is reverted (`--undo`).
    Restore,
    /// `cleanup`: a file or folder moves to the trash folder.
    MoveToTrash,
    /// `cleanup`: a nested migration folder moves up into the migrations folder.
    MoveUp,
    /// `cleanup`: a file is renamed in place (`Migration.SQL` → `migration.sql`).
    RenameFile,
    /// `cleanup`: `migration_lock.toml` is written.
    WriteLockfile,
    /// Found, and left for a person to decide: the reason says what to run.
    Keep,
    /// Found, and nothing needs doing: information only.
    Note,
}

impl RepairAction {
    /// Steps that change something when carried out.
    pub fn changes(self) -> bool {
        !matches!(self, RepairAction::Keep | RepairAction::Note)
    }
}

/// One step of a repair plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairStep {
    pub action: RepairAction,
    /// The migration (or, for `cleanup`, the path under the migrations folder).
    pub name: String,
    /// Why, in plain words.
    pub reason: String,
    /// More lines: a diff summary, the objects checked, the commands to run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

impl RepairStep {
    pub fn new(action: RepairAction, name: impl Into<String>, reason: impl Into<String>) -> Self {
        RepairStep {
            action,
            name: name.into(),
            reason: reason.into(),
            details: Vec::new(),
        }
    }

    pub fn with_details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }
}

/// The kinds of difference `sync` explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdviceKind {
    Unmanaged,
    Failed,
    MissingLocally,
    Pending,
    Edited,
    RolledBack,
}

/// One difference between the folder and the history, in plain words, with the commands
/// that resolve it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advice {
    pub kind: AdviceKind,
    pub migrations: Vec<String>,
    pub explanation: String,
    pub commands: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum Event {
    ConfigLoaded {
        path: String,
    },
    EnvLoaded {
        paths: Vec<String>,
    },
    SchemaLoaded {
        path: String,
    },
    /// The `Datasource "db": …` header.
    Datasource {
        name: String,
        provider: &'static str,
        description: String,
    },
    /// `migrate deploy` could not connect (Prisma writes an empty line first).
    DeployConnectFailed,
    DatabaseCreated {
        message: String,
    },
    MigrationsFound {
        count: usize,
    },
    /// Before the engine work of deploy (Prisma writes an empty line).
    ApplyBegins,
    ApplyingMigration {
        name: String,
    },
    MigrationApplied {
        name: String,
        elapsed: Duration,
        statements: usize,
    },
    MigrationFailed {
        name: String,
        elapsed: Duration,
        /// Statements committed before the failure (statement-by-statement runs).
        statements_applied: usize,
    },
    DeployFinished {
        applied: Vec<String>,
        /// Pending migrations left after `--to` (0 without it).
        remaining: usize,
    },
    /// `deploy --dry-run`: what would happen; nothing was changed.
    Plan {
        database_exists: bool,
        table_exists: bool,
        pending: Vec<PlannedMigration>,
        blocked_by: Option<String>,
    },
    BackupWritten {
        path: String,
    },
    Status {
        diagnosis: Diagnosis,
        local_count: usize,
        entries: Vec<(String, MigrationState)>,
    },
    Resolved {
        name: String,
        applied: bool,
    },
    /// `migrate rollback`: `down.sql` ran and the migration is marked rolled back.
    RolledBack {
        name: String,
        dry_run: bool,
        /// A dry run shows the `down.sql` that would run.
        down_sql: Option<String>,
    },
    /// A history repair: its plan (`applied: false`, nothing changed) or what it did.
    Repair {
        command: &'static str,
        steps: Vec<RepairStep>,
        applied: bool,
        /// The record `--undo` reads.
        backup: Option<String>,
        /// The command that undoes it, ready to paste.
        undo: Option<String>,
    },
    /// `sync`: the differences found (none: in sync).
    Sync {
        advice: Vec<Advice>,
    },
    /// `migrate new`: the folder made.
    MigrationCreated {
        path: String,
        lockfile_created: bool,
        /// The command that applies it, ready to paste.
        deploy: String,
    },
    /// `db execute` succeeded.
    ScriptExecuted,
    /// `--wait`: the server did not answer yet.
    Waiting {
        location: String,
        elapsed: Duration,
        limit: Duration,
    },
    Warning {
        message: String,
    },
    /// `status --drift`: the live schema against the applied migrations replayed in a
    /// shadow database; `summary` is Prisma's (§9.7), "No difference detected." when none.
    Drift {
        summary: String,
        steps: Vec<crate::drift::Step>,
    },
    /// `migrate deploy`: the next migration's place in the run and the start of its first
    /// statement (for progress on a terminal and the heartbeat). Emitted right before
    /// `ApplyingMigration`.
    MigrationStarting {
        index: usize,
        total: usize,
        first_statement: String,
    },
    /// The migration lock is taken by another session; prismig keeps waiting.
    LockWaiting {
        holder: Option<LockHolder>,
        waited: Duration,
        limit: Duration,
    },
    /// `--statement-lock-timeout`: an attempt of a migration ended by the server's lock
    /// timeout, with nothing of it left; the next attempt starts after `delay`.
    LockRetry {
        name: String,
        attempt: u32,
        attempts: u32,
        delay: Duration,
        error: String,
    },
}

/// The session holding the migration lock, as far as the server tells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockHolder {
    /// PostgreSQL backend pid, MySQL connection id, or the SQLite file.
    pub session: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// `active`, `idle`, `idle in transaction`…, or MySQL's command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// How long its current (or last) query has run, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// Receives events. Implemented in `output/`.
pub trait Reporter {
    fn report(&mut self, event: Event);
}

/// Collects events, for a caller that reads them afterwards instead of printing them.
#[derive(Debug, Default)]
#[allow(dead_code, reason = "kept for callers that collect a run's events")]
pub struct Recorder {
    pub events: Vec<Event>,
}

impl Reporter for Recorder {
    fn report(&mut self, event: Event) {
        self.events.push(event);
    }
}
