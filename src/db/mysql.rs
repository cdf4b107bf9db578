//! One MySQL/MariaDB database: a Diesel connection for the history table, `GET_LOCK` and
//! catalog queries, plus a client-library connection for scripts, because P3018 reports the
//! server's error number and which statement of the file failed, which Diesel does not give.

use super::mysql_script::ScriptConnection;
use crate::dburl::MysqlUrl;
use crate::error::{Error, Result};
use diesel::connection::SimpleConnection;
use diesel::mysql::MysqlConnection;
use diesel::sql_types::{BigInt, Nullable, Text};
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
struct Got {
    #[diesel(sql_type = Nullable<BigInt>)]
    got: Option<i64>,
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
    pub fn create_database(url: &MysqlUrl) -> Result<String> {
        let mut admin = MysqlConnection::establish(&url.diesel_url(None)).map_err(|e| match e {
            diesel::ConnectionError::BadConnection(m) => classify_connect_error(url, &m),
            other => Error::InvalidUrl {
                details: other.to_string(),
            },
        })?;
        admin
            .batch_execute(&format!(
                "CREATE DATABASE `{}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
                url.database.replace('`', "``")
            ))
            .map_err(|e| Error::DatabaseCreationFailed {
                error: e.to_string(),
            })?;
        Ok(format!(
            "MySQL database {} created at {}",
            url.database_display(),
            url.header_location()
        ))
    }

    pub fn conn(&mut self) -> &mut MysqlConnection {
        &mut self.conn
    }

    /// `SELECT GET_LOCK('prisma_migrate', 10)` (§4.5). Prisma ignores a timeout and goes on
    /// without the lock; so does prismig unless `--strict-lock` asks for P1002.
    pub fn lock(&mut self, timeout: Duration) -> Result<()> {
        if self.url.planetscale {
            return Ok(());
        }
        let secs = timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0);
        let got = diesel::sql_query(format!("SELECT GET_LOCK('prisma_migrate', {secs}) AS got"))
            .get_result::<Got>(&mut self.conn)
            .map_err(Error::from)?;
        if got.got == Some(1) {
            self.locked = true;
        } else if self.strict_lock {
            return Err(Error::Timeout {
                context: format!("Timed out trying to acquire a MySQL lock (SELECT GET_LOCK('prisma_migrate', {secs})). Timeout: {}ms.", timeout.as_millis()),
            });
        }
        Ok(())
    }

    pub fn unlock(&mut self) {
        if self.locked {
            let _ = self
                .conn
                .batch_execute("SELECT RELEASE_LOCK('prisma_migrate')");
            self.locked = false;
        }
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
        if self.script.is_none() {
            self.script =
                Some(ScriptConnection::open(&self.url).map_err(|m| ("none".to_owned(), m, 0))?);
        }
        let Some(conn) = self.script.as_ref() else {
            unreachable!("opened above")
        };
        conn.execute(script)
    }
}

impl Drop for MysqlDatabase {
    fn drop(&mut self) {
        self.unlock();
    }
}
