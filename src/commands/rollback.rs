//! `migrate rollback NAME`: runs the migration's `down.sql` (as PostgreSQL runs a file: one
//! implicit transaction), then marks the migration rolled back, so that the next deploy
//! applies it again. Prisma's own route (`migrate diff` → `down.sql` → `db execute` →
//! `resolve`) leaves no trace in the history; this one does, in Prisma's format.

use super::Context;
use crate::dburl::Provider;
use crate::error::{exit, Error, Result};
use crate::event::Event;
use crate::migration::statements::{controls_transaction, split, split_reason};
use crate::migration::{check_provider, MigrationsDir};

#[derive(Debug, Clone, Default)]
pub struct RollbackOptions {
    pub name: String,
    pub dry_run: bool,
    /// Roll back a migration that is not the last applied one.
    pub force: bool,
}

pub fn rollback(ctx: &mut Context<'_>, options: &RollbackOptions) -> Result<u8> {
    let name = options.name.as_str();
    let target = ctx.announce()?;
    let mut db = ctx.connect(&target)?;
    let dir = MigrationsDir::read(&ctx.project.migrations_dir);
    check_provider(dir.lockfile.as_deref(), ctx.lock_name())?;
    let local = dir.find(name).ok_or_else(|| Error::MigrationNotFound {
        name: name.to_owned(),
    })?;
    if !options.dry_run {
        ctx.lock(&mut db)?;
    }
    let rows = db.history().list()?.unwrap_or_default();
    let applied: Vec<_> = rows
        .iter()
        .filter(|r| r.is_finished() && !r.is_rolled_back())
        .collect();
    let row = applied
        .iter()
        .rev()
        .find(|r| r.migration_name == name)
        .ok_or_else(|| {
            Error::own(
                "PM3201",
                format!("{name} is not applied, so there is nothing to roll back"),
            )
        })?;
    let last = applied
        .iter()
        .max_by_key(|r| (r.finished_at, r.started_at))
        .map(|r| r.migration_name.as_str());
    if last != Some(name) && !options.force {
        return Err(Error::own(
            "PM3202",
            format!(
                "{name} is not the last applied migration ({} is): roll back in reverse order, or pass --force",
                last.unwrap_or("none")
            ),
        ));
    }
    let down_path = local.dir.join("down.sql");
    let down = std::fs::read(&down_path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|_| {
            Error::own(
                "PM3203",
                format!("{name} has no down.sql: write one next to its migration.sql (prisma migrate diff --from-schema … --to-schema … --script prints it)"),
            )
        })?;
    // down.sql and the row change together, in one transaction, or prismig does not start.
    if target.provider() == Provider::Mysql {
        return Err(Error::own(
            "PM3206",
            format!("{name}: MySQL commits every DDL statement on its own, so down.sql and the history row cannot change together, and a crash between them would leave the history saying the opposite of the schema. prismig does not roll back on MySQL: write a new migration that undoes this one (its down.sql is a good start) and deploy it."),
        ));
    }
    let statements = split(&down);
    if controls_transaction(&statements) || split_reason(&down, &statements, false).is_some() {
        return Err(Error::own(
            "PM3205",
            format!("{name}: its down.sql ends or opens transactions itself, or holds a statement that cannot run inside one (CREATE INDEX CONCURRENTLY, VACUUM…). prismig runs down.sql and marks the row in one transaction, so that no crash leaves one without the other; it cannot do that here. Remove the transaction statements, or split the file."),
        ));
    }
    if options.dry_run {
        ctx.emit(Event::RolledBack {
            name: name.to_owned(),
            dry_run: true,
            down_sql: Some(down),
        });
        return Ok(exit::OK);
    }
    let id = row.id.clone();
    if let Err(f) = db.roll_back(&down, &id)? {
        return Err(Error::own(
            "PM3204",
            format!(
                "down.sql of {name} failed and was rolled back; the migration stays applied.\n\nDatabase error code: {}\n\nDatabase error:\n{}",
                f.code, f.error
            ),
        ));
    }
    db.unlock();
    ctx.emit(Event::RolledBack {
        name: name.to_owned(),
        dry_run: false,
        down_sql: None,
    });
    Ok(exit::OK)
}
