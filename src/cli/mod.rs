//! The command line: the only user of clap. Prisma's flags exactly (§8.1), plus ours.

use crate::api::{self, Migrator};
use crate::commands::{
    self, BaselineOptions, CleanupOptions, DeployOptions, DiffOptions, DiffSource, ExitCodes,
    FixOptions, Guard, ResolveTarget, RollbackOptions,
};
use crate::config::{Flavor, Locations, Project};
use crate::error::{exit, Error};
use crate::output::log::LogFormat;
use crate::output::{self, Human, Json, Log, Output, Styles};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "prismig",
    version,
    about = "Prisma Migrate's production commands in one small binary",
    disable_help_subcommand = true,
    // One layout for every command: clap would otherwise pick it per command from the
    // width of the longest flag.
    next_line_help = true
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
    Deploy(DeployArgs),
    /// Same as `migrate status`
    Status(StatusArgs),
    /// Same as `migrate resolve`
    Resolve(ResolveArgs),
    /// Mark every migration up to --to applied in a database that already has them;
    /// a dry run unless --yes (prismig)
    Baseline(BaselineArgs),
    /// Explain how the migrations folder and the database history differ, with the exact
    /// commands that bring them together; changes nothing (prismig)
    Sync(SyncArgs),
    /// Repair _prisma_migrations: failed rows, edited migrations, rows whose folder is gone,
    /// duplicate rows; a dry run unless --yes (prismig)
    Fix(FixArgs),
    /// Tidy the migrations folder: stray files, folders Prisma would trip over, the
    /// lockfile; moves to a trash folder, a dry run unless --yes (prismig)
    Cleanup(CleanupArgs),
    /// Prisma's `db` commands
    Db {
        #[command(subcommand)]
        action: DbAction,
    },
}

#[derive(Subcommand, Debug)]
enum Action {
    /// Apply pending migrations to the database
    Deploy(DeployArgs),
    /// Check the status of your database migrations
    Status(StatusArgs),
    /// Resolve issues with database migrations, i.e. baseline, failed migration, hotfix
    Resolve(ResolveArgs),
    /// Run a migration's down.sql and mark it rolled back, so deploy applies it again (prismig)
    Rollback(RollbackArgs),
    /// Create an empty migration folder, like `migrate dev --create-only` without a diff (prismig)
    New(NewArgs),
    /// Compare the database schema from two sources (empty, a database, a migrations
    /// folder) and print the differences, as `prisma migrate diff`
    Diff(DiffArgs),
}

#[derive(Subcommand, Debug)]
enum DbAction {
    /// Execute native commands against your database, without recording a migration
    Execute(ExecuteArgs),
}

/// Flags every command takes: where the project is, and how to report.
#[derive(Args, Debug)]
struct ProjectArgs {
    /// Custom path to your Prisma schema (file or folder)
    #[arg(long, value_name = "PATH")]
    schema: Option<PathBuf>,
    /// Custom path to your Prisma config file
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Print one JSON document on stdout instead of text (prismig)
    #[arg(long, conflicts_with = "log_format")]
    json: bool,
    /// Timestamped log lines instead of Prisma's text (prismig)
    #[arg(long, value_name = "FORMAT")]
    log_format: Option<LogFormatArg>,
    #[arg(long, hide = true)]
    telemetry_information: Option<String>,
}

/// Flags of the commands that connect to the database.
#[derive(Args, Debug)]
struct ConnectArgs {
    /// Database URL, instead of the schema's or the config's datasource (prismig)
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Wait up to this long for the database server to accept connections, e.g. 60s (prismig)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    wait: Option<Duration>,
}

/// Flags of the commands that take the migration lock.
#[derive(Args, Debug)]
struct LockArgs {
    /// How long to wait for the migration lock, e.g. 30s, 500ms, 2m (prismig; default 10s)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    lock_timeout: Option<Duration>,
    /// MySQL: fail (P1002) when the migration lock is not free in time, instead of going on
    /// without it as Prisma does (prismig)
    #[arg(long)]
    strict_lock: bool,
}

/// A fleet: many databases or schemas in one command (prismig).
#[derive(Args, Debug)]
struct FleetArgs {
    /// Run on every database listed in FILE (one URL or $ENV_NAME per line, # comments),
    /// several at a time (prismig)
    #[arg(long, value_name = "FILE", conflicts_with = "schemas")]
    targets: Option<PathBuf>,
    /// Run on every schema of the URL's database whose name matches PATTERN (* and ?),
    /// each as if by ?schema=; on MySQL, every database of the server (prismig)
    #[arg(long, value_name = "PATTERN")]
    schemas: Option<String>,
    /// How many targets run at once (default: 4 per CPU, at most 32, never more than the
    /// server accepts at 2 connections per target) (prismig)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

impl FleetArgs {
    fn requested(&self) -> bool {
        self.targets.is_some() || self.schemas.is_some()
    }

    fn options(&self, fail_fast: bool) -> commands::fleet::FleetOptions {
        commands::fleet::FleetOptions {
            targets: self.targets.clone(),
            schemas: self.schemas.clone(),
            jobs: self.jobs.map(usize::from),
            fail_fast,
        }
    }
}

/// What a command was given, whatever flags it offers.
#[derive(Debug, Default)]
struct CommonArgs {
    schema: Option<PathBuf>,
    config: Option<PathBuf>,
    url: Option<String>,
    lock_timeout: Option<Duration>,
    strict_lock: bool,
    wait: Option<Duration>,
    json: bool,
    log_format: Option<LogFormatArg>,
}

impl CommonArgs {
    /// The command as run, for the hints and commands prismig prints.
    fn invocation(&self, name: &str, args: &[OsString]) -> output::hint::Invocation {
        output::hint::Invocation {
            command: name.to_owned(),
            args: args
                .iter()
                .skip(1)
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
            schema: self.schema.as_ref().map(|p| p.display().to_string()),
            config: self.config.as_ref().map(|p| p.display().to_string()),
        }
    }

    fn new(p: ProjectArgs, c: Option<ConnectArgs>, l: Option<LockArgs>) -> CommonArgs {
        let (url, wait) = c.map_or((None, None), |c| (c.url, c.wait));
        let (lock_timeout, strict_lock) =
            l.map_or((None, false), |l| (l.lock_timeout, l.strict_lock));
        CommonArgs {
            schema: p.schema,
            config: p.config,
            url,
            lock_timeout,
            strict_lock,
            wait,
            json: p.json,
            log_format: p.log_format,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormatArg {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
enum ExitCodeArg {
    /// Prisma's: 1 for anything that is not up to date
    #[default]
    Prisma,
    /// 0 up to date, 2 pending, 3 failed, 4 diverged, 5 unmanaged, 6 drift (--drift), 1 error
    Detailed,
}

#[derive(Args, Debug)]
struct SyncArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    connect: ConnectArgs,
}

#[derive(Args, Debug)]
struct FixArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    lock: LockArgs,
    /// Carry out the plan; without it nothing is changed
    #[arg(long)]
    yes: bool,
    /// Move the rows of migrations whose folder is gone to _prisma_migrations_backup
    #[arg(long, conflicts_with = "undo")]
    archive: bool,
    /// Re-stamp the checksum of this edited migration (repeatable)
    #[arg(long, value_name = "NAME", conflicts_with = "undo")]
    restamp: Vec<String>,
    /// Re-stamp every edited migration
    #[arg(long, conflicts_with = "undo")]
    restamp_all: bool,
    /// Restore what a previous `fix --yes` changed, as its record file lists it
    #[arg(long, value_name = "FILE")]
    undo: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct CleanupArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Carry out the plan; without it nothing is changed
    #[arg(long)]
    yes: bool,
    /// Also move migrations whose script is empty (only when no database applied them)
    #[arg(long, conflicts_with = "undo")]
    empty: bool,
    /// Move back what a previous `cleanup --yes` moved, as its manifest lists it
    #[arg(long, value_name = "FILE")]
    undo: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct BaselineArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    lock: LockArgs,
    /// The last migration to mark applied (default: all local migrations)
    #[arg(long, value_name = "NAME", conflicts_with = "undo")]
    to: Option<String>,
    /// Carry out the plan; without it nothing is changed
    #[arg(long)]
    yes: bool,
    /// Remove the rows a previous `baseline --yes` inserted, as its record file lists them
    #[arg(long, value_name = "FILE")]
    undo: Option<PathBuf>,
    /// Mark migrations applied even when the database lacks the objects they create
    #[arg(long, conflicts_with = "undo")]
    force: bool,
}

#[derive(Args, Debug)]
struct DeployArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    lock: LockArgs,
    #[command(flatten)]
    fleet: FleetArgs,
    /// With --targets or --schemas: start no further target once one has failed (those
    /// running finish) (prismig)
    #[arg(long)]
    fail_fast: bool,
    /// Show what would be applied, and change nothing (prismig)
    #[arg(long)]
    dry_run: bool,
    /// Apply pending migrations up to and including this one (prismig)
    #[arg(long, value_name = "NAME")]
    to: Option<String>,
    /// Back the database up before applying anything, to PATH or a generated file (prismig)
    #[arg(long, value_name = "PATH", num_args = 0..=1, require_equals = true)]
    backup: Option<Option<PathBuf>>,
    /// Before each migration, set the server's lock timeout on the session that runs the
    /// scripts (PostgreSQL lock_timeout; MySQL lock_wait_timeout and
    /// innodb_lock_wait_timeout, whole seconds; SQLite busy_timeout), e.g. 2s (prismig)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    statement_lock_timeout: Option<Duration>,
    /// Retries of a migration ended by --statement-lock-timeout with nothing of it applied
    /// (prismig; default 3)
    #[arg(long, value_name = "N", requires = "statement_lock_timeout")]
    lock_retries: Option<u32>,
    /// Pause before the first retry, doubled for each next one (prismig; default 1s)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "statement_lock_timeout")]
    lock_retry_delay: Option<Duration>,
    /// Ceiling for any single statement of a migration: PostgreSQL statement_timeout;
    /// MariaDB max_statement_time; MySQL max_execution_time (SELECTs only); not on SQLite
    /// (prismig)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    statement_timeout: Option<Duration>,
}

#[derive(Args, Debug)]
struct StatusArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    fleet: FleetArgs,
    /// Which exit codes to use: prisma (1 for anything that is not up to date) or detailed
    /// (0 up to date, 2 pending, 3 failed, 4 diverged, 5 unmanaged, 1 error) (prismig)
    #[arg(
        long,
        value_name = "CODES",
        default_value = "prisma",
        hide_possible_values = true
    )]
    exit_code: ExitCodeArg,
    /// Also replay the applied migrations into a shadow database and compare the result
    /// with the database's schema; drift exits 6 with `--exit-code detailed` (prismig)
    #[arg(long)]
    drift: bool,
    /// With --drift: an empty database to replay into (default: `shadowDatabaseUrl`, else
    /// a temporary database prismig creates and drops) (prismig)
    #[arg(long, value_name = "URL", requires = "drift")]
    shadow_database_url: Option<String>,
}

#[derive(Args, Debug)]
struct ResolveArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    lock: LockArgs,
    /// Record a specific migration as applied
    #[arg(long, value_name = "NAME")]
    applied: Option<String>,
    /// Record a specific migration as rolled back
    #[arg(long, value_name = "NAME")]
    rolled_back: Option<String>,
}

#[derive(Args, Debug)]
struct RollbackArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    connect: ConnectArgs,
    #[command(flatten)]
    lock: LockArgs,
    /// The migration to roll back (the last applied one, unless --force)
    name: String,
    /// Show what would happen, and change nothing
    #[arg(long)]
    dry_run: bool,
    /// Roll back a migration that is not the last applied one
    #[arg(long)]
    force: bool,
}

#[derive(Args, Debug)]
struct NewArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// The migration's name (made snake_case)
    name: String,
}

/// `migrate diff`: Prisma 6.19's flags. `--[from/to]-schema-datamodel`, `--[from/to]-schema`
/// and `--script` are accepted only to be refused (PM7001): they need Prisma's compiler.
#[derive(Args, Debug)]
struct DiffArgs {
    /// From an empty schema
    #[arg(long)]
    from_empty: bool,
    /// To an empty schema
    #[arg(long)]
    to_empty: bool,
    /// From the schema of the database at URL
    #[arg(long, value_name = "URL")]
    from_url: Option<String>,
    /// To the schema of the database at URL
    #[arg(long, value_name = "URL")]
    to_url: Option<String>,
    /// From the migrations directory, replayed into a shadow database
    #[arg(long, value_name = "PATH")]
    from_migrations: Option<PathBuf>,
    /// To the migrations directory, replayed into a shadow database
    #[arg(long, value_name = "PATH")]
    to_migrations: Option<PathBuf>,
    /// From the database of the datasource in this Prisma schema
    #[arg(long, value_name = "PATH")]
    from_schema_datasource: Option<PathBuf>,
    /// To the database of the datasource in this Prisma schema
    #[arg(long, value_name = "PATH")]
    to_schema_datasource: Option<PathBuf>,
    /// From the datasource of the Prisma config file
    #[arg(long)]
    from_config_datasource: bool,
    /// To the datasource of the Prisma config file
    #[arg(long)]
    to_config_datasource: bool,
    #[arg(long, value_name = "PATH", hide = true)]
    from_schema_datamodel: Option<PathBuf>,
    #[arg(long, value_name = "PATH", hide = true)]
    to_schema_datamodel: Option<PathBuf>,
    #[arg(long = "from-schema", value_name = "PATH", hide = true)]
    from_schema_file: Option<PathBuf>,
    #[arg(long = "to-schema", value_name = "PATH", hide = true)]
    to_schema_file: Option<PathBuf>,
    #[arg(long, hide = true)]
    script: bool,
    /// An empty database to replay migrations into (default: a temporary database
    /// prismig creates and drops; a temporary file on SQLite)
    #[arg(long, value_name = "URL")]
    shadow_database_url: Option<String>,
    /// Exit with 0 when there is no difference, 2 when there is one, 1 on error
    #[arg(long)]
    exit_code: bool,
    /// Custom path to your Prisma schema (for `shadowDatabaseUrl`; prismig)
    #[arg(long, value_name = "PATH")]
    schema: Option<PathBuf>,
    /// Custom path to your Prisma config file
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Print one JSON document with the steps and the summary (prismig)
    #[arg(long)]
    json: bool,
    #[arg(long, hide = true)]
    telemetry_information: Option<String>,
}

impl DiffArgs {
    /// The two sides, or the coded refusal of what needs Prisma's schema compiler.
    fn sources(&self) -> Result<(DiffSource, DiffSource), Error> {
        let refused = [
            (self.script, "--script"),
            (
                self.from_schema_datamodel.is_some(),
                "--from-schema-datamodel",
            ),
            (self.to_schema_datamodel.is_some(), "--to-schema-datamodel"),
            (self.from_schema_file.is_some(), "--from-schema"),
            (self.to_schema_file.is_some(), "--to-schema"),
        ];
        if let Some((_, flag)) = refused.iter().find(|(on, _)| *on) {
            let what = if *flag == "--script" {
                "rendering a SQL script needs Prisma's migration SQL renderer"
            } else {
                "reading a Prisma datamodel needs Prisma's schema compiler"
            };
            return Err(Error::own(
                "PM7001",
                format!("`{flag}` is not supported by prismig: {what}, which prismig does not include. Use `prisma migrate diff` for it; prismig compares empty schemas, databases (--from-url, --from-schema-datasource) and migrations folders."),
            ));
        }
        let side = |empty: bool,
                    url: &Option<String>,
                    migrations: &Option<PathBuf>,
                    datasource: &Option<PathBuf>,
                    config: bool| {
            let mut found = Vec::new();
            if empty {
                found.push(DiffSource::Empty);
            }
            if let Some(u) = url {
                found.push(DiffSource::Url(u.clone()));
            }
            if let Some(m) = migrations {
                found.push(DiffSource::Migrations(m.clone()));
            }
            if let Some(d) = datasource {
                found.push(DiffSource::SchemaDatasource(Some(d.clone())));
            }
            if config {
                found.push(DiffSource::SchemaDatasource(None));
            }
            found
        };
        let from = side(
            self.from_empty,
            &self.from_url,
            &self.from_migrations,
            &self.from_schema_datasource,
            self.from_config_datasource,
        );
        let to = side(
            self.to_empty,
            &self.to_url,
            &self.to_migrations,
            &self.to_schema_datasource,
            self.to_config_datasource,
        );
        let mut problems = Vec::new();
        if from.len() != 1 {
            problems.push(format!(
                "{} `--from-...` parameter(s) provided. 1 must be provided.",
                from.len()
            ));
        }
        if to.len() != 1 {
            problems.push(format!(
                "{} `--to-...` parameter(s) provided. 1 must be provided.",
                to.len()
            ));
        }
        if !problems.is_empty() {
            return Err(Error::own("PM7002", problems.join("\n")));
        }
        let mut from = from;
        let mut to = to;
        Ok((from.remove(0), to.remove(0)))
    }
}

#[derive(Args, Debug)]
struct ExecuteArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    connect: ConnectArgs,
    /// Path to a file with the script (Prisma's rules: exactly one of --file and --stdin,
    /// and of --url and --schema, checked with its texts)
    #[arg(long, value_name = "PATH")]
    file: Option<PathBuf>,
    /// Read the script from standard input
    #[arg(long)]
    stdin: bool,
    /// Accepted with Prisma's warning: the command is no longer in preview
    #[arg(long, hide = true)]
    preview_feature: bool,
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

/// What the command line asks for, before the project is read.
enum Job {
    Deploy(DeployOptions),
    Status(ExitCodes),
    StatusDrift(ExitCodes, Option<String>),
    Resolve(ResolveTarget),
    Rollback(RollbackOptions),
    Baseline(BaselineOptions),
    Sync,
    Fix(FixOptions),
    Cleanup(CleanupOptions),
    New(String),
    Execute(commands::ExecuteInput),
}

/// Runs the command line and returns the process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> u8 {
    let args: Vec<OsString> = args.into_iter().collect();
    let cli = match Cli::try_parse_from(&args) {
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
            action: Action::Diff(d),
        } => return run_diff(&d),
        Command::Migrate {
            action: Action::Deploy(d),
        }
        | Command::Deploy(d)
            if d.fleet.requested() || d.fail_fast || d.fleet.jobs.is_some() =>
        {
            return fleet_deploy(d, &args)
        }
        Command::Migrate {
            action: Action::Status(s),
        }
        | Command::Status(s)
            if s.fleet.requested() || s.fleet.jobs.is_some() =>
        {
            return fleet_status(s, &args)
        }
        Command::Migrate {
            action: Action::Deploy(d),
        }
        | Command::Deploy(d) => (
            Job::Deploy(DeployOptions {
                dry_run: d.dry_run,
                to: d.to,
                backup: d.backup,
                guard: Guard {
                    lock_timeout: d.statement_lock_timeout,
                    retries: d.lock_retries.unwrap_or(Guard::DEFAULT_RETRIES),
                    retry_delay: d.lock_retry_delay.unwrap_or(Guard::DEFAULT_RETRY_DELAY),
                    statement_timeout: d.statement_timeout,
                },
            }),
            CommonArgs::new(d.project, Some(d.connect), Some(d.lock)),
            "migrate deploy",
        ),
        Command::Migrate {
            action: Action::Status(s),
        }
        | Command::Status(s) => {
            let codes = match s.exit_code {
                ExitCodeArg::Prisma => ExitCodes::Prisma,
                ExitCodeArg::Detailed => ExitCodes::Detailed,
            };
            let job = match s.drift {
                true => Job::StatusDrift(codes, s.shadow_database_url),
                false => Job::Status(codes),
            };
            (
                job,
                CommonArgs::new(s.project, Some(s.connect), None),
                "migrate status",
            )
        }
        Command::Migrate {
            action: Action::Resolve(r),
        }
        | Command::Resolve(r) => (
            Job::Resolve(ResolveTarget {
                applied: r.applied,
                rolled_back: r.rolled_back,
            }),
            CommonArgs::new(r.project, Some(r.connect), Some(r.lock)),
            "migrate resolve",
        ),
        Command::Migrate {
            action: Action::Rollback(r),
        } => (
            Job::Rollback(RollbackOptions {
                name: r.name,
                dry_run: r.dry_run,
                force: r.force,
            }),
            CommonArgs::new(r.project, Some(r.connect), Some(r.lock)),
            "migrate rollback",
        ),
        Command::Migrate {
            action: Action::New(n),
        } => (
            Job::New(n.name),
            CommonArgs::new(n.project, None, None),
            "migrate new",
        ),
        Command::Baseline(b) => (
            Job::Baseline(BaselineOptions {
                to: b.to,
                yes: b.yes,
                undo: b.undo,
                force: b.force,
            }),
            CommonArgs::new(b.project, Some(b.connect), Some(b.lock)),
            "baseline",
        ),
        Command::Sync(s) => (
            Job::Sync,
            CommonArgs::new(s.project, Some(s.connect), None),
            "sync",
        ),
        Command::Fix(f) => (
            Job::Fix(FixOptions {
                yes: f.yes,
                archive: f.archive,
                restamp: f.restamp,
                restamp_all: f.restamp_all,
                undo: f.undo,
            }),
            CommonArgs::new(f.project, Some(f.connect), Some(f.lock)),
            "fix",
        ),
        Command::Cleanup(c) => (
            Job::Cleanup(CleanupOptions {
                yes: c.yes,
                empty: c.empty,
                undo: c.undo,
            }),
            CommonArgs::new(c.project, None, None),
            "cleanup",
        ),
        Command::Db {
            action: DbAction::Execute(e),
        } => (
            Job::Execute(commands::ExecuteInput {
                file: e.file,
                stdin: e.stdin,
                url: e.connect.url.is_some(),
                schema: e.project.schema.clone(),
                config: false,
                preview_feature: e.preview_feature,
            }),
            CommonArgs::new(e.project, Some(e.connect), None),
            "db execute",
        ),
    };
    let mut out: Box<dyn Output> = match (common.json, common.log_format) {
        (true, _) => Box::new(Json::new(name)),
        (false, Some(LogFormatArg::Text)) => Box::new(Log::new(LogFormat::Text)),
        (false, Some(LogFormatArg::Json)) => Box::new(Log::new(LogFormat::Json)),
        (false, None) => Box::new(Human::new(Flavor::Prisma7, Styles::detect())),
    };
    out.set_invocation(common.invocation(name, &args));
    let code = run_job(job, common, name, out.as_mut());
    out.finish(code);
    code
}

/// The options a fleet refuses: they name one database's state (`--to`, `--dry-run`,
/// `--backup`, `--drift`), or print one document per command (`--log-format`,
/// `--exit-code detailed`).
fn refuse_in_fleet(refused: &[(bool, &str, &str)]) -> Result<(), Error> {
    match refused.iter().find(|(on, _, _)| *on) {
        Some((_, option, reason)) => Err(Error::Fleet(crate::error::FleetError::Refused {
            option: (*option).to_owned(),
            reason: (*reason).to_owned(),
        })),
        None => Ok(()),
    }
}

fn fleet_deploy(d: DeployArgs, args: &[OsString]) -> u8 {
    let refused = [
        (!d.fleet.requested() && d.fail_fast, "--fail-fast", "it stops a fleet, and there is none without --targets or --schemas"),
        (!d.fleet.requested(), "--jobs", "it sets how many targets run at once, and there are none without --targets or --schemas"),
        (d.to.is_some(), "--to", "a migration name stops each database at its own place; deploy the fleet up to it in a migrations folder that ends there"),
        (d.dry_run, "--dry-run", "a plan is per database; `migrate status --targets/--schemas` shows which targets are behind"),
        (d.backup.is_some(), "--backup", "one backup file per run cannot hold many databases"),
        (d.project.log_format.is_some(), "--log-format", "a fleet prints one line per target (or --json)"),
    ];
    let options = d.fleet.options(d.fail_fast);
    let command = commands::fleet::FleetCommand::Deploy(DeployOptions {
        dry_run: false,
        to: None,
        backup: None,
        guard: Guard {
            lock_timeout: d.statement_lock_timeout,
            retries: d.lock_retries.unwrap_or(Guard::DEFAULT_RETRIES),
            retry_delay: d.lock_retry_delay.unwrap_or(Guard::DEFAULT_RETRY_DELAY),
            statement_timeout: d.statement_timeout,
        },
    });
    let common = CommonArgs::new(d.project, Some(d.connect), Some(d.lock));
    run_fleet(refuse_in_fleet(&refused), options, command, common, args)
}

fn fleet_status(s: StatusArgs, args: &[OsString]) -> u8 {
    let refused = [
        (!s.fleet.requested(), "--jobs", "it sets how many targets run at once, and there are none without --targets or --schemas"),
        (s.shadow_database_url.is_some(), "--shadow-database-url", "one shadow database cannot serve targets replayed at once; a fleet replays each target into a temporary shadow of its own"),
        (matches!(s.exit_code, ExitCodeArg::Detailed), "--exit-code detailed", "a fleet has one exit code for many states: 0 when every target is up to date, else 1; the table or --json says which"),
        (s.project.log_format.is_some(), "--log-format", "a fleet prints one line per target (or --json)"),
    ];
    let options = s.fleet.options(false);
    let common = CommonArgs::new(s.project, Some(s.connect), None);
    run_fleet(
        refuse_in_fleet(&refused),
        options,
        commands::fleet::FleetCommand::Status { drift: s.drift },
        common,
        args,
    )
}

fn run_fleet(
    refused: Result<(), Error>,
    options: commands::fleet::FleetOptions,
    command: commands::fleet::FleetCommand,
    common: CommonArgs,
    args: &[OsString],
) -> u8 {
    let mut out = output::fleet::FleetOutput::new(common.json);
    let name = command.name();
    let invocation = common.invocation(name, args);
    let result = refused.and_then(|()| {
        let cwd = api::current_dir()?;
        let locations = Locations {
            schema: common.schema,
            config: common.config,
            url_only: false,
            // A targets file brings its own URLs: the datasource's may be unset.
            url_optional: options.targets.is_some(),
            url: common.url,
        };
        let command_word = name.rsplit(' ').next().unwrap_or(name);
        let project = Project::load(&cwd, &locations, command_word)?;
        if matches!(command, commands::fleet::FleetCommand::Deploy(_)) {
            // A signal cancels every target's statement in flight and is recorded.
            crate::db::interrupt::install(crate::output::forced_exit_notice);
        }
        api::Migrator::fleet(project, cwd)
            .settings(commands::fleet::Settings {
                lock_timeout: common.lock_timeout.unwrap_or(Duration::from_secs(10)),
                strict_lock: common.strict_lock,
                wait: common.wait,
            })
            .run_fleet(&options, &command, &mut out)
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            let hint = output::hint::hint(&e, &invocation);
            out.error(&e, hint);
            e.exit_code()
        }
    }
}

/// `migrate diff` reads no project unless a side or `shadowDatabaseUrl` needs one, and
/// prints Prisma's bytes, so it runs outside `run_job`.
fn run_diff(args: &DiffArgs) -> u8 {
    let result = args.sources().and_then(|(from, to)| {
        let cwd = api::current_dir()?;
        api::diff(
            &cwd,
            &DiffOptions {
                from,
                to,
                shadow_database_url: args.shadow_database_url.clone(),
                schema: args.schema.clone(),
                config: args.config.clone(),
                protect: None,
            },
        )
    });
    match result {
        Ok(report) => {
            output::diff::print(&report, args.exit_code, args.json);
            if args.exit_code && !report.is_empty() {
                output::diff::DIFFERENCE
            } else {
                exit::OK
            }
        }
        Err(e) => {
            if let (false, Some(text)) = (args.json, output::diff::error_text(&e)) {
                output::diff::print_error(&text);
                return e.exit_code();
            }
            let mut out: Box<dyn Output> = if args.json {
                Box::new(Json::new("migrate diff"))
            } else {
                Box::new(Human::new(Flavor::Prisma7, Styles::detect()))
            };
            out.error(&e);
            let code = e.exit_code();
            out.finish(code);
            code
        }
    }
}

fn run_job(job: Job, common: CommonArgs, name: &str, out: &mut dyn Output) -> u8 {
    let cwd = match api::current_dir() {
        Ok(d) => d,
        Err(e) => {
            out.error(&e);
            return e.exit_code();
        }
    };
    let locations = Locations {
        schema: common.schema,
        config: common.config,
        url_only: matches!(job, Job::Execute(_)) && common.url.is_some(),
        url: common.url,
        url_optional: matches!(job, Job::New(_) | Job::Cleanup(_)),
    };
    let command = name.rsplit(' ').next().unwrap_or(name);
    // `db execute` checks its arguments and reads the script before the project (Prisma).
    let script = match &job {
        Job::Execute(input) => {
            if input.preview_feature {
                out.report(crate::event::Event::Warning {
                    message: "\"prisma db execute\" was in Preview and is now Generally Available.\nYou can now remove the --preview-feature flag.".to_owned(),
                });
            }
            let input = commands::ExecuteInput {
                config: locations.config.is_some() || crate::config::has_config_file(&cwd),
                ..input.clone()
            };
            match commands::check_and_read(&input, &cwd) {
                Ok(s) => s,
                Err(e) => {
                    out.error(&e);
                    return e.exit_code();
                }
            }
        }
        _ => String::new(),
    };
    let project = match Project::load_with_header(&cwd, &locations, command) {
        Ok(p) => p,
        Err((e, header)) => {
            // Prisma prints its header lines before a schema validation error.
            if let Some(h) = header.filter(|_| !matches!(job, Job::Execute(_))) {
                use crate::event::Event;
                out.set_flavor(h.flavor);
                if let Some(path) = h.config_display {
                    out.report(Event::ConfigLoaded { path });
                }
                for message in h.notices {
                    out.report(Event::Warning { message });
                }
                if !h.env_files.is_empty() {
                    out.report(Event::EnvLoaded { paths: h.env_files });
                }
                if let Some(path) = h.schema_display {
                    out.report(Event::SchemaLoaded { path });
                }
            }
            let e = match job {
                Job::Execute(_) => crate::db::execute::engine_layout(e),
                _ => e,
            };
            out.error(&e);
            return e.exit_code();
        }
    };
    out.set_flavor(project.flavor);
    out.set_migrations_dir(crate::config::relative(&project.migrations_dir, &cwd));
    if matches!(job, Job::Deploy(_) | Job::Rollback(_) | Job::Execute(_)) {
        // Long-running scripts: a signal cancels the statement and is recorded.
        crate::db::interrupt::install(crate::output::forced_exit_notice);
    }
    let lock_timeout = common.lock_timeout.unwrap_or(Duration::from_secs(10));
    let (job, migrator) = {
        let m = Migrator::loaded(project, cwd, out)
            .lock_timeout(lock_timeout)
            .strict_lock(common.strict_lock);
        let m = match common.wait {
            Some(w) => m.wait(w),
            None => m,
        };
        match job {
            Job::Deploy(o) => (api::Job::Deploy, m.deploy_options(o)),
            Job::Status(codes) => (api::Job::Status(codes), m),
            Job::StatusDrift(codes, shadow) => (
                api::Job::StatusDrift(codes),
                match shadow {
                    Some(url) => m.shadow_database_url(url),
                    None => m,
                },
            ),
            Job::Resolve(t) => (api::Job::Resolve(t), m),
            Job::Rollback(o) => (api::Job::Rollback(o), m),
            Job::Baseline(o) => (api::Job::Baseline(o), m),
            Job::Sync => (api::Job::Sync, m),
            Job::Fix(o) => (api::Job::Fix(o), m),
            Job::Cleanup(o) => (api::Job::Cleanup(o), m),
            Job::New(name) => (api::Job::New(name), m),
            Job::Execute(_) => (api::Job::Execute(script), m),
        }
    };
    let result = migrator.run(job).map(|(code, _)| code);
    drop(migrator);
    match result {
        Ok(code) => code,
        Err(e) => {
            out.error(&e);
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
