//! Fleets through [`Migrator`]: the fleet itself is one migrator's command, and each of its
//! targets runs through a migrator of its own, so that deploy and status policy lives in
//! `Migrator::run` alone. Crate-private: a fleet needs the CLI's signal handler (a signal
//! cancels every target's statement in flight) and prints per-target lines, neither of
//! which the library's API owns.

use super::{Job, Migrator, Sink, Source};
use crate::commands::fleet::{self, FleetCommand, FleetOptions, Settings};
use crate::commands::ExitCodes;
use crate::config::Project;
use crate::event::Reporter;
use crate::fleet::FleetReporter;
use std::path::{Path, PathBuf};

impl<'a> Migrator<'a> {
    /// The CLI's fleet: the project already loaded (a targets file may leave its URL unset).
    pub(crate) fn fleet(project: Project, cwd: PathBuf) -> Migrator<'a> {
        Migrator::new(
            Source::Loaded {
                project: Box::new(project),
                cwd,
            },
            None,
            Sink::Quiet,
        )
    }

    /// Sets the fleet's shared settings at once (`wait` may be unset).
    pub(crate) fn settings(mut self, settings: Settings) -> Self {
        self.lock_timeout = settings.lock_timeout;
        self.strict_lock = settings.strict_lock;
        self.wait = settings.wait;
        self
    }

    /// Runs `command` on every target of `options`, several at a time; each target goes
    /// through [`Migrator::fleet_target`]. Returns the fleet's exit code.
    pub(crate) fn run_fleet(
        &self,
        options: &FleetOptions,
        command: &FleetCommand,
        reporter: &mut dyn FleetReporter,
    ) -> crate::error::Result<u8> {
        let word = match command {
            FleetCommand::Deploy(_) => Job::Deploy.command(),
            FleetCommand::Status { .. } => Job::Status(ExitCodes::Detailed).command(),
        };
        let (project, cwd) = self.project(word)?;
        let settings = Settings {
            lock_timeout: self.lock_timeout,
            strict_lock: self.strict_lock,
            wait: self.wait,
        };
        fleet::run_fleet(&project, &cwd, options, command, settings, reporter)
    }

    /// One target of a fleet: the fleet's project with the target's URL, the fleet's
    /// settings, events to `reporter` (the worker's own), run as a single `deploy` or
    /// `status --exit-code detailed` is run.
    pub(crate) fn fleet_target(
        project: &Project,
        cwd: &Path,
        url: &str,
        command: &FleetCommand,
        settings: Settings,
        reporter: &'a mut dyn Reporter,
    ) -> crate::error::Result<u8> {
        let mut project = project.clone();
        project.url = url.to_owned();
        // Targets replay at the same time: each into a temporary shadow of its own, never
        // the datasource's one shared shadow.
        project.shadow_database = crate::config::Field::Absent;
        let mut migrator =
            Migrator::loaded(project, cwd.to_path_buf(), reporter).settings(settings);
        let job = match command {
            FleetCommand::Deploy(options) => {
                migrator.deploy = options.clone();
                Job::Deploy
            }
            FleetCommand::Status { drift: false } => Job::Status(ExitCodes::Detailed),
            FleetCommand::Status { drift: true } => {
                // Drift is checked where the history is whole: up to date or behind. A
                // failed, diverged or unmanaged target is reported as such.
                let (code, _) = migrator.run(Job::Status(ExitCodes::Detailed))?;
                if code != 0 && code != crate::commands::status::detailed::PENDING {
                    return Ok(code);
                }
                Job::StatusDrift(ExitCodes::Detailed)
            }
        };
        migrator.run(job).map(|(code, _)| code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::DeployOptions;
    use crate::event::{Event, Recorder};

    /// A target runs on its own URL, not the fleet project's, and its events reach the
    /// worker's reporter through the migrator.
    #[test]
    fn a_target_runs_on_its_own_url_through_the_migrator() {
        let dir = tempfile::tempdir().unwrap();
        let init = dir.path().join("m/20240101000000_init");
        std::fs::create_dir_all(&init).unwrap();
        std::fs::write(init.join("migration.sql"), "CREATE TABLE t (id INTEGER);").unwrap();
        let (own, target) = (dir.path().join("own.db"), dir.path().join("target.db"));
        let url = |p: &Path| format!("file:{}", p.display());
        let (project, cwd) = Migrator::from_migrations(dir.path().join("m"), url(&own))
            .project("deploy")
            .unwrap();
        let settings = Settings {
            lock_timeout: std::time::Duration::from_secs(5),
            strict_lock: false,
            wait: None,
        };
        let run = |command: &FleetCommand, recorder: &mut Recorder| {
            Migrator::fleet_target(&project, &cwd, &url(&target), command, settings, recorder)
        };

        let mut recorder = Recorder::default();
        let deploy = FleetCommand::Deploy(DeployOptions::default());
        assert_eq!(run(&deploy, &mut recorder).unwrap(), 0);
        assert!(recorder.events.iter().any(|e| matches!(
            e,
            Event::MigrationApplied { name, .. } if name == "20240101000000_init"
        )));
        assert!(target.exists(), "the target's database is created");
        assert!(!own.exists(), "the project's own URL is not touched");

        let mut recorder = Recorder::default();
        assert_eq!(
            run(&FleetCommand::Status { drift: false }, &mut recorder).unwrap(),
            0
        );
        assert!(recorder
            .events
            .iter()
            .any(|e| matches!(e, Event::Status { .. })));
    }
}
