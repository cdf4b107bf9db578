//! `migrate deploy` (`prisma-migrate.md` §4).

use super::Context;
use crate::db::Database;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::history::new_id;
use crate::migration::{check_provider, checksum, MigrationsDir};
use crate::reconcile::{check_no_failed, pending_for_deploy};
use chrono::Utc;
use std::time::Instant;

/// The `logs` text of a failed migration: the P3018 message, then a trace in the
/// engine's span-trace layout (§4.7) naming where prismig ran the script.
fn failure_logs(error: &Error, name: &str) -> String {
    format!(
        "{error}\n   0: prismig::commands::deploy::apply_script\n           with migration_name={name:?}\n             at {}:{}",
        file!(),
        line!()
    )
}

pub fn deploy(ctx: &mut Context<'_>) -> Result<u8> {
    let url = ctx.announce();
    let url = match url {
        Ok(u) => u,
        Err(e) => {
            ctx.emit(Event::DeployConnectFailed);
            return Err(e);
        }
    };
    let mut db = match Database::connect(&url) {
        Ok(db) => db,
        Err(Error::DatabaseDoesNotExist { .. }) => {
            let (db, message) = Database::create(&url).inspect_err(|_| {
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
    let pending = pending_for_deploy(&names, &rows);
    let mut applied = Vec::with_capacity(pending.len());
    for name in pending {
        let Some(local) = dir.find(name) else {
            unreachable!("pending names come from the folder")
        };
        let script = local.script()?;
        let id = new_id();
        db.history()
            .insert_started(&id, &checksum(&script), name, Utc::now())?;
        ctx.emit(Event::ApplyingMigration {
            name: name.to_owned(),
        });
        let started = Instant::now();
        match db.run_script(&script) {
            Ok(()) => {
                db.history().mark_finished(&id, Utc::now())?;
                ctx.emit(Event::MigrationApplied {
                    name: name.to_owned(),
                    elapsed: started.elapsed(),
                });
                applied.push(name.to_owned());
            }
            Err((code, error)) => {
                let error = Error::ApplyFailed {
                    name: name.to_owned(),
                    code,
                    error,
                };
                db.history().set_logs(&id, &failure_logs(&error, name))?;
                return Err(error);
            }
        }
    }
    db.unlock();
    ctx.emit(Event::DeployFinished { applied });
    Ok(crate::error::exit::OK)
}
