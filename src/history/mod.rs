//! The database side of the ledger: `_prisma_migrations`.

mod record;
pub mod schema;
mod store;

pub use record::MigrationRecord;
pub use store::{new_id, HistoryStore};
