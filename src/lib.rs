//! prismig: Prisma Migrate's production commands (`migrate deploy`, `status`, `resolve`)
//! without Node, leaving a `_prisma_migrations` history the Prisma CLI cannot tell from
//! its own. See ARCHITECTURE.md for the module map and the history state machine.

pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod dburl;
pub mod drift;
pub mod error;
pub mod event;
pub mod files;
pub mod fleet;
pub mod history;
pub mod migration;
pub mod output;
pub mod reconcile;
pub mod shell;
