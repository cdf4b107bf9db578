//! One PostgreSQL database: a Diesel connection for reading and finishing the history,
//! catalog queries and the repairs, plus a libpq session that holds the advisory lock,
//! writes each started row and runs the scripts (ARCHITECTURE.md, "Execution model").

use super::pg_script::{ScriptConnection, ScriptError};
use super::{FailureKind, ScriptFailure};
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
    /// Set on the executor before each script (`--statement-lock-timeout`, …).
    limits: super::ScriptLimits,
    /// In a fleet: the schema's own advisory key, held with Prisma's key taken shared.
    fleet_key: Option<i32>,
}

#[derive(QueryableByName)]
struct Setup {
    #[diesel(sql_type = Bool)]
    flag: bool,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    version: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    max_name: i32,
}

/// PostgreSQL cuts longer names to `max_identifier_length` bytes (63) with only a notice:
/// `?schema=` with a longer name would create the cut name and then never find it again.
fn check_name_length(what: &str, name: &str, max: i32) -> Result<()> {
    if name.len() > usize::try_from(max).unwrap_or(63) {
        return Err(Error::own(
            "PM3116",
            format!(
                "the {what} name `{name}` is {} bytes long; PostgreSQL keeps only the first {max} bytes of a name, so prismig would create one {what} and then look for another. Use a name of at most {max} bytes.",
                name.len()
            ),
        ));
    }
    Ok(())
}

/// `CREATE SCHEMA IF NOT EXISTS`, where another deploy creating the same schema at the same
/// moment is not an error: IF NOT EXISTS still races to a unique violation in the catalog,
/// after which the schema exists.
fn create_schema_once(conn: &mut PgConnection, schema: &str) -> Result<()> {
    match conn.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {}",
        quote_ident(schema)
    )) {
        Ok(()) => Ok(()),
        Err(e) => {
            let exists = diesel::sql_query(
                "SELECT EXISTS(SELECT 1 FROM pg_namespace WHERE nspname = $1) AS flag, 0 AS version, 0 AS max_name",
            )
            .bind::<Text, _>(schema)
            .get_result::<Setup>(conn)
            .is_ok_and(|s| s.flag);
            if exists {
                Ok(())
            } else {
                Err(Error::from(e))
            }
        }
    }
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
        let setup = diesel::sql_query(
            "SELECT EXISTS(SELECT 1 FROM pg_namespace WHERE nspname = $1) AS flag, current_setting('server_version_num')::integer AS version, current_setting('max_identifier_length')::integer AS max_name",
        )
        .bind::<Text, _>(url.schema())
        .get_result::<Setup>(&mut conn)
        .map_err(Error::from)?;
        check_name_length("schema", url.schema(), setup.max_name)?;
        conn.batch_execute(&format!("SET search_path = {}", quote_ident(url.schema())))
            .map_err(Error::from)?;
        if !setup.flag && create_schema {
            create_schema_once(&mut conn, url.schema())?;
        }
        Ok(PgDatabase {
            conn,
            url: url.clone(),
            script: None,
            locked: false,
            server_version_num: setup.version,
            schema_exists: setup.flag || create_schema,
            limits: super::ScriptLimits::default(),
            fleet_key: None,
        })
    }

    /// `migrate deploy` creates a missing database (§4.1 step 6): `CREATE DATABASE` through
    /// `postgres`, `template1` or `defaultdb`, then the schema. Returns the message to print,
    /// or `None` when another deploy created it first (16 deploys started at once on a
    /// new database all go on: Prisma fails some of them with P1009, §9.6).
    pub fn create_database(url: &PgUrl) -> Result<Option<String>> {
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
        let max = diesel::sql_query(
            "SELECT true AS flag, 0 AS version, current_setting('max_identifier_length')::integer AS max_name",
        )
        .get_result::<Setup>(&mut admin)
        .map_err(Error::from)?
        .max_name;
        check_name_length("database", url.database(), max)?;
        let created =
            admin.batch_execute(&format!("CREATE DATABASE {}", quote_ident(url.database())));
        drop(admin);
        let mut db = match (created, PgDatabase::connect(url)) {
            (Ok(()), Ok(db)) => db,
            // Lost a race: another deploy created it; connecting proves it is there.
            (Err(_), Ok(_)) => return Ok(None),
            (Err(e), Err(_)) => {
                return Err(Error::DatabaseCreationFailed {
                    error: e.to_string(),
                })
            }
            (Ok(()), Err(e)) => return Err(e),
        };
        create_schema_once(&mut db.conn, url.schema())?;
        Ok(Some(format!(
            "PostgreSQL database {} created at {}",
            url.database_display(),
            url.header_location()
        )))
    }

    pub fn conn(&mut self) -> &mut PgConnection {
        &mut self.conn
    }

    /// Takes Prisma's session-level advisory lock on the session that runs the scripts,
    /// polling `pg_try_advisory_lock` until `timeout` (Prisma: `pg_advisory_lock` under a
    /// 10 s client timeout). The lock lives exactly as long as the session that may still be
    /// executing a script: if prismig dies, the server keeps the lock until it has finished
    /// or stopped that script, so a second deploy never reads the history in between.
    /// Polling keeps no waiter queued in the server, so a concurrent `CREATE INDEX
    /// CONCURRENTLY` cannot deadlock against a deploy waiting for the lock. Released by
    /// `unlock`, on drop, or by the server when the session ends.
    pub fn lock(&mut self, timeout: Duration, on_wait: &mut super::LockWatch<'_>) -> Result<()> {
        let started = Instant::now();
        let deadline = started + timeout;
        let mut pause = Duration::from_millis(10);
        let mut next_report = started + super::LOCK_REPORT_AFTER;
        let url = self.url.clone();
        // In a fleet, Prisma's key is taken shared (it excludes Prisma's and single
        // deploys' exclusive lock, not the fleet's other schemas of this database) and the
        // schema's own key exclusively; either both or neither are held after each try.
        self.fleet_key = super::fleet::in_fleet()
            .then(|| crate::fleet::schema_lock_key(url.database(), url.schema()));
        let lock_query = match self.fleet_key {
            None => format!("SELECT pg_try_advisory_lock({ADVISORY_LOCK_KEY})"),
            Some(key) => format!(
                "SELECT CASE WHEN pg_try_advisory_lock_shared({ADVISORY_LOCK_KEY}) THEN \
                 CASE WHEN pg_try_advisory_lock({ADVISORY_LOCK_KEY}, {key}) THEN 't' \
                 ELSE (pg_advisory_unlock_shared({ADVISORY_LOCK_KEY}) AND false)::text END \
                 ELSE 'f' END"
            ),
        };
        loop {
            let got = self
                .executor()
                .map_err(|m| classify_connect_error(&url, &m))?
                .query_value(&lock_query, &[])
                .map_err(script_error)?;
            if got.as_deref() == Some("t") {
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
                    holder: self.lock_holder().map(Box::new),
                });
            }
            if now >= next_report {
                // Asked on the bookkeeping connection: the executor is the one waiting.
                on_wait(self.lock_holder(), now - started);
                next_report = now + super::LOCK_REPORT_EVERY;
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    /// The session that holds the migration lock in this database, as `pg_locks` and
    /// `pg_stat_activity` show it (a bigint advisory key is classid = high half, objid =
    /// low half, objsubid = 1). `None` when it cannot be read or the lock is free again.
    fn lock_holder(&mut self) -> Option<crate::event::LockHolder> {
        use diesel::sql_types::{BigInt, Nullable};
        #[derive(QueryableByName)]
        struct Holder {
            #[diesel(sql_type = Text)]
            session: String,
            #[diesel(sql_type = Nullable<Text>)]
            application: Option<String>,
            #[diesel(sql_type = Nullable<Text>)]
            client: Option<String>,
            #[diesel(sql_type = Nullable<Text>)]
            state: Option<String>,
            #[diesel(sql_type = Nullable<BigInt>)]
            query_seconds: Option<i64>,
            #[diesel(sql_type = Nullable<Text>)]
            query: Option<String>,
        }
        let key = ADVISORY_LOCK_KEY;
        let holder = diesel::sql_query(format!(
            "SELECT a.pid::text AS session, NULLIF(a.application_name, '') AS application, \
             COALESCE(host(a.client_addr), CASE WHEN a.client_port = -1 THEN 'local socket' END) AS client, \
             a.state AS state, \
             floor(extract(epoch FROM now() - a.query_start))::bigint AS query_seconds, \
             left(a.query, 200) AS query \
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {} AND l.objid = {} AND l.objsubid = 1 \
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
             LIMIT 1",
            key >> 32,
            key & 0xffff_ffff
        ))
        .get_result::<Holder>(&mut self.conn)
        .ok()?;
        Some(crate::event::LockHolder {
            session: format!("pid {}", holder.session),
            application: holder.application,
            client: holder.client,
            state: holder.state,
            query_seconds: holder.query_seconds.and_then(|s| u64::try_from(s).ok()),
            query: holder.query,
        })
    }

    pub fn unlock(&mut self) {
        if self.locked {
            // Closing the session frees the lock too; this only makes it prompt.
            if let Some(conn) = &self.script {
                let unlock = match self.fleet_key {
                    None => format!("SELECT pg_advisory_unlock({ADVISORY_LOCK_KEY})"),
                    Some(key) => format!(
                        "SELECT pg_advisory_unlock({ADVISORY_LOCK_KEY}, {key}), pg_advisory_unlock_shared({ADVISORY_LOCK_KEY})"
                    ),
                };
                let _ = conn.query_value(&unlock, &[]);
            }
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

    pub fn schema(&self) -> &str {
        self.url.schema()
    }

    /// What the script session is set to before each script, as Prisma's connection is:
    /// the URL's schema first in the search path. On PostgreSQL 14 and later the server
    /// also checks every second, while a script runs, that prismig is still connected, and
    /// cancels the script when it is not: a killed deploy leaves no script running for
    /// longer than that (Prisma's orphaned script runs to its end).
    fn session_setup(&self) -> String {
        let mut setup = format!("SET search_path = {}", quote_ident(self.url.schema()));
        if self.server_version_num >= 140_000 {
            setup.push_str(&format!(
                "; SET client_connection_check_interval = {CONNECTION_CHECK_MS}"
            ));
        }
        // Session settings, not edits of the script: a script's own SET still wins for
        // the rest of that script, and the next one starts from these again.
        if let Some(t) = self.limits.lock_timeout {
            setup.push_str(&format!("; SET lock_timeout = {}", t.as_millis().max(1)));
        }
        if let Some(t) = self.limits.statement_timeout {
            setup.push_str(&format!(
                "; SET statement_timeout = {}",
                t.as_millis().max(1)
            ));
        }
        setup
    }

    /// The guard's timeouts, set on the executor now and after every script.
    pub fn set_limits(&mut self, limits: &super::ScriptLimits) -> Result<()> {
        self.limits = limits.clone();
        let setup = self.session_setup();
        self.executor()
            .map_err(crate::error::from_database_message)?
            .execute(&setup)
            .map_err(script_error)
    }

    /// The session that holds the migration lock and runs the scripts (libpq, for the
    /// SQLSTATE and the other fields of P3018), opened on first use.
    fn executor(&mut self) -> std::result::Result<&ScriptConnection, String> {
        if self.script.is_none() {
            let setup = self.session_setup();
            let conninfo = self.url.conninfo().map_err(|e| e.to_string())?;
            self.script = Some(ScriptConnection::open(&conninfo, &setup)?);
        }
        match self.script.as_ref() {
            Some(conn) => Ok(conn),
            None => unreachable!("opened above"),
        }
    }

    fn history_table(&self) -> String {
        format!("{}.\"_prisma_migrations\"", quote_ident(self.url.schema()))
    }

    /// Deploy's started row (§4.2 step 8), committed before the script, written on the
    /// session that holds the lock: were that session gone, the lock could be another
    /// deploy's by now, and the INSERT fails instead of racing it.
    pub fn insert_started(
        &mut self,
        id: &str,
        checksum: &str,
        name: &str,
        started_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        let table = self.history_table();
        let at = started_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        self.executor()
            .map_err(crate::error::from_database_message)?
            .execute_params(
                &format!("INSERT INTO {table} (\"id\", \"checksum\", \"started_at\", \"migration_name\") VALUES ($1, $2, $3::timestamptz, $4)"),
                &[id, checksum, &at, name],
            )
            .map_err(script_error)
    }

    /// A migration and its history row in one transaction on the locked session: `BEGIN`,
    /// the script as one query exactly as the file holds it, the finished row, `COMMIT`.
    /// Only for scripts that mean the same inside the block (`statements::may_wrap`). A
    /// crash at any point leaves both or neither: the orphaned session never receives the
    /// COMMIT, and the server rolls its transaction back when it ends.
    pub fn apply_with_row(
        &mut self,
        script: &str,
        id: &str,
        checksum: &str,
        name: &str,
        started_at: chrono::DateTime<chrono::Utc>,
    ) -> std::result::Result<(), ScriptFailure> {
        let table = self.history_table();
        let setup = self.session_setup();
        let conn = self.executor().map_err(ScriptFailure::unreachable)?;
        // `in_script`: the error came from the script (its position is the file's).
        let failure = |e: ScriptError, in_script: bool| {
            let lost = !conn.ok();
            let f = script_failure(e, if in_script { script } else { "" }, 0, 0, lost);
            if !lost {
                // The transaction is aborted; end it so that the session is usable again.
                let _ = conn.execute("ROLLBACK");
            }
            f
        };
        // Plain BEGIN: the session's defaults (isolation, read-only) apply as they would to
        // the implicit transaction.
        conn.execute("BEGIN").map_err(|e| failure(e, false))?;
        conn.execute(script).map_err(|e| failure(e, true))?;
        let started = started_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let finished = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        // The row, the COMMIT and the session's reset in one round trip: a deploy of many
        // small migrations is as fast as sending the files (BENCHMARKS.md). Deferred
        // constraints are checked at the COMMIT: their error is the script's, as at the end
        // of Prisma's implicit transaction. A failure stops the rest of the query.
        let finish = format!(
            "INSERT INTO {table} (\"id\", \"checksum\", \"started_at\", \"finished_at\", \"migration_name\", \"applied_steps_count\") VALUES ({}, {}, {}::timestamptz, {}::timestamptz, {}, 1); COMMIT; {}",
            literal(id),
            literal(checksum),
            literal(&started),
            literal(&finished),
            literal(name),
            setup
        );
        if let Err(e) = conn.execute(&finish) {
            let failure = failure(e, false);
            self.restore_session();
            return Err(failure);
        }
        Ok(())
    }

    /// Runs `pieces` of `script` (byte ranges), each as one simple query: the whole file as
    /// one piece is Prisma's way (one implicit transaction). Positions are reported against
    /// the whole script. Afterwards a transaction the script left open is rolled back and
    /// reported, and the session's search path is set back for the next script.
    pub fn run_pieces(
        &mut self,
        script: &str,
        pieces: &[(usize, usize)],
    ) -> std::result::Result<(), ScriptFailure> {
        let conn = self.executor().map_err(ScriptFailure::unreachable)?;
        for (done, &(from, to)) in pieces.iter().enumerate() {
            if let Err(e) = conn.execute(&script[from..to]) {
                let offset = u32::try_from(script[..from].chars().count()).unwrap_or(0);
                return Err(script_failure(e, script, offset, done, !conn.ok()));
            }
        }
        if !conn.idle() {
            // Prisma reports success here and the server then rolls the transaction back
            // when the session ends (transcripts §9.2 g); say so instead.
            let _ = conn.execute("ROLLBACK");
            return Err(ScriptFailure {
                code: "none".to_owned(),
                error: "The migration left a transaction open (a BEGIN without COMMIT). prismig rolled it back: nothing the script did after that BEGIN persists.".to_owned(),
                statements_applied: pieces.len(),
                kind: FailureKind::OpenTransaction,
            });
        }
        self.restore_session();
        Ok(())
    }

    /// The next script starts where every script starts in a new session (§9.2 i: a
    /// script's `SET search_path` must not move the next one). A failure here means the
    /// session is gone; its next use reports that.
    fn restore_session(&mut self) {
        let setup = self.session_setup();
        if let Some(conn) = &self.script {
            let _ = conn.execute(&setup);
        }
    }
}

/// A failed query as P3018 reports it. `script` is the text positions refer to (empty for
/// prismig's own statements, whose positions mean nothing to the user), `offset` the
/// characters before the piece that failed, `done` the pieces that committed before it.
fn script_failure(
    e: ScriptError,
    script: &str,
    offset: u32,
    done: usize,
    lost: bool,
) -> ScriptFailure {
    let kind = if lost {
        FailureKind::ConnectionLost
    } else {
        FailureKind::Server
    };
    match e {
        ScriptError::Database(mut report) => {
            report.position = match script {
                "" => None,
                _ => report.position.map(|p| p + offset),
            };
            ScriptFailure {
                code: report.code.clone(),
                error: report.render(script),
                statements_applied: done,
                kind,
            }
        }
        ScriptError::Other(message) => ScriptFailure {
            code: "none".to_owned(),
            error: message,
            statements_applied: done,
            kind,
        },
        ScriptError::ClientCopy { from_stdin, failed } => ScriptFailure {
            code: "none".to_owned(),
            error: if from_stdin {
                "COPY ... FROM STDIN reads its data from the client, which a migration cannot send"
                    .to_owned()
            } else {
                "COPY ... TO STDOUT sends its data to the client, which a migration cannot receive"
                    .to_owned()
            },
            statements_applied: done,
            kind: FailureKind::ClientCopy {
                from_stdin,
                rolled_back: failed,
            },
        },
    }
}

impl PgDatabase {
    /// `migrate rollback`: `down.sql` and the row's `rolled_back_at` in one transaction on
    /// the locked session, so that no crash can leave one without the other. The caller
    /// has checked that `down` neither ends a transaction nor refuses a transaction block.
    pub fn roll_back(&mut self, down: &str, row_id: &str) -> Result<(), ScriptFailure> {
        let table = self.history_table();
        let conn = self.executor().map_err(ScriptFailure::unreachable)?;
        let fail = |e: ScriptError| script_failure(e, down, 0, 0, !conn.ok());
        conn.execute("BEGIN").map_err(fail)?;
        let outcome = conn.execute(down).and_then(|()| {
            conn.execute_params(
                &format!("UPDATE {table} SET \"rolled_back_at\" = now() WHERE \"id\" = $1"),
                &[row_id],
            )
        });
        match outcome {
            Ok(()) => conn.execute("COMMIT").map_err(fail),
            Err(e) => {
                let _ = conn.execute("ROLLBACK");
                Err(fail(e))
            }
        }
    }
}

/// `value` as a string literal whatever a script set before: an `E''` string (backslashes
/// are escapes in it whatever `standard_conforming_strings` says) with `'` doubled, which
/// every client encoding accepts (`\'` is refused under `backslash_quote`).
fn literal(value: &str) -> String {
    format!("E'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}

/// The server's check for a vanished client while a script runs (PostgreSQL ≥ 14), in ms.
const CONNECTION_CHECK_MS: u32 = 1000;

fn script_error(e: ScriptError) -> Error {
    match e {
        ScriptError::Database(r) => crate::error::from_database_message(r.message),
        ScriptError::Other(m) => crate::error::from_database_message(m),
        ScriptError::ClientCopy { .. } => Error::Database("unexpected COPY".to_owned()),
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

    // The row's values travel as literals in the COMMIT's query: a name with quotes or
    // backslashes must come back as it was, whatever standard_conforming_strings says.
    #[test]
    fn literals_survive_quotes_and_backslashes() {
        assert_eq!(literal("plain"), "E'plain'");
        assert_eq!(literal("it's"), "E'it''s'");
        assert_eq!(literal(r"a\b"), r"E'a\\b'");
        assert_eq!(literal(r"\'"), r"E'\\'''");
    }

    #[test]
    fn postgis_tables_are_ignored() {
        assert!(is_ignored_table("spatial_ref_sys"));
        assert!(is_ignored_table("Geometry_Columns"));
        assert!(!is_ignored_table("User"));
    }
}
