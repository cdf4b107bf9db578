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
    let text = if as_json {
        format!("{}\n", json(report))
    } else {
        summary_bytes(report, exit_code)
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
