//! Prisma's human output, byte for byte (`prisma-migrate.md` §4.8, §4.9, §5.3, §6.1, §8.4;
//! `prisma-transcripts.md`). Prisma 7 texts, or Prisma 6.19's where the project has the
//! Prisma 6 layout.

use super::Styles;
use crate::config::Flavor;
use crate::error::{Error, Rendering};
use crate::event::{Event, Reporter};
use crate::reconcile::{Diagnosis, History};
use std::io::Write;

pub struct Human {
    flavor: Flavor,
    styles: Styles,
    out: std::io::Stdout,
    err: std::io::Stderr,
    /// Progress and hints are for a person: only on a terminal.
    tty_out: bool,
    tty_err: bool,
    invocation: super::hint::Invocation,
    /// The migrations folder as the user would write it (terminal only).
    migrations_dir: Option<String>,
    /// `[12/300]` and the first statement of the migration about to run.
    next: Option<(usize, usize, String)>,
    /// The "still running" line while a script runs.
    ticker: Option<super::ticker::Ticker>,
}

/// When a running script is first said to be still running, and how often the line is
/// refreshed.
const STILL_RUNNING_AFTER: std::time::Duration = std::time::Duration::from_secs(5);
const STILL_RUNNING_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

fn seconds(d: std::time::Duration) -> String {
    if d < std::time::Duration::from_secs(10) {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{} s", d.as_secs())
    }
}

fn plural(n: usize) -> &'static str {
    if n > 1 {
        "s"
    } else {
        ""
    }
}

impl Human {
    pub fn new(flavor: Flavor, styles: Styles) -> Human {
        use std::io::IsTerminal;
        Human {
            flavor,
            styles,
            out: std::io::stdout(),
            err: std::io::stderr(),
            tty_out: std::io::stdout().is_terminal(),
            tty_err: std::io::stderr().is_terminal(),
            invocation: Default::default(),
            migrations_dir: None,
            next: None,
            ticker: None,
        }
    }

    pub fn set_flavor(&mut self, flavor: Flavor) {
        self.flavor = flavor;
    }

    // A closed pipe is not an error worth reporting (ripgrep's rule).
    fn out(&mut self, s: &str) {
        let _ = self.out.write_all(s.as_bytes());
        let _ = self.out.flush();
    }

    fn err(&mut self, s: &str) {
        let _ = self.err.write_all(s.as_bytes());
        let _ = self.err.flush();
    }

    /// A blank line that Prisma 6.19 fills with spaces (removed in 7.0).
    fn blank(&self, spaces: usize) -> String {
        match self.flavor {
            Flavor::Prisma6 => " ".repeat(spaces),
            Flavor::Prisma7 => String::new(),
        }
    }

    /// `printMigrationId`: the timestamp plain, the rest cyan bold.
    fn migration_id(&self, name: &str) -> String {
        match name.split_once('_') {
            Some((ts, rest)) => format!("{ts}_{}", self.styles.cyan(&self.styles.bold(rest))),
            None => self.styles.cyan(&self.styles.bold(name)),
        }
    }

    fn status(&mut self, d: &Diagnosis, local_count: usize) {
        let s = self.styles;
        match &d.history {
            History::DatabaseIsBehind { unapplied } => {
                let text = format!(
                    "Following migration{} have not yet been applied:\n{}\n\nTo apply migrations in development run {}.\nTo apply migrations in production run {}.\n",
                    plural(unapplied.len()),
                    unapplied.join("\n"),
                    s.bold(&s.green("prisma migrate dev")),
                    s.bold(&s.green("prisma migrate deploy")),
                );
                self.out(&text);
                return;
            }
            History::Diverge {
                last_common,
                unpersisted,
                unapplied,
            } => {
                let text = format!(
                    "Your local migration history and the migrations table from your database are different:\n\nThe last common migration is: {}\n\nThe migration{} have not yet been applied:\n{}\n\nThe migration{} from the database are not found locally in prisma/migrations:\n{}\n",
                    last_common.as_deref().unwrap_or("null"),
                    plural(unapplied.len()),
                    unapplied.join("\n"),
                    plural(unpersisted.len()),
                    unpersisted.join("\n"),
                );
                self.err(&text);
                return;
            }
            _ => {}
        }
        if !d.has_migrations_table {
            let text = if local_count == 0 {
                format!(
                    "The current database is not managed by Prisma Migrate.\n{}\nRead more about how to baseline an existing production database:\nhttps://pris.ly/d/migrate-baseline\n",
                    self.blank(8)
                )
            } else {
                "The current database is not managed by Prisma Migrate.\n\nRead more about how to baseline an existing production database:\nhttps://pris.ly/d/migrate-baseline\n".to_owned()
            };
            self.err(&text);
            return;
        }
        if let Some(first) = d.failed.first() {
            // Prisma's double quotes, unless the name holds what a shell expands in them.
            let first = if first.contains(['"', '$', '`', '\\', '\n', '!']) {
                crate::shell::quote(first)
            } else {
                format!("\"{first}\"")
            };
            let first_block = format!(
                "Following migration{} have failed:\n{}\n\nDuring development if the failed migration(s) have not been deployed to a production database you can then fix the migration(s) and run prisma migrate dev.\n",
                plural(d.failed.len()),
                d.failed.join("\n"),
            );
            let second_block = format!(
                "\nThe failed migration(s) can be marked as rolled back or applied:\n{}\n- If you rolled back the migration(s) manually:\nprisma migrate resolve --rolled-back {first}\n\n- If you fixed the database manually (hotfix):\nprisma migrate resolve --applied {first}\n\nRead more about how to resolve migration issues in a production database:\nhttps://pris.ly/d/migrate-resolve\n",
                self.blank(6)
            );
            self.err(&first_block);
            self.err(&second_block);
            return;
        }
        self.out(&format!(
            "\n{}\n",
            s.green("Database schema is up to date!")
        ));
        // What Prisma computes but does not say (§5.3, "Not reported at all").
        if !d.edited.is_empty() {
            self.warn(&format!(
                "the migration{} below {} modified after {} applied; deploy will not run {} again:\n{}",
                plural(d.edited.len()),
                if d.edited.len() > 1 { "were" } else { "was" },
                if d.edited.len() > 1 { "they were" } else { "it was" },
                if d.edited.len() > 1 { "them" } else { "it" },
                d.edited.join("\n")
            ));
        }
        if let History::MigrationsDirectoryIsBehind { unpersisted } = &d.history {
            self.warn(&format!(
                "the migration{} below {} applied to the database but missing from the migrations folder:\n{}",
                plural(unpersisted.len()),
                if unpersisted.len() > 1 { "are" } else { "is" },
                unpersisted.join("\n")
            ));
        }
        if !d.rolled_back_only.is_empty() {
            self.warn(&format!(
                "the migration{} below {} marked as rolled back; migrate deploy will apply {} again:\n{}",
                plural(d.rolled_back_only.len()),
                if d.rolled_back_only.len() > 1 { "are" } else { "is" },
                if d.rolled_back_only.len() > 1 { "them" } else { "it" },
                d.rolled_back_only.join("\n")
            ));
        }
    }

    /// `deploy --dry-run` (prismig's own text).
    fn plan(
        &mut self,
        database_exists: bool,
        table_exists: bool,
        pending: &[crate::event::PlannedMigration],
        blocked_by: Option<&str>,
    ) {
        let mut text = String::from("Dry run: nothing is changed.\n\n");
        if !database_exists {
            text.push_str("The database does not exist: deploy would create it.\n");
        }
        if !table_exists {
            text.push_str("_prisma_migrations does not exist: deploy would create it.\n");
        }
        if let Some(reason) = blocked_by {
            text.push_str(&format!("Deploy would stop: {reason}\n"));
        } else if pending.is_empty() {
            text.push_str("No pending migrations to apply.\n");
        } else {
            text.push_str(&format!(
                "{} migration{} would be applied, in this order:\n",
                pending.len(),
                plural(pending.len())
            ));
            for m in pending {
                text.push_str(&format!(
                    "\n  {}  ({} bytes, {} statement{}, {})\n",
                    self.migration_id(&m.name),
                    m.bytes,
                    m.statements,
                    plural(m.statements),
                    if m.atomic {
                        "one transaction"
                    } else {
                        "statement by statement, no transaction"
                    }
                ));
                for line in &m.preview {
                    text.push_str(&format!("    {}\n", self.styles.dim(line)));
                }
            }
        }
        self.out(&text);
    }

    fn warn(&mut self, message: &str) {
        let prefix = self.styles.yellow("warn");
        self.err(&format!("{prefix} {message}\n"));
    }

    /// Errors on stderr as the Prisma CLI prints them (§7.1).
    pub fn error(&mut self, e: &Error) {
        let s = self.styles;
        let prefix = s.bold(&s.red("Error: "));
        let text = match e.rendering() {
            Rendering::Connection => format!("{prefix}{}: {e}\n", e.code()),
            Rendering::Engine => format!(
                "{prefix}{}\n\n{}\n\n",
                s.red(e.code()),
                s.red(&e.to_string())
            ),
            Rendering::Plain => format!("{prefix}{e}\n"),
            Rendering::Own => format!("{prefix}{}: {e}\n", e.code()),
            Rendering::Bare => format!("{e}\n"),
            Rendering::EngineUncoded => format!("{prefix}{}\n\n\n", s.red(&e.to_string())),
        };
        self.stop_ticker();
        self.err(&text);
        if self.tty_err {
            if let Some(h) = super::hint::hint(e, &self.invocation) {
                self.err(&format!("{} {}\n", s.bold(&s.cyan("hint:")), h.text));
            }
        }
    }

    fn stop_ticker(&mut self) {
        if let Some(t) = self.ticker.take() {
            t.stop();
        }
    }

    /// On a terminal, a line on stderr refreshed in place while a script runs longer than
    /// `STILL_RUNNING_AFTER`; erased when it ends.
    fn start_ticker(&mut self, statement: String) {
        // A dumb terminal cannot erase a line: no refreshed line there.
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        if !self.tty_err || dumb {
            return;
        }
        // Kept within 80 columns: a wrapped line cannot be refreshed in place.
        let shown = super::ticker::shorten(&statement, 50);
        let dim = self.styles;
        self.ticker = Some(super::ticker::Ticker::start(
            STILL_RUNNING_AFTER,
            STILL_RUNNING_EVERY,
            move |elapsed| {
                let line = dim.dim(&format!("still running ({} s): {shown}", elapsed.as_secs()));
                let mut err = std::io::stderr();
                let _ = write!(err, "\r\x1b[2K{line}");
                let _ = err.flush();
            },
            |ticked| {
                if ticked {
                    let mut err = std::io::stderr();
                    let _ = write!(err, "\r\x1b[2K");
                    let _ = err.flush();
                }
            },
        ));
    }
}

impl super::Output for Human {
    fn error(&mut self, e: &Error) {
        Human::error(self, e);
    }

    fn set_invocation(&mut self, invocation: super::hint::Invocation) {
        self.invocation = invocation;
    }

    fn set_migrations_dir(&mut self, path: String) {
        self.migrations_dir = Some(path);
    }

    fn set_flavor(&mut self, flavor: Flavor) {
        Human::set_flavor(self, flavor);
    }
}

impl Reporter for Human {
    fn report(&mut self, event: Event) {
        let s = self.styles;
        match event {
            Event::ConfigLoaded { path } => self.err(&format!(
                "{}\n",
                s.dim(&format!("Loaded Prisma config from {path}.\n"))
            )),
            Event::EnvLoaded { paths } => {
                for p in paths {
                    self.err(&format!(
                        "{}\n",
                        s.dim(&format!("Environment variables loaded from {p}"))
                    ));
                }
            }
            Event::SchemaLoaded { path } => match self.flavor {
                Flavor::Prisma7 => self.err(&format!(
                    "{}\n",
                    s.dim(&format!("Prisma schema loaded from {path}."))
                )),
                Flavor::Prisma6 => self.out(&format!(
                    "{}\n",
                    s.dim(&format!("Prisma schema loaded from {path}"))
                )),
            },
            Event::Datasource {
                name, description, ..
            } => self.out(&format!(
                "{}\n",
                s.dim(&format!("Datasource \"{name}\": {description}"))
            )),
            Event::DeployConnectFailed => self.out("\n"),
            Event::DatabaseCreated { message } => self.out(&format!("\n{message}\n")),
            Event::MigrationsFound { count } => {
                // Prisma prints the literal `prisma/migrations` whatever the folder
                // (prisma-migrate.md §4.8); a person at a terminal gets the real one.
                let folder = match (&self.migrations_dir, self.tty_out) {
                    (Some(dir), true) => dir.clone(),
                    _ => "prisma/migrations".to_owned(),
                };
                self.out(&match count {
                    0 => format!("\nNo migration found in {folder}\n"),
                    n => format!("\n{n} migration{} found in {folder}\n", plural(n)),
                })
            }
            Event::ApplyBegins => self.out("\n"),
            Event::MigrationStarting {
                index,
                total,
                first_statement,
            } => self.next = Some((index, total, first_statement)),
            Event::ApplyingMigration { name } => {
                let next = self.next.take();
                let counter = match (&next, self.tty_out) {
                    (Some((i, n, _)), true) => format!("{} ", s.dim(&format!("[{i}/{n}]"))),
                    _ => String::new(),
                };
                self.out(&format!("{counter}Applying migration `{name}`\n"));
                self.start_ticker(next.map(|(_, _, f)| f).unwrap_or_default());
            }
            Event::MigrationApplied { elapsed, .. } => {
                self.stop_ticker();
                if self.tty_out {
                    self.out(&format!("{}\n", s.dim(&format!("  applied in {}", seconds(elapsed)))));
                }
            }
            Event::MigrationFailed { elapsed, .. } => {
                self.stop_ticker();
                if self.tty_out {
                    self.out(&format!("{}\n", s.dim(&format!("  failed after {}", seconds(elapsed)))));
                }
            }
            Event::LockWaiting {
                holder,
                waited,
                limit,
            } => {
                let who = match &holder {
                    Some(h) => format!("held by {}", super::hint::describe_holder(h)),
                    None => "held by another session".to_owned(),
                };
                self.err(&format!(
                    "Waiting for the migration lock, {who}: waited {} s, waiting up to {} s in all (--lock-timeout).\n",
                    waited.as_secs(),
                    limit.as_secs_f64().ceil()
                ));
            }
            Event::LockRetry {
                name,
                attempt,
                attempts,
                delay,
                error,
            } => self.warn(&format!(
                "migration `{name}`, attempt {attempt} of {attempts}: {error}; nothing of it was applied, trying again in {} ms",
                delay.as_millis()
            )),
            Event::Plan {
                database_exists,
                table_exists,
                pending,
                blocked_by,
            } => self.plan(database_exists, table_exists, &pending, blocked_by.as_deref()),
            Event::BackupWritten { path } => self.out(&format!("Backup written to {path}\n\n")),
            Event::Sync { advice } => self.out(&sync_text(&advice)),
            Event::Repair {
                command,
                steps,
                applied,
                backup,
                undo,
            } => self.out(&repair_text(
                command,
                &steps,
                applied,
                backup.as_deref().zip(undo.as_deref()),
            )),
            Event::RolledBack {
                name,
                dry_run,
                down_sql,
            } => self.out(&if dry_run {
                let shown: String = down_sql
                    .unwrap_or_default()
                    .lines()
                    .map(|l| format!("    {}\n", s.dim(l)))
                    .collect();
                format!("\nDry run: nothing is changed.\n\n`down.sql` of {name} would run, in one transaction with marking the migration as rolled back:\n\n{shown}\n")
            } else {
                format!("\nMigration {name} rolled back: its down.sql ran and it is marked as rolled back.\n\n")
            }),
            Event::MigrationCreated {
                path,
                lockfile_created,
                deploy,
            } => {
                let lock = if lockfile_created {
                    "migration_lock.toml created.\n"
                } else {
                    ""
                };
                self.out(&format!("{lock}Created {path}\n\nEdit it, then apply it with {deploy}\n"));
            }
            Event::ScriptExecuted => self.out("Script executed successfully.\n"),
            Event::DeployFinished { applied, remaining } => {
                // `--to` stopped early: say how much is left instead of Prisma's "All".
                let rest = format!(
                    "Stopped at --to: {remaining} pending migration(s) after it were not applied."
                );
                if applied.is_empty() && remaining > 0 {
                    self.out(&format!(
                        "\n{}\n",
                        s.green(&format!(
                            "No pending migrations to apply up to --to; {remaining} pending migration(s) after it were not applied."
                        ))
                    ));
                } else if applied.is_empty() {
                    self.out(&format!(
                        "\n{}\n",
                        s.green("No pending migrations to apply.")
                    ));
                } else {
                    let mut text = String::from(
                        "\nThe following migration(s) have been applied:\n\nmigrations/\n",
                    );
                    for name in &applied {
                        text.push_str(&format!(
                            "  └─ {}/\n    └─ migration.sql\n",
                            self.migration_id(name)
                        ));
                    }
                    text.push_str(&format!(
                        "{}\n{}\n",
                        self.blank(6),
                        if remaining > 0 {
                            s.green(&rest)
                        } else {
                            s.green("All migrations have been successfully applied.")
                        }
                    ));
                    self.out(&text);
                }
            }
            Event::Status {
                diagnosis,
                local_count,
                ..
            } => self.status(&diagnosis, local_count),
            Event::Resolved { name, applied } => self.out(&format!(
                "\nMigration {name} marked as {}.\n\n",
                if applied { "applied" } else { "rolled back" }
            )),
            Event::Warning { message } => self.warn(&message),
            Event::Drift { summary, steps } => self.err(&drift_text(&summary, steps.is_empty())),
            Event::Waiting {
                location,
                elapsed,
                limit,
            } => self.err(&format!(
                "Waiting for the database server at {location} ({}s of {}s)…\n",
                elapsed.as_secs(),
                limit.as_secs()
            )),
        }
    }
}

/// The plan or the result of a repair, one line a step and its details indented below.
fn repair_text(
    command: &str,
    steps: &[crate::event::RepairStep],
    applied: bool,
    record: Option<(&str, &str)>,
) -> String {
    use crate::event::RepairAction;
    if steps.is_empty() {
        return format!("\n{command}: nothing to do.\n\n");
    }
    let changes = steps.iter().filter(|s| s.action.changes()).count();
    let mut s = String::from("\n");
    let needs_you = steps.iter().any(|s| s.action == RepairAction::Keep);
    s += &match (applied, changes, needs_you) {
        (_, 0, true) => format!("{command}: nothing it can change without you:\n"),
        (_, 0, false) => format!("{command}: nothing to change. Found:\n"),
        (true, _, _) => format!("{command}: done (all of it, or on an error none of it):\n"),
        (false, _, _) => format!("{command}: dry run, nothing was changed. The plan:\n"),
    };
    for step in steps {
        let verb = match step.action {
            RepairAction::MarkApplied => "mark applied",
            RepairAction::MarkRolledBack => "mark rolled back",
            RepairAction::Restamp => "re-stamp",
            RepairAction::Rename => "rename rows",
            RepairAction::Archive => "archive rows",
            RepairAction::RemoveRow => "remove row",
            RepairAction::Restore => "restore",
            RepairAction::MoveToTrash => "move to trash",
            RepairAction::MoveUp => "move up",
            RepairAction::RenameFile => "rename file",
            RepairAction::WriteLockfile => "write lockfile",
            RepairAction::Keep => "needs you",
            RepairAction::Note => "note",
        };
        s += &format!("  {verb:<16}  {}  ({})\n", step.name, step.reason);
        for d in &step.details {
            s += &format!("  {:<16}    {d}\n", "");
        }
    }
    match (applied, record) {
        (true, Some((path, undo))) => {
            s += &format!("\nThe previous state is recorded in {path}; to undo: {undo}\n")
        }
        (false, _) if changes > 0 => s += "\nRun again with --yes to carry it out.\n",
        _ => {}
    }
    s + "\n"
}

/// `sync`: each difference, its migrations, and the commands to run.
fn sync_text(advice: &[crate::event::Advice]) -> String {
    if advice.is_empty() {
        return "\nThe migrations folder and the database history agree: nothing to do.\n"
            .to_owned();
    }
    let mut s = String::new();
    for a in advice {
        s += "\n";
        s += &a.explanation;
        s += "\n";
        if a.migrations.len() > 1
            || (a.migrations.len() == 1 && !a.explanation.contains(&a.migrations[0]))
        {
            for m in &a.migrations {
                s += &format!("  {m}\n");
            }
        }
        for c in &a.commands {
            s += &format!("  $ {c}\n");
        }
    }
    s
}

/// `status --drift` on stderr: Prisma's `migrate dev` wording (§9.8) without its reset
/// advice, which is for development databases.
pub fn drift_text(summary: &str, empty: bool) -> String {
    if empty {
        return "\nNo drift detected: the database schema matches the applied migrations.\n"
            .to_owned();
    }
    format!("\nDrift detected: Your database schema is not in sync with your migration history.\n\nThe following is a summary of the differences between the expected database schema given your migrations files, and the actual schema of the database.\n\nIt should be understood as the set of changes to get from the expected schema to the actual schema.\n{summary}\n")
}
