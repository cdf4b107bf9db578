//! End-to-end tests: the real `prismig` binary, a temporary project, and a real database
//! per test. Expected texts come from `prisma-migrate.md` and `prisma-transcripts.md`.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

mod support;

mod api;
mod bad_input;
mod cli;
mod config;
mod connection;
mod db_execute;
mod deploy;
mod drift;
mod drift_shadow;
mod example;
mod execution;
mod failures;
mod faults;
mod fleet;
mod folder;
mod hostile;
mod layouts;
mod locking;
#[cfg(feature = "mysql")]
mod mysql;
mod pipeline;
mod production;
mod project_reading;
mod providers;
mod repair;
mod resolve;
mod sqlite;
mod status;
mod tls;
mod watch;
