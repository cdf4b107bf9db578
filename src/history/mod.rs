//! The database side of the ledger: `_prisma_migrations`.

#[macro_use]
mod ops;
mod record;
pub mod schema;
mod store;
#[cfg(feature = "mysql")]
mod store_mysql;
mod store_pg;
mod store_sqlite;

pub use record::MigrationRecord;
pub use store::{new_id, Failure, HistoryStore};
#[cfg(feature = "mysql")]
pub use store_mysql::MysqlStore;
pub use store_pg::PgStore;
pub use store_sqlite::SqliteStore;
