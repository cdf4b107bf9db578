//! Running a migration script through libpq directly (pq-sys), because Diesel exposes
//! neither SQLSTATE nor the other error fields Prisma reports in P3018
//! (implementation-notes §4b). The whole file goes out as one `PQexec` simple query, which
//! PostgreSQL runs as one implicit transaction, exactly as Prisma sends it (§4.6).

use super::pg_error::DbErrorReport;
use pq_sys as pq;
use std::ffi::{CStr, CString};
use std::os::raw::{c_int, c_void};

pub struct ScriptConnection {
    conn: *mut pq::PGconn,
}

/// Why a script did not run.
pub enum ScriptError {
    /// The server reported an error.
    Database(Box<DbErrorReport>),
    /// No server error: the connection broke, or the script cannot be sent.
    Other(String),
    /// The script started a `COPY` that needs the client's data channel (`FROM STDIN` or
    /// `TO STDOUT`). prismig ended it; `failed` tells whether the server then reported an
    /// error (so the query's implicit transaction was rolled back) or finished the query.
    ClientCopy { from_stdin: bool, failed: bool },
}

/// The text `PQputCopyEnd` sends: PostgreSQL reports it back as the COPY's error.
const COPY_REFUSED: &str =
    "prismig: a migration cannot read COPY data from the client (COPY ... FROM STDIN)";

unsafe extern "C" fn ignore_notice(_arg: *mut c_void, _res: *const pq::PGresult) {}

fn cstr_field(res: *const pq::PGresult, code: u8) -> Option<String> {
    // SAFETY: res is a live result; libpq returns NULL or a NUL-terminated string owned by it.
    let p = unsafe { pq::PQresultErrorField(res, c_int::from(code)) };
    if p.is_null() {
        None
    } else {
        // SAFETY: non-null pointer to a NUL-terminated string valid until PQclear.
        Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    }
}

impl ScriptConnection {
    /// Opens the connection; `setup` runs first (the `search_path`). Errors carry libpq's text.
    pub fn open(conninfo: &str, setup: &str) -> Result<ScriptConnection, String> {
        let c = CString::new(conninfo).map_err(|_| "connection string contains a NUL byte")?;
        // SAFETY: c is a valid C string; PQconnectdb always returns a handle (or NULL on OOM).
        let conn = unsafe { pq::PQconnectdb(c.as_ptr()) };
        if conn.is_null() {
            return Err("out of memory".to_owned());
        }
        let me = ScriptConnection { conn };
        // SAFETY: conn is a live handle.
        if unsafe { pq::PQstatus(conn) } != pq::ConnStatusType::CONNECTION_OK {
            return Err(me.last_error());
        }
        // libpq's default notice processor prints to stderr; Prisma shows no notices.
        // SAFETY: conn is live; the receiver ignores its arguments.
        unsafe { pq::PQsetNoticeReceiver(conn, Some(ignore_notice), std::ptr::null_mut()) };
        me.execute(setup).map_err(|e| match e {
            ScriptError::Database(r) => r.message,
            ScriptError::Other(m) => m,
            ScriptError::ClientCopy { .. } => "unexpected COPY".to_owned(),
        })?;
        Ok(me)
    }

    fn last_error(&self) -> String {
        // SAFETY: conn is live; the message is owned by libpq.
        let p = unsafe { pq::PQerrorMessage(self.conn) };
        if p.is_null() {
            return String::new();
        }
        // SAFETY: NUL-terminated string owned by the connection.
        unsafe { CStr::from_ptr(p) }
            .to_string_lossy()
            .trim_end()
            .to_owned()
    }

    /// Sends one statement with bound text parameters (`PQexecParams`): values never
    /// become SQL text. Returns libpq's result (possibly NULL), for `finish`.
    fn exec_params(&self, sql: &str, params: &[&str]) -> Result<*mut pq::PGresult, ScriptError> {
        let sql =
            CString::new(sql).map_err(|_| ScriptError::Other("NUL byte in a query".to_owned()))?;
        let values: Vec<CString> = params
            .iter()
            .map(|p| {
                CString::new(*p)
                    .map_err(|_| ScriptError::Other("NUL byte in a parameter".to_owned()))
            })
            .collect::<Result<_, _>>()?;
        let pointers: Vec<*const std::os::raw::c_char> =
            values.iter().map(|v| v.as_ptr()).collect();
        let n = c_int::try_from(pointers.len())
            .map_err(|_| ScriptError::Other("too many parameters".to_owned()))?;
        // SAFETY: conn is live; the pointers outlive the call; NULL types/lengths/formats
        // mean text parameters and text results.
        Ok(unsafe {
            pq::PQexecParams(
                self.conn,
                sql.as_ptr(),
                n,
                std::ptr::null(),
                pointers.as_ptr(),
                std::ptr::null(),
                std::ptr::null(),
                0,
            )
        })
    }

    /// Runs one statement with bound text parameters.
    pub fn execute_params(&self, sql: &str, params: &[&str]) -> Result<(), ScriptError> {
        let res = self.exec_params(sql, params)?;
        self.finish(res)
    }

    /// Runs one statement with bound text parameters and returns the first column of its
    /// first row (`None` for no row or NULL).
    pub fn query_value(&self, sql: &str, params: &[&str]) -> Result<Option<String>, ScriptError> {
        let res = self.exec_params(sql, params)?;
        let value = if !res.is_null()
            // SAFETY: res is a live result.
            && unsafe { pq::PQresultStatus(res) } == pq::ExecStatusType::PGRES_TUPLES_OK
            // SAFETY: res is a live result.
            && unsafe { pq::PQntuples(res) } > 0
            // SAFETY: row 0, column 0 exist (checked above).
            && unsafe { pq::PQgetisnull(res, 0, 0) } == 0
        {
            // SAFETY: the value is a NUL-terminated string owned by res, copied before PQclear.
            let p = unsafe { pq::PQgetvalue(res, 0, 0) };
            // SAFETY: non-null, NUL-terminated.
            (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
        } else {
            None
        };
        self.finish(res).map(|()| value)
    }

    /// Whether the connection is still usable (libpq's view: a broken socket shows here
    /// once a call has failed on it).
    pub fn ok(&self) -> bool {
        // SAFETY: conn is live.
        unsafe { pq::PQstatus(self.conn) == pq::ConnStatusType::CONNECTION_OK }
    }

    /// Whether the session is outside any transaction block.
    pub fn idle(&self) -> bool {
        // SAFETY: conn is live.
        unsafe { pq::PQtransactionStatus(self.conn) == pq::PGTransactionStatusType::PQTRANS_IDLE }
    }

    /// Sends `script` as one simple query.
    pub fn execute(&self, script: &str) -> Result<(), ScriptError> {
        let sql = CString::new(script).map_err(|_| {
            ScriptError::Other("the migration script contains a NUL byte".to_owned())
        })?;
        // A SIGINT/SIGTERM while this runs cancels it (db::interrupt).
        // SAFETY: conn is live; the cancel handle is freed below, after unregistering.
        let cancel = unsafe { pq::PQgetCancel(self.conn) };
        let registration = (!cancel.is_null())
            .then(|| super::interrupt::register(super::interrupt::Canceller::Postgres(cancel)));
        // SAFETY: conn is live and sql a valid C string.
        let res = unsafe { pq::PQexec(self.conn, sql.as_ptr()) };
        let outcome = self.end_client_copy(res);
        drop(registration);
        if !cancel.is_null() {
            // SAFETY: unregistered above, so no other thread uses it any more.
            unsafe { pq::PQfreeCancel(cancel) };
        }
        outcome
    }

    /// A script whose `COPY` waits for the client (`FROM STDIN`) or sends to it (`TO
    /// STDOUT`) would leave the session mid-protocol (Prisma: P1017, or P3018 with the
    /// script committed). The COPY is ended with an error instead, which aborts the whole
    /// query's transaction unless the server finished first, and every remaining result
    /// is read, so that the session is usable and the outcome known.
    fn end_client_copy(&self, res: *mut pq::PGresult) -> Result<(), ScriptError> {
        if res.is_null() {
            return self.finish(res);
        }
        // SAFETY: res is live.
        let status = unsafe { pq::PQresultStatus(res) };
        let from_stdin = match status {
            pq::ExecStatusType::PGRES_COPY_IN => true,
            pq::ExecStatusType::PGRES_COPY_OUT => false,
            _ => return self.finish(res),
        };
        // SAFETY: res came from PQexec and is cleared once.
        unsafe { pq::PQclear(res) };
        if from_stdin {
            let message = CString::new(COPY_REFUSED).unwrap_or_default();
            // SAFETY: conn is in COPY IN state; message is a valid C string.
            unsafe { pq::PQputCopyEnd(self.conn, message.as_ptr()) };
        } else {
            // Ask the server to stop sending, then drop whatever already came.
            // SAFETY: conn is live; the cancel handle is freed right after use.
            unsafe {
                let cancel = pq::PQgetCancel(self.conn);
                if !cancel.is_null() {
                    let mut buf = [0 as std::os::raw::c_char; 256];
                    pq::PQcancel(cancel, buf.as_mut_ptr(), 256);
                    pq::PQfreeCancel(cancel);
                }
            }
            loop {
                let mut buffer: *mut std::os::raw::c_char = std::ptr::null_mut();
                // SAFETY: conn is in COPY OUT state; a returned buffer is freed at once.
                let n = unsafe { pq::PQgetCopyData(self.conn, &mut buffer, 0) };
                if !buffer.is_null() {
                    // SAFETY: allocated by libpq for this call.
                    unsafe { pq::PQfreemem(buffer.cast()) };
                }
                if n < 0 {
                    break;
                }
            }
        }
        // Read every result left, so that the connection is idle again.
        let mut failed = false;
        loop {
            // SAFETY: conn is live; each result is cleared.
            let next = unsafe { pq::PQgetResult(self.conn) };
            if next.is_null() {
                break;
            }
            // SAFETY: next is live until cleared.
            unsafe {
                failed |= pq::PQresultStatus(next) == pq::ExecStatusType::PGRES_FATAL_ERROR;
                pq::PQclear(next);
            }
        }
        if !self.ok() {
            return Err(ScriptError::Other(self.last_error()));
        }
        Err(ScriptError::ClientCopy { from_stdin, failed })
    }

    fn finish(&self, res: *mut pq::PGresult) -> Result<(), ScriptError> {
        if res.is_null() {
            return Err(ScriptError::Other(self.last_error()));
        }
        // SAFETY: res is a live result until PQclear below.
        let status = unsafe { pq::PQresultStatus(res) };
        let outcome = match status {
            pq::ExecStatusType::PGRES_COMMAND_OK
            | pq::ExecStatusType::PGRES_TUPLES_OK
            | pq::ExecStatusType::PGRES_EMPTY_QUERY => Ok(()),
            _ => match cstr_field(res, pq::PG_DIAG_SQLSTATE) {
                Some(code) => Err(ScriptError::Database(Box::new(DbErrorReport {
                    severity: cstr_field(res, pq::PG_DIAG_SEVERITY).unwrap_or_default(),
                    severity_nonlocalized: cstr_field(res, pq::PG_DIAG_SEVERITY_NONLOCALIZED),
                    code,
                    message: cstr_field(res, pq::PG_DIAG_MESSAGE_PRIMARY).unwrap_or_default(),
                    detail: cstr_field(res, pq::PG_DIAG_MESSAGE_DETAIL),
                    hint: cstr_field(res, pq::PG_DIAG_MESSAGE_HINT),
                    position: cstr_field(res, pq::PG_DIAG_STATEMENT_POSITION)
                        .and_then(|p| p.parse().ok()),
                    internal_position: cstr_field(res, pq::PG_DIAG_INTERNAL_POSITION)
                        .and_then(|p| p.parse().ok()),
                    internal_query: cstr_field(res, pq::PG_DIAG_INTERNAL_QUERY),
                    where_: cstr_field(res, pq::PG_DIAG_CONTEXT),
                    schema: cstr_field(res, pq::PG_DIAG_SCHEMA_NAME),
                    table: cstr_field(res, pq::PG_DIAG_TABLE_NAME),
                    column: cstr_field(res, pq::PG_DIAG_COLUMN_NAME),
                    datatype: cstr_field(res, pq::PG_DIAG_DATATYPE_NAME),
                    constraint: cstr_field(res, pq::PG_DIAG_CONSTRAINT_NAME),
                    file: cstr_field(res, pq::PG_DIAG_SOURCE_FILE),
                    line: cstr_field(res, pq::PG_DIAG_SOURCE_LINE).and_then(|p| p.parse().ok()),
                    routine: cstr_field(res, pq::PG_DIAG_SOURCE_FUNCTION),
                }))),
                None => Err(ScriptError::Other(self.last_error())),
            },
        };
        // SAFETY: res came from PQexec and is cleared once.
        unsafe { pq::PQclear(res) };
        outcome
    }
}

impl Drop for ScriptConnection {
    fn drop(&mut self) {
        // SAFETY: conn came from PQconnectdb and is finished once.
        unsafe { pq::PQfinish(self.conn) };
    }
}
