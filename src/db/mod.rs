//! Database access: connections, the advisory lock, catalog queries and script execution.
//! With `history/`, the only code that talks to a database.

mod pg;
mod pg_error;
mod pg_script;

pub use pg::{is_ignored_table, PgDatabase, ADVISORY_LOCK_KEY};
pub use pg_error::DbErrorReport;
