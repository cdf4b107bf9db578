//! `db execute --file F | --stdin` (Prisma's command): runs a SQL script against the
//! datasource, as deploy runs a migration, and records nothing.

use super::Context;
use crate::error::{exit, Error, Result};
use crate::event::Event;
use std::io::Read;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub enum ScriptSource {
    File(PathBuf),
    Stdin,
}

pub fn execute(ctx: &mut Context<'_>, source: &ScriptSource) -> Result<u8> {
    let script = match source {
        ScriptSource::File(path) => std::fs::read(path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| Error::own("PM5002", format!("cannot read {}: {e}", path.display())))?,
        ScriptSource::Stdin => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                Error::own("PM5002", format!("cannot read the script from stdin: {e}"))
            })?;
            s
        }
    };
    let target = ctx.target()?;
    let mut db = ctx.connect(&target)?;
    db.run_migration(&script).map_err(|f| {
        Error::own(
            "PM5001",
            format!(
                "the script failed.\n\nDatabase error code: {}\n\nDatabase error:\n{}",
                f.code, f.error
            ),
        )
    })?;
    ctx.emit(Event::ScriptExecuted);
    Ok(exit::OK)
}
