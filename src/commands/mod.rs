//! The use cases. Policy lives here; printing does not: commands emit events and return
//! the exit code or an error.

mod baseline;
mod cleanup;
mod deploy;
pub mod diff;
mod execute;
mod fix;
pub mod fleet;
mod new;
mod repair;
mod resolve;
mod rollback;
pub(crate) mod status;
mod sync;

pub use baseline::{baseline, BaselineOptions};
pub use cleanup::{cleanup, lockfile_text, CleanupOptions};
pub use deploy::{deploy, DeployOptions, Guard};
pub use diff::{migrate_diff, DiffOptions, DiffReport, DiffSource};
pub use execute::{check_and_read, execute, ExecuteArgs as ExecuteInput};
pub use fix::{fix, FixOptions};
pub use new::new_migration;
pub use repair::RepairRecord;
pub use resolve::{resolve, ResolveTarget};
pub use rollback::{rollback, RollbackOptions};
pub use status::{prisma_code, status, ExitCodes};
pub use sync::sync;

use crate::config::Project;
use crate::db::{Database, Target};
use crate::error::Result;
use crate::event::{Event, Reporter};
use std::time::Duration;

/// Settings shared by the commands.
pub struct Context<'r> {
    pub project: Project,
    pub reporter: &'r mut dyn Reporter,
    pub lock_timeout: Duration,
    /// MySQL: fail when `GET_LOCK` times out instead of going on as Prisma does.
    #[cfg_attr(
        not(feature = "mysql"),
        expect(dead_code, reason = "only MySQL goes on without the lock")
    )]
    pub strict_lock: bool,
    /// `--wait`: how long to keep trying while the server does not answer.
    pub wait: Option<Duration>,
}

impl Context<'_> {
    fn emit(&mut self, event: Event) {
        self.reporter.report(event);
    }

    /// Prisma's header lines (§8.4), then the parsed target (or its P1013 error).
    fn announce(&mut self) -> Result<Target> {
        if let Some(path) = self.project.config_display.clone() {
            self.emit(Event::ConfigLoaded { path });
        }
        for message in self.project.notices.clone() {
            self.emit(Event::Warning { message });
        }
        if !self.project.env_files.is_empty() {
            let paths = self.project.env_files.clone();
            self.emit(Event::EnvLoaded { paths });
        }
        if let Some(path) = self.project.schema_display.clone() {
            self.emit(Event::SchemaLoaded { path });
        }
        let provider = self.project.provider;
        #[cfg_attr(
            not(feature = "mysql"),
            expect(unused_mut, reason = "only MySQL targets change")
        )]
        let mut target = Target::parse(provider, &self.project.url, &self.project.base_dir);
        #[cfg(feature = "mysql")]
        if let Ok(Target::Mysql(url)) = &mut target {
            url.strict_lock = self.strict_lock;
        }
        for message in target.as_ref().map(Target::warnings).unwrap_or_default() {
            self.emit(Event::Warning { message });
        }
        let description = match &target {
            Ok(t) => t.description(&self.project.schemas),
            Err(_) => format!("{} database", provider.pretty()),
        };
        self.emit(Event::Datasource {
            name: self.project.datasource_name.clone(),
            provider: provider.lock_name(),
            description,
        });
        target
    }

    /// The parsed target, without the header lines (`db execute` prints none).
    fn target(&mut self) -> Result<Target> {
        Target::parse(
            self.project.provider,
            &self.project.url,
            &self.project.base_dir,
        )
    }

    /// Connects; with `--wait`, retries while the server is unreachable (P1001), saying so.
    fn connect(&mut self, target: &Target) -> Result<Database> {
        let Some(wait) = self.wait else {
            return Database::connect(target);
        };
        let started = std::time::Instant::now();
        let mut pause = Duration::from_millis(250);
        let mut said = None;
        loop {
            match Database::connect(target) {
                Err(crate::error::Error::Unreachable { location }) if started.elapsed() < wait => {
                    // Once per whole second waited: retries come faster than that.
                    let elapsed = started.elapsed();
                    if said != Some(elapsed.as_secs()) {
                        said = Some(elapsed.as_secs());
                        self.emit(Event::Waiting {
                            location,
                            elapsed,
                            limit: wait,
                        });
                    }
                    std::thread::sleep(pause.min(wait.saturating_sub(started.elapsed())));
                    pause = (pause * 2).min(Duration::from_secs(2));
                }
                other => return other,
            }
        }
    }

    /// The provider name `migration_lock.toml` must hold.
    fn lock_name(&self) -> &'static str {
        self.project.provider.lock_name()
    }

    /// The migration lock, unless `PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK` is set (§4.5).
    fn lock(&mut self, db: &mut Database) -> Result<()> {
        if self.project.env.flag("PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK") {
            return Ok(());
        }
        let limit = self.lock_timeout;
        let reporter = &mut *self.reporter;
        db.lock_watched(limit, &mut |holder, waited| {
            reporter.report(Event::LockWaiting {
                holder,
                waited,
                limit,
            })
        })
    }
}
