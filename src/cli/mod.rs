//! The command line: the only user of clap. Prisma's flags exactly (§8.1), plus ours.

use crate::commands::{self, Context, ResolveTarget};
use crate::config::{Flavor, Locations, Project};
use crate::error::{exit, Error};
use crate::output::{self, Human, Styles};
use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "prismig",
    version,
    about = "Prisma Migrate's production commands in one small binary",
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Prisma Migrate's production commands
    Migrate {
        #[command(subcommand)]
        action: Action,
    },
    /// Same as `migrate deploy`
    Deploy(CommonArgs),
    /// Same as `migrate status`
    Status(CommonArgs),
    /// Same as `migrate resolve`
    Resolve(ResolveArgs),
}

#[derive(Subcommand, Debug)]
enum Action {
    /// Apply pending migrations to the database
    Deploy(CommonArgs),
    /// Check the status of your database migrations
    Status(CommonArgs),
    /// Resolve issues with database migrations, i.e. baseline, failed migration, hotfix
    Resolve(ResolveArgs),
}

#[derive(Args, Debug)]
struct CommonArgs {
    /// Custom path to your Prisma schema (file or folder)
    #[arg(long, value_name = "PATH")]
    schema: Option<PathBuf>,
    /// Custom path to your Prisma config file
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Database URL, instead of the schema's or the config's datasource (prismig)
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// How long to wait for the migration lock, e.g. 30s, 500ms, 2m (prismig; default 10s)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    lock_timeout: Option<Duration>,
    /// MySQL: fail (P1002) when the migration lock is not free in time, instead of going on
    /// without it as Prisma does (prismig)
    #[arg(long)]
    strict_lock: bool,
    #[arg(long, hide = true)]
    telemetry_information: Option<String>,
}

#[derive(Args, Debug)]
struct ResolveArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Record a specific migration as applied
    #[arg(long, value_name = "NAME")]
    applied: Option<String>,
    /// Record a specific migration as rolled back
    #[arg(long, value_name = "NAME")]
    rolled_back: Option<String>,
}

/// `10s`, `500ms`, `2m`, or a number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((s, "s"), |i| (&s[..i], &s[i..]));
    let n: f64 = num.parse().map_err(|_| format!("invalid duration `{s}`"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("invalid duration unit in `{s}` (use ms, s or m)")),
    };
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!("invalid duration `{s}`"));
    }
    Ok(Duration::from_secs_f64(secs))
}

enum Job {
    Deploy,
    Status,
    Resolve(ResolveTarget),
}

/// Runs the command line and returns the process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            let ok = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
            output::print_usage(&e.render().to_string(), ok);
            return if ok { exit::OK } else { exit::FAILURE };
        }
    };
    let (job, common, name) = match cli.command {
        Command::Migrate {
            action: Action::Deploy(c),
        }
        | Command::Deploy(c) => (Job::Deploy, c, "deploy"),
        Command::Migrate {
            action: Action::Status(c),
        }
        | Command::Status(c) => (Job::Status, c, "status"),
        Command::Migrate {
            action: Action::Resolve(r),
        }
        | Command::Resolve(r) => (
            Job::Resolve(ResolveTarget {
                applied: r.applied,
                rolled_back: r.rolled_back,
            }),
            r.common,
            "resolve",
        ),
    };
    let mut human = Human::new(Flavor::Prisma7, Styles::detect());
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            human.error(&Error::own(
                "PM1003",
                format!("cannot read the working directory: {e}"),
            ));
            return exit::FAILURE;
        }
    };
    let locations = Locations {
        schema: common.schema,
        config: common.config,
        url: common.url,
    };
    let project = match Project::load(&cwd, &locations, name) {
        Ok(p) => p,
        Err(e) => {
            human.error(&e);
            return e.exit_code();
        }
    };
    human.set_flavor(project.flavor);
    let result = {
        let mut ctx = Context {
            project,
            reporter: &mut human,
            lock_timeout: common.lock_timeout.unwrap_or(Duration::from_secs(10)),
            strict_lock: common.strict_lock,
        };
        match job {
            Job::Deploy => commands::deploy(&mut ctx),
            Job::Status => commands::status(&mut ctx),
            Job::Resolve(t) => commands::resolve(&mut ctx, &t),
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            human.error(&e);
            e.exit_code()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5h").is_err());
    }
}
