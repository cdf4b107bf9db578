//! The only module that prints. Colour is off unless stdout is a terminal and `NO_COLOR`
//! is unset.

pub mod diff;
pub mod fleet;
pub mod hint;
mod human;
pub mod json;
pub mod log;
mod ticker;

pub use human::Human;
pub use json::Json;
pub use log::Log;

use crate::error::Error;
use crate::event::Reporter;

/// A reporter that also reports the command's end: its error, if any, and its exit code.
pub trait Output: Reporter {
    fn error(&mut self, e: &Error);
    /// Called once, last. Reporters that print one document print it here.
    fn finish(&mut self, _exit_code: u8) {}
    /// Prisma's flavour of texts (header streams, whitespace), for the human reporter.
    fn set_flavor(&mut self, _flavor: crate::config::Flavor) {}
    /// How prismig was called: hints repeat the user's `--schema`/`--config`.
    fn set_invocation(&mut self, _invocation: hint::Invocation) {}
    /// The migrations folder, relative to the working directory.
    fn set_migrations_dir(&mut self, _path: String) {}
}

use std::io::IsTerminal;

/// ANSI styles; no-ops unless colour is on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Styles {
    on: bool,
}

impl Styles {
    pub fn detect() -> Styles {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        Styles {
            on: !no_color && !dumb && std::io::stdout().is_terminal(),
        }
    }

    fn wrap(&self, open: &str, s: &str, close: &str) -> String {
        if self.on {
            format!("\x1b[{open}m{s}\x1b[{close}m")
        } else {
            s.to_owned()
        }
    }
    pub fn bold(&self, s: &str) -> String {
        self.wrap("1", s, "22")
    }
    pub fn dim(&self, s: &str) -> String {
        self.wrap("2", s, "22")
    }
    pub fn red(&self, s: &str) -> String {
        self.wrap("31", s, "39")
    }
    pub fn green(&self, s: &str) -> String {
        self.wrap("32", s, "39")
    }
    pub fn cyan(&self, s: &str) -> String {
        self.wrap("36", s, "39")
    }
    pub fn yellow(&self, s: &str) -> String {
        self.wrap("33", s, "39")
    }
}

/// Help and version on stdout; flag errors on stderr.
pub fn print_usage(text: &str, to_stdout: bool) {
    use std::io::Write;
    if to_stdout {
        let _ = std::io::stdout().write_all(text.as_bytes());
    } else {
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
}

/// Said on stderr when a command has not stopped `GRACE` after SIGINT or SIGTERM and
/// prismig exits anyway.
#[expect(clippy::print_stderr, reason = "output/ is where prismig prints")]
pub fn forced_exit_notice(signal: i32) {
    eprintln!(
        "prismig: {} received {} s ago and the database has not answered; exiting now. The server frees the migration lock when it sees the session gone (PostgreSQL 14 and later stop the script within a second); a migration that was running keeps a started row, which deploy and status report as failed until you resolve it.",
        crate::db::interrupt::signal_name(signal),
        crate::db::interrupt::GRACE.as_secs()
    );
}
