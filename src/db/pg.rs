//! One PostgreSQL database: a Diesel connection for the history table, the advisory lock
//! and catalog queries, plus a libpq connection opened on demand for migration scripts.

use super::pg_script::{ScriptConnection, ScriptError};
use crate::dburl::{quote_ident, PgUrl};
use crate::error::{Error, Result};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sql_types::{Array, Bool, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl};
use regex::Regex;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

/// Prisma's advisory lock key (§4.5).
pub const ADVISORY_LOCK_KEY: i64 = 72707369;

pub struct PgDatabase {
    conn: PgConnection,
    url: PgUrl,
    script: Option<ScriptConnection>,
    locked: bool,
    server_version_num: i32,
    schema_exists: bool,
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

#[derive(QueryableByName)]
struct Setup {
    #[diesel(sql_type = Bool)]
    flag: bool,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    version: i32,
}

#[derive(QueryableByName)]
struct TableName {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    table_namespace: String,
}

static DB_MISSING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"database "([^"]*)" does not exist"#).expect("valid regex"));

/// Maps libpq's connection failure text to Prisma's codes (§7.2: 3D000 → P1003,
/// 28P01 → P1000, 28000 → P1010, refused/timeout → P1001, TLS → P1011). libpq gives no
/// SQLSTATE for failed connections, so the server's message decides.
fn classify_connect_error(url: &PgUrl, message: &str) -> Error {
    let scrubbed = match url.password() {
        Some(p) if !p.is_empty() => message.replace(p, "****"),
        _ => message.to_owned(),
    };
    if let Some(c) = DB_MISSING.captures(&scrubbed) {
        return Error::DatabaseDoesNotExist {
            name: c[1].to_owned(),
        };
    }
    if scrubbed.contains("password authentication failed")
        || scrubbed.contains("no password supplied")
        || scrubbed.contains("SASL authentication failed")
    {
        return Error::AuthenticationFailed {
            user: url.user().to_owned(),
        };
    }
    if (scrubbed.contains("role \"") && scrubbed.contains("does not exist"))
        || scrubbed.contains("no pg_hba.conf entry")
        || scrubbed.contains("pg_hba.conf rejects connection")
        || scrubbed.contains("permission denied for database")
    {
        return Error::AccessDenied {
            database: "(not available)".to_owned(),
        };
    }
    if scrubbed.contains("SSL") || scrubbed.contains("certificate") || scrubbed.contains("TLS") {
        return Error::Tls {
            message: scrubbed.trim().to_owned(),
        };
    }
    Error::Unreachable {
        location: url.error_location(),
    }
}

impl PgDatabase {
    /// Connects and prepares the session as Prisma's engine does (§1.4): the search path,
    /// then the schema, created when missing (even for `status`).
    pub fn connect(url: &PgUrl) -> Result<PgDatabase> {
        PgDatabase::open(url, true)
    }

    /// Connects without creating the schema (`deploy --dry-run` changes nothing).
    pub fn connect_read_only(url: &PgUrl) -> Result<PgDatabase> {
        PgDatabase::open(url, false)
    }

    fn open(url: &PgUrl, create_schema: bool) -> Result<PgDatabase> {
        let mut conn = PgConnection::establish(&url.conninfo()?).map_err(|e| match e {
            diesel::ConnectionError::BadConnection(m) => classify_connect_error(url, &m),
            other => Error::InvalidUrl {
                details: other.to_string(),
            },
        })?;
        conn.batch_execute(&format!("SET search_path = {}", quote_ident(url.schema())))
            .map_err(Error::from)?;
        let setup = diesel::sql_query(
            "SELECT EXISTS(SELECT 1 FROM pg_namespace WHERE nspname = $1) AS flag, current_setting('server_version_num')::integer AS version",
        )
        .bind::<Text, _>(url.schema())
        .get_result::<Setup>(&mut conn)
        .map_err(Error::from)?;
        if !setup.flag && create_schema {
            conn.batch_execute(&format!("CREATE SCHEMA {}", quote_ident(url.schema())))
                .map_err(Error::from)?;
        }
        Ok(PgDatabase {
            conn,
            url: url.clone(),
            script: None,
            locked: false,
            server_version_num: setup.version,
            schema_exists: setup.flag || create_schema,
        })
    }

    /// `migrate deploy` creates a missing database (§4.1 step 6): `CREATE DATABASE` through
    /// `postgres`, `template1` or `defaultdb`, then the schema. Returns the message to print.
    pub fn create_database(url: &PgUrl) -> Result<String> {
        let mut admin = None;
        for candidate in ["postgres", "template1", "defaultdb"] {
            match PgConnection::establish(&url.with_database(candidate).conninfo()?) {
                Ok(c) => {
                    admin = Some(c);
                    break;
                }
                Err(diesel::ConnectionError::BadConnection(m)) => {
                    match classify_connect_error(url, &m) {
                        Error::DatabaseDoesNotExist { .. } | Error::AccessDenied { .. } => continue,
                        other => return Err(other),
                    }
                }
                Err(other) => return Err(Error::Database(other.to_string())),
            }
        }
        let mut admin = admin.ok_or_else(|| Error::DatabaseCreationFailed {
            error: "Prisma could not connect to a default database (`postgres` or `template1`), it cannot create the specified database.".to_owned(),
        })?;
        admin
            .batch_execute(&format!("CREATE DATABASE {}", quote_ident(url.database())))
            .map_err(|e| Error::DatabaseCreationFailed {
                error: e.to_string(),
            })?;
        drop(admin);
        let mut db = PgDatabase::connect(url)?;
        db.conn
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {};",
                quote_ident(url.schema())
            ))
            .map_err(Error::from)?;
        Ok(format!(
            "PostgreSQL database {} created at {}",
            url.database_display(),
            url.header_location()
        ))
    }

    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.conn
    }

    /// Takes Prisma's session-level advisory lock, polling `pg_try_advisory_lock` until
    /// `timeout` (Prisma: `pg_advisory_lock` under a 10 s client timeout). Polling keeps no
    /// waiter queued in the server, so a concurrent `CREATE INDEX CONCURRENTLY` cannot
    /// deadlock against a deploy waiting for the lock. Released by `unlock` or on drop.
    pub fn lock(&mut self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(10);
        loop {
            let got = diesel::sql_query(format!(
                "SELECT pg_try_advisory_lock({ADVISORY_LOCK_KEY}) AS flag"
            ))
            .get_result::<Flag>(&mut self.conn)
            .map_err(Error::from)?;
            if got.flag {
                self.locked = true;
                return Ok(());
            }
            if let Some(signal) = super::interrupt::received() {
                return Err(Error::Interrupted { signal });
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::Timeout {
                    context: format!(
                        "Timed out trying to acquire a postgres advisory lock (SELECT pg_advisory_lock({ADVISORY_LOCK_KEY})). Timeout: {}ms. See https://pris.ly/d/migrate-advisory-locking for details.",
                        timeout.as_millis()
                    ),
                });
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    pub fn unlock(&mut self) {
        if self.locked {
            // Closing the session frees the lock too; this only makes it prompt.
            let _ = self
                .conn
                .batch_execute(&format!("SELECT pg_advisory_unlock({ADVISORY_LOCK_KEY})"));
            self.locked = false;
        }
    }

    /// Ordinary tables as `(schema, name)` in the connection schema and the datasource's
    /// `schemas`, as the engine lists them for P3005 (§4.3).
    pub fn table_names(&mut self, schemas: &[String]) -> Result<Vec<(String, String)>> {
        let mut namespaces = schemas.to_vec();
        namespaces.push(self.url.schema().to_owned());
        let rows = diesel::sql_query(
            "SELECT tbl.relname AS table_name, namespace.nspname AS table_namespace \
             FROM pg_class AS tbl \
             INNER JOIN pg_namespace AS namespace ON namespace.oid = tbl.relnamespace \
             WHERE tbl.relkind = 'r' AND namespace.nspname = ANY ( $1 )",
        )
        .bind::<Array<Text>, _>(namespaces)
        .load::<TableName>(&mut self.conn)
        .map_err(Error::from)?;
        Ok(rows
            .into_iter()
            .map(|r| (r.table_namespace, r.table_name))
            .collect())
    }

    /// Whether the connection schema exists (false only on a read-only connection).
    pub fn schema_exists(&self) -> bool {
        self.schema_exists
    }

    /// PostgreSQL before 12 refuses `ALTER TYPE … ADD VALUE` in a transaction block.
    pub fn server_before_12(&self) -> bool {
        self.server_version_num < 120_000
    }

    pub fn url(&self) -> &PgUrl {
        &self.url
    }

    pub fn schema(&self) -> &str {
        self.url.schema()
    }

    fn script_connection(&mut self) -> Result<&ScriptConnection, (String, String)> {
        if self.script.is_none() {
            let setup = format!("SET search_path = {}", quote_ident(self.url.schema()));
            let conninfo = self
                .url
                .conninfo()
                .map_err(|e| ("none".to_owned(), e.to_string()))?;
            let conn =
                ScriptConnection::open(&conninfo, &setup).map_err(|m| ("none".to_owned(), m))?;
            self.script = Some(conn);
        }
        match self.script.as_ref() {
            Some(conn) => Ok(conn),
            None => unreachable!("opened above"),
        }
    }

    /// Runs `pieces` of `script` (byte ranges), each as one simple query: the whole file as
    /// one piece is Prisma's way (one implicit transaction). `Err` carries P3018's parts and
    /// how many pieces committed; positions are reported against the whole script.
    pub fn run_pieces(
        &mut self,
        script: &str,
        pieces: &[(usize, usize)],
    ) -> Result<(), (String, String, usize)> {
        let conn = self.script_connection().map_err(|(c, e)| (c, e, 0))?;
        for (done, &(from, to)) in pieces.iter().enumerate() {
            if let Err(e) = conn.execute(&script[from..to]) {
                return Err(match e {
                    ScriptError::Database(mut report) => {
                        let offset = u32::try_from(script[..from].chars().count()).unwrap_or(0);
                        report.position = report.position.map(|p| p + offset);
                        (report.code.clone(), report.render(script), done)
                    }
                    ScriptError::Other(message) => ("none".to_owned(), message, done),
                });
            }
        }
        Ok(())
    }
}

impl PgDatabase {
    /// Runs an atomic migration file together with its bookkeeping, in one simple query and
    /// so one implicit transaction: the row is inserted, the script runs, the row is
    /// finished, and all of it commits, or none of it. Values travel as bound parameters
    /// (`set_config`), the table is schema-qualified so that a script's own `search_path`
    /// does not matter, and timestamps are the server's `clock_timestamp()`.
    pub fn apply_atomic(
        &mut self,
        script: &str,
        id: &str,
        checksum: &str,
        name: &str,
    ) -> Result<(), (String, String, usize)> {
        let table = format!("{}.\"_prisma_migrations\"", quote_ident(self.url.schema()));
        let conn = self.script_connection().map_err(|(c, e)| (c, e, 0))?;
        conn.execute_params(
            "SELECT set_config('prismig.id', $1, false), set_config('prismig.checksum', $2, false), set_config('prismig.name', $3, false)",
            &[id, checksum, name],
        )
        .map_err(|e| match e {
            ScriptError::Database(r) => (r.code.clone(), r.message.clone(), 0),
            ScriptError::Other(m) => ("none".to_owned(), m, 0),
        })?;
        let prefix = format!(
            "INSERT INTO {table} (\"id\",\"checksum\",\"started_at\",\"migration_name\") VALUES (current_setting('prismig.id'), current_setting('prismig.checksum'), clock_timestamp(), current_setting('prismig.name'));\n"
        );
        // The newline ends a trailing `--` comment; the lone `;` ends an unterminated statement.
        let suffix = format!(
            "\n;\nUPDATE {table} SET \"applied_steps_count\" = \"applied_steps_count\" + 1, \"finished_at\" = clock_timestamp() WHERE \"id\" = current_setting('prismig.id');"
        );
        let full = format!("{prefix}{script}{suffix}");
        let outcome = conn.execute(&full);
        if outcome.is_ok() && !conn.idle() {
            // The script opened a transaction and left it open: nothing is committed.
            let _ = conn.execute("ROLLBACK");
            return Err((
                "none".to_owned(),
                "the migration left a transaction open (BEGIN without COMMIT); it was rolled back"
                    .to_owned(),
                0,
            ));
        }
        outcome.map_err(|e| match e {
            ScriptError::Database(mut report) => {
                let shift = u32::try_from(prefix.chars().count()).unwrap_or(0);
                report.position = report
                    .position
                    .and_then(|p| p.checked_sub(shift))
                    .filter(|p| *p > 0);
                (report.code.clone(), report.render(script), 0)
            }
            ScriptError::Other(message) => ("none".to_owned(), message, 0),
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        self.unlock();
    }
}

/// PostGIS tables that do not make a database "non-empty" (§4.3).
pub fn is_ignored_table(name: &str) -> bool {
    static IGNORED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(spatial_ref_sys|geometry_columns|geography_columns|raster_columns|raster_overviews)$")
            .expect("valid regex")
    });
    IGNORED.is_match(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_errors_map_to_prisma_codes() {
        let url = PgUrl::parse("postgresql://u:pw@127.0.0.1:5499/db").unwrap();
        let cases = [
            ("connection to server at \"127.0.0.1\", port 5499 failed: Connection refused", "P1001"),
            ("connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  database \"db\" does not exist", "P1003"),
            ("FATAL:  password authentication failed for user \"u\"", "P1000"),
            ("FATAL:  role \"nobody\" does not exist", "P1010"),
            ("FATAL:  pg_hba.conf rejects connection for host \"127.0.0.1\", user \"u\", database \"d\", no encryption", "P1010"),
            ("SSL error: certificate verify failed", "P1011"),
        ];
        for (msg, code) in cases {
            assert_eq!(classify_connect_error(&url, msg).code(), code, "{msg}");
        }
        match classify_connect_error(&url, "SSL error: pw rejected") {
            Error::Tls { message } => assert!(!message.contains("pw")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn postgis_tables_are_ignored() {
        assert!(is_ignored_table("spatial_ref_sys"));
        assert!(is_ignored_table("Geometry_Columns"));
        assert!(!is_ignored_table("User"));
    }
}
