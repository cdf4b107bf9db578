//! A service that applies its Prisma migrations at start-up, and refuses to start when one
//! fails.
//!
//! ```text
//! DATABASE_URL=postgresql://… cargo run --example embed -- path/to/project
//! ```
//!
//! The project directory (default: the working directory) holds the Prisma schema or
//! `prisma.config.ts` and the migrations folder, as for `prisma migrate deploy`.

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a service's start-up log"
)]

use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let project = std::env::args().nth(1).unwrap_or_else(|| ".".to_owned());
    let migrator = prismig::Migrator::from_project(project)
        // Another instance may be migrating: wait for it rather than fail.
        .lock_timeout(Duration::from_secs(60))
        // The database may still be starting next to the service.
        .wait(Duration::from_secs(30))
        .on_event(|event| {
            if let prismig::Event::Applied { name, duration, .. } = event {
                eprintln!("migration {name} applied in {} ms", duration.as_millis());
            }
        });
    match migrator.deploy() {
        Ok(deployed) => eprintln!(
            "{} of {} migrations applied now; the database is up to date",
            deployed.applied.len(),
            deployed.found
        ),
        Err(e) => {
            eprintln!("refusing to start: {e}");
            if let Some(hint) = e.hint() {
                eprintln!("hint: {hint}");
            }
            return ExitCode::FAILURE;
        }
    }
    serve()
}

/// The service itself would start here.
fn serve() -> ExitCode {
    println!("serving");
    ExitCode::SUCCESS
}
