//! `db execute` as Prisma 6.19's schema engine runs it (`dbExecute`): a connection of its
//! own, the whole script sent as ONE query (PostgreSQL simple query, MySQL multi-statement
//! query, SQLite `exec`), and errors as the engine reports them: a P-code layout for
//! connection errors (`P1001\n\n…`), the server's message alone for the script's.

use super::interrupt::{self, Canceller};
use super::Target;
use crate::dburl::PgUrl;
use crate::error::{Error, Result};
use std::ffi::{CStr, CString};
use std::os::raw::c_char;

/// An error in the engine's layout: `code` first when it has one.
fn engine(code: &'static str, message: String) -> Error {
    Error::Execute {
        code: Some(code),
        message,
    }
}

/// The script's own failure: the message, without a code.
fn script_error(message: String) -> Error {
    Error::Execute {
        code: None,
        message,
    }
}

/// `host`:`port` as the engine quotes them in P1001.
fn unreachable(location: &str) -> Error {
    let (host, port) = location.rsplit_once(':').unwrap_or((location, ""));
    engine(
        "P1001",
        format!(
            "Can't reach database server at `{host}`:`{port}`\n\nPlease make sure your database server is running at `{host}`:`{port}`."
        ),
    )
}

fn database_missing(name: &str, location: &str) -> Error {
    engine(
        "P1003",
        format!("Database `{name}` does not exist on the database server at `{location}`."),
    )
}

fn auth_failed(user: &str, location: &str) -> Error {
    let host = location.rsplit_once(':').map_or(location, |(h, _)| h);
    engine(
        "P1000",
        format!(
            "Authentication failed against database server at `{host}`, the provided database credentials for `{user}` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at `{host}`."
        ),
    )
}

/// The text between the first pair of double quotes of a server message.
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('"')? + 1;
    let len = message[start..].find('"')?;
    Some(&message[start..start + len])
}

/// Errors that happen before a connection (a URL that cannot be used) in the engine's
/// layout: `P1013\n\n…` rather than the CLI's `P1013: …`.
pub fn engine_layout(e: Error) -> Error {
    match e {
        Error::Unreachable { location } => unreachable(&location),
        e @ (Error::InvalidUrl { .. }
        | Error::AuthenticationFailed { .. }
        | Error::DatabaseDoesNotExist { .. }
        | Error::AccessDenied { .. }
        | Error::Tls { .. }
        | Error::SocketTimeout
        | Error::ConnectionClosed) => Error::Execute {
            code: Some(e.code()),
            message: e.to_string(),
        },
        other => other,
    }
}

/// Runs `script` against `target` as one query. Nothing is recorded.
pub fn execute_script(target: &Target, script: &str) -> Result<()> {
    let result = match target {
        Target::Postgres(url) => postgres(url, script),
        Target::Sqlite(url) => sqlite(url.path(), script),
        #[cfg(feature = "mysql")]
        Target::Mysql(url) => mysql(url, script),
    };
    match interrupt::received() {
        Some(signal) => Err(Error::Interrupted { signal }),
        None => result,
    }
}

fn cstring(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::InvalidUrl {
        details: "a NUL byte".to_owned(),
    })
}

fn postgres(url: &PgUrl, script: &str) -> Result<()> {
    use pq_sys as pq;
    let conninfo = cstring(&url.conninfo()?)?;
    let location = url.error_location();
    // SAFETY: conninfo is a valid C string; PQconnectdb returns a handle or NULL.
    let conn = unsafe { pq::PQconnectdb(conninfo.as_ptr()) };
    if conn.is_null() {
        return Err(unreachable(&location));
    }
    struct Conn(*mut pq::PGconn);
    impl Drop for Conn {
        fn drop(&mut self) {
            // SAFETY: the handle came from PQconnectdb and is finished once.
            unsafe { pq::PQfinish(self.0) };
        }
    }
    let conn = Conn(conn);
    let text = |p: *const c_char| -> String {
        if p.is_null() {
            String::new()
        } else {
            // SAFETY: libpq returns NUL-terminated strings it owns.
            unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
        }
    };
    // SAFETY: conn.0 is a live handle.
    if unsafe { pq::PQstatus(conn.0) } != pq::ConnStatusType::CONNECTION_OK {
        // SAFETY: as above.
        let mut message = text(unsafe { pq::PQerrorMessage(conn.0) });
        if let Some(p) = url.password().filter(|p| !p.is_empty()) {
            message = message.replace(p, "****");
        }
        return Err(
            if message.contains("does not exist") && message.contains("database \"") {
                database_missing(quoted(&message).unwrap_or(url.database()), &location)
            } else if message.contains("password authentication failed")
                || message.contains("no password supplied")
            {
                auth_failed(url.user(), &location)
            } else {
                unreachable(&location)
            },
        );
    }
    extern "C" fn ignore_notice(_: *mut std::ffi::c_void, _: *const pq::PGresult) {}
    // Prisma shows no server notices.
    // SAFETY: conn.0 is live; the receiver ignores its arguments.
    unsafe { pq::PQsetNoticeReceiver(conn.0, Some(ignore_notice), std::ptr::null_mut()) };
    // The engine's session: the URL's schema first in the search path.
    let setup = cstring(&format!(
        "SET search_path = {}",
        crate::dburl::quote_ident(url.schema())
    ))?;
    // SAFETY: conn.0 is live, setup a valid C string; the result is cleared.
    unsafe { pq::PQclear(pq::PQexec(conn.0, setup.as_ptr())) };
    let sql = CString::new(script)
        .map_err(|_| script_error("db error: ERROR: the script contains a NUL byte".into()))?;
    // SAFETY: conn.0 is live; the cancel handle is freed after the query.
    let cancel = unsafe { pq::PQgetCancel(conn.0) };
    let registration =
        (!cancel.is_null()).then(|| interrupt::register(Canceller::Postgres(cancel)));
    // SAFETY: conn.0 is live and sql a valid C string. One simple query: the server runs
    // the statements in one implicit transaction, as it does for the engine.
    let res = unsafe { pq::PQexec(conn.0, sql.as_ptr()) };
    drop(registration);
    if !cancel.is_null() {
        // SAFETY: cancel came from PQgetCancel and is freed once, after deregistration.
        unsafe { pq::PQfreeCancel(cancel) };
    }
    struct Res(*mut pq::PGresult);
    impl Drop for Res {
        fn drop(&mut self) {
            // SAFETY: the result came from PQexec and is cleared once.
            unsafe { pq::PQclear(self.0) };
        }
    }
    let res = Res(res);
    if res.0.is_null() {
        // SAFETY: conn.0 is live.
        return Err(script_error(
            text(unsafe { pq::PQerrorMessage(conn.0) })
                .trim_end()
                .to_owned(),
        ));
    }
    // SAFETY: res.0 is a live result.
    match unsafe { pq::PQresultStatus(res.0) } {
        pq::ExecStatusType::PGRES_FATAL_ERROR | pq::ExecStatusType::PGRES_BAD_RESPONSE => {
            let field = |code: u8| {
                // SAFETY: res.0 is live; the field code is one of libpq's.
                let p = unsafe { pq::PQresultErrorField(res.0, i32::from(code)) };
                (!p.is_null()).then(|| text(p))
            };
            let sqlstate = field(b'C').unwrap_or_default();
            let message = field(b'M').unwrap_or_else(|| {
                // SAFETY: conn.0 is live.
                text(unsafe { pq::PQerrorMessage(conn.0) })
                    .trim()
                    .to_owned()
            });
            if sqlstate == "3D000" {
                if let Some(name) = quoted(&message) {
                    return Err(database_missing(name, &location));
                }
            }
            // tokio-postgres' text, which the engine prints: severity, message, detail, hint.
            let mut out = format!(
                "db error: {}: {message}",
                field(b'V')
                    .or_else(|| field(b'S'))
                    .unwrap_or_else(|| "ERROR".to_owned())
            );
            if let Some(d) = field(b'D') {
                out.push_str(&format!("\nDETAIL: {d}"));
            }
            if let Some(h) = field(b'H') {
                out.push_str(&format!("\nHINT: {h}"));
            }
            Err(script_error(out))
        }
        _ => Ok(()),
    }
}

fn sqlite(path: &std::path::Path, script: &str) -> Result<()> {
    use libsqlite3_sys as ffi;
    let c_path =
        CString::new(path.to_string_lossy().as_bytes()).map_err(|_| Error::InvalidUrl {
            details: "a NUL byte in the path".to_owned(),
        })?;
    let mut db: *mut ffi::sqlite3 = std::ptr::null_mut();
    // SAFETY: c_path is a valid C string, db an out-pointer. A missing file is created, as
    // the engine's connection does.
    let rc = unsafe {
        ffi::sqlite3_open_v2(
            c_path.as_ptr(),
            &mut db,
            ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE,
            std::ptr::null(),
        )
    };
    struct Db(*mut ffi::sqlite3);
    impl Drop for Db {
        fn drop(&mut self) {
            // SAFETY: the handle came from sqlite3_open_v2 (or is NULL) and is closed once.
            unsafe { ffi::sqlite3_close(self.0) };
        }
    }
    let db = Db(db);
    let errmsg = |db: *mut ffi::sqlite3| {
        // SAFETY: sqlite3_errmsg accepts any handle and returns a string it owns.
        unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db)) }
            .to_string_lossy()
            .into_owned()
    };
    if rc != ffi::SQLITE_OK {
        return Err(script_error(format!(
            "SQLite database error\n{}",
            errmsg(db.0)
        )));
    }
    let sql = CString::new(script).map_err(|_| {
        script_error("SQLite database error\nthe script contains a NUL byte".to_owned())
    })?;
    let registration = interrupt::register(Canceller::Sqlite(db.0));
    // SAFETY: db.0 is open and sql a valid C string; no callback, no error buffer.
    let rc = unsafe {
        ffi::sqlite3_exec(
            db.0,
            sql.as_ptr(),
            None,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    drop(registration);
    if rc != ffi::SQLITE_OK {
        return Err(script_error(format!(
            "SQLite database error\n{}",
            errmsg(db.0)
        )));
    }
    Ok(())
}

#[cfg(feature = "mysql")]
fn mysql(url: &crate::dburl::MysqlUrl, script: &str) -> Result<()> {
    use mysqlclient_sys as ffi;
    use std::os::raw::{c_uint, c_ulong};
    use std::ptr::null;
    const CLIENT_MULTI_STATEMENTS: c_ulong = 1 << 16;
    let location = url.error_location();
    // SAFETY: mysql_init(NULL) allocates a handle or returns NULL.
    let conn = unsafe { ffi::mysql_init(std::ptr::null_mut()) };
    if conn.is_null() {
        return Err(unreachable(&location));
    }
    struct Conn(*mut ffi::MYSQL);
    impl Drop for Conn {
        fn drop(&mut self) {
            // SAFETY: the handle came from mysql_init and is closed once.
            unsafe { ffi::mysql_close(self.0) };
        }
    }
    let conn = Conn(conn);
    // SAFETY: called on conn.0, which lives until the end of this function.
    let error = |c: *mut ffi::MYSQL| unsafe { super::last_error(c) };
    let charset = cstring("utf8mb4")?;
    let timeout: c_uint = c_uint::try_from(url.connect_timeout).unwrap_or(c_uint::MAX);
    let host = cstring(url.host())?;
    let user = cstring(&url.user)?;
    let password = url.password.as_deref().map(cstring).transpose()?;
    let db = cstring(&url.database)?;
    let socket = url.socket.as_deref().map(cstring).transpose()?;
    let ca = url.ssl_ca.as_deref().map(cstring).transpose()?;
    // SAFETY: conn.0 is live; every pointer is a valid C string or NULL and outlives the calls.
    let ok = unsafe {
        ffi::mysql_options(
            conn.0,
            ffi::mysql_option::MYSQL_SET_CHARSET_NAME,
            charset.as_ptr().cast(),
        );
        ffi::mysql_options(
            conn.0,
            ffi::mysql_option::MYSQL_OPT_CONNECT_TIMEOUT,
            (&raw const timeout).cast(),
        );
        if let Some(ca) = &ca {
            ffi::mysql_options(
                conn.0,
                ffi::mysql_option::MYSQL_OPT_SSL_CA,
                ca.as_ptr().cast(),
            );
        }
        ffi::mysql_real_connect(
            conn.0,
            host.as_ptr(),
            user.as_ptr(),
            password.as_ref().map_or(null(), |p| p.as_ptr()),
            db.as_ptr(),
            c_uint::from(url.port()),
            socket.as_ref().map_or(null(), |s| s.as_ptr()),
            CLIENT_MULTI_STATEMENTS,
        )
    };
    if ok.is_null() {
        let (errno, _) = error(conn.0);
        return Err(match errno {
            1049 => database_missing(&url.database, &location),
            1045 => auth_failed(&url.user, &location),
            _ => unreachable(&location),
        });
    }
    let script_failed = |c: *mut ffi::MYSQL| script_error(error(c).1);
    // SAFETY: conn.0 is live and connected.
    unsafe { super::set_prisma_names(conn.0) }.map_err(|e| script_error(e.1))?;
    // An empty slice's pointer is dangling: the client library reads it all the same.
    let bytes: &[u8] = if script.is_empty() {
        b"\0"
    } else {
        script.as_bytes()
    };
    // SAFETY: conn.0 is live; the pointer and length describe valid bytes. One query:
    // with CLIENT_MULTI_STATEMENTS the server runs every statement of it.
    let rc = unsafe {
        ffi::mysql_real_query(
            conn.0,
            bytes.as_ptr().cast(),
            c_ulong::try_from(script.len()).unwrap_or(c_ulong::MAX),
        )
    };
    if rc != 0 {
        return Err(script_failed(conn.0));
    }
    loop {
        // SAFETY: conn.0 is live; a result set (if any) is freed at once.
        unsafe {
            let res = ffi::mysql_store_result(conn.0);
            if !res.is_null() {
                ffi::mysql_free_result(res);
            }
        }
        // SAFETY: conn.0 is live.
        match unsafe { ffi::mysql_next_result(conn.0) } {
            0 => continue,
            -1 => return Ok(()),
            _ => return Err(script_failed(conn.0)),
        }
    }
}
