//! A fleet's output. Text: on a pipe one line per finished target on stdout; on a terminal
//! a live progress line on stderr (done, failed, running, the slowest running target);
//! then a summary table on stdout and each failed target's error on stderr. `--json`: one
//! JSON object per target as it finishes, then a summary object, one per line on stdout
//! (schema: `schema/prismig-fleet.schema.json`).

use super::hint::plain_message;
use super::Styles;
use crate::error::Error;
use crate::fleet::{FleetEvent, FleetReporter, Outcome, TargetReport};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// One target, as a JSON line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetLine {
    /// Always `target`.
    #[serde(rename = "type")]
    pub kind: String,
    pub index: usize,
    /// The URL, password masked.
    pub target: String,
    /// `applied`, `up_to_date`, `behind`, `failed`, `diverged`, `unmanaged`, `error`,
    /// `interrupted`, `not_started`.
    pub result: String,
    pub ok: bool,
    pub applied: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<usize>,
    pub duration_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<TargetError>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetError {
    pub code: String,
    pub message: String,
}

/// The last JSON line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryLine {
    /// Always `summary`.
    #[serde(rename = "type")]
    pub kind: String,
    pub command: String,
    pub targets: usize,
    pub jobs: usize,
    pub ok: usize,
    /// Targets per result.
    pub results: BTreeMap<String, usize>,
    /// Indexes of the targets that did not succeed, in list order.
    pub not_ok: Vec<usize>,
    pub duration_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    pub exit_code: u8,
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn result_key(o: &Outcome) -> &'static str {
    match o {
        Outcome::Applied => "applied",
        Outcome::UpToDate => "up_to_date",
        Outcome::Behind { .. } => "behind",
        Outcome::Failed => "failed",
        Outcome::Diverged => "diverged",
        Outcome::Unmanaged => "unmanaged",
        Outcome::Drifted => "drifted",
        Outcome::Error { .. } => "error",
        Outcome::Interrupted => "interrupted",
        Outcome::NotStarted => "not_started",
    }
}

pub fn target_line(r: &TargetReport) -> TargetLine {
    TargetLine {
        kind: "target".to_owned(),
        index: r.index,
        target: r.label.clone(),
        result: result_key(&r.outcome).to_owned(),
        ok: r.outcome.ok(),
        applied: r.applied.clone(),
        pending: match r.outcome {
            Outcome::Behind { pending } => Some(pending),
            _ => None,
        },
        duration_ms: millis(r.duration),
        error: match &r.outcome {
            Outcome::Error { code, message } => Some(TargetError {
                code: code.clone(),
                message: plain_message(message),
            }),
            _ => None,
        },
    }
}

fn duration_text(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// Prints a fleet as text or JSON lines.
pub struct FleetOutput {
    json: bool,
    tty_out: bool,
    tty_err: bool,
    styles: Styles,
    command: &'static str,
    total: usize,
    jobs: usize,
    done: usize,
    failed: usize,
    running: BTreeMap<usize, (String, Instant)>,
    /// A progress line is on stderr (to be cleared before anything else is written).
    progress_shown: bool,
}

impl FleetOutput {
    pub fn new(json: bool) -> FleetOutput {
        FleetOutput {
            json,
            tty_out: std::io::stdout().is_terminal(),
            tty_err: std::io::stderr().is_terminal(),
            styles: Styles::detect(),
            command: "",
            total: 0,
            jobs: 0,
            done: 0,
            failed: 0,
            running: BTreeMap::new(),
            progress_shown: false,
        }
    }

    fn out(&mut self, text: &str) {
        self.clear_progress();
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    fn err(&mut self, text: &str) {
        self.clear_progress();
        let _ = std::io::stderr().write_all(text.as_bytes());
    }

    fn clear_progress(&mut self) {
        if self.progress_shown {
            let _ = std::io::stderr().write_all(b"\r\x1b[2K");
            self.progress_shown = false;
        }
    }

    fn progress(&mut self) {
        if self.json || !self.tty_err {
            return;
        }
        let slowest = self
            .running
            .values()
            .min_by_key(|(_, since)| *since)
            .map(|(label, since)| {
                format!(
                    "; slowest: {} ({})",
                    super::ticker::shorten(label, 60),
                    duration_text(since.elapsed())
                )
            })
            .unwrap_or_default();
        let line = format!(
            "\r\x1b[2K{} {}/{} done, {} failed, {} running{slowest}",
            self.command,
            self.done,
            self.total,
            self.failed,
            self.running.len()
        );
        let _ = std::io::stderr().write_all(line.as_bytes());
        self.progress_shown = true;
    }

    fn finished(&mut self, r: &TargetReport) {
        self.running.remove(&r.index);
        self.done += 1;
        if !r.outcome.ok() {
            self.failed += 1;
        }
        if self.json {
            let line = serde_json::to_string(&target_line(r)).unwrap_or_default();
            self.out(&format!("{line}\n"));
            return;
        }
        let word = self.word(&r.outcome);
        let applied = match self.command.ends_with("deploy") {
            true => format!("{} applied, ", r.applied.len()),
            false => String::new(),
        };
        let line = format!(
            "[{}/{}] {word} {} ({applied}{})\n",
            self.done,
            self.total,
            r.label,
            duration_text(r.duration)
        );
        if !self.tty_out {
            self.out(&line);
        } else if !r.outcome.ok() {
            // On a terminal only failures get a line; progress says the rest.
            self.err(&line);
        }
        self.progress();
    }

    fn word(&self, o: &Outcome) -> String {
        let w = o.word();
        if o.ok() {
            self.styles.green(&w)
        } else {
            self.styles.red(&w)
        }
    }

    fn end(&mut self, reports: &[TargetReport], elapsed: Duration, signal: Option<i32>) {
        let code = crate::fleet::exit_code(reports, signal);
        if self.json {
            let mut results = BTreeMap::new();
            for r in reports {
                *results
                    .entry(result_key(&r.outcome).to_owned())
                    .or_insert(0) += 1;
            }
            let summary = SummaryLine {
                kind: "summary".to_owned(),
                command: self.command.to_owned(),
                targets: reports.len(),
                jobs: self.jobs,
                ok: reports.iter().filter(|r| r.outcome.ok()).count(),
                results,
                not_ok: reports
                    .iter()
                    .filter(|r| !r.outcome.ok())
                    .map(|r| r.index)
                    .collect(),
                duration_ms: millis(elapsed),
                signal: signal.map(|s| crate::db::interrupt::signal_name(s).to_owned()),
                exit_code: code,
            };
            // Targets that never started get their line too: every target has one.
            for r in reports.iter().filter(|r| r.outcome == Outcome::NotStarted) {
                let line = serde_json::to_string(&target_line(r)).unwrap_or_default();
                self.out(&format!("{line}\n"));
            }
            let line = serde_json::to_string(&summary).unwrap_or_default();
            self.out(&format!("{line}\n"));
            return;
        }
        let deploy = self.command.ends_with("deploy");
        let width = reports
            .iter()
            .map(|r| r.label.chars().count())
            .max()
            .unwrap_or(0)
            .max(6);
        let mut table = String::from("\n");
        match deploy {
            true => table.push_str(&format!(
                "{:<width$}  {:>7}  {:>8}  RESULT\n",
                "TARGET", "APPLIED", "DURATION"
            )),
            false => table.push_str(&format!(
                "{:<width$}  {:>8}  RESULT\n",
                "TARGET", "DURATION"
            )),
        }
        for r in reports {
            let pad = " ".repeat(width.saturating_sub(r.label.chars().count()));
            let word = self.word(&r.outcome);
            match deploy {
                true => table.push_str(&format!(
                    "{}{pad}  {:>7}  {:>8}  {word}\n",
                    r.label,
                    r.applied.len(),
                    duration_text(r.duration)
                )),
                false => table.push_str(&format!(
                    "{}{pad}  {:>8}  {word}\n",
                    r.label,
                    duration_text(r.duration)
                )),
            }
        }
        let ok = reports.iter().filter(|r| r.outcome.ok()).count();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for r in reports.iter().filter(|r| !r.outcome.ok()) {
            let key = match &r.outcome {
                Outcome::Behind { .. } => "behind".to_owned(),
                other => other.word(),
            };
            *counts.entry(key).or_insert(0) += 1;
        }
        let rest: String = counts.iter().map(|(k, n)| format!(", {n} {k}")).collect();
        let ok_word = if deploy { "succeeded" } else { "up to date" };
        table.push_str(&format!(
            "\n{} targets in {}: {ok} {ok_word}{rest}\n",
            reports.len(),
            duration_text(elapsed)
        ));
        self.out(&table);
        let mut errors = String::new();
        for r in reports {
            if let Outcome::Error { code, message } = &r.outcome {
                errors.push_str(&format!(
                    "\n{}: Error: {code}: {}\n",
                    r.label,
                    plain_message(message)
                ));
            }
        }
        if let Some(s) = signal {
            let completed: Vec<&str> = reports
                .iter()
                .filter(|r| r.outcome.ok())
                .map(|r| r.label.as_str())
                .collect();
            errors.push_str(&format!(
                "\n{} received: the statements in flight were cancelled and recorded, no new target was started; completed: {}\n",
                crate::db::interrupt::signal_name(s),
                if completed.is_empty() { "none".to_owned() } else { completed.join(", ") }
            ));
        }
        if !errors.is_empty() {
            self.err(&errors);
        }
    }

    /// An error that stopped the fleet before any target ran.
    pub fn error(&mut self, e: &Error, hint: Option<super::hint::Hint>) {
        if self.json {
            let line = serde_json::json!({
                "type": "error",
                "code": e.code(),
                "message": plain_message(&e.to_string()),
                "hint": hint.as_ref().map(|h| h.text.clone()),
            });
            self.out(&format!("{line}\n"));
            return;
        }
        let mut text = format!("Error: {}: {e}\n", e.code());
        if let (Some(h), true) = (hint, self.tty_err) {
            text.push_str(&format!("hint: {}\n", h.text));
        }
        self.err(&text);
    }
}

impl FleetReporter for FleetOutput {
    fn report(&mut self, event: FleetEvent) {
        match event {
            FleetEvent::Begin {
                command,
                targets,
                jobs,
                note,
            } => {
                self.command = command;
                self.total = targets;
                self.jobs = jobs;
                if !self.json {
                    let note = note.map(|n| format!(" ({n})")).unwrap_or_default();
                    self.err(&format!(
                        "prismig {command}: {targets} targets, {jobs} at a time{note}\n"
                    ));
                }
            }
            FleetEvent::Started { index, label } => {
                self.running.insert(index, (label, Instant::now()));
            }
            FleetEvent::Finished(r) => self.finished(&r),
            FleetEvent::End {
                reports,
                elapsed,
                signal,
            } => self.end(&reports, elapsed, signal),
        }
    }

    fn tick(&mut self) {
        self.progress();
    }
}
