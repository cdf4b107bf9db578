//! Fleets: `migrate deploy|status --targets FILE | --schemas PATTERN` (issue 19). Each
//! target runs through `run_target`, which hands it to `Migrator::fleet_target`: the same
//! `Migrator::run` as the single database command, on a worker thread, with its own
//! connections, lock and history.

use super::DeployOptions;
use crate::config::Project;
use crate::db::{self, Target as DbTarget};
use crate::dburl::Provider;
use crate::error::{Error, FleetError, Result};
use crate::event::{Event, MigrationState, Recorder};
use crate::fleet::{self, FleetEvent, FleetReporter, Outcome, Target, TargetReport};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Which targets, and how many at once.
#[derive(Debug, Clone, Default)]
pub struct FleetOptions {
    pub targets: Option<PathBuf>,
    pub schemas: Option<String>,
    pub jobs: Option<usize>,
    /// deploy: no target starts after one failed (those running finish).
    pub fail_fast: bool,
}

/// What each target runs.
#[derive(Debug, Clone)]
pub enum FleetCommand {
    Deploy(DeployOptions),
    /// `status`; with `drift`, each target's applied migrations replayed into a temporary
    /// shadow of its own and compared with it (`status --drift`).
    Status {
        drift: bool,
    },
}

impl FleetCommand {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            FleetCommand::Deploy(_) => "migrate deploy",
            FleetCommand::Status { .. } => "migrate status",
        }
    }
}

/// The settings every target shares (`--lock-timeout`, `--strict-lock`, `--wait`).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub lock_timeout: Duration,
    pub strict_lock: bool,
    pub wait: Option<Duration>,
}

/// The targets of `--targets FILE` or `--schemas PATTERN`, each parsed for the project's
/// provider; nothing runs before all of them are known to be valid.
pub fn resolve_targets(
    project: &Project,
    cwd: &Path,
    options: &FleetOptions,
) -> Result<Vec<(Target, DbTarget)>> {
    let listed = match (&options.targets, &options.schemas) {
        (Some(path), _) => {
            let full = cwd.join(path);
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(&full).map_err(|e| {
                Error::Fleet(FleetError::Unreadable {
                    path: shown.clone(),
                    error: e.to_string(),
                })
            })?;
            let env = |name: &str| project.env.get(name).map(str::to_owned);
            fleet::parse_targets(&shown, &text, &env).map_err(Error::Fleet)?
        }
        (None, Some(pattern)) => schema_targets(project, pattern)?,
        (None, None) => {
            return Err(Error::Fleet(FleetError::NoTarget {
                what: "neither --targets nor --schemas was given".to_owned(),
            }))
        }
    };
    let mut out = Vec::with_capacity(listed.len());
    for target in listed {
        if project.provider == Provider::Sqlite
            || Provider::from_url(&target.url) == Some(Provider::Sqlite)
        {
            return Err(Error::Fleet(FleetError::Sqlite {
                target: target.label.clone(),
                reason: "SQLite has no server to run targets side by side against, and its lock is the file itself".to_owned(),
            }));
        }
        let parsed = DbTarget::parse(project.provider, &target.url, &project.base_dir)
            .map_err(|e| refuse_url(&target, options, &e))?;
        out.push((target, parsed));
    }
    Ok(out)
}

fn refuse_url(target: &Target, options: &FleetOptions, e: &Error) -> Error {
    let path = options
        .targets
        .as_ref()
        .map_or_else(|| "--schemas".to_owned(), |p| p.display().to_string());
    Error::Fleet(FleetError::BadLine {
        path,
        line: target.line,
        text: target.label.clone(),
        reason: format!("{}: {}", e.code(), first_line(&e.to_string())),
    })
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_owned()
}

/// `--schemas PATTERN`: every schema of the URL's database (MySQL: every database of the
/// server) whose name matches, each as its own target.
fn schema_targets(project: &Project, pattern: &str) -> Result<Vec<Target>> {
    if project.provider == Provider::Sqlite {
        return Err(Error::Fleet(FleetError::Sqlite {
            target: fleet::label(&project.url),
            reason: "a SQLite file has no schemas".to_owned(),
        }));
    }
    if project.url.is_empty() {
        return Err(Error::Fleet(FleetError::NoTarget {
            what: "--schemas needs the database URL (the datasource's, or --url)".to_owned(),
        }));
    }
    let base = DbTarget::parse(project.provider, &project.url, &project.base_dir)?;
    let names = db::fleet::namespaces(&base)?;
    let mut targets = Vec::new();
    for name in names.iter().filter(|n| fleet::glob_match(pattern, n)) {
        let url = match &base {
            DbTarget::Postgres(_) => fleet::schema_url(&project.url, name),
            _ => fleet::database_url(&project.url, name),
        }
        .map_err(|e| Error::InvalidUrl { details: e })?;
        targets.push(Target::new(url, 0));
    }
    if targets.is_empty() {
        let what = match base {
            DbTarget::Postgres(url) => format!(
                "no schema of database \"{}\" matches `{pattern}` ({} schemas: {})",
                url.database_display(),
                names.len(),
                names.join(", ")
            ),
            _ => format!(
                "no database of the server matches `{pattern}` ({} databases)",
                names.len()
            ),
        };
        return Err(Error::Fleet(FleetError::NoTarget { what }));
    }
    Ok(targets)
}

/// The number of jobs and, when it is less than asked, why.
fn plan_jobs(targets: &[(Target, DbTarget)], asked: Option<usize>) -> (usize, Option<String>) {
    let mut seen = std::collections::HashSet::new();
    let mut free = Vec::new();
    for (_, t) in targets {
        if seen.insert(db::fleet::server_key(t)) {
            if let Some(f) = db::fleet::free_connections(t) {
                free.push(f);
            }
        }
    }
    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let jobs = fleet::cap_jobs(asked, cpus, targets.len(), &free);
    let note = match asked {
        Some(a) if a > jobs && jobs < targets.len() => Some(format!(
            "{jobs} jobs instead of {a}: the server accepts {} more connections and each target uses {}",
            free.iter().min().copied().unwrap_or_default(),
            fleet::CONNECTIONS_PER_TARGET
        )),
        _ => None,
    };
    (jobs, note)
}

/// Runs the fleet and returns its exit code (`fleet::exit_code`).
pub fn run_fleet(
    project: &Project,
    cwd: &Path,
    options: &FleetOptions,
    command: &FleetCommand,
    settings: Settings,
    reporter: &mut dyn FleetReporter,
) -> Result<u8> {
    let targets = resolve_targets(project, cwd, options)?;
    let (jobs, note) = plan_jobs(&targets, options.jobs);
    let _server_locks = match command {
        FleetCommand::Deploy(_) if !project.env.flag("PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK") => {
            let list: Vec<DbTarget> = targets.iter().map(|(_, t)| t.clone()).collect();
            Some(db::fleet::ServerLocks::take(
                &list,
                settings.lock_timeout,
                settings.strict_lock,
            )?)
        }
        _ => None,
    };
    reporter.report(FleetEvent::Begin {
        command: command.name(),
        targets: targets.len(),
        jobs,
        note,
    });
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut reports: Vec<Option<TargetReport>> = vec![None; targets.len()];
    let (tx, rx) = mpsc::channel::<FleetEvent>();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, stop, targets) = (&next, &stop, &targets);
            scope.spawn(move || loop {
                if stop.load(Ordering::SeqCst) || db::interrupt::received().is_some() {
                    break;
                }
                let index = next.fetch_add(1, Ordering::SeqCst);
                let Some((target, _)) = targets.get(index) else {
                    break;
                };
                let _ = tx.send(FleetEvent::Started {
                    index,
                    label: target.label.clone(),
                });
                let report = run_target(project, cwd, index, target, command, settings);
                if options.fail_fast && !report.outcome.ok() {
                    stop.store(true, Ordering::SeqCst);
                }
                let _ = tx.send(FleetEvent::Finished(report));
            });
        }
        drop(tx);
        loop {
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(FleetEvent::Finished(report)) => {
                    let index = report.index;
                    reporter.report(FleetEvent::Finished(report.clone()));
                    if let Some(slot) = reports.get_mut(index) {
                        *slot = Some(report);
                    }
                }
                Ok(event) => reporter.report(event),
                Err(mpsc::RecvTimeoutError::Timeout) => reporter.tick(),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
    });
    let reports: Vec<TargetReport> = reports
        .into_iter()
        .enumerate()
        .map(|(index, r)| {
            r.unwrap_or_else(|| TargetReport {
                index,
                label: targets[index].0.label.clone(),
                outcome: Outcome::NotStarted,
                applied: Vec::new(),
                duration: Duration::ZERO,
            })
        })
        .collect();
    let signal = db::interrupt::received();
    let code = fleet::exit_code(&reports, signal);
    reporter.report(FleetEvent::End {
        reports,
        elapsed: started.elapsed(),
        signal,
    });
    Ok(code)
}

/// One target: the single-database `deploy` or `status` through its own `Migrator`, with
/// the fleet's lock, on this thread; its events are kept, not printed, and summed up in
/// the report.
pub fn run_target(
    project: &Project,
    cwd: &Path,
    index: usize,
    target: &Target,
    command: &FleetCommand,
    settings: Settings,
) -> TargetReport {
    let _fleet = db::fleet::enter();
    let started = Instant::now();
    let mut recorder = Recorder::default();
    let result = crate::api::Migrator::fleet_target(
        project,
        cwd,
        &target.url,
        command,
        settings,
        &mut recorder,
    );
    let applied: Vec<String> = recorder
        .events
        .iter()
        .filter_map(|e| match e {
            Event::MigrationApplied { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    let pending = recorder
        .events
        .iter()
        .find_map(|e| match e {
            Event::Status { entries, .. } => Some(
                entries
                    .iter()
                    .filter(|(_, s)| {
                        matches!(s, MigrationState::Pending | MigrationState::RolledBack)
                    })
                    .count(),
            ),
            _ => None,
        })
        .unwrap_or_default();
    let outcome = match (command, result) {
        (_, Err(Error::Interrupted { .. })) => Outcome::Interrupted,
        (_, Err(e)) => Outcome::Error {
            code: e.code().to_owned(),
            message: e.to_string(),
        },
        (FleetCommand::Deploy(_), Ok(_)) => Outcome::Applied,
        (FleetCommand::Status { .. }, Ok(code)) => match code {
            0 => Outcome::UpToDate,
            super::diff::DRIFT => Outcome::Drifted,
            super::status::detailed::PENDING => Outcome::Behind { pending },
            super::status::detailed::FAILED => Outcome::Failed,
            super::status::detailed::DIVERGED => Outcome::Diverged,
            super::status::detailed::UNMANAGED => Outcome::Unmanaged,
            other => Outcome::Error {
                code: "PM8010".to_owned(),
                message: format!("status ended with the unexpected code {other}"),
            },
        },
    };
    TargetReport {
        index,
        label: target.label.clone(),
        outcome,
        applied,
        duration: started.elapsed(),
    }
}
