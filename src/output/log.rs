//! `--log-format text|json`: one timestamped line per step, for CI logs and log shippers.
//! Text lines carry ✅ ⚠️ ❌ markers on a terminal; JSON lines are one object each.

use super::Output;
use crate::error::Error;
use crate::event::{Event, Reporter};
use std::io::{IsTerminal, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

pub struct Log {
    format: LogFormat,
    markers: bool,
    applied: usize,
    started: std::time::Instant,
    /// The migration about to run: its place and first statement.
    next: Option<(usize, usize, String)>,
    ticker: Option<super::ticker::Ticker>,
    invocation: super::hint::Invocation,
}

/// How often a running script is logged as still running.
const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

fn write_line(
    format: LogFormat,
    markers: bool,
    level: &str,
    message: &str,
    fields: serde_json::Value,
) {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let text = match format {
        LogFormat::Json => {
            let mut object = serde_json::json!({ "time": now, "level": level, "message": message });
            if let (Some(o), serde_json::Value::Object(extra)) = (object.as_object_mut(), fields) {
                o.extend(extra);
            }
            object.to_string()
        }
        LogFormat::Text => {
            let marker = match (markers, level) {
                (false, _) => "",
                (true, "error") => "❌ ",
                (true, "warn") => "⚠️ ",
                (true, _) => "✅ ",
            };
            format!("{now} {level:<5} {marker}{message}")
        }
    };
    let _ = writeln!(std::io::stdout(), "{text}");
}

impl Log {
    pub fn new(format: LogFormat) -> Log {
        Log {
            format,
            markers: std::io::stdout().is_terminal(),
            applied: 0,
            started: std::time::Instant::now(),
            next: None,
            ticker: None,
            invocation: Default::default(),
        }
    }

    fn line(&mut self, level: &str, message: &str, fields: serde_json::Value) {
        write_line(self.format, self.markers, level, message, fields);
    }

    fn stop_ticker(&mut self) {
        if let Some(t) = self.ticker.take() {
            t.stop();
        }
    }
}

impl Reporter for Log {
    fn report(&mut self, event: Event) {
        use serde_json::json;
        match event {
            Event::Datasource {
                name, description, ..
            } => self.line(
                "info",
                &format!("datasource {name}: {description}"),
                json!({}),
            ),
            Event::DatabaseCreated { message } => self.line("info", &message, json!({})),
            Event::MigrationsFound { count } => self.line(
                "info",
                &format!("{count} migrations found"),
                json!({ "migrations_found": count }),
            ),
            Event::MigrationStarting {
                index,
                total,
                first_statement,
            } => self.next = Some((index, total, first_statement)),
            Event::ApplyingMigration { name } => {
                let (index, total, first) = self.next.take().unwrap_or_default();
                let place = if total > 0 {
                    format!("[{index}/{total}] ")
                } else {
                    String::new()
                };
                self.line(
                    "info",
                    &format!("{place}applying {name}"),
                    json!({ "migration": name, "event": "start", "index": index, "total": total }),
                );
                let (format, markers) = (self.format, self.markers);
                let shown = super::ticker::shorten(&first, 120);
                self.ticker = Some(super::ticker::Ticker::start(
                    HEARTBEAT_EVERY,
                    HEARTBEAT_EVERY,
                    move |elapsed| {
                        let secs = elapsed.as_secs();
                        write_line(
                            format,
                            markers,
                            "info",
                            &format!("{place}still running {name} ({secs} s): {shown}"),
                            json!({ "migration": name, "event": "heartbeat", "elapsed_s": secs, "statement": shown }),
                        )
                    },
                    |_| {},
                ));
            }
            Event::MigrationApplied { name, elapsed, .. } => {
                self.stop_ticker();
                self.applied += 1;
                let ms = elapsed.as_millis();
                self.line(
                    "info",
                    &format!("applied {name} in {ms} ms"),
                    json!({ "migration": name, "event": "end", "duration_ms": ms }),
                );
            }
            Event::MigrationFailed { name, elapsed, .. } => {
                self.stop_ticker();
                let ms = elapsed.as_millis();
                self.line(
                    "error",
                    &format!("{name} failed after {ms} ms"),
                    json!({ "migration": name, "event": "end", "duration_ms": ms }),
                );
            }
            Event::LockWaiting {
                holder,
                waited,
                limit,
            } => self.line(
                "warn",
                &format!(
                    "waiting for the migration lock, held by {} ({} s of {} s)",
                    holder
                        .as_ref()
                        .map_or_else(|| "another session".to_owned(), super::hint::describe_holder),
                    waited.as_secs(),
                    limit.as_secs_f64().ceil()
                ),
                json!({ "event": "lock_wait", "holder": holder, "waited_ms": waited.as_millis(), "limit_ms": limit.as_millis() }),
            ),
            Event::LockRetry {
                name,
                attempt,
                attempts,
                delay,
                error,
            } => self.line(
                "warn",
                &format!(
                    "{name}: attempt {attempt} of {attempts} ended by the lock timeout, nothing applied; retrying in {} ms",
                    delay.as_millis()
                ),
                json!({ "migration": name, "event": "lock_retry", "attempt": attempt, "attempts": attempts, "delay_ms": delay.as_millis(), "error": super::hint::plain_message(&error) }),
            ),
            Event::DeployFinished { applied, remaining } => {
                let ms = self.started.elapsed().as_millis();
                self.line(
                    "info",
                    &format!(
                        "deploy finished: {} applied in {ms} ms, {remaining} remaining",
                        applied.len()
                    ),
                    json!({ "applied": applied.len(), "remaining": remaining, "duration_ms": ms }),
                );
            }
            Event::Status { diagnosis, .. } => {
                let verdict = super::json::verdict(&diagnosis);
                let level = if verdict == super::json::Verdict::UpToDate {
                    "info"
                } else {
                    "warn"
                };
                self.line(
                    level,
                    &format!("status: {verdict:?}"),
                    json!({ "verdict": verdict }),
                );
            }
            Event::Resolved { name, applied } => self.line(
                "info",
                &format!(
                    "{name} marked as {}",
                    if applied { "applied" } else { "rolled back" }
                ),
                json!({ "migration": name }),
            ),
            Event::BackupWritten { path } => self.line(
                "info",
                &format!("backup written to {path}"),
                json!({ "backup": path }),
            ),
            Event::Sync { advice } => self.line(
                if advice.is_empty() { "info" } else { "warn" },
                &format!("sync: {} difference(s)", advice.len()),
                json!({ "advice": advice }),
            ),
            Event::Repair {
                command,
                steps,
                applied,
                backup,
                ..
            } => self.line(
                "info",
                &format!(
                    "{command}: {} step(s) {}",
                    steps.len(),
                    if applied { "done" } else { "planned" }
                ),
                json!({ "steps": steps, "applied": applied, "record": backup }),
            ),
            Event::RolledBack { name, .. } => self.line(
                "info",
                &format!("{name} rolled back"),
                json!({ "migration": name }),
            ),
            Event::Plan { pending, .. } => self.line(
                "info",
                &format!("dry run: {} migrations would be applied", pending.len()),
                json!({ "pending": pending.iter().map(|m| m.name.clone()).collect::<Vec<_>>() }),
            ),
            Event::MigrationCreated { path, .. } => {
                self.line("info", &format!("created {path}"), json!({}))
            }
            Event::ScriptExecuted => self.line("info", "script executed", json!({})),
            Event::Warning { message } => self.line("warn", message.trim_end(), json!({})),
            Event::Drift { summary, steps } => self.line(
                if steps.is_empty() { "info" } else { "warn" },
                if steps.is_empty() {
                    "no drift: the database schema matches the applied migrations"
                } else {
                    "drift detected: the database schema is not in sync with the migration history"
                },
                json!({ "summary": summary, "steps": steps }),
            ),
            Event::Waiting {
                location,
                elapsed,
                limit,
            } => self.line(
                "warn",
                &format!(
                    "waiting for the database server at {location} ({}s of {}s)",
                    elapsed.as_secs(),
                    limit.as_secs()
                ),
                json!({ "waited_ms": elapsed.as_millis() }),
            ),
            Event::ConfigLoaded { .. }
            | Event::EnvLoaded { .. }
            | Event::SchemaLoaded { .. }
            | Event::DeployConnectFailed
            | Event::ApplyBegins => {}
        }
    }
}

impl Output for Log {
    fn set_invocation(&mut self, invocation: super::hint::Invocation) {
        self.invocation = invocation;
    }

    fn error(&mut self, e: &Error) {
        self.stop_ticker();
        let message = super::hint::plain_message(&e.to_string());
        let hint = super::hint::hint(e, &self.invocation);
        let first = message
            .lines()
            .find(|l| !l.is_empty())
            .unwrap_or("")
            .to_owned();
        self.line(
            "error",
            &format!("{}: {first}", e.code()),
            serde_json::json!({ "code": e.code(), "detail": message }),
        );
        if let Some(h) = hint {
            self.line(
                "info",
                &format!("hint: {}", h.text),
                serde_json::json!({ "command": h.command }),
            );
        }
    }
}
