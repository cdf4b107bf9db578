//! `migrate deploy` (`prisma-migrate.md` §4), and prismig's additions: `--dry-run`,
//! `--to`, `--backup`. With none of them, the output and the history are Prisma's.

use super::Context;
use crate::db::{Database, Target};
use crate::error::{exit, Error, Result};
use crate::event::{Event, PlannedMigration};
use crate::history::{new_id, Failure};
use crate::migration::{check_provider, checksum, LocalMigration, MigrationsDir};
use crate::reconcile::{check_no_failed, pending_for_deploy};
use chrono::Utc;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    /// Print what would happen; change nothing.
    pub dry_run: bool,
    /// Apply pending migrations up to and including this one.
    pub to: Option<String>,
    /// Back the database up first: `Some(None)` to a generated path.
    pub backup: Option<Option<PathBuf>>,
}

/// The `logs` text of a failed migration: the P3018 message, then a trace in the
/// engine's span-trace layout (§4.7) naming where prismig ran the script, and, for a file
/// run statement by statement, what had committed.
fn failure_logs(error: &Error, name: &str, split_note: Option<String>) -> String {
    let note = split_note.map(|n| format!("\n{n}")).unwrap_or_default();
    format!(
        "{error}\n   0: prismig::commands::deploy::apply_script\n           with migration_name={name:?}\n             at {}:{}{note}",
        file!(),
        line!()
    )
}

/// `--to NAME`: the pending migrations that come up to NAME in the folder's order. NAME
/// applied already leaves nothing to do (a pipeline can run the same step again).
fn up_to<'a>(pending: Vec<&'a str>, to: &str, dir: &MigrationsDir) -> Result<Vec<&'a str>> {
    let names = dir.names();
    let Some(end) = names.iter().position(|n| *n == to) else {
        return Err(Error::own(
            "PM3101",
            format!(
                "--to {to}: there is no migration folder of that name in the migrations folder"
            ),
        ));
    };
    Ok(pending
        .into_iter()
        .filter(|p| names.iter().position(|n| n == p).is_some_and(|i| i <= end))
        .collect())
}

fn preview(script: &str) -> Vec<String> {
    script
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .take(3)
        .map(|l| l.chars().take(120).collect())
        .collect()
}

pub fn deploy(ctx: &mut Context<'_>, options: &DeployOptions) -> Result<u8> {
    let target = match ctx.announce() {
        Ok(t) => t,
        Err(e) => {
            ctx.emit(Event::DeployConnectFailed);
            return Err(e);
        }
    };
    if options.dry_run {
        return dry_run(ctx, &target, options);
    }
    let mut db = match ctx.connect(&target) {
        Ok(db) => db,
        Err(Error::DatabaseDoesNotExist { .. }) => {
            let (db, message) = Database::create(&target).inspect_err(|_| {
                ctx.emit(Event::DeployConnectFailed);
            })?;
            ctx.emit(Event::DatabaseCreated { message });
            db
        }
        Err(e) => {
            ctx.emit(Event::DeployConnectFailed);
            return Err(e);
        }
    };

    let dir = MigrationsDir::read(&ctx.project.migrations_dir);
    ctx.emit(Event::MigrationsFound {
        count: dir.migrations.len(),
    });
    ctx.emit(Event::ApplyBegins);

    // §4.2: provider check, lock, initialise, list, failed check, apply.
    check_provider(dir.lockfile.as_deref(), ctx.lock_name())?;
    ctx.lock(&mut db)?;

    let tables = db.table_names(&ctx.project.schemas)?;
    let namespace = db.history_namespace().to_owned();
    if !tables
        .iter()
        .any(|(s, t)| *s == namespace && t == "_prisma_migrations")
    {
        if tables.iter().any(|(_, t)| !db.ignores_table(t)) {
            return Err(Error::SchemaNotEmpty);
        }
        db.history().create_table()?;
    }
    let rows = db.history().list()?.unwrap_or_default();
    check_no_failed(&rows)?;

    let names = dir.names();
    let mut pending = pending_for_deploy(&names, &rows);
    let all_pending = pending.len();
    if let Some(to) = &options.to {
        pending = up_to(pending, to, &dir)?;
    }
    let remaining = all_pending - pending.len();
    if let (Some(path), false) = (&options.backup, pending.is_empty()) {
        let path = path
            .clone()
            .unwrap_or_else(|| crate::db::default_backup_path(&target));
        db.backup(&target, &path)?;
        ctx.emit(Event::BackupWritten {
            path: path.display().to_string(),
        });
    }
    let mut applied = Vec::with_capacity(pending.len());
    for name in pending {
        if let Some(signal) = crate::db::interrupt::received() {
            return Err(Error::Interrupted { signal });
        }
        let Some(local) = dir.find(name) else {
            unreachable!("pending names come from the folder")
        };
        apply(ctx, &mut db, local)?;
        applied.push(name.to_owned());
    }
    db.unlock();
    ctx.emit(Event::DeployFinished { applied, remaining });
    Ok(exit::OK)
}

/// §4.2 step 8: row first, then the script, then the bookkeeping.
fn apply(ctx: &mut Context<'_>, db: &mut Database, local: &LocalMigration) -> Result<()> {
    let name = local.name.as_str();
    let script = local.script()?;
    let plan = db.plan(&script);
    let id = new_id()?;
    let sum = checksum(&script);
    let started_at = Utc::now();
    ctx.emit(Event::ApplyingMigration {
        name: name.to_owned(),
    });
    let started = Instant::now();
    match db.apply_migration(&id, &sum, name, &script)? {
        Ok(statements) => {
            ctx.emit(Event::MigrationApplied {
                name: name.to_owned(),
                elapsed: started.elapsed(),
                statements,
            });
            Ok(())
        }
        Err(failure) => {
            let error = Error::ApplyFailed {
                name: name.to_owned(),
                code: failure.code,
                error: failure.error,
            };
            let split_note = plan.split_reason.as_ref().map(|reason| {
                format!(
                    "prismig ran this file statement by statement ({}): {} of {} statements committed before the failure and stay applied.",
                    match reason {
                        crate::migration::statements::SplitReason::Directive => "-- prismig:no-transaction".to_owned(),
                        crate::migration::statements::SplitReason::Statement(s) => s.clone(),
                    },
                    failure.statements_applied,
                    plan.statements
                )
            });
            // Prisma leaves 0; only runs that prismig split itself record what committed.
            let steps = if plan.split_reason.is_some() {
                failure.statements_applied
            } else {
                0
            };
            let interrupted = crate::db::interrupt::received();
            let mut logs = failure_logs(&error, name, split_note);
            if let Some(signal) = interrupted {
                logs.push_str(&format!(
                    "\nprismig was interrupted by {} and cancelled the statement in flight.{}",
                    crate::db::interrupt::signal_name(signal),
                    if plan.atomic {
                        " The file ran as one transaction, which PostgreSQL rolled back: the row is marked rolled back, and the next deploy applies the migration again."
                    } else {
                        ""
                    }
                ));
            }
            db.history().record_failure(&Failure {
                id: &id,
                checksum: &sum,
                name,
                started_at,
                logs: &logs,
                steps,
            })?;
            if let Some(signal) = interrupted {
                // An atomic file left nothing: say so in the row, as resolve --rolled-back would.
                if plan.atomic {
                    db.history()
                        .mark_rolled_back(std::slice::from_ref(&id), Utc::now())?;
                }
                ctx.emit(Event::MigrationFailed {
                    name: name.to_owned(),
                    elapsed: started.elapsed(),
                    statements_applied: failure.statements_applied,
                });
                return Err(Error::Interrupted { signal });
            }
            ctx.emit(Event::MigrationFailed {
                name: name.to_owned(),
                elapsed: started.elapsed(),
                statements_applied: failure.statements_applied,
            });
            Err(error)
        }
    }
}

/// `--dry-run`: read, never write; no database, schema or table created, no lock.
fn dry_run(ctx: &mut Context<'_>, target: &Target, options: &DeployOptions) -> Result<u8> {
    let dir = MigrationsDir::read(&ctx.project.migrations_dir);
    let mut db = match Database::connect_read_only(target) {
        Ok(db) => Some(db),
        Err(Error::DatabaseDoesNotExist { .. }) => None,
        Err(e) => return Err(e),
    };
    ctx.emit(Event::MigrationsFound {
        count: dir.migrations.len(),
    });
    ctx.emit(Event::ApplyBegins);
    check_provider(dir.lockfile.as_deref(), ctx.lock_name())?;
    let mut blocked_by = None;
    let mut table_exists = false;
    let mut rows = Vec::new();
    if let Some(db) = db.as_mut().filter(|db| db.namespace_exists()) {
        let tables = db.table_names(&ctx.project.schemas)?;
        let namespace = db.history_namespace().to_owned();
        table_exists = tables
            .iter()
            .any(|(s, t)| *s == namespace && t == "_prisma_migrations");
        if !table_exists && tables.iter().any(|(_, t)| !db.ignores_table(t)) {
            blocked_by = Some(Error::SchemaNotEmpty);
        }
        if table_exists {
            rows = db.history().list()?.unwrap_or_default();
            blocked_by = check_no_failed(&rows).err();
        }
    }
    let names = dir.names();
    let mut pending = pending_for_deploy(&names, &rows);
    if let Some(to) = &options.to {
        pending = up_to(pending, to, &dir)?;
    }
    let mut planned = Vec::new();
    if blocked_by.is_none() {
        for name in pending {
            let Some(local) = dir.find(name) else {
                unreachable!("pending names come from the folder")
            };
            let script = match local.script() {
                Ok(s) => s,
                Err(e) => {
                    blocked_by = Some(e);
                    break;
                }
            };
            let plan = match &db {
                Some(db) => db.plan(&script),
                None => crate::db::ScriptPlan {
                    statements: crate::migration::statements::split(&script).len(),
                    atomic: target.provider() == crate::dburl::Provider::Postgres,
                    split_reason: None,
                },
            };
            planned.push(PlannedMigration {
                name: name.to_owned(),
                bytes: script.len(),
                preview: preview(&script),
                atomic: plan.atomic,
                statements: plan.statements,
            });
        }
    }
    let code = if blocked_by.is_some() {
        exit::FAILURE
    } else {
        exit::OK
    };
    ctx.emit(Event::Plan {
        database_exists: db.is_some(),
        table_exists,
        pending: planned,
        blocked_by: blocked_by.map(|e| {
            format!(
                "{}: {}",
                e.code(),
                e.to_string().lines().next().unwrap_or("")
            )
        }),
    });
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_takes_three_non_empty_lines() {
        assert_eq!(preview("\n-- a\n\nb\nc\nd\n"), ["-- a", "b", "c"]);
    }
}
