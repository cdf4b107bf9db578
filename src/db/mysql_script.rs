//! Migration scripts through the MySQL client library directly (mysqlclient-sys): one
//! multi-statement query, as Prisma sends it, with the server's error number and the
//! number of the failing statement (§4.7).

use crate::dburl::MysqlUrl;
use mysqlclient_sys as ffi;
use std::ffi::{CStr, CString};
use std::os::raw::{c_uint, c_ulong};
use std::ptr::null;

pub struct ScriptConnection {
    conn: *mut ffi::MYSQL,
    /// Where a second session comes from to stop a statement (SIGINT, SIGTERM).
    url: MysqlUrl,
}

/// CLIENT_MULTI_STATEMENTS: the protocol flag, the same in every client library.
const CLIENT_MULTI_STATEMENTS: c_ulong = 1 << 16;
/// ER_EMPTY_QUERY: a file with no statement (empty or comments only) applies nothing.
const ER_EMPTY_QUERY: c_uint = 1065;

/// The session's character set and collation as Prisma's engine has them: mysql_async asks
/// for utf8mb4_general_ci (45) in its handshake. MySQL's client library asks for
/// utf8mb4_0900_ai_ci (255), which MariaDB and MySQL 5.7 do not know and answer with the
/// server's default (latin1 where nobody configured one: a script's text would be stored
/// double-encoded), and which MySQL 8 accepts, with another collation for literals than
/// Prisma's. Every session that runs a script states Prisma's itself, right after connecting.
const PRISMA_NAMES: &str = "SET NAMES utf8mb4 COLLATE utf8mb4_general_ci";

/// Runs [`PRISMA_NAMES`] on a connected handle; the server's error number and message if it
/// fails.
///
/// # Safety
/// `conn` is a live, connected handle.
pub(crate) unsafe fn set_prisma_names(conn: *mut ffi::MYSQL) -> Result<(), (c_uint, String)> {
    let len = c_ulong::try_from(PRISMA_NAMES.len()).unwrap_or(c_ulong::MAX);
    // SAFETY: the caller's handle is live; the constant holds len bytes.
    if unsafe { ffi::mysql_real_query(conn, PRISMA_NAMES.as_ptr().cast(), len) } == 0 {
        return Ok(());
    }
    // SAFETY: as above.
    Err(unsafe { last_error(conn) })
}

/// The handle's last error number and message.
///
/// # Safety
/// `conn` is a live handle.
pub(crate) unsafe fn last_error(conn: *mut ffi::MYSQL) -> (c_uint, String) {
    // SAFETY: the caller's handle is live; mysql_error returns a NUL-terminated string it owns.
    unsafe {
        (
            ffi::mysql_errno(conn),
            CStr::from_ptr(ffi::mysql_error(conn))
                .to_string_lossy()
                .into_owned(),
        )
    }
}

fn cstring(s: &str) -> Result<CString, String> {
    CString::new(s).map_err(|_| "a connection parameter contains a NUL byte".to_owned())
}

impl ScriptConnection {
    pub fn open(url: &MysqlUrl) -> Result<ScriptConnection, String> {
        // SAFETY: mysql_init(NULL) allocates a handle or returns NULL.
        let conn = unsafe { ffi::mysql_init(std::ptr::null_mut()) };
        if conn.is_null() {
            return Err("out of memory".to_owned());
        }
        let me = ScriptConnection {
            conn,
            url: url.clone(),
        };
        let charset = cstring("utf8mb4")?;
        let timeout: c_uint = c_uint::try_from(url.connect_timeout).unwrap_or(c_uint::MAX);
        let host = cstring(url.host())?;
        let user = cstring(&url.user)?;
        let password = url.password.as_deref().map(cstring).transpose()?;
        let db = cstring(&url.database)?;
        let socket = url.socket.as_deref().map(cstring).transpose()?;
        let ca = url.ssl_ca.as_deref().map(cstring).transpose()?;
        // SAFETY: conn is live; every pointer is a valid C string or NULL and outlives the calls.
        unsafe {
            ffi::mysql_options(
                conn,
                ffi::mysql_option::MYSQL_SET_CHARSET_NAME,
                charset.as_ptr().cast(),
            );
            ffi::mysql_options(
                conn,
                ffi::mysql_option::MYSQL_OPT_CONNECT_TIMEOUT,
                (&raw const timeout).cast(),
            );
            // LOAD DATA LOCAL would read a file on the machine prismig runs on.
            let no_local_infile: c_uint = 0;
            ffi::mysql_options(
                conn,
                ffi::mysql_option::MYSQL_OPT_LOCAL_INFILE,
                (&raw const no_local_infile).cast(),
            );
            if let Some(ca) = &ca {
                ffi::mysql_options(
                    conn,
                    ffi::mysql_option::MYSQL_OPT_SSL_CA,
                    ca.as_ptr().cast(),
                );
            }
            let ok = ffi::mysql_real_connect(
                conn,
                host.as_ptr(),
                user.as_ptr(),
                password.as_ref().map_or(null(), |p| p.as_ptr()),
                db.as_ptr(),
                c_uint::from(url.port()),
                socket.as_ref().map_or(null(), |s| s.as_ptr()),
                CLIENT_MULTI_STATEMENTS,
            );
            if ok.is_null() {
                return Err(me.error().1);
            }
            set_prisma_names(conn).map_err(|e| e.1)?;
        }
        Ok(me)
    }

    fn error(&self) -> (c_uint, String) {
        // SAFETY: conn is live for the connection's lifetime.
        unsafe { last_error(self.conn) }
    }

    /// Runs one statement and returns the first column of its first row, if any.
    pub fn query_value(&self, sql: &str) -> Result<Option<String>, (c_uint, String)> {
        let len = c_ulong::try_from(sql.len()).map_err(|_| (0, "query too large".to_owned()))?;
        // SAFETY: conn is live; sql holds len bytes.
        if unsafe { ffi::mysql_real_query(self.conn, sql.as_ptr().cast(), len) } != 0 {
            return Err(self.error());
        }
        // SAFETY: conn is live; the result is freed below; row values are copied first.
        unsafe {
            let res = ffi::mysql_store_result(self.conn);
            if res.is_null() {
                return if ffi::mysql_errno(self.conn) != 0 {
                    Err(self.error())
                } else {
                    Ok(None)
                };
            }
            let row = ffi::mysql_fetch_row(res);
            let value = if row.is_null() || (*row).is_null() {
                None
            } else {
                Some(CStr::from_ptr(*row).to_string_lossy().into_owned())
            };
            ffi::mysql_free_result(res);
            Ok(value)
        }
    }

    /// Runs one statement that returns no rows.
    pub fn command(&self, sql: &str) -> Result<(), (c_uint, String)> {
        self.query_value(sql).map(drop)
    }

    /// `value` as a quoted string literal for this connection's character set.
    pub fn quote(&self, value: &str) -> String {
        let mut out = vec![0u8; value.len() * 2 + 1];
        let len = c_ulong::try_from(value.len()).unwrap_or(0);
        // SAFETY: out has room for 2 * len + 1 bytes, as the function requires.
        let n = unsafe {
            ffi::mysql_real_escape_string(
                self.conn,
                out.as_mut_ptr().cast(),
                value.as_ptr().cast(),
                len,
            )
        };
        out.truncate(usize::try_from(n).unwrap_or(0));
        format!("'{}'", String::from_utf8_lossy(&out))
    }

    /// The server's id of this session, for `KILL QUERY` from another one.
    #[allow(
        clippy::useless_conversion,
        reason = "c_ulong is 32 bits on some targets"
    )]
    pub fn thread_id(&self) -> u64 {
        // SAFETY: conn is live.
        u64::from(unsafe { ffi::mysql_thread_id(self.conn) })
    }

    /// Returns the number of statements run; `Err` is (error number, text, statements that
    /// ran before the failing one).
    pub fn execute(&self, script: &str) -> Result<usize, (String, String, usize)> {
        let fail = |(code, message): (c_uint, String), n: usize| {
            Err((
                code.to_string(),
                format!("{message}\n\nPlease check the query number {n} from the migration file."),
                n - 1,
            ))
        };
        let len = c_ulong::try_from(script.len()).map_err(|_| {
            (
                "none".to_owned(),
                "the migration script is too large".to_owned(),
                0,
            )
        })?;
        // A real, NUL-terminated buffer: the client library reads an empty query's pointer,
        // which for an empty &str dangles.
        let mut buffer = Vec::with_capacity(script.len() + 1);
        buffer.extend_from_slice(script.as_bytes());
        buffer.push(0);
        // A SIGINT/SIGTERM while this runs kills the statement (db::interrupt).
        let _registration = super::interrupt::register(super::interrupt::Canceller::Mysql {
            url: Box::new(self.url.clone()),
            thread: self.thread_id(),
        });
        // SAFETY: conn is live; buffer holds len bytes and a NUL.
        if unsafe { ffi::mysql_real_query(self.conn, buffer.as_ptr().cast(), len) } != 0 {
            let e = self.error();
            if e.0 == ER_EMPTY_QUERY {
                return Ok(0);
            }
            return fail(e, 1);
        }
        let mut n = 1;
        loop {
            // SAFETY: conn is live; a result set, if any, is freed at once.
            let read_failed = unsafe {
                let res = ffi::mysql_store_result(self.conn);
                if res.is_null() {
                    // No result set, or one the server failed while sending it (a SELECT
                    // killed by KILL QUERY, a runtime error in a row): the errno tells.
                    ffi::mysql_errno(self.conn) != 0
                } else {
                    ffi::mysql_free_result(res);
                    false
                }
            };
            if read_failed {
                return fail(self.error(), n);
            }
            // SAFETY: conn is live.
            match unsafe { ffi::mysql_next_result(self.conn) } {
                0 => n += 1,
                -1 => return Ok(n),
                _ => return fail(self.error(), n + 1),
            }
        }
    }
}

impl Drop for ScriptConnection {
    fn drop(&mut self) {
        // SAFETY: conn came from mysql_init and is closed once.
        unsafe { ffi::mysql_close(self.conn) };
    }
}
