//! `migrate diff`'s stdout: Prisma's summary bytes (§9.7: with `--exit-code` a non-empty
//! summary ends after its last line, without it one more newline follows, and "No
//! difference detected." is followed by an empty line either way), or one JSON document.

use crate::commands::DiffReport;
use std::io::Write;

/// `--exit-code`'s code for a difference.
pub const DIFFERENCE: u8 = 2;

/// The bytes Prisma prints for `report`.
pub fn summary_bytes(report: &DiffReport, exit_code: bool) -> String {
    if report.is_empty() {
        format!("{}\n\n", report.summary)
    } else if exit_code {
        report.summary.clone()
    } else {
        format!("{}\n", report.summary)
    }
}

pub fn json(report: &DiffReport) -> serde_json::Value {
    serde_json::json!({
        "command": "migrate diff",
        "empty": report.is_empty(),
        "summary": report.summary,
        "steps": report.steps,
    })
}

pub fn print(report: &DiffReport, exit_code: bool, as_json: bool) {
    // Prisma's stderr is empty here: prismig's own notes go there, never into stdout.
    if !report.notes.is_empty() {
        let mut err = std::io::stderr().lock();
        for note in &report.notes {
            let _ = writeln!(err, "prismig: {note}");
        }
        let _ = err.flush();
    }
    let text = if as_json {
        format!("{}\n", json(report))
    } else {
        summary_bytes(report, exit_code)
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// How `migrate diff` prints an engine error (§9.7): with a code, `Error: P1003\n\n<message>\n\n`
/// (connection errors included, which deploy prints on one line); without one, the message
/// and two empty lines. `None`: as every other command prints it.
pub fn error_text(e: &crate::error::Error) -> Option<String> {
    use crate::error::{Error, Rendering};
    match (e.rendering(), e) {
        (Rendering::Connection, _) => Some(format!("Error: {}\n\n{e}\n\n", e.code())),
        (_, Error::Cli(_)) => Some(format!("Error: {e}\n\n\n")),
        _ => None,
    }
}

pub fn print_error(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}
