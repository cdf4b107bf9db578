//! Database access: connections, the migration lock, catalog queries and script execution,
//! per provider. With `history/`, the only code that talks to a database.

mod backup;
pub mod execute;
pub mod interrupt;
#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "mysql")]
mod mysql_script;
mod pg;
mod pg_error;
mod pg_script;
mod probe;
mod sqlite;

pub use backup::default_backup_path;
pub use pg::{is_ignored_table, PgDatabase, ADVISORY_LOCK_KEY};
pub use pg_error::DbErrorReport;
pub use sqlite::SqliteDatabase;

use crate::dburl::{PgUrl, Provider, SqliteUrl};
use crate::error::Result;
use crate::history::{HistoryStore, PgStore, SqliteStore};
use crate::migration::statements::{split, split_reason, SplitReason};
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

    /// How `script` runs here: in one transaction, or statement by statement and why.
    pub fn plan(&self, script: &str) -> ScriptPlan {
        let statements = split(script);
        let split_reason = match self {
            Database::Postgres(db) => split_reason(script, &statements, db.server_before_12()),
            // Never atomic there (§4.6): every file runs statement by statement.
            _ => None,
        };
        ScriptPlan {
            statements: statements.len(),
            atomic: matches!(self, Database::Postgres(_)) && split_reason.is_none(),
            split_reason,
        }
    }

    /// Runs a migration script as Prisma does, except that on PostgreSQL a file that must
    /// run outside a transaction block (or says so) runs statement by statement. Returns
    /// the number of statements.
    pub fn run_migration(&mut self, script: &str) -> Result<usize, ScriptFailure> {
        let fail = |(code, error, statements_applied): (String, String, usize)| ScriptFailure {
            code,
            error,
            statements_applied,
        };
        match self {
            Database::Postgres(db) => {
                let statements = split(script);
                let pieces: Vec<(usize, usize)> =
                    match split_reason(script, &statements, db.server_before_12()) {
                        Some(_) => statements
                            .iter()
                            .map(|s| (s.start, s.start + s.text.len()))
                            .collect(),
                        None => vec![(0, script.len())],
                    };
                db.run_pieces(script, &pieces).map_err(fail)?;
                Ok(statements.len())
            }
            Database::Sqlite(db) => db.run_script(script).map_err(fail),
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => db.run_script(script).map_err(fail),
        }
    }

    /// Applies one migration with its bookkeeping. On PostgreSQL a file that runs as one
    /// transaction carries its row with it (inserted and finished in the same transaction);
    /// otherwise Prisma's sequence: the started row first, the script, then the finish.
    /// `Ok(Err(..))` is a script failure, to be recorded with `record_failure`.
    pub fn apply_migration(
        &mut self,
        id: &str,
        checksum: &str,
        name: &str,
        script: &str,
    ) -> Result<std::result::Result<usize, ScriptFailure>> {
        if let Database::Postgres(db) = self {
            let statements = split(script);
            let alone = statements.len() == 1
                && crate::migration::statements::needs_no_transaction(
                    statements[0].text,
                    db.server_before_12(),
                )
                .is_some();
            if split_reason(script, &statements, db.server_before_12()).is_none() && !alone {
                return Ok(db
                    .apply_atomic(script, id, checksum, name)
                    .map(|()| statements.len())
                    .map_err(|(code, error, statements_applied)| ScriptFailure {
                        code,
                        error,
                        statements_applied,
                    }));
            }
        }
        self.history()
            .insert_started(id, checksum, name, chrono::Utc::now())?;
        match self.run_migration(script) {
            Ok(n) => {
                self.history().mark_finished(id, chrono::Utc::now())?;
                Ok(Ok(n))
            }
            Err(f) => Ok(Err(f)),
        }
    }

    /// Connects without changing anything (no schema created), for dry runs.
    pub fn connect_read_only(target: &Target) -> Result<Database> {
        match target {
            Target::Postgres(url) => {
                PgDatabase::connect_read_only(url).map(|db| Database::Postgres(Box::new(db)))
            }
            other => Database::connect(other),
        }
    }

    /// Whether `_prisma_migrations` could exist (false when its schema does not).
    pub fn namespace_exists(&self) -> bool {
        match self {
            Database::Postgres(db) => db.schema_exists(),
            _ => true,
        }
    }
}

/// How a script runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptPlan {
    pub statements: usize,
    pub atomic: bool,
    pub split_reason: Option<SplitReason>,
}

/// A script that failed: P3018's code and text, and what had committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptFailure {
    pub code: String,
    pub error: String,
    pub statements_applied: usize,
}
