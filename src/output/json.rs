//! `--json`: one JSON document on stdout when the command ends. The types are public so
//! that tests (and other programs) deserialize exactly what is serialized; the schema is
//! `schema/prismig-output.schema.json`.

use super::Output;
use crate::error::Error;
use crate::event::{Event, MigrationState, PlannedMigration, Reporter};
use crate::reconcile::History;
use serde::{Deserialize, Serialize};
use std::io::Write;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// `migrate deploy`, `migrate status`, …
    pub command: String,
    pub ok: bool,
    pub exit_code: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datasource: Option<Datasource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migrations_found: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_created: Option<String>,
    /// deploy: applied migrations, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applied: Vec<Applied>,
    /// deploy: the migration that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<Failed>,
    /// deploy --dry-run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<Resolved>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolled_back: Option<String>,
    /// `rollback --dry-run`: what would run; nothing was changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_plan: Option<RollbackPlan>,
    /// Set (true) by dry runs: nothing was changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    /// deploy: who held the migration lock while prismig waited (the last one seen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_holder: Option<crate::event::LockHolder>,
    /// deploy `--statement-lock-timeout`: attempts ended by the lock timeout and retried.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lock_retries: Vec<LockRetry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// baseline: the plan, or what was done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repair: Option<Repair>,
    /// sync: the differences and the commands for each (empty: in sync).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<Vec<crate::event::Advice>>,
    /// status --drift: `{ "drift": bool, "summary": …, "steps": [...] }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repair {
    /// Whether the steps were carried out (`--yes`) or only planned.
    pub applied: bool,
    pub steps: Vec<crate::event::RepairStep>,
    /// The record that `--undo` reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollbackPlan {
    pub name: String,
    pub down_sql: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockRetry {
    pub migration: String,
    pub attempt: u32,
    pub attempts: u32,
    pub delay_ms: u64,
    pub error: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Datasource {
    pub name: String,
    pub provider: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Applied {
    pub name: String,
    pub duration_ms: u64,
    pub statements: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failed {
    pub name: String,
    pub duration_ms: u64,
    pub statements_applied: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub database_exists: bool,
    pub table_exists: bool,
    pub pending: Vec<PlannedMigration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<String>,
}

/// The overall verdict of `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    UpToDate,
    Pending,
    Failed,
    Diverged,
    Unmanaged,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub verdict: Verdict,
    pub has_migrations_table: bool,
    pub migrations: Vec<Entry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_common_migration: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    pub state: MigrationState,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolved {
    pub name: String,
    /// `applied` or `rolled_back`.
    pub marked: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The prismig command that resolves the situation (or finds out how), quoted for a
    /// POSIX shell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// P1002: who held the migration lock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_holder: Option<crate::event::LockHolder>,
}

/// `status`'s verdict, in the order Prisma checks (§5.3).
pub fn verdict(d: &crate::reconcile::Diagnosis) -> Verdict {
    match &d.history {
        History::DatabaseIsBehind { .. } => Verdict::Pending,
        History::Diverge { .. } => Verdict::Diverged,
        _ if !d.has_migrations_table => Verdict::Unmanaged,
        _ if !d.failed.is_empty() => Verdict::Failed,
        _ => Verdict::UpToDate,
    }
}

pub struct Json {
    doc: Document,
    invocation: super::hint::Invocation,
}

impl Json {
    pub fn new(command: &str) -> Json {
        Json {
            doc: Document {
                command: command.to_owned(),
                ..Default::default()
            },
            invocation: Default::default(),
        }
    }
}

fn ms(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Reporter for Json {
    fn report(&mut self, event: Event) {
        let doc = &mut self.doc;
        match event {
            Event::Datasource {
                name,
                provider,
                description,
            } => {
                doc.datasource = Some(Datasource {
                    name,
                    provider: provider.to_owned(),
                    description,
                })
            }
            Event::DatabaseCreated { message } => doc.database_created = Some(message),
            Event::MigrationsFound { count } => doc.migrations_found = Some(count),
            Event::MigrationApplied {
                name,
                elapsed,
                statements,
            } => doc.applied.push(Applied {
                name,
                duration_ms: ms(elapsed),
                statements,
            }),
            Event::MigrationFailed {
                name,
                elapsed,
                statements_applied,
            } => {
                doc.failed = Some(Failed {
                    name,
                    duration_ms: ms(elapsed),
                    statements_applied,
                })
            }
            Event::Plan {
                database_exists,
                table_exists,
                pending,
                blocked_by,
            } => {
                doc.plan = Some(Plan {
                    database_exists,
                    table_exists,
                    pending,
                    blocked_by,
                })
            }
            Event::BackupWritten { path } => doc.backup = Some(path),
            Event::Status {
                diagnosis, entries, ..
            } => {
                doc.status = Some(Status {
                    verdict: verdict(&diagnosis),
                    has_migrations_table: diagnosis.has_migrations_table,
                    migrations: entries
                        .into_iter()
                        .map(|(name, state)| Entry { name, state })
                        .collect(),
                    last_common_migration: match diagnosis.history {
                        History::Diverge { last_common, .. } => last_common,
                        _ => None,
                    },
                })
            }
            Event::Resolved { name, applied } => {
                doc.resolved = Some(Resolved {
                    name,
                    marked: if applied { "applied" } else { "rolled_back" }.to_owned(),
                })
            }
            Event::RolledBack {
                name,
                dry_run: true,
                down_sql,
            } => {
                doc.dry_run = Some(true);
                doc.rollback_plan = Some(RollbackPlan {
                    name,
                    down_sql: down_sql.unwrap_or_default(),
                })
            }
            Event::RolledBack { name, .. } => doc.rolled_back = Some(name),
            Event::LockWaiting { holder, .. } => {
                if holder.is_some() {
                    doc.lock_holder = holder;
                }
            }
            Event::LockRetry {
                name,
                attempt,
                attempts,
                delay,
                error,
            } => doc.lock_retries.push(LockRetry {
                migration: name,
                attempt,
                attempts,
                delay_ms: ms(delay),
                error: super::hint::plain_message(&error),
            }),
            Event::Sync { advice } => doc.sync = Some(advice),
            Event::Repair {
                steps,
                applied,
                backup,
                ..
            } => {
                doc.repair = Some(Repair {
                    applied,
                    steps,
                    record: backup,
                })
            }
            Event::MigrationCreated { path, .. } => doc.created = Some(path),
            Event::Warning { message } => doc.warnings.push(super::hint::plain_message(&message)),
            Event::Drift { summary, steps } => {
                doc.drift = Some(serde_json::json!({
                    "drift": !steps.is_empty(),
                    "summary": summary,
                    "steps": steps,
                }))
            }
            Event::ConfigLoaded { .. }
            | Event::EnvLoaded { .. }
            | Event::SchemaLoaded { .. }
            | Event::DeployConnectFailed
            | Event::ApplyBegins
            | Event::ApplyingMigration { .. }
            | Event::MigrationStarting { .. }
            | Event::DeployFinished { .. }
            | Event::ScriptExecuted
            | Event::Waiting { .. } => {}
        }
    }
}

impl Output for Json {
    fn error(&mut self, e: &Error) {
        let hint = super::hint::hint(e, &self.invocation);
        self.doc.error = Some(ErrorInfo {
            code: e.code().to_owned(),
            message: super::hint::plain_message(&e.to_string()),
            hint: hint.as_ref().map(|h| h.text.clone()),
            command: hint.map(|h| h.command),
            lock_holder: match e {
                Error::Timeout { holder, .. } => holder.as_deref().cloned(),
                _ => None,
            },
        });
    }

    fn set_invocation(&mut self, invocation: super::hint::Invocation) {
        self.invocation = invocation;
    }

    fn finish(&mut self, exit_code: u8) {
        self.doc.exit_code = exit_code;
        self.doc.ok = self.doc.error.is_none() && exit_code == 0;
        let mut out = std::io::stdout();
        if let Ok(text) = serde_json::to_string_pretty(&self.doc) {
            let _ = writeln!(out, "{text}");
        }
    }
}
