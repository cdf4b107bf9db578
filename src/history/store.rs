//! Reads and writes of `_prisma_migrations`, with the row states Prisma's engine leaves
//! (§1.1, §1.6), for each provider. Values are always bound; only the fixed table name
//! appears in SQL.

use super::record::MigrationRecord;
use super::store_pg::PgStore;
use super::store_sqlite::SqliteStore;
use crate::error::Result;
use chrono::{DateTime, Utc};
use diesel::Connection;

/// A new row id: a random UUID v4, hyphenated lowercase, as the engine makes them.
pub fn new_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    fill_random(&mut bytes)?;
    Ok(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string())
}

/// On Linux the randomness comes from the `getrandom` system call (static binaries on an
/// empty root filesystem have no `/dev/urandom`), else from `/dev/urandom`.
#[cfg(target_os = "linux")]
fn fill_random(bytes: &mut [u8; 16]) -> Result<()> {
    let mut filled = 0;
    while filled < bytes.len() {
        let rest = &mut bytes[filled..];
        // SAFETY: the pointer and length describe `rest`, which lives across the call.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        match usize::try_from(n) {
            Ok(n) => filled += n,
            Err(_) if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {
            }
            Err(_) => break,
        }
    }
    if filled < bytes.len() {
        use std::io::Read;
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(bytes))
            .map_err(|e| {
                crate::error::Error::own(
                    "PM2002",
                    format!("no source of randomness for row ids: {e}"),
                )
            })?;
    }
    Ok(())
}

/// Elsewhere from the system's generator through the `getrandom` crate (macOS
/// `getentropy`, Windows `ProcessPrng`).
#[cfg(not(target_os = "linux"))]
fn fill_random(bytes: &mut [u8; 16]) -> Result<()> {
    getrandom::fill(bytes).map_err(|e| {
        crate::error::Error::own(
            "PM2002",
            format!("no source of randomness for row ids: {e}"),
        )
    })
}

/// A failed migration's row.
pub struct Failure<'a> {
    pub id: &'a str,
    pub checksum: &'a str,
    pub name: &'a str,
    pub started_at: DateTime<Utc>,
    pub logs: &'a str,
    pub steps: usize,
}

pub enum HistoryStore<'c> {
    Postgres(PgStore<'c>),
    Sqlite(SqliteStore<'c>),
    #[cfg(feature = "mysql")]
    Mysql(super::store_mysql::MysqlStore<'c>),
}

macro_rules! each {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            HistoryStore::Postgres($s) => $e,
            HistoryStore::Sqlite($s) => $e,
            #[cfg(feature = "mysql")]
            HistoryStore::Mysql($s) => $e,
        }
    };
}

impl HistoryStore<'_> {
    /// All rows by `started_at`; `None` when the table does not exist.
    pub fn list(&mut self) -> Result<Option<Vec<MigrationRecord>>> {
        match each!(self, s => s.rows()) {
            Ok(rows) => Ok(Some(rows)),
            // "Missing" is decided from the catalog, not from the (localised) message.
            Err(_) if !each!(self, s => s.table_exists())? => Ok(None),
            // The table exists now: another deploy may have created it after the failed
            // SELECT, so one more read tells.
            Err(_) => each!(self, s => s.rows()).map(Some),
        }
    }

    /// Prisma's exact DDL (§1.2).
    pub fn create_table(&mut self) -> Result<()> {
        each!(self, s => s.create_table())
    }

    /// Deploy failure: the row (inserted now if the failed transaction took it along) gets
    /// the error text in `logs`, and `applied_steps_count` says how many statements
    /// committed (0 for a file run as one transaction, as Prisma leaves it); it stays failed.
    pub fn record_failure(&mut self, failure: &Failure<'_>) -> Result<()> {
        each!(self, s => s.record_failure(failure))
    }

    pub fn mark_rolled_back(&mut self, ids: &[String], at: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.mark_rolled_back(ids, at))
    }

    /// `--undo` of prismig's repairs: removes rows it inserted.
    pub fn delete_rows(&mut self, ids: &[String]) -> Result<()> {
        each!(self, s => s.delete_rows(ids))
    }

    pub fn set_checksum(&mut self, id: &str, checksum: &str) -> Result<()> {
        each!(self, s => s.set_checksum(id, checksum))
    }

    pub fn set_name(&mut self, id: &str, name: &str) -> Result<()> {
        each!(self, s => s.set_name(id, name))
    }

    pub fn clear_rolled_back(&mut self, id: &str) -> Result<()> {
        each!(self, s => s.clear_rolled_back(id))
    }

    /// Drops `_prisma_migrations` (`baseline --undo` of the baseline that created it).
    pub fn drop_table(&mut self) -> Result<()> {
        each!(self, s => s.drop_table())
    }

    /// `_prisma_migrations_backup`, made when missing.
    pub fn create_backup_table(&mut self) -> Result<()> {
        each!(self, s => s.create_backup_table())
    }

    /// Moves a row into `_prisma_migrations_backup`, tagged with `batch`.
    pub fn archive(&mut self, id: &str, batch: &str, at: DateTime<Utc>) -> Result<()> {
        each!(self, s => s.archive(id, batch, at))
    }

    /// Moves the rows tagged `batch` back from `_prisma_migrations_backup`.
    pub fn restore_archived(&mut self, batch: &str) -> Result<()> {
        each!(self, s => s.restore_archived(batch))
    }

    /// Runs `f` in one transaction: all of its changes, or none.
    pub fn in_transaction<T>(
        &mut self,
        f: impl FnOnce(&mut HistoryStore<'_>) -> Result<T>,
    ) -> Result<T> {
        match self {
            HistoryStore::Postgres(s) => s
                .conn()
                .transaction(|c| f(&mut HistoryStore::Postgres(PgStore::new(c)))),
            HistoryStore::Sqlite(s) => s
                .conn()
                .transaction(|c| f(&mut HistoryStore::Sqlite(SqliteStore::new(c)))),
            #[cfg(feature = "mysql")]
            HistoryStore::Mysql(s) => s.conn().transaction(|c| {
                f(&mut HistoryStore::Mysql(
                    super::store_mysql::MysqlStore::new(c),
                ))
            }),
        }
    }

    /// `resolve --applied`: rolls back the failed rows and inserts the applied row
    /// (`logs = ''`, `started_at = finished_at`, 0 steps), in one transaction.
    pub fn resolve_applied(
        &mut self,
        roll_back: &[String],
        id: &str,
        checksum: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        each!(self, s => s.resolve_applied(roll_back, id, checksum, name, now))
    }
}

/// Diesel's transactions need it; the text is kept, as for other bookkeeping errors.
impl From<diesel::result::Error> for crate::error::Error {
    fn from(e: diesel::result::Error) -> Self {
        crate::error::from_database_message(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_uuid_v4() {
        let a = super::new_id().unwrap();
        let b = super::new_id().unwrap();
        assert_ne!(a, b);
        let u = uuid::Uuid::parse_str(&a).unwrap();
        assert_eq!(u.get_version_num(), 4);
        assert_eq!(a, a.to_lowercase());
        assert_eq!(a.len(), 36);
    }
}
