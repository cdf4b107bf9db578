//! `migrate deploy` (`prisma-migrate.md` §4), and prismig's additions: `--dry-run`,
//! `--to`, `--backup`. With none of them, the output and the history are Prisma's.

use super::Context;
use crate::db::{Database, FailureKind, ScriptLimits, Target};
use crate::dburl::Provider;
use crate::error::{exit, Error, Result};
use crate::event::{Event, PlannedMigration};
use crate::history::{new_id, Failure};
use crate::migration::statements;
use crate::migration::{check_provider, checksum, LocalMigration, MigrationsDir};
use crate::reconcile::{check_no_failed, pending_for_deploy};
use chrono::Utc;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    /// Print what would happen; change nothing.
    pub dry_run: bool,
    /// Apply pending migrations up to and including this one.
    pub to: Option<String>,
    /// Back the database up first: `Some(None)` to a generated path.
    pub backup: Option<Option<PathBuf>>,
    /// `--statement-lock-timeout`, `--lock-retries`, `--lock-retry-delay`,
    /// `--statement-timeout`.
    pub guard: Guard,
}

/// The lock-timeout guard: the server's own timeouts on the session that runs the scripts,
/// set before each migration (never by editing a script), and retries of a migration that
/// the lock timeout ended while nothing of it was left.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    pub lock_timeout: Option<Duration>,
    pub retries: u32,
    pub retry_delay: Duration,
    pub statement_timeout: Option<Duration>,
}

impl Guard {
    pub const DEFAULT_RETRIES: u32 = 3;
    pub const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(1);

    fn limits(&self) -> ScriptLimits {
        ScriptLimits {
            lock_timeout: self.lock_timeout,
            statement_timeout: self.statement_timeout,
        }
    }

    /// The pause before attempt `next` (2, 3, …): the delay, doubled each time, at most a
    /// minute.
    fn pause(&self, next: u32) -> Duration {
        let factor = 1u32 << next.saturating_sub(2).min(16);
        (self.retry_delay * factor).min(Duration::from_secs(60))
    }
}

/// The server's error for "the lock timeout ended this statement": PostgreSQL
/// `lock_not_available`, MySQL `ER_LOCK_WAIT_TIMEOUT` and `ER_LOCK_NOWAIT`.
fn is_lock_timeout(code: &str) -> bool {
    matches!(code, "55P03" | "1205" | "3572")
}

/// The first statement of a script, on one line (for the heartbeat).
fn first_statement(script: &str) -> String {
    statements::split(script)
        .iter()
        .map(|s| {
            s.text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("--"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .find(|s| !s.is_empty())
        .map(|s| s.chars().take(200).collect())
        .unwrap_or_default()
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
    check_guard(&options.guard, target.provider())?;
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
    let total = pending.len();
    for (index, name) in pending.into_iter().enumerate() {
        if let Some(signal) = crate::db::interrupt::received() {
            return Err(Error::Interrupted { signal });
        }
        let Some(local) = dir.find(name) else {
            unreachable!("pending names come from the folder")
        };
        ctx.emit(Event::MigrationStarting {
            index: index + 1,
            total,
            first_statement: local
                .script_to_apply()
                .map(|s| first_statement(&s))
                .unwrap_or_default(),
        });
        apply(ctx, &mut db, local, &options.guard)?;
        applied.push(name.to_owned());
    }
    db.unlock();
    ctx.emit(Event::DeployFinished { applied, remaining });
    Ok(exit::OK)
}

/// The guard's values, before anything is done: a zero timeout would mean "none" to the
/// server, and SQLite has no statement timeout to set.
fn check_guard(guard: &Guard, provider: Provider) -> Result<()> {
    for (flag, value) in [
        ("--statement-lock-timeout", guard.lock_timeout),
        ("--statement-timeout", guard.statement_timeout),
    ] {
        if value.is_some_and(|v| v < Duration::from_millis(1)) {
            return Err(Error::own(
                "PM3140",
                format!("{flag} must be at least 1ms: 0 means no timeout to the server"),
            ));
        }
    }
    if provider == Provider::Sqlite && guard.statement_timeout.is_some() {
        return Err(Error::own(
            "PM3141",
            "--statement-timeout is not available on SQLite: SQLite has no server-side statement timeout, and interrupting a statement from prismig would be a different thing. Leave it out for SQLite.",
        ));
    }
    Ok(())
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
fn apply(
    ctx: &mut Context<'_>,
    db: &mut Database,
    local: &LocalMigration,
    guard: &Guard,
) -> Result<()> {
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
    let limits = guard.limits();
    let attempts = match guard.lock_timeout {
        Some(_) => guard.retries.saturating_add(1),
        None => 1,
    };
    let mut attempt = 1;
    let mut row_written = false;
    let (failure, nothing_committed) = loop {
        let outcome = db.apply_migration_with(&id, &sum, name, &script, &limits, row_written)?;
        let failure = match outcome {
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
        // Retried only when nothing of the file is left: it ran as one transaction (with
        // its row, or after its started row), or statement by statement and none of them
        // committed.
        let nothing_committed = plan.with_row
            || plan.atomic
            || (failure.statements_applied == 0 && !plan_is_one_query(&plan, db));
        let retry = attempt < attempts
            && failure.kind == FailureKind::Server
            && is_lock_timeout(&failure.code)
            && nothing_committed
            && crate::db::interrupt::received().is_none();
        if !retry {
            break (failure, nothing_committed);
        }
        let delay = guard.pause(attempt + 1);
        ctx.emit(Event::LockRetry {
            name: name.to_owned(),
            attempt,
            attempts,
            delay,
            error: failure.error.lines().next().unwrap_or("").to_owned(),
        });
        // In slices: a signal during the pause ends the deploy at once.
        let resume = Instant::now() + delay;
        while Instant::now() < resume {
            if crate::db::interrupt::received().is_some() {
                break;
            }
            std::thread::sleep((resume - Instant::now()).min(Duration::from_millis(50)));
        }
        if crate::db::interrupt::received().is_some() {
            // Recorded as any interrupted failure below.
            break (failure, nothing_committed);
        }
        // Prisma's sequence wrote the started row before the script: it stays, and the
        // next attempt finishes it.
        row_written = !plan.with_row;
        attempt += 1;
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
    // The guard ended it and nothing of the file is left: the row says so and is marked
    // rolled back, so that the next deploy simply tries again (no P3009 for a migration
    // that never ran).
    let guard_gave_up = guard.lock_timeout.is_some()
        && failure.kind == FailureKind::Server
        && is_lock_timeout(&failure.code)
        && nothing_committed
        && interrupted.is_none();
    if guard_gave_up {
        logs.push_str(&format!(
            "\nprismig made {attempt} attempt{} (--statement-lock-timeout {} ms, --lock-retries {}); each ended by the lock timeout with nothing of the migration applied. The row is marked rolled back: the next deploy applies the migration again.",
            if attempt > 1 { "s" } else { "" },
            guard.lock_timeout.unwrap_or_default().as_millis(),
            guard.retries,
        ));
    }
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
    if ((interrupted.is_some() && nothing_left) || guard_gave_up) && recorded.is_ok() {
        // An atomic file left nothing: say so in the row, as resolve --rolled-back would.
        db.history()
            .mark_rolled_back(std::slice::from_ref(&id), Utc::now())?;
    }
    ctx.emit(Event::MigrationFailed {
        name: name.to_owned(),
        elapsed: started.elapsed(),
        statements_applied: failure.statements_applied,
    });
    if guard_gave_up && recorded.is_ok() {
        ctx.emit(Event::Warning {
            message: format!("nothing of `{name}` was applied in {attempt} attempt{}, each ended by the lock timeout; its row is marked rolled back, and the next deploy applies it again", if attempt > 1 { "s" } else { "" }),
        });
    }
    match interrupted {
        Some(signal) => Err(Error::Interrupted { signal }),
        None => Err(error),
    }
}

/// A file that PostgreSQL runs as one query without being one transaction (it commits or
/// rolls back itself): what committed cannot be told from the statement count.
fn plan_is_one_query(plan: &crate::db::ScriptPlan, db: &Database) -> bool {
    matches!(db, Database::Postgres(_)) && plan.split_reason.is_none()
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
    fn the_first_statement_skips_comments() {
        assert_eq!(
            first_statement("-- AddColumn\n\nALTER TABLE \"User\"\n  ADD COLUMN x int;\nSELECT 1;"),
            "ALTER TABLE \"User\" ADD COLUMN x int;"
        );
        assert_eq!(first_statement("-- nothing\n"), "");
    }

    #[test]
    fn retry_pauses_double_up_to_a_minute() {
        let g = Guard {
            lock_timeout: Some(Duration::from_millis(200)),
            retries: 10,
            retry_delay: Duration::from_millis(300),
            statement_timeout: None,
        };
        let pauses: Vec<u128> = (2..=5).map(|n| g.pause(n).as_millis()).collect();
        assert_eq!(pauses, [300, 600, 1200, 2400]);
        assert_eq!(g.pause(40), Duration::from_secs(60));
    }

    #[test]
    fn lock_timeout_codes() {
        for code in ["55P03", "1205", "3572"] {
            assert!(is_lock_timeout(code));
        }
        for code in ["57014", "40P01", "1213", "none"] {
            assert!(!is_lock_timeout(code));
        }
    }

    #[test]
    fn preview_takes_three_non_empty_lines() {
        assert_eq!(preview("\n-- a\n\nb\nc\nd\n"), ["-- a", "b", "c"]);
    }
}
