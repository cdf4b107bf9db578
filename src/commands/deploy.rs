//! `migrate deploy` (`prisma-migrate.md` §4), and prismig's additions: `--dry-run`,
//! `--to`, `--backup`. With none of them, the output and the history are Prisma's.

use super::Context;
use crate::db::{Database, FailureKind, Target};
use crate::dburl::Provider;
use crate::error::{exit, Error, Result};
use crate::event::{Event, PlannedMigration};
use crate::history::{new_id, Failure};
use crate::migration::statements;
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
            if let Some(message) = message {
                ctx.emit(Event::DatabaseCreated { message });
            }
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
    let table_exists = tables
        .iter()
        .any(|(s, t)| *s == namespace && t == "_prisma_migrations");
    if !table_exists && tables.iter().any(|(_, t)| !db.ignores_table(t)) {
        return Err(Error::SchemaNotEmpty);
    }
    let rows = match table_exists {
        true => db.history().list()?.unwrap_or_default(),
        false => Vec::new(),
    };
    check_no_failed(&rows)?;

    let names = dir.names();
    let mut pending = pending_for_deploy(&names, &rows);
    let all_pending = pending.len();
    if let Some(to) = &options.to {
        pending = up_to(pending, to, &dir)?;
    }
    let remaining = all_pending - pending.len();
    // A script prismig will not send stops the deploy before anything is written.
    preflight(&dir, &pending, target.provider())?;
    if !table_exists {
        db.history().create_table()?;
    }
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

/// Before anything is written: every pending script must be one prismig can send as it
/// is. Refusing the third of five migrations after applying two would leave a deploy
/// half done for a reason known from the start.
fn preflight(dir: &MigrationsDir, pending: &[&str], provider: Provider) -> Result<()> {
    for name in pending {
        let Some(local) = dir.find(name) else {
            unreachable!("pending names come from the folder")
        };
        let script = match local.script_to_apply() {
            Ok(script) => script,
            // Prisma reports a missing file when it reaches it (§3.3), after the earlier ones.
            Err(Error::MigrationFileNotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        if provider == Provider::Postgres {
            if let Some(statement) = statements::client_copy(&statements::split(&script)) {
                return Err(client_copy_error(name, statement.trim(), None));
            }
        }
    }
    Ok(())
}

/// PM3110: `COPY … FROM STDIN` / `TO STDOUT` in a migration (transcripts §9.3): Prisma
/// fails with P1017 (rolled back) or P3018 (committed); prismig refuses it before sending
/// anything, or, should the server meet one that the scan did not see, says what became
/// of the file.
fn client_copy_error(name: &str, statement: &str, rolled_back: Option<bool>) -> Error {
    let shown: String = statement.chars().take(200).collect();
    let outcome = match rolled_back {
        None => "Nothing was applied.",
        Some(true) => "prismig ended the COPY with an error; the server rolled the script back.",
        Some(false) => "prismig ended the COPY; whether the rest of the script committed, only the database can tell: look before `migrate resolve`.",
    };
    Error::own(
        "PM3110",
        format!(
            "Migration `{name}` runs `{shown}`, which needs the client's data channel (COPY ... FROM STDIN / TO STDOUT): a migration has none. {outcome} Load the data with COPY ... FROM '<server file>', INSERT statements, or psql outside the migration."
        ),
    )
}

/// §4.2 step 8: the script and its row (`Database::apply_migration`), and what the history
/// says when the script fails.
fn apply(ctx: &mut Context<'_>, db: &mut Database, local: &LocalMigration) -> Result<()> {
    let name = local.name.as_str();
    let script = local.script_to_apply()?;
    let plan = db.plan(&script);
    let id = new_id()?;
    let sum = checksum(&script);
    let started_at = Utc::now();
    ctx.emit(Event::ApplyingMigration {
        name: name.to_owned(),
    });
    let started = Instant::now();
    let failure = match db.apply_migration(&id, &sum, name, &script)? {
        Ok(statements) => {
            ctx.emit(Event::MigrationApplied {
                name: name.to_owned(),
                elapsed: started.elapsed(),
                statements,
            });
            return Ok(());
        }
        Err(failure) => failure,
    };
    let interrupted = crate::db::interrupt::received();
    if plan.with_row && failure.kind == FailureKind::ConnectionLost {
        // The row went with the script's transaction: the database holds both or neither,
        // and nothing written now could be truer than that.
        ctx.emit(Event::MigrationFailed {
            name: name.to_owned(),
            elapsed: started.elapsed(),
            statements_applied: 0,
        });
        return Err(match interrupted {
            Some(signal) => Error::Interrupted { signal },
            None => Error::ConnectionClosed,
        });
    }
    // Certain only for a file that ran as one transaction and was cancelled, or stopped
    // with an error, by the server: then nothing of it is left.
    let nothing_left = plan.atomic
        && match failure.kind {
            FailureKind::Server => true,
            FailureKind::ClientCopy { rolled_back, .. } => rolled_back,
            FailureKind::ConnectionLost | FailureKind::OpenTransaction => false,
        };
    let error = match failure.kind {
        FailureKind::ClientCopy { .. } => client_copy_error(
            name,
            statements::client_copy(&statements::split(&script)).unwrap_or("COPY"),
            Some(nothing_left),
        ),
        FailureKind::ConnectionLost if interrupted.is_none() => Error::ConnectionClosed,
        _ => Error::ApplyFailed {
            name: name.to_owned(),
            code: failure.code.clone(),
            error: failure.error.clone(),
        },
    };
    let split_note = plan.split_reason.as_ref().map(|reason| {
        format!(
            "prismig ran this file statement by statement ({}): {} of {} statements committed before the failure and stay applied.",
            match reason {
                statements::SplitReason::Directive => "-- prismig:no-transaction".to_owned(),
                statements::SplitReason::Statement(s) => s.clone(),
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
    let logged = Error::ApplyFailed {
        name: name.to_owned(),
        code: failure.code.clone(),
        error: failure.error.clone(),
    };
    let mut logs = failure_logs(&logged, name, split_note);
    if failure.kind == FailureKind::ConnectionLost {
        logs.push_str("\nThe connection to the database broke while the script ran: prismig cannot tell whether the script committed. Look at the database before `migrate resolve --applied` or `--rolled-back`.");
    }
    if let Some(signal) = interrupted {
        logs.push_str(&format!(
            "\nprismig was interrupted by {} and cancelled the statement in flight.{}",
            crate::db::interrupt::signal_name(signal),
            if nothing_left {
                " The file ran as one transaction, which PostgreSQL rolled back: the row is marked rolled back, and the next deploy applies the migration again."
            } else {
                ""
            }
        ));
    }
    // The script's error is what matters; a bookkeeping connection that broke with it
    // leaves the row started, which deploy and status report as failed all the same.
    let recorded = db.history().record_failure(&Failure {
        id: &id,
        checksum: &sum,
        name,
        started_at,
        logs: &logs,
        steps,
    });
    if interrupted.is_some() && nothing_left && recorded.is_ok() {
        // An atomic file left nothing: say so in the row, as resolve --rolled-back would.
        db.history()
            .mark_rolled_back(std::slice::from_ref(&id), Utc::now())?;
    }
    ctx.emit(Event::MigrationFailed {
        name: name.to_owned(),
        elapsed: started.elapsed(),
        statements_applied: failure.statements_applied,
    });
    match interrupted {
        Some(signal) => Err(Error::Interrupted { signal }),
        None => Err(error),
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
                    with_row: false,
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
