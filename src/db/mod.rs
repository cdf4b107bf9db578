//! Database access: connections, the migration lock, catalog queries and script execution,
//! per provider. With `history/`, the only code that talks to a database.

#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "mysql")]
mod mysql_script;
mod pg;
mod pg_error;
mod pg_script;
mod sqlite;

pub use pg::{is_ignored_table, PgDatabase, ADVISORY_LOCK_KEY};
pub use pg_error::DbErrorReport;
pub use sqlite::SqliteDatabase;

use crate::dburl::{PgUrl, Provider, SqliteUrl};
use crate::error::Result;
use crate::history::{HistoryStore, PgStore, SqliteStore};
use std::path::Path;
use std::time::Duration;

/// Where to connect: a parsed URL of one provider.
#[derive(Debug, Clone)]
pub enum Target {
    Postgres(Box<PgUrl>),
    Sqlite(SqliteUrl),
    #[cfg(feature = "mysql")]
    Mysql(Box<crate::dburl::MysqlUrl>),
}

impl Target {
    /// Parses `url` for `provider`; relative paths resolve against `base_dir`.
    pub fn parse(provider: Provider, url: &str, base_dir: &Path) -> Result<Target> {
        match provider {
            Provider::Postgres => Ok(Target::Postgres(Box::new(
                PgUrl::parse(url)?.with_base_dir(base_dir),
            ))),
            Provider::Sqlite => Ok(Target::Sqlite(SqliteUrl::parse(url, base_dir)?)),
            #[cfg(feature = "mysql")]
            Provider::Mysql => Ok(Target::Mysql(Box::new(crate::dburl::MysqlUrl::parse(url, base_dir)?))),
            #[cfg(not(feature = "mysql"))]
            Provider::Mysql => Err(crate::error::Error::own(
                "PM1002",
                "this prismig was built without MySQL support: build it with `--features mysql` (it links the system MySQL or MariaDB client library)",
            )),
        }
    }

    pub fn provider(&self) -> Provider {
        match self {
            Target::Postgres(_) => Provider::Postgres,
            Target::Sqlite(_) => Provider::Sqlite,
            #[cfg(feature = "mysql")]
            Target::Mysql(_) => Provider::Mysql,
        }
    }

    /// The `Datasource` header after the name (§8.4).
    pub fn description(&self, schemas: &[String]) -> String {
        match self {
            Target::Postgres(url) => {
                let schemas = if schemas.is_empty() {
                    format!("schema \"{}\"", url.schema())
                } else {
                    format!("schemas \"{}\"", schemas.join(", "))
                };
                format!(
                    "PostgreSQL database \"{}\", {schemas} at \"{}\"",
                    url.database_display(),
                    url.header_location()
                )
            }
            Target::Sqlite(url) => format!(
                "SQLite database \"{}\" at \"{}\"",
                url.file_name(),
                url.location()
            ),
            #[cfg(feature = "mysql")]
            Target::Mysql(url) => format!(
                "MySQL database \"{}\" at \"{}\"",
                url.database_display(),
                url.header_location()
            ),
        }
    }

    /// Warnings about the URL itself.
    pub fn warnings(&self) -> Vec<String> {
        match self {
            Target::Postgres(url) if url.pgbouncer() => vec![
                "the URL has pgbouncer=true: the migration lock is a session-level advisory lock, which a transaction-mode pooler does not keep; set `directUrl` (or pass --url) to a direct connection for migrations".to_owned(),
            ],
            _ => Vec::new(),
        }
    }
}

pub enum Database {
    Postgres(Box<PgDatabase>),
    Sqlite(SqliteDatabase),
    #[cfg(feature = "mysql")]
    Mysql(Box<mysql::MysqlDatabase>),
}

impl Database {
    /// Connects to an existing database (P1003 when it does not exist).
    pub fn connect(target: &Target) -> Result<Database> {
        match target {
            Target::Postgres(url) => {
                PgDatabase::connect(url).map(|db| Database::Postgres(Box::new(db)))
            }
            Target::Sqlite(url) => SqliteDatabase::connect(url).map(Database::Sqlite),
            #[cfg(feature = "mysql")]
            Target::Mysql(url) => {
                mysql::MysqlDatabase::connect(url).map(|db| Database::Mysql(Box::new(db)))
            }
        }
    }

    /// `migrate deploy` on a missing database creates it (§4.1 step 6); returns the
    /// database and Prisma's message.
    pub fn create(target: &Target) -> Result<(Database, String)> {
        match target {
            Target::Postgres(url) => {
                let message = PgDatabase::create_database(url)?;
                Ok((
                    Database::Postgres(Box::new(PgDatabase::connect(url)?)),
                    message,
                ))
            }
            Target::Sqlite(url) => {
                SqliteDatabase::create(url).map(|(db, m)| (Database::Sqlite(db), m))
            }
            #[cfg(feature = "mysql")]
            Target::Mysql(url) => {
                let message = mysql::MysqlDatabase::create_database(url)?;
                Ok((
                    Database::Mysql(Box::new(mysql::MysqlDatabase::connect(url)?)),
                    message,
                ))
            }
        }
    }

    pub fn history(&mut self) -> HistoryStore<'_> {
        match self {
            Database::Postgres(db) => HistoryStore::Postgres(PgStore::new(db.conn())),
            Database::Sqlite(db) => HistoryStore::Sqlite(SqliteStore::new(db.conn())),
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => HistoryStore::Mysql(crate::history::MysqlStore::new(db.conn())),
        }
    }

    pub fn lock(&mut self, timeout: Duration) -> Result<()> {
        match self {
            Database::Postgres(db) => db.lock(timeout),
            Database::Sqlite(db) => db.lock(timeout),
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => db.lock(timeout),
        }
    }

    pub fn unlock(&mut self) {
        match self {
            Database::Postgres(db) => db.unlock(),
            Database::Sqlite(db) => db.unlock(),
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => db.unlock(),
        }
    }

    /// Tables as `(namespace, name)` for the P3005 check (§4.3).
    pub fn table_names(&mut self, schemas: &[String]) -> Result<Vec<(String, String)>> {
        match self {
            Database::Postgres(db) => db.table_names(schemas),
            Database::Sqlite(db) => db.table_names(),
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => db.table_names(),
        }
    }

    /// The namespace `_prisma_migrations` lives in.
    pub fn history_namespace(&self) -> &str {
        match self {
            Database::Postgres(db) => db.schema(),
            Database::Sqlite(_) => "main",
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => db.database(),
        }
    }

    /// Tables that do not make a database non-empty: PostGIS's on PostgreSQL, none on SQLite.
    pub fn ignores_table(&self, name: &str) -> bool {
        match self {
            Database::Postgres(_) => is_ignored_table(name),
            _ => false,
        }
    }

    /// Runs a migration script; `Err` is (database error code, database error) for P3018.
    pub fn run_script(&mut self, script: &str) -> Result<(), (String, String)> {
        match self {
            Database::Postgres(db) => db.run_script(script),
            Database::Sqlite(db) => db.run_script(script),
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => db.run_script(script),
        }
    }
}
