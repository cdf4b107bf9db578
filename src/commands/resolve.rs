//! `migrate resolve --applied | --rolled-back` (`prisma-migrate.md` §6).

use super::Context;
use crate::db::Database;
use crate::error::{exit, Error, Result};
use crate::event::Event;
use crate::history::new_id;
use crate::migration::{check_provider, checksum, MigrationsDir};
use crate::reconcile::{plan_resolve_applied, plan_resolve_rolled_back};
use chrono::Utc;

#[derive(Debug, Clone, Default)]
pub struct ResolveTarget {
    pub applied: Option<String>,
    pub rolled_back: Option<String>,
}

pub fn resolve(ctx: &mut Context<'_>, target: &ResolveTarget) -> Result<u8> {
    let url = ctx.announce()?;
    // §6.1: an empty value counts as absent.
    let applied = target.applied.as_deref().filter(|s| !s.is_empty());
    let rolled_back = target.rolled_back.as_deref().filter(|s| !s.is_empty());
    match (applied, rolled_back) {
        (None, None) => Err(Error::Cli(
            "--applied or --rolled-back must be part of the command like:\nprisma migrate resolve --applied 20201231000000_example\nprisma migrate resolve --rolled-back 20201231000000_example".to_owned(),
        )),
        (Some(_), Some(_)) => Err(Error::Cli(
            "Pass either --applied or --rolled-back, not both.".to_owned(),
        )),
        (Some(name), None) => {
            let mut db = Database::connect(&url)?;
            mark_applied(ctx, &mut db, name)
        }
        (None, Some(name)) => {
            let mut db = Database::connect(&url)?;
            mark_rolled_back(ctx, &mut db, name)
        }
    }
}

/// §6.2.
fn mark_applied(ctx: &mut Context<'_>, db: &mut Database, name: &str) -> Result<u8> {
    let dir = MigrationsDir::read(&ctx.project.migrations_dir);
    check_provider(dir.lockfile.as_deref(), ctx.lock_name())?;
    ctx.lock(db)?;
    let not_found = || Error::MigrationNotFound {
        name: name.to_owned(),
    };
    let script = dir
        .find(name)
        .ok_or_else(not_found)?
        .script()
        .map_err(|_| not_found())?;
    let mut store = db.history();
    let rows = match store.list()? {
        Some(rows) => rows,
        // Baselining: the table is created without the emptiness check (§1.5).
        None => {
            store.create_table()?;
            Vec::new()
        }
    };
    let roll_back = plan_resolve_applied(name, &rows)?;
    store.resolve_applied(&roll_back, &new_id()?, &checksum(&script), name, Utc::now())?;
    db.unlock();
    ctx.emit(Event::Resolved {
        name: name.to_owned(),
        applied: true,
    });
    Ok(exit::OK)
}

/// §6.3: no lockfile check, the folder is not consulted.
fn mark_rolled_back(ctx: &mut Context<'_>, db: &mut Database, name: &str) -> Result<u8> {
    ctx.lock(db)?;
    let mut store = db.history();
    let rows = store.list()?.ok_or(Error::RollbackWithoutTable)?;
    let ids = plan_resolve_rolled_back(name, &rows)?;
    store.mark_rolled_back(&ids, Utc::now())?;
    db.unlock();
    ctx.emit(Event::Resolved {
        name: name.to_owned(),
        applied: false,
    });
    Ok(exit::OK)
}
