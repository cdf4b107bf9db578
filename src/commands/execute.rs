//! `db execute --file F | --stdin` (Prisma 6.19's command, `DbExecute.ts`): its argument
//! rules and texts, then the script sent to the database as one query; nothing recorded.

use super::Context;
use crate::error::{exit, Error, Result};
use crate::event::Event;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What the command line gave `db execute`.
#[derive(Debug, Clone, Default)]
pub struct ExecuteArgs {
    pub file: Option<PathBuf>,
    pub stdin: bool,
    pub url: bool,
    pub schema: Option<PathBuf>,
    /// A Prisma config file is there (Prisma 7 layout): it names the datasource, so
    /// neither `--url` nor `--schema` is needed.
    pub config: bool,
    /// `--preview-feature`: accepted, with Prisma's warning.
    pub preview_feature: bool,
}

fn see_help(text: &str) -> Error {
    Error::Cli(format!("{text}\nSee `prisma db execute -h`"))
}

/// Prisma's checks, in its order, then the script: `--stdin`/`--file`, `--url`/`--schema`,
/// the file, the schema path.
pub fn check_and_read(args: &ExecuteArgs, cwd: &Path) -> Result<String> {
    match (args.stdin, &args.file) {
        (true, Some(_)) => {
            return Err(see_help(
                "--stdin and --file cannot be used at the same time. Only 1 must be provided. ",
            ))
        }
        (false, None) => return Err(see_help("Either --stdin or --file must be provided.")),
        _ => {}
    }
    match (args.url, &args.schema) {
        (true, Some(_)) => {
            return Err(see_help(
                "--url and --schema cannot be used at the same time. Only 1 must be provided.",
            ))
        }
        (false, None) if !args.config => {
            return Err(see_help("Either --url or --schema must be provided."))
        }
        _ => {}
    }
    let script = match &args.file {
        Some(f) => match std::fs::read(cwd.join(f)) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::Cli(format!(
                    "Provided --file at {} doesn't exist.",
                    f.display()
                )))
            }
            Err(e) => {
                return Err(Error::Cli(format!(
                    "An error occurred while reading the provided --file at {}: {e}",
                    f.display()
                )))
            }
        },
        None => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                Error::own("PM2011", format!("cannot read the script from stdin: {e}"))
            })?;
            s
        }
    };
    if let Some(s) = &args.schema {
        if !cwd.join(s).exists() {
            return Err(Error::Cli(format!(
                "Provided --schema at {} doesn't exist.",
                s.display()
            )));
        }
    }
    Ok(script)
}

pub fn execute(ctx: &mut Context<'_>, script: &str) -> Result<u8> {
    let target = ctx.target().map_err(crate::db::execute::engine_layout)?;
    crate::db::execute::execute_script(&target, script)?;
    ctx.emit(Event::ScriptExecuted);
    Ok(exit::OK)
}
