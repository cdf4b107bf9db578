//! Prisma Migrate's production commands (`migrate deploy`, `status`, `resolve`) without
//! Node, leaving a `_prisma_migrations` history the Prisma CLI cannot tell from its own.
//!
//! A Rust service that shares its database with a Prisma application can apply the same
//! migrations at start-up with a [`Migrator`], and refuse to start when one fails:
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     let migrator = prismig::Migrator::from_project(".")
//!         .lock_timeout(std::time::Duration::from_secs(60));
//!     match migrator.deploy() {
//!         Ok(deployed) => println!("{} migrations applied", deployed.applied.len()),
//!         Err(e) => {
//!             eprintln!("migrations failed: {e}");
//!             return std::process::ExitCode::FAILURE;
//!         }
//!     }
//!     // … start serving
//!     std::process::ExitCode::SUCCESS
//! }
//! ```
//!
//! The `prismig` command line is a layer over the same [`Migrator`]. See ARCHITECTURE.md
//! for the module map and the history state machine.

mod api;
pub(crate) mod cli;
pub(crate) mod commands;
pub(crate) mod config;
pub(crate) mod db;
pub(crate) mod dburl;
pub(crate) mod drift;
pub(crate) mod error;
pub(crate) mod event;
pub(crate) mod files;
pub(crate) mod fleet;
pub(crate) mod history;
pub(crate) mod migration;
pub(crate) mod output;
pub(crate) mod reconcile;
pub(crate) mod shell;

pub use api::{
    AppliedMigration, Deployed, DiffSide, Difference, Drift, Error, Event, MigrationState,
    Migrator, Resolved, Result, Status,
};

/// What the `prismig` binary and the crate's own tests reach; not part of the API.
#[doc(hidden)]
pub mod __internal {
    pub use crate::cli::run;

    pub mod commands {
        pub use crate::commands::{lockfile_text, RepairRecord};
    }
    pub mod config {
        pub use crate::config::{evaluate_config, Env};
        pub mod schema {
            pub use crate::config::schema::{lift_datasource, parse, pretty};
        }
    }
    pub mod dburl {
        pub use crate::dburl::{mask, MysqlUrlParse, PgUrl, SqliteUrl};
    }
    pub mod event {
        pub use crate::event::{MigrationState, RepairAction};
    }
    pub mod migration {
        pub use crate::migration::{checksum, locale_compare, read_lock_provider, MigrationsDir};
        pub mod statements {
            pub use crate::migration::statements::{split, split_reason};
        }
    }
    pub mod output {
        pub mod json {
            pub use crate::output::json::{Document, Verdict};
        }
    }
    pub mod shell {
        pub use crate::shell::quote;
    }
}
