//! Database access: connections, the migration lock, catalog queries and script execution,
//! per provider. With `history/`, the only code that talks to a database.

mod backup;
pub mod execute;
pub mod fleet;
pub mod interrupt;
mod introspect;
#[cfg(feature = "mysql")]
mod introspect_mysql;
mod introspect_pg;
mod introspect_sqlite;
#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "mysql")]
mod mysql_script;
#[cfg(feature = "mysql")]
pub(crate) use mysql_script::{last_error, set_prisma_names};
mod pg;
mod pg_error;
mod pg_script;
mod probe;
mod shadow;
mod sqlite;

pub use backup::default_backup_path;
pub use pg::{is_ignored_table, PgDatabase};
pub use shadow::{temporary_name_created, TemporaryDatabase};
pub use sqlite::SqliteDatabase;

use crate::dburl::{PgUrl, Provider, SqliteUrl};
use crate::error::Result;
use crate::history::{HistoryStore, PgStore, SqliteStore};
use crate::migration::statements::{split, split_reason, SplitReason, Statement};
use std::path::Path;
use std::time::Duration;

/// Told, while the migration lock is taken elsewhere, who holds it and how long prismig
/// has waited.
pub type LockWatch<'a> = dyn FnMut(Option<crate::event::LockHolder>, Duration) + 'a;
/// When a lock wait is first reported, and how often again.
pub const LOCK_REPORT_AFTER: Duration = Duration::from_secs(1);
pub const LOCK_REPORT_EVERY: Duration = Duration::from_secs(10);

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
    /// database and Prisma's message (none when a concurrent deploy created it first).
    pub fn create(target: &Target) -> Result<(Database, Option<String>)> {
        match target {
            Target::Postgres(url) => {
                let message = PgDatabase::create_database(url)?;
                Ok((
                    Database::Postgres(Box::new(PgDatabase::connect(url)?)),
                    message,
                ))
            }
            Target::Sqlite(url) => {
                SqliteDatabase::create(url).map(|(db, m)| (Database::Sqlite(db), Some(m)))
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

    /// The migration lock; while another session holds it, `on_wait` is told who (as far
    /// as the server says) after `LOCK_REPORT_AFTER`, then every `LOCK_REPORT_EVERY`.
    pub fn lock_watched(&mut self, timeout: Duration, on_wait: &mut LockWatch<'_>) -> Result<()> {
        match self {
            Database::Postgres(db) => db.lock(timeout, on_wait),
            Database::Sqlite(db) => db.lock(timeout, on_wait),
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => db.lock(timeout, on_wait),
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
        let postgres = matches!(self, Database::Postgres(_)) && split_reason.is_none();
        ScriptPlan {
            statements: statements.len(),
            // One query and no statement of the script's own that commits or rolls back:
            // then the file is exactly one transaction.
            atomic: postgres && !crate::migration::statements::controls_transaction(&statements),
            with_row: postgres && crate::migration::statements::may_wrap(&statements),
            split_reason,
        }
    }

    /// Applies one migration. On PostgreSQL a file that means the same inside a
    /// transaction block (`statements::may_wrap`) runs with its history row in one
    /// transaction on the locked session. Otherwise Prisma's bookkeeping (§4.2 step 8): the
    /// started row, committed before the script; the script, sent as the file holds it;
    /// then the finish on the bookkeeping connection. The started row is written on the
    /// session that holds the migration lock (PostgreSQL, MySQL), so that it is written
    /// only while the lock is held. `Ok(Err(..))` is a script failure, to be recorded with
    /// `record_failure` (unless the row went with the transaction and the connection broke).
    pub fn apply_migration(
        &mut self,
        id: &str,
        checksum: &str,
        name: &str,
        script: &str,
    ) -> Result<std::result::Result<usize, ScriptFailure>> {
        self.apply_migration_with(id, checksum, name, script, &ScriptLimits::default(), false)
    }

    /// `apply_migration` with the server's timeouts set on the script session first
    /// (`limits`; none set: nothing is sent), and, for another attempt of a migration run
    /// in Prisma's sequence, without writing its started row again (`row_written`).
    pub fn apply_migration_with(
        &mut self,
        id: &str,
        checksum: &str,
        name: &str,
        script: &str,
        limits: &ScriptLimits,
        row_written: bool,
    ) -> Result<std::result::Result<usize, ScriptFailure>> {
        let now = chrono::Utc::now;
        if limits.is_set() {
            self.set_limits(limits)?;
        }
        match self {
            Database::Postgres(db) => {
                let statements = split(script);
                let old = db.server_before_12();
                if split_reason(script, &statements, old).is_none()
                    && crate::migration::statements::may_wrap(&statements)
                {
                    return Ok(db
                        .apply_with_row(script, id, checksum, name, now())
                        .map(|()| statements.len()));
                }
                if !row_written {
                    db.insert_started(id, checksum, name, now())?;
                }
                let pieces = pieces(script, &statements, old);
                if let Err(failure) = db.run_pieces(script, &pieces) {
                    return Ok(Err(failure));
                }
                PgStore::new(db.conn()).mark_finished(id, now())?;
                Ok(Ok(statements.len()))
            }
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => {
                if !row_written {
                    db.insert_started(id, checksum, name, now())?;
                }
                match db.run_script(script) {
                    Ok(n) => {
                        crate::history::MysqlStore::new(db.conn()).mark_finished(id, now())?;
                        Ok(Ok(n))
                    }
                    Err(f) => Ok(Err(ScriptFailure::server(f))),
                }
            }
            Database::Sqlite(db) => {
                if !row_written {
                    SqliteStore::new(db.conn()).insert_started(id, checksum, name, now())?;
                }
                match db.run_script(script) {
                    Ok(n) => {
                        SqliteStore::new(db.conn()).mark_finished(id, now())?;
                        Ok(Ok(n))
                    }
                    Err(f) => Ok(Err(ScriptFailure::server(f))),
                }
            }
        }
    }

    /// Sets the server's timeouts on the session that runs the scripts, as they apply to
    /// the next script (and again before each: a script may change them).
    pub fn set_limits(&mut self, limits: &ScriptLimits) -> Result<()> {
        match self {
            Database::Postgres(db) => db.set_limits(limits),
            Database::Sqlite(db) => db.set_limits(limits),
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => db.set_limits(limits),
        }
    }

    /// `migrate rollback`: runs `down` and marks the row rolled back, together: one
    /// transaction on PostgreSQL and SQLite. MySQL commits DDL implicitly, so there the two
    /// cannot be tied and the command is refused before anything runs (PM3206, in
    /// commands/rollback.rs). `Ok(Err(..))`: `down` failed and nothing changed.
    pub fn roll_back(
        &mut self,
        down: &str,
        row_id: &str,
    ) -> Result<std::result::Result<(), ScriptFailure>> {
        match self {
            Database::Postgres(db) => Ok(db.roll_back(down, row_id)),
            Database::Sqlite(db) => Ok(db
                .roll_back(down, row_id, chrono::Utc::now())?
                .map_err(ScriptFailure::server)),
            #[cfg(feature = "mysql")]
            Database::Mysql(_) => Err(crate::error::Error::Database(
                "rollback is not supported on MySQL".to_owned(),
            )),
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

/// The server's timeouts for the scripts of a deploy (`--statement-lock-timeout`,
/// `--statement-timeout`): PostgreSQL `lock_timeout`/`statement_timeout`; MySQL
/// `lock_wait_timeout` and `innodb_lock_wait_timeout` (whole seconds, at least 1), and
/// `max_execution_time` (MySQL: SELECT statements only) or `max_statement_time` (MariaDB:
/// every statement); SQLite `busy_timeout`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptLimits {
    pub lock_timeout: Option<Duration>,
    pub statement_timeout: Option<Duration>,
}

impl ScriptLimits {
    pub fn is_set(&self) -> bool {
        self.lock_timeout.is_some() || self.statement_timeout.is_some()
    }
}

/// How a script runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptPlan {
    pub statements: usize,
    pub atomic: bool,
    /// The history row commits in the script's transaction (PostgreSQL, `may_wrap`).
    pub with_row: bool,
    pub split_reason: Option<SplitReason>,
}

/// A script that failed: P3018's code and text, what had committed, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptFailure {
    pub code: String,
    pub error: String,
    pub statements_applied: usize,
    pub kind: FailureKind,
}

/// How a script failed, which decides what the history can say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The server reported an error; the session is fine.
    Server,
    /// The connection broke: whether the script committed is unknown.
    ConnectionLost,
    /// The script ran `COPY … FROM STDIN` or `TO STDOUT`; `rolled_back`: the server
    /// reported an error after prismig ended the COPY, so the query's transaction was
    /// rolled back.
    ClientCopy { from_stdin: bool, rolled_back: bool },
    /// The script left a transaction open, which prismig rolled back.
    OpenTransaction,
}

impl ScriptFailure {
    /// The session that runs scripts could not be opened (or is gone): nothing was sent.
    fn unreachable(error: String) -> ScriptFailure {
        ScriptFailure {
            code: "none".to_owned(),
            error,
            statements_applied: 0,
            kind: FailureKind::ConnectionLost,
        }
    }

    fn server((code, error, statements_applied): (String, String, usize)) -> ScriptFailure {
        ScriptFailure {
            code,
            error,
            statements_applied,
            kind: FailureKind::Server,
        }
    }
}

/// The byte ranges of `script` that go to PostgreSQL as one query each: the whole file
/// (Prisma's way), or each statement where the file cannot run in one transaction.
fn pieces(script: &str, statements: &[Statement<'_>], old_server: bool) -> Vec<(usize, usize)> {
    match split_reason(script, statements, old_server) {
        Some(_) => statements
            .iter()
            .map(|s| (s.start, s.start + s.text.len()))
            .collect(),
        None => vec![(0, script.len())],
    }
}
