//! `migrate status` (`prisma-migrate.md` §5): read-only, no lock.

use super::Context;
use crate::db::Database;
use crate::error::{exit, Result};
use crate::event::{Event, MigrationState};
use crate::history::MigrationRecord;
use crate::migration::{check_provider, script_matches_checksum, MigrationsDir};
use crate::reconcile::{diagnose, pending_for_deploy, Diagnosis, History};

/// How `status` turns its verdict into an exit code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExitCodes {
    /// Prisma's: 0 up to date (also with edits or rows missing locally), else 1.
    #[default]
    Prisma,
    /// prismig's: 0 up to date, 2 pending, 3 failed, 4 diverged, 5 unmanaged, 1 error.
    Detailed,
}

pub mod detailed {
    pub const PENDING: u8 = 2;
    pub const FAILED: u8 = 3;
    pub const DIVERGED: u8 = 4;
    pub const UNMANAGED: u8 = 5;
}

/// `--exit-code detailed`, from what deploy would do: 5 when it refuses with P3005, 3 when
/// it refuses with P3009, 4 when the histories diverge, 2 when it would apply anything
/// (a rolled-back migration too), else 0. 2 or 4: deploy would apply something.
pub fn detailed_code(refused_p3005: bool, d: &Diagnosis, would_apply: bool) -> u8 {
    if refused_p3005 {
        detailed::UNMANAGED
    } else if !d.failed.is_empty() {
        detailed::FAILED
    } else if matches!(d.history, History::Diverge { .. }) {
        detailed::DIVERGED
    } else if would_apply {
        detailed::PENDING
    } else {
        exit::OK
    }
}

/// Prisma's exit code for `status` (§5.3): 1 for unapplied, diverged, unmanaged and
/// failed; edits and rows missing locally leave it at 0.
pub fn prisma_code(d: &Diagnosis) -> u8 {
    match &d.history {
        History::DatabaseIsBehind { .. } | History::Diverge { .. } => exit::FAILURE,
        _ if !d.has_migrations_table || !d.failed.is_empty() => exit::FAILURE,
        _ => exit::OK,
    }
}

/// Every migration, local ones in folder order then rows without a folder.
fn entries(
    local: &[&str],
    rows: &[MigrationRecord],
    d: &Diagnosis,
) -> Vec<(String, MigrationState)> {
    use std::collections::HashSet;
    let failed: HashSet<&str> = d.failed.iter().map(String::as_str).collect();
    let edited: HashSet<&str> = d.edited.iter().map(String::as_str).collect();
    let rolled_back: HashSet<&str> = d.rolled_back_only.iter().map(String::as_str).collect();
    let with_rows: HashSet<&str> = rows.iter().map(|r| r.migration_name.as_str()).collect();
    let local_set: HashSet<&str> = local.iter().copied().collect();
    let mut out: Vec<(String, MigrationState)> = local
        .iter()
        .map(|name| {
            let state = if failed.contains(name) {
                MigrationState::Failed
            } else if !with_rows.contains(name) {
                MigrationState::Pending
            } else if rolled_back.contains(name) {
                MigrationState::RolledBack
            } else if edited.contains(name) {
                MigrationState::Edited
            } else {
                MigrationState::Applied
            };
            ((*name).to_owned(), state)
        })
        .collect();
    let mut seen = HashSet::new();
    for r in rows {
        if !local_set.contains(r.migration_name.as_str()) && seen.insert(r.migration_name.as_str())
        {
            let state = if r.is_failed() {
                MigrationState::Failed
            } else {
                MigrationState::MissingLocally
            };
            out.push((r.migration_name.clone(), state));
        }
    }
    out
}

/// The folder, the history rows and §5.2's verdict on them: what `status` and `sync` read.
pub(super) struct State {
    pub dir: MigrationsDir,
    pub rows: Vec<MigrationRecord>,
    pub diagnosis: Diagnosis,
}

pub(super) fn read_state(ctx: &mut Context<'_>, db: &mut Database) -> Result<State> {
    let dir = MigrationsDir::read(&ctx.project.migrations_dir);
    check_provider(dir.lockfile.as_deref(), ctx.lock_name())?;
    let rows = db.history().list()?;
    let has_table = rows.is_some();
    let rows = rows.unwrap_or_default();
    let diagnosis = diagnose(&dir.names(), &rows, has_table, |i, stored| {
        dir.migrations[i]
            .script()
            .map(|s| script_matches_checksum(&s, stored))
    })?;
    Ok(State {
        dir,
        rows,
        diagnosis,
    })
}

pub fn status(ctx: &mut Context<'_>, codes: ExitCodes) -> Result<u8> {
    let target = ctx.announce()?;
    let mut db = ctx.connect(&target)?;
    let State {
        dir,
        rows,
        diagnosis,
    } = read_state(ctx, &mut db)?;
    let names = dir.names();
    ctx.emit(Event::MigrationsFound {
        count: dir.migrations.len(),
    });
    // §5.3: exit 1 for unapplied, diverged, unmanaged and failed; edits and rows missing
    // locally leave it at 0.
    let code = match codes {
        ExitCodes::Prisma => prisma_code(&diagnosis),
        ExitCodes::Detailed => {
            // What deploy would do, decided as deploy decides it.
            let refused_p3005 = !diagnosis.has_migrations_table && {
                let tables = if db.namespace_exists() {
                    db.table_names(&ctx.project.schemas)?
                } else {
                    Vec::new()
                };
                tables.iter().any(|(_, t)| !db.ignores_table(t))
            };
            detailed_code(
                refused_p3005,
                &diagnosis,
                !pending_for_deploy(&names, &rows).is_empty(),
            )
        }
    };
    let entries = entries(&names, &rows, &diagnosis);
    ctx.emit(Event::Status {
        diagnosis,
        local_count: dir.migrations.len(),
        entries,
    });
    Ok(code)
}
