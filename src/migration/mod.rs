//! The local side of the ledger: the migrations folder (no database).

mod checksum;
mod collation;
pub mod edits;
mod lockfile;
pub mod objects;
mod source;
pub mod statements;

pub use checksum::{checksum, script_matches_checksum};
pub use collation::locale_compare;
pub use lockfile::{check_provider, read_lock_provider};
pub use source::{LocalMigration, MigrationsDir};
