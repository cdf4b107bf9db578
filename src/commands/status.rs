//! `migrate status` (`prisma-migrate.md` §5): read-only, no lock.

use super::Context;
use crate::db::Database;
use crate::error::{exit, Result};
use crate::event::Event;
use crate::migration::{check_provider, script_matches_checksum, MigrationsDir};
use crate::reconcile::{diagnose, History};

pub fn status(ctx: &mut Context<'_>) -> Result<u8> {
    let url = ctx.announce()?;
    let mut db = Database::connect(&url)?;
    let dir = MigrationsDir::read(&ctx.project.migrations_dir);
    check_provider(dir.lockfile.as_deref(), ctx.lock_name())?;
    let rows = db.history().list()?;
    let has_table = rows.is_some();
    let rows = rows.unwrap_or_default();
    let names = dir.names();
    let diagnosis = diagnose(&names, &rows, has_table, |i, stored| {
        dir.migrations[i]
            .script()
            .map(|s| script_matches_checksum(&s, stored))
    })?;
    ctx.emit(Event::MigrationsFound {
        count: dir.migrations.len(),
    });
    // §5.3: exit 1 for unapplied, diverged, unmanaged and failed; edits and rows missing
    // locally leave it at 0.
    let code = match &diagnosis.history {
        History::DatabaseIsBehind { .. } | History::Diverge { .. } => exit::FAILURE,
        _ if !diagnosis.has_migrations_table || !diagnosis.failed.is_empty() => exit::FAILURE,
        _ => exit::OK,
    };
    ctx.emit(Event::Status {
        diagnosis,
        local_count: dir.migrations.len(),
    });
    Ok(code)
}
