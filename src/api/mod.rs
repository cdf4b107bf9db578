//! The library's entry point: [`Migrator`] runs Prisma's migrations from Rust, through the
//! same code as the `prismig` command line (which is a thin layer over it).

mod error;
mod fleet;
mod report;

pub use error::Error;
pub use report::{
    AppliedMigration, Deployed, DiffSide, Difference, Drift, Event, MigrationState, Resolved,
    Status,
};

use crate::commands::{
    self, BaselineOptions, CleanupOptions, Context, DeployOptions, DiffOptions, DiffReport,
    DiffSource, ExitCodes, FixOptions, Guard, ResolveTarget, RollbackOptions,
};
use crate::config::{Locations, Project};
use crate::event::{Event as Internal, Reporter};
use crate::reconcile::Diagnosis;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The result of a [`Migrator`] method.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where the project is.
enum Source {
    Project(PathBuf),
    Schema(PathBuf),
    Migrations(PathBuf),
    /// The CLI loads the project itself (it prints Prisma's header lines on failure).
    Loaded {
        project: Box<Project>,
        cwd: PathBuf,
    },
}

/// Where events go: nowhere, a caller's callback, or the CLI's reporter.
enum Sink<'a> {
    Quiet,
    Callback(Box<dyn FnMut(&Event) + 'a>),
    Reporter(&'a mut dyn Reporter),
}

impl Sink<'_> {
    fn report(&mut self, event: Internal) {
        match self {
            Sink::Quiet => {}
            Sink::Callback(f) => {
                if let Some(e) = Event::from_internal(&event) {
                    f(&e);
                }
            }
            Sink::Reporter(r) => r.report(event),
        }
    }
}

/// A command run through a [`Migrator`] (the CLI's list; the public methods use a few).
pub(crate) enum Job {
    Deploy,
    Status(ExitCodes),
    StatusDrift(ExitCodes),
    Resolve(ResolveTarget),
    Rollback(RollbackOptions),
    Baseline(BaselineOptions),
    Sync,
    Fix(FixOptions),
    Cleanup(CleanupOptions),
    New(String),
    Execute(String),
}

impl Job {
    /// The name `Project::load` is given (it words some refusals with it).
    fn command(&self) -> &'static str {
        match self {
            Job::Deploy => "deploy",
            Job::Status(_) | Job::StatusDrift(_) => "status",
            Job::Resolve(_) => "resolve",
            Job::Rollback(_) => "rollback",
            Job::Baseline(_) => "baseline",
            Job::Sync => "sync",
            Job::Fix(_) => "fix",
            Job::Cleanup(_) => "cleanup",
            Job::New(_) => "new",
            Job::Execute(_) => "execute",
        }
    }
}

/// What the events of a run said, for the typed reports.
#[derive(Default)]
pub(crate) struct Seen {
    found: usize,
    database_created: bool,
    applied: Vec<AppliedMigration>,
    remaining: usize,
    status: Option<(Vec<(String, MigrationState)>, Diagnosis)>,
    /// `status`'s own code when drift was checked after it.
    status_code: Option<u8>,
    resolved: Option<(String, bool)>,
    drift: Option<(String, usize)>,
}

impl Seen {
    fn note(&mut self, event: &Internal) {
        match event {
            Internal::MigrationsFound { count } => self.found = *count,
            Internal::DatabaseCreated { .. } => self.database_created = true,
            Internal::MigrationApplied {
                name,
                elapsed,
                statements,
            } => self.applied.push(AppliedMigration {
                name: name.clone(),
                duration: *elapsed,
                statements: *statements,
            }),
            Internal::DeployFinished { remaining, .. } => self.remaining = *remaining,
            Internal::Status {
                diagnosis, entries, ..
            } => self.status = Some((entries.clone(), diagnosis.clone())),
            Internal::Resolved { name, applied } => self.resolved = Some((name.clone(), *applied)),
            Internal::Drift { summary, steps } => self.drift = Some((summary.clone(), steps.len())),
            _ => {}
        }
    }

    fn status(&mut self, code: u8) -> Option<Status> {
        let (entries, diagnosis) = self.status.take()?;
        Some(Status::new(
            entries,
            diagnosis,
            self.status_code.unwrap_or(code),
        ))
    }
}

/// Passes every event on and keeps what the reports need.
struct Tee<'s, 'a> {
    sink: &'s mut Sink<'a>,
    seen: Seen,
}

impl Reporter for Tee<'_, '_> {
    fn report(&mut self, event: Internal) {
        self.seen.note(&event);
        self.sink.report(event);
    }
}

/// Runs a Prisma project's migrations: `prisma migrate deploy`, `status` and `resolve`
/// (and prismig's drift check and diff) as a library, with the same history, locking and
/// error codes as the `prismig` command line.
///
/// Build it from a project directory ([`from_project`](Migrator::from_project): the schema
/// and `prisma.config.*` are found as `prisma` finds them there), a schema file
/// ([`from_schema`](Migrator::from_schema)) or a migrations folder and a URL
/// ([`from_migrations`](Migrator::from_migrations)), set options, then call a command.
/// Each call connects, does its work and disconnects; a `Migrator` can be reused.
///
/// Calls block: in an async service, build and run it before the runtime starts or inside
/// `spawn_blocking` (it is not `Send`: the callback may borrow). The library installs no
/// signal handlers; the database frees the migration lock when the process ends.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let migrations = dir.path().join("migrations");
/// std::fs::create_dir_all(migrations.join("20240101000000_init"))?;
/// std::fs::write(
///     migrations.join("20240101000000_init/migration.sql"),
///     "CREATE TABLE \"User\" (\"id\" INTEGER NOT NULL PRIMARY KEY);",
/// )?;
/// let url = format!("file:{}", dir.path().join("app.db").display());
///
/// let migrator = prismig::Migrator::from_migrations(&migrations, url)
///     .lock_timeout(std::time::Duration::from_secs(30));
/// let deployed = migrator.deploy()?;
/// assert_eq!(deployed.names(), ["20240101000000_init"]);
/// assert!(migrator.status()?.is_up_to_date());
/// # Ok(())
/// # }
/// ```
pub struct Migrator<'a> {
    source: Source,
    url: Option<String>,
    lock_timeout: Duration,
    wait: Option<Duration>,
    strict_lock: bool,
    shadow_database_url: Option<String>,
    deploy: DeployOptions,
    sink: std::cell::RefCell<Sink<'a>>,
}

impl<'a> Migrator<'a> {
    fn new(source: Source, url: Option<String>, sink: Sink<'a>) -> Migrator<'a> {
        Migrator {
            source,
            url,
            lock_timeout: Duration::from_secs(10),
            wait: None,
            strict_lock: false,
            shadow_database_url: None,
            deploy: DeployOptions {
                guard: Guard {
                    retries: Guard::DEFAULT_RETRIES,
                    retry_delay: Guard::DEFAULT_RETRY_DELAY,
                    ..Guard::default()
                },
                ..DeployOptions::default()
            },
            sink: std::cell::RefCell::new(sink),
        }
    }

    /// The project in `dir`: its `prisma.config.*`, schema, `.env` files, datasource URL
    /// and migrations folder, found as `prisma migrate deploy` finds them when run there.
    pub fn from_project(dir: impl Into<PathBuf>) -> Migrator<'a> {
        Migrator::new(Source::Project(dir.into()), None, Sink::Quiet)
    }

    /// The project of this schema file (or folder), as `--schema PATH`; relative paths are
    /// read from the working directory.
    pub fn from_schema(path: impl Into<PathBuf>) -> Migrator<'a> {
        Migrator::new(Source::Schema(path.into()), None, Sink::Quiet)
    }

    /// A migrations folder and a database URL, without a schema or config file
    /// (`postgresql://…`, `mysql://…`, `file:…`).
    ///
    /// ```
    /// let migrator = prismig::Migrator::from_migrations("prisma/migrations", "file:./dev.db");
    /// # let _ = migrator;
    /// ```
    pub fn from_migrations(dir: impl Into<PathBuf>, url: impl Into<String>) -> Migrator<'a> {
        Migrator::new(
            Source::Migrations(dir.into()),
            Some(url.into()),
            Sink::Quiet,
        )
    }

    /// The CLI's project, already loaded, and its reporter.
    pub(crate) fn loaded(
        project: Project,
        cwd: PathBuf,
        reporter: &'a mut dyn Reporter,
    ) -> Migrator<'a> {
        Migrator::new(
            Source::Loaded {
                project: Box::new(project),
                cwd,
            },
            None,
            Sink::Reporter(reporter),
        )
    }

    /// The database URL, instead of the datasource's (the CLI's `--url`).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// How long to wait for the migration lock another deploy holds (default 10 s); then
    /// P1002.
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// Keep trying this long while the database server does not accept connections (a
    /// server starting next to the service); without it, P1001 at once.
    pub fn wait(mut self, limit: Duration) -> Self {
        self.wait = Some(limit);
        self
    }

    /// MySQL: fail with P1002 when the migration lock is not free in time, instead of going
    /// on without it as Prisma does.
    pub fn strict_lock(mut self, strict: bool) -> Self {
        self.strict_lock = strict;
        self
    }

    /// An empty database for [`drift`](Migrator::drift) and [`diff`](Migrator::diff) to
    /// replay migrations into (default: the datasource's `shadowDatabaseUrl`, else a
    /// temporary database prismig creates and drops). Never the migrator's own database.
    pub fn shadow_database_url(mut self, url: impl Into<String>) -> Self {
        self.shadow_database_url = Some(url.into());
        self
    }

    /// [`deploy`](Migrator::deploy) applies pending migrations up to and including `name`
    /// only.
    pub fn to(mut self, name: impl Into<String>) -> Self {
        self.deploy.to = Some(name.into());
        self
    }

    /// Before each migration, set the server's lock timeout on the session that runs the
    /// scripts; a migration it ends with nothing of it applied is tried again (3 times, 1 s
    /// apart and doubling, unless [`lock_retries`](Migrator::lock_retries) says otherwise).
    pub fn statement_lock_timeout(mut self, timeout: Duration) -> Self {
        self.deploy.guard.lock_timeout = Some(timeout);
        self
    }

    /// With [`statement_lock_timeout`](Migrator::statement_lock_timeout): how many retries,
    /// and the pause before the first (doubled for each next one).
    pub fn lock_retries(mut self, retries: u32, delay: Duration) -> Self {
        self.deploy.guard.retries = retries;
        self.deploy.guard.retry_delay = delay;
        self
    }

    /// A ceiling for any single statement of a migration (PostgreSQL `statement_timeout`,
    /// MariaDB `max_statement_time`; not on SQLite).
    pub fn statement_timeout(mut self, timeout: Duration) -> Self {
        self.deploy.guard.statement_timeout = Some(timeout);
        self
    }

    /// Calls `callback` with each [`Event`]: progress while migrations run, lock waits,
    /// warnings.
    ///
    /// ```
    /// let migrator = prismig::Migrator::from_project(".").on_event(|event| {
    ///     if let prismig::Event::Applied { name, duration, .. } = event {
    ///         println!("applied {name} in {duration:?}");
    ///     }
    /// });
    /// # let _ = migrator;
    /// ```
    pub fn on_event(mut self, callback: impl FnMut(&Event) + 'a) -> Self {
        self.sink = std::cell::RefCell::new(Sink::Callback(Box::new(callback)));
        self
    }

    /// The CLI's deploy flags (`--dry-run`, `--backup` included).
    pub(crate) fn deploy_options(mut self, options: DeployOptions) -> Self {
        self.deploy = options;
        self
    }

    /// Applies the pending migrations, as `prisma migrate deploy`: creates the database and
    /// `_prisma_migrations` when absent, takes the migration lock, stops at the first
    /// failure (P3018; the next deploy refuses with P3009 until it is resolved).
    pub fn deploy(&self) -> Result<Deployed> {
        let (_, seen) = self.run(Job::Deploy)?;
        Ok(Deployed {
            applied: seen.applied,
            found: seen.found,
            remaining: seen.remaining,
            database_created: seen.database_created,
        })
    }

    /// The state of every migration, as `prisma migrate status`; changes nothing.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # std::fs::create_dir_all(dir.path().join("m/20240101000000_init"))?;
    /// # std::fs::write(dir.path().join("m/20240101000000_init/migration.sql"), "CREATE TABLE t (id INTEGER);")?;
    /// # let url = format!("file:{}", dir.path().join("app.db").display());
    /// let migrator = prismig::Migrator::from_migrations(dir.path().join("m"), url);
    /// migrator.deploy()?;
    /// let status = migrator.status()?;
    /// assert_eq!(status.migrations, [("20240101000000_init".to_owned(), prismig::MigrationState::Applied)]);
    /// assert!(status.pending().is_empty() && status.failed().is_empty());
    /// assert_eq!(status.detailed_exit_code(), 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn status(&self) -> Result<Status> {
        let (code, mut seen) = self.run(Job::Status(ExitCodes::Detailed))?;
        Ok(seen.status(code).expect("status reports its entries"))
    }

    /// Records `name` as applied without running it, as `prisma migrate resolve
    /// --applied` (baselining, or a failed migration finished by hand).
    pub fn resolve_applied(&self, name: &str) -> Result<Resolved> {
        self.resolve(ResolveTarget {
            applied: Some(name.to_owned()),
            rolled_back: None,
        })
    }

    /// Records the failed migration `name` as rolled back, as `prisma migrate resolve
    /// --rolled-back`: the next deploy applies it again.
    pub fn resolve_rolled_back(&self, name: &str) -> Result<Resolved> {
        self.resolve(ResolveTarget {
            applied: None,
            rolled_back: Some(name.to_owned()),
        })
    }

    fn resolve(&self, target: ResolveTarget) -> Result<Resolved> {
        let (_, seen) = self.run(Job::Resolve(target))?;
        let (name, applied) = seen.resolved.expect("resolve reports what it recorded");
        Ok(Resolved {
            name,
            state: match applied {
                true => MigrationState::Applied,
                false => MigrationState::RolledBack,
            },
        })
    }

    /// The status, then the applied migrations replayed in a shadow database and compared
    /// with the database's schema (`prismig migrate status --drift`). Refuses (PM7009) while
    /// a migration is failed.
    pub fn drift(&self) -> Result<Drift> {
        let (code, mut seen) = self.run(Job::StatusDrift(ExitCodes::Detailed))?;
        let status = seen.status(code).expect("status reports its entries");
        let (summary, changes) = seen.drift.take().expect("the drift check reports");
        Ok(Drift::new(status, summary, changes))
    }

    /// The differences between two schemas, as `prisma migrate diff`; nothing is written
    /// but to the shadow database, which is never the migrator's own (PM7005).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # std::fs::create_dir_all(dir.path().join("m/20240101000000_init"))?;
    /// # std::fs::write(dir.path().join("m/20240101000000_init/migration.sql"), "CREATE TABLE t (id INTEGER);")?;
    /// # let url = format!("file:{}", dir.path().join("app.db").display());
    /// use prismig::DiffSide;
    /// let migrator = prismig::Migrator::from_migrations(dir.path().join("m"), url);
    /// migrator.deploy()?;
    /// let d = migrator.diff(DiffSide::Empty, DiffSide::ProjectDatasource)?;
    /// assert!(!d.is_empty());
    /// assert!(d.summary.contains("[+] Added tables"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn diff(&self, from: DiffSide, to: DiffSide) -> Result<Difference> {
        let dir = self.cwd()?;
        let (own, _) = self.project("diff")?;
        let side = |s: DiffSide| match s {
            DiffSide::Empty => DiffSource::Empty,
            DiffSide::Url(u) => DiffSource::Url(u),
            DiffSide::Migrations(p) => DiffSource::Migrations(dir.join(p)),
            DiffSide::ProjectDatasource => DiffSource::Url(own.url.clone()),
        };
        let (from, to) = (side(from), side(to));
        let needs_shadow = [&from, &to]
            .iter()
            .any(|s| matches!(s, DiffSource::Migrations(_)));
        // The shadow must not be this migrator's database, whichever sides are compared.
        let protect = crate::commands::diff::Compared {
            url: own.url.clone(),
            target: crate::db::Target::parse(own.provider, &own.url, &own.base_dir)?,
            schemas: own.schemas.clone(),
            read: false,
        };
        let report = diff(
            // The datasource's URL is read as the project reads it (a SQLite path from the
            // schema's folder).
            &own.base_dir,
            &DiffOptions {
                from,
                to,
                shadow_database_url: match &self.shadow_database_url {
                    Some(u) => Some(u.clone()),
                    // Needed only to replay a migrations side.
                    None if needs_shadow => own.shadow_database_url()?,
                    None => None,
                },
                schema: None,
                config: None,
                protect: Some(protect),
            },
        )?;
        Ok(Difference::new(report.summary, report.steps.len()))
    }

    fn cwd(&self) -> crate::error::Result<PathBuf> {
        match &self.source {
            // Paths the project prints and resolves are made from an absolute directory.
            Source::Project(dir) if dir.is_relative() => Ok(current_dir()?.join(dir)),
            Source::Project(dir) => Ok(dir.clone()),
            Source::Loaded { cwd, .. } => Ok(cwd.clone()),
            Source::Schema(_) | Source::Migrations(_) => current_dir(),
        }
    }

    /// The project, loaded as the CLI loads it, and the directory it was read from.
    fn project(&self, command: &str) -> crate::error::Result<(Project, PathBuf)> {
        let cwd = self.cwd()?;
        let locations = |schema: Option<PathBuf>, url_only: bool| Locations {
            schema,
            config: None,
            url: self.url.clone(),
            url_optional: false,
            url_only,
        };
        let project = match &self.source {
            Source::Loaded { project, .. } => return Ok(((**project).clone(), cwd)),
            Source::Project(_) => Project::load(&cwd, &locations(None, false), command)?,
            Source::Schema(path) => {
                Project::load(&cwd, &locations(Some(path.clone()), false), command)?
            }
            Source::Migrations(dir) => {
                let mut p = Project::load(&cwd, &locations(None, true), command)?;
                p.migrations_dir = cwd.join(dir);
                p
            }
        };
        Ok((project, cwd))
    }

    /// Runs one command with this migrator's settings: the single path of the CLI and the
    /// library. Returns the command's exit code and what its events said.
    pub(crate) fn run(&self, job: Job) -> crate::error::Result<(u8, Seen)> {
        let (project, cwd) = self.project(job.command())?;
        let mut sink = self.sink.borrow_mut();
        let mut tee = Tee {
            sink: &mut sink,
            seen: Seen::default(),
        };
        let code = match job {
            Job::New(name) => commands::new_migration(&project, &cwd, &name, &mut tee)?,
            Job::Cleanup(options) => commands::cleanup(&project, &cwd, &options, &mut tee)?,
            job => {
                let mut ctx = Context {
                    project,
                    reporter: &mut tee,
                    lock_timeout: self.lock_timeout,
                    strict_lock: self.strict_lock,
                    wait: self.wait,
                };
                let shadow = self.shadow_database_url.as_deref();
                let mut status_code = None;
                let code = match job {
                    Job::Deploy => commands::deploy(&mut ctx, &self.deploy),
                    Job::Status(codes) => commands::status(&mut ctx, codes),
                    Job::StatusDrift(codes) => commands::status(&mut ctx, codes).and_then(|c| {
                        status_code = Some(c);
                        commands::diff::status_drift(&mut ctx, codes, shadow, c)
                    }),
                    Job::Resolve(t) => commands::resolve(&mut ctx, &t),
                    Job::Rollback(o) => commands::rollback(&mut ctx, &o),
                    Job::Baseline(o) => commands::baseline(&mut ctx, &o),
                    Job::Sync => commands::sync(&mut ctx),
                    Job::Fix(o) => commands::fix(&mut ctx, &o),
                    Job::Execute(script) => commands::execute(&mut ctx, &script),
                    Job::New(_) | Job::Cleanup(_) => unreachable!("handled above"),
                }?;
                tee.seen.status_code = status_code;
                code
            }
        };
        Ok((code, tee.seen))
    }
}

/// Shows where the project is and the options; of the URLs only whether one is set (a
/// password may sit in the user part or in the query).
impl std::fmt::Debug for Migrator<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (from, path) = match &self.source {
            Source::Project(p) => ("project", p.as_path()),
            Source::Schema(p) => ("schema", p.as_path()),
            Source::Migrations(p) => ("migrations", p.as_path()),
            Source::Loaded { cwd, .. } => ("loaded", cwd.as_path()),
        };
        let mask = |u: &Option<String>| u.as_ref().map(|_| "…");
        f.debug_struct("Migrator")
            .field(from, &path)
            .field("url", &mask(&self.url))
            .field("lock_timeout", &self.lock_timeout)
            .field("wait", &self.wait)
            .field("strict_lock", &self.strict_lock)
            .field("shadow_database_url", &mask(&self.shadow_database_url))
            .field("to", &self.deploy.to)
            .finish_non_exhaustive()
    }
}

pub(crate) fn current_dir() -> crate::error::Result<PathBuf> {
    std::env::current_dir().map_err(|e| {
        crate::error::Error::own("PM1003", format!("cannot read the working directory: {e}"))
    })
}

/// `migrate diff`: the CLI's and [`Migrator::diff`]'s one path.
pub(crate) fn diff(cwd: &Path, options: &DiffOptions) -> crate::error::Result<DiffReport> {
    commands::migrate_diff(cwd, options)
}

#[cfg(test)]
mod tests {
    use super::Migrator;

    #[test]
    fn debug_shows_no_password() {
        let m = Migrator::from_migrations("m", "postgresql://u:secret1@h/db?password=secret2")
            .shadow_database_url("postgresql://u:secret3@h/shadow");
        let shown = format!("{m:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("migrations: \"m\""), "{shown}");
    }
}
