//! One MySQL/MariaDB database: a Diesel connection for the history table, `GET_LOCK` and
//! catalog queries, plus a client-library connection for scripts, because P3018 reports the
//! server's error number and which statement of the file failed, which Diesel does not give.

use super::mysql_script::ScriptConnection;
use crate::dburl::MysqlUrl;
use crate::error::{Error, Result};
use diesel::connection::SimpleConnection;
use diesel::mysql::MysqlConnection;
use diesel::sql_types::Text;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use regex::Regex;
use std::sync::LazyLock;
use std::time::Duration;

/// Databases Prisma refuses to migrate (P3004, §1.4).
const SYSTEM_DATABASES: &[&str] = &["mysql", "information_schema", "performance_schema", "sys"];

pub struct MysqlDatabase {
    conn: MysqlConnection,
    url: MysqlUrl,
    script: Option<ScriptConnection>,
    locked: bool,
    /// Fail when `GET_LOCK` times out, instead of going on as Prisma does.
    strict_lock: bool,
}

#[derive(QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    table_name: String,
}

static UNKNOWN_DB: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"Unknown database '([^']*)'").expect("valid regex"));

/// The client library's connection error text → Prisma's codes (§7.2).
pub fn classify_connect_error(url: &MysqlUrl, message: &str) -> Error {
    if let Some(c) = UNKNOWN_DB.captures(message) {
        return Error::DatabaseDoesNotExist {
            name: c[1].to_owned(),
        };
    }
    if message.contains("Access denied for user") {
        return Error::AuthenticationFailed {
            user: url.user.clone(),
        };
    }
    if message.contains("SSL") || message.contains("TLS") || message.contains("certificate") {
        let scrubbed = match url.password.as_deref() {
            Some(p) if !p.is_empty() => message.replace(p, "****"),
            _ => message.to_owned(),
        };
        return Error::Tls { message: scrubbed };
    }
    Error::Unreachable {
        location: url.error_location(),
    }
}

impl MysqlDatabase {
    pub fn connect(url: &MysqlUrl) -> Result<MysqlDatabase> {
        if SYSTEM_DATABASES.contains(&url.database.to_ascii_lowercase().as_str()) {
            return Err(Error::SystemDatabase {
                name: url.database.clone(),
            });
        }
        let conn = MysqlConnection::establish(&url.diesel_url(Some(&url.database))).map_err(
            |e| match e {
                diesel::ConnectionError::BadConnection(m) => classify_connect_error(url, &m),
                other => Error::InvalidUrl {
                    details: other.to_string(),
                },
            },
        )?;
        Ok(MysqlDatabase {
            conn,
            url: url.clone(),
            script: None,
            locked: false,
            strict_lock: url.strict_lock,
        })
    }

    /// `migrate deploy` creates a missing database; returns Prisma's message.
    pub fn create_database(url: &MysqlUrl) -> Result<Option<String>> {
        let mut admin = MysqlConnection::establish(&url.diesel_url(None)).map_err(|e| match e {
            diesel::ConnectionError::BadConnection(m) => classify_connect_error(url, &m),
            other => Error::InvalidUrl {
                details: other.to_string(),
            },
        })?;
        let created = admin.batch_execute(&format!(
            "CREATE DATABASE `{}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
            url.database.replace('`', "``")
        ));
        match created {
            Ok(()) => Ok(Some(format!(
                "MySQL database {} created at {}",
                url.database_display(),
                url.header_location()
            ))),
            // Another deploy created it a moment ago (ER_DB_CREATE_EXISTS): not an error.
            Err(e) if e.to_string().contains("database exists") => Ok(None),
            Err(e) => Err(Error::DatabaseCreationFailed {
                error: e.to_string(),
            }),
        }
    }

    pub fn conn(&mut self) -> &mut MysqlConnection {
        &mut self.conn
    }

    /// The session that holds `GET_LOCK` and runs the scripts, opened on first use.
    fn executor(&mut self) -> Result<&ScriptConnection> {
        if self.script.is_none() {
            let url = self.url.clone();
            self.script = Some(
                ScriptConnection::open(&self.url).map_err(|m| classify_connect_error(&url, &m))?,
            );
        }
        match self.script.as_ref() {
            Some(conn) => Ok(conn),
            None => unreachable!("opened above"),
        }
    }

    /// `SELECT GET_LOCK('prisma_migrate', 10)` (§4.5), on the session that runs the
    /// scripts, so that the lock lasts as long as a script the server may still be running.
    /// Prisma ignores a timeout and goes on without the lock; so does prismig unless
    /// `--strict-lock` asks for P1002.
    pub fn lock(&mut self, timeout: Duration, on_wait: &mut super::LockWatch<'_>) -> Result<()> {
        if self.url.planetscale {
            return Ok(());
        }
        let secs = timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0);
        // One second first; then, if another session holds the lock, say who and wait for
        // the rest (GET_LOCK blocks and gives no moment to speak in between).
        let first = secs.min(super::LOCK_REPORT_AFTER.as_secs());
        let mut got = self.get_lock(first)?;
        if !got && first < secs {
            on_wait(self.lock_holder(), Duration::from_secs(first));
            got = self.get_lock(secs - first)?;
        }
        if got {
            self.locked = true;
        } else if self.strict_lock {
            return Err(Error::Timeout {
                context: format!("Timed out trying to acquire a MySQL lock (SELECT GET_LOCK('prisma_migrate', {secs})). Timeout: {}ms.", timeout.as_millis()),
                holder: self.lock_holder().map(Box::new),
            });
        }
        Ok(())
    }

    /// `prisma_migrate`, or in a fleet `prisma_migrate:<db>`: the fleet itself holds
    /// `prisma_migrate` on each server while it runs (`db::fleet::ServerLocks`).
    fn lock_name(&self) -> String {
        match super::fleet::in_fleet() {
            true => crate::fleet::mysql_lock_name(&self.url.database)
                .replace('\\', "\\\\")
                .replace('\'', "\\'"),
            false => "prisma_migrate".to_owned(),
        }
    }

    fn get_lock(&mut self, secs: u64) -> Result<bool> {
        let name = self.lock_name();
        let got = self
            .executor()?
            .query_value(&format!("SELECT GET_LOCK('{name}', {secs})"))
            .map_err(|(_, m)| Error::Database(m))?;
        Ok(got.as_deref() == Some("1"))
    }

    /// The connection holding `prisma_migrate` (`IS_USED_LOCK`) as the process list shows
    /// it; asked on the bookkeeping connection.
    fn lock_holder(&mut self) -> Option<crate::event::LockHolder> {
        use diesel::sql_types::{BigInt, Nullable};
        #[derive(QueryableByName)]
        struct Holder {
            #[diesel(sql_type = Text)]
            session: String,
            #[diesel(sql_type = Nullable<Text>)]
            client: Option<String>,
            #[diesel(sql_type = Nullable<Text>)]
            state: Option<String>,
            #[diesel(sql_type = Nullable<BigInt>)]
            query_seconds: Option<i64>,
            #[diesel(sql_type = Nullable<Text>)]
            query: Option<String>,
        }
        let h = diesel::sql_query(
            "SELECT CAST(p.ID AS CHAR) AS session, CONCAT(p.USER, '@', p.HOST) AS client, \
             CAST(p.COMMAND AS CHAR) AS state, CAST(p.TIME AS SIGNED) AS query_seconds, \
             CAST(LEFT(p.INFO, 200) AS CHAR) AS query \
             FROM information_schema.PROCESSLIST p WHERE p.ID = IS_USED_LOCK('prisma_migrate')",
        )
        .get_result::<Holder>(&mut self.conn)
        .ok()?;
        Some(crate::event::LockHolder {
            session: format!("connection {}", h.session),
            application: None,
            client: h.client,
            state: h.state,
            query_seconds: h.query_seconds.and_then(|s| u64::try_from(s).ok()),
            query: h.query,
        })
    }

    /// The guard's timeouts on the script session, before each migration. MySQL counts
    /// lock waits in whole seconds (at least 1), so a shorter `--statement-lock-timeout`
    /// waits 1 s. The statement timeout is MariaDB's `max_statement_time` (every
    /// statement) or MySQL's `max_execution_time` (SELECT statements only: MySQL has no
    /// ceiling for DDL).
    pub fn set_limits(&mut self, limits: &super::ScriptLimits) -> Result<()> {
        let conn = self.executor()?;
        let mut sets = Vec::new();
        if let Some(t) = limits.lock_timeout {
            let secs = t.as_secs() + u64::from(t.subsec_nanos() > 0);
            sets.push(format!("lock_wait_timeout = {secs}"));
            sets.push(format!("innodb_lock_wait_timeout = {secs}"));
        }
        if let Some(t) = limits.statement_timeout {
            let mariadb = conn
                .query_value("SELECT VERSION()")
                .map_err(|(_, m)| Error::Database(m))?
                .is_some_and(|v| v.contains("MariaDB"));
            if mariadb {
                sets.push(format!("max_statement_time = {:.3}", t.as_secs_f64()));
            } else {
                sets.push(format!("max_execution_time = {}", t.as_millis().max(1)));
            }
        }
        if sets.is_empty() {
            return Ok(());
        }
        conn.command(&format!("SET SESSION {}", sets.join(", ")))
            .map_err(|(_, m)| Error::Database(m))
    }

    pub fn unlock(&mut self) {
        if self.locked {
            if let Some(conn) = &self.script {
                let _ = conn.command(&format!("SELECT RELEASE_LOCK('{}')", self.lock_name()));
            }
            self.locked = false;
        }
    }

    /// Deploy's started row, on the session that holds the lock and runs the script (see
    /// `PgDatabase::insert_started`). The table is qualified: a script may `USE` another
    /// database.
    pub fn insert_started(
        &mut self,
        id: &str,
        checksum: &str,
        name: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let table = format!(
            "`{}`.`_prisma_migrations`",
            self.url.database.replace('`', "``")
        );
        let conn = self.executor()?;
        let at = at.naive_utc().format("%Y-%m-%d %H:%M:%S%.6f").to_string();
        let sql = format!(
            "INSERT INTO {table} (`id`, `checksum`, `started_at`, `migration_name`) VALUES ({}, {}, {}, {})",
            conn.quote(id),
            conn.quote(checksum),
            conn.quote(&at),
            conn.quote(name)
        );
        conn.command(&sql).map_err(|(_, m)| Error::Database(m))
    }

    /// Base tables of the database, the engine's query (§4.3). No ignore list.
    pub fn table_names(&mut self) -> Result<Vec<(String, String)>> {
        let rows = diesel::sql_query(
            "SELECT DISTINCT CAST(BINARY table_info.table_name AS CHAR) AS table_name FROM information_schema.tables AS table_info JOIN information_schema.columns AS column_info ON BINARY column_info.table_name = BINARY table_info.table_name WHERE table_info.table_schema = ? AND column_info.table_schema = ? AND table_info.table_type = 'BASE TABLE' ORDER BY table_name",
        )
        .bind::<Text, _>(&self.url.database)
        .bind::<Text, _>(&self.url.database)
        .load::<TableName>(&mut self.conn)
        .map_err(Error::from)?;
        Ok(rows
            .into_iter()
            .map(|r| (self.url.database.clone(), r.table_name))
            .collect())
    }

    pub fn database(&self) -> &str {
        &self.url.database
    }

    /// The whole file as one multi-statement query, results consumed one by one; no
    /// transaction (§4.6). `Err` is (error number, message + the statement number).
    pub fn run_script(&mut self, script: &str) -> Result<usize, (String, String, usize)> {
        let conn = self
            .executor()
            .map_err(|e| ("none".to_owned(), e.to_string(), 0))?;
        conn.execute(script)
    }
}

impl Drop for MysqlDatabase {
    fn drop(&mut self) {
        self.unlock();
    }
}
