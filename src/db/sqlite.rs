//! One SQLite database file through a Diesel connection. Scripts run on that same
//! connection (the exclusive lock allows no second one) through its raw handle, which
//! SQLite hands over at open time (`sqlite3_auto_extension`), so that P3018 carries
//! SQLite's extended result code and error offset as Prisma reports them (§4.7).

use crate::dburl::SqliteUrl;
use crate::error::{Error, Result};
use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use libsqlite3_sys as ffi;
use std::cell::Cell;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int};
use std::ptr::NonNull;
use std::sync::Once;
use std::time::Duration;

unsafe extern "C" {
    // SQLite ≥ 3.38; declared here so that builds against older bindings still link it.
    fn sqlite3_error_offset(db: *mut ffi::sqlite3) -> c_int;
}

thread_local! {
    static OPENED: Cell<*mut ffi::sqlite3> = const { Cell::new(std::ptr::null_mut()) };
}

unsafe extern "C" fn capture(
    db: *mut ffi::sqlite3,
    _err: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    OPENED.with(|c| c.set(db));
    ffi::SQLITE_OK
}

fn register_capture() {
    static ONCE: Once = Once::new();
    // SAFETY: registers a callback with SQLite's signature; it only records the handle.
    ONCE.call_once(|| unsafe {
        ffi::sqlite3_auto_extension(Some(capture));
    });
}

pub struct SqliteDatabase {
    conn: SqliteConnection,
    /// The handle inside `conn`, valid as long as `conn` lives.
    raw: NonNull<ffi::sqlite3>,
    url: SqliteUrl,
    locked: bool,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

impl SqliteDatabase {
    /// Opens an existing database file; a missing one is P1003 (status and resolve).
    pub fn connect(url: &SqliteUrl) -> Result<SqliteDatabase> {
        if !url.path().is_file() {
            return Err(Error::DatabaseDoesNotExist {
                name: url.file_name(),
            });
        }
        SqliteDatabase::open(url)
    }

    fn open(url: &SqliteUrl) -> Result<SqliteDatabase> {
        register_capture();
        OPENED.with(|c| c.set(std::ptr::null_mut()));
        let path = url.path().to_string_lossy().into_owned();
        let mut conn = SqliteConnection::establish(&path).map_err(|e| Error::Unreachable {
            location: format!("{} ({e})", url.location()),
        })?;
        let raw = NonNull::new(OPENED.with(Cell::get)).ok_or_else(|| {
            Error::own("PM2001", "SQLite did not hand over its connection handle")
        })?;
        // Readers wait for a deploy holding the lock instead of failing at once.
        conn.batch_execute("PRAGMA busy_timeout = 10000")
            .map_err(Error::from)?;
        Ok(SqliteDatabase {
            conn,
            raw,
            url: url.clone(),
            locked: false,
        })
    }

    /// `migrate deploy` creates the file and its folders (§4.1 step 6).
    pub fn create(url: &SqliteUrl) -> Result<(SqliteDatabase, String)> {
        if let Some(dir) = url.path().parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::DatabaseCreationFailed {
                error: e.to_string(),
            })?;
        }
        let db = SqliteDatabase::open(url)?;
        Ok((
            db,
            format!(
                "SQLite database {} created at {}",
                url.file_name(),
                url.location()
            ),
        ))
    }

    pub fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }

    /// Prisma's lock, `PRAGMA main.locking_mode=EXCLUSIVE` (§4.5), taken at once with an
    /// exclusive transaction so that concurrent deploys wait (up to `timeout`) instead of
    /// meeting at their first write.
    pub fn lock(&mut self, timeout: Duration, on_wait: &mut super::LockWatch<'_>) -> Result<()> {
        let ms = timeout.as_millis();
        // First up to LOCK_REPORT_AFTER, then, if another process holds the file, say so and
        // wait for the rest: SQLite's busy handler gives no moment to speak in between.
        let first = timeout.min(super::LOCK_REPORT_AFTER);
        let mut outcome = self.try_lock(first);
        if matches!(&outcome, Err(e) if e.to_string().contains("locked")) && first < timeout {
            on_wait(
                Some(crate::event::LockHolder {
                    session: format!("another process using {}", self.url.location()),
                    application: None,
                    client: None,
                    state: None,
                    query_seconds: None,
                    query: None,
                }),
                first,
            );
            outcome = self.try_lock(timeout - first);
        }
        match outcome {
            Ok(()) => {
                self.locked = true;
                self.conn
                    .batch_execute(&format!("PRAGMA busy_timeout = {ms};"))
                    .map_err(Error::from)
            }
            Err(e) if e.to_string().contains("locked") => Err(Error::Timeout {
                context: format!(
                    "Timed out trying to acquire a SQLite exclusive lock (PRAGMA main.locking_mode=EXCLUSIVE) on {}. Timeout: {ms}ms.",
                    self.url.location()
                ),
                holder: None,
            }),
            Err(e) => Err(Error::from(e)),
        }
    }

    fn try_lock(&mut self, wait: Duration) -> std::result::Result<(), diesel::result::Error> {
        self.conn
            .batch_execute(&format!("PRAGMA busy_timeout = {};", wait.as_millis()))?;
        // The exclusive lock is taken in NORMAL mode and kept by switching to EXCLUSIVE mode
        // inside the transaction. Switching first would make a failed attempt keep its SHARED
        // lock (EXCLUSIVE mode never drops locks), and two waiting deploys would then block
        // each other until the timeout.
        let taken = self
            .conn
            .batch_execute("BEGIN EXCLUSIVE; PRAGMA main.locking_mode=EXCLUSIVE; COMMIT;");
        if taken.is_err() {
            let _ = self.conn.batch_execute("ROLLBACK;");
        }
        taken
    }

    /// `--statement-lock-timeout`: SQLite's busy timeout for the scripts. (Deploy holds the
    /// file's exclusive lock from the start, so only another connection of this process
    /// could make a script wait.) A statement timeout is refused before (PM3141).
    pub fn set_limits(&mut self, limits: &super::ScriptLimits) -> Result<()> {
        match limits.lock_timeout {
            Some(t) => self
                .conn
                .batch_execute(&format!("PRAGMA busy_timeout = {};", t.as_millis().max(1)))
                .map_err(Error::from),
            None => Ok(()),
        }
    }

    pub fn unlock(&mut self) {
        if self.locked {
            // NORMAL mode releases the lock at the next access.
            let _ = self.conn.batch_execute(
                "PRAGMA main.locking_mode=NORMAL; SELECT count(*) FROM sqlite_master;",
            );
            self.locked = false;
        }
    }

    /// Every table, `sqlite_sequence` included (§4.3).
    pub fn table_names(&mut self) -> Result<Vec<(String, String)>> {
        let rows = diesel::sql_query(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name ASC",
        )
        .load::<Name>(&mut self.conn)
        .map_err(Error::from)?;
        Ok(rows
            .into_iter()
            .map(|r| ("main".to_owned(), r.name))
            .collect())
    }

    /// Runs a script as rusqlite's `execute_batch` does (what Prisma's engine calls): one
    /// statement after another, autocommitted, stopping at the first error. `Err` carries
    /// (extended result code, rusqlite's error text).
    pub fn run_script(&mut self, script: &str) -> Result<usize, (String, String, usize)> {
        let db = self.raw.as_ptr();
        // A SIGINT/SIGTERM while this runs interrupts the statement (db::interrupt).
        let _registration = super::interrupt::register(super::interrupt::Canceller::Sqlite(db));
        let sql = CString::new(script).map_err(|_| {
            (
                "none".to_owned(),
                "the migration script contains a NUL byte".to_owned(),
                0,
            )
        })?;
        let mut pos = 0;
        let mut done = 0;
        while pos < script.len() {
            let rest = &script[pos..];
            let len = c_int::try_from(rest.len()).map_err(|_| {
                (
                    "none".to_owned(),
                    "the migration script is too large".to_owned(),
                    done,
                )
            })?;
            let mut stmt: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
            let mut tail: *const c_char = std::ptr::null();
            // SAFETY: db is the live handle of self.conn; the pointer stays inside sql.
            let start = unsafe { sql.as_ptr().add(pos) };
            // SAFETY: as above; len bytes follow start.
            let rc = unsafe { ffi::sqlite3_prepare_v2(db, start, len, &mut stmt, &mut tail) };
            if rc != ffi::SQLITE_OK {
                // SAFETY: db is live.
                let offset = unsafe { sqlite3_error_offset(db) };
                let (code, msg) = last_error(db);
                let text = if offset >= 0 {
                    format!("{msg} in {rest} at offset {offset}")
                } else {
                    msg
                };
                return Err((code.to_string(), text, done));
            }
            let consumed = if tail.is_null() {
                rest.len()
            } else {
                // SAFETY: tail points into sql's buffer, at or after start.
                usize::try_from(unsafe { tail.offset_from(start) }).unwrap_or(rest.len())
            };
            if !stmt.is_null() {
                // SAFETY: stmt is a freshly prepared statement, finalized once.
                let step = unsafe { ffi::sqlite3_step(stmt) };
                // SAFETY: as above.
                unsafe { ffi::sqlite3_finalize(stmt) };
                if step != ffi::SQLITE_ROW && step != ffi::SQLITE_DONE {
                    let (code, msg) = last_error(db);
                    return Err((code.to_string(), msg, done));
                }
                done += 1;
            }
            if consumed == 0 || consumed >= rest.len() {
                break;
            }
            pos += consumed;
        }
        Ok(done)
    }
}

impl SqliteDatabase {
    /// `migrate rollback`: `down.sql` and the row's `rolled_back_at` in one transaction
    /// (SQLite's DDL is transactional), so that no crash leaves one without the other.
    pub fn roll_back(
        &mut self,
        down: &str,
        row_id: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<std::result::Result<(), (String, String, usize)>> {
        self.conn
            .batch_execute("BEGIN IMMEDIATE")
            .map_err(Error::from)?;
        if let Err(failure) = self.run_script(down) {
            let _ = self.conn.batch_execute("ROLLBACK");
            return Ok(Err(failure));
        }
        let marked = crate::history::SqliteStore::new(&mut self.conn)
            .mark_rolled_back(&[row_id.to_owned()], at);
        match marked {
            Ok(()) => {
                self.conn.batch_execute("COMMIT").map_err(Error::from)?;
                Ok(Ok(()))
            }
            Err(e) => {
                let _ = self.conn.batch_execute("ROLLBACK");
                Err(e)
            }
        }
    }
}

impl SqliteDatabase {
    /// A consistent copy through SQLite's online backup API, on this (locked) connection.
    pub fn backup_to(&mut self, path: &std::path::Path) -> std::result::Result<(), String> {
        let dest_path = CString::new(path.to_string_lossy().as_bytes())
            .map_err(|_| "the backup path contains a NUL byte".to_owned())?;
        let mut dest: *mut ffi::sqlite3 = std::ptr::null_mut();
        // SAFETY: a valid C string; dest receives a handle, closed below on every path.
        let rc = unsafe { ffi::sqlite3_open(dest_path.as_ptr(), &mut dest) };
        let result = if rc != ffi::SQLITE_OK {
            Err(last_error(dest).1)
        } else {
            let main = c"main";
            // SAFETY: both handles are open; "main" names each one's main database.
            let backup = unsafe {
                ffi::sqlite3_backup_init(dest, main.as_ptr(), self.raw.as_ptr(), main.as_ptr())
            };
            if backup.is_null() {
                Err(last_error(dest).1)
            } else {
                // SAFETY: backup is live; -1 copies every page in one step; finish frees it.
                let step = unsafe { ffi::sqlite3_backup_step(backup, -1) };
                // SAFETY: as above.
                let finish = unsafe { ffi::sqlite3_backup_finish(backup) };
                if step == ffi::SQLITE_DONE && finish == ffi::SQLITE_OK {
                    Ok(())
                } else {
                    Err(last_error(dest).1)
                }
            }
        };
        // SAFETY: dest came from sqlite3_open (possibly failed: close accepts it).
        unsafe { ffi::sqlite3_close(dest) };
        result
    }
}

fn last_error(db: *mut ffi::sqlite3) -> (c_int, String) {
    // SAFETY: db is live; errmsg returns a NUL-terminated string owned by SQLite.
    unsafe {
        let code = ffi::sqlite3_extended_errcode(db);
        let msg = CStr::from_ptr(ffi::sqlite3_errmsg(db))
            .to_string_lossy()
            .into_owned();
        (code, msg)
    }
}

impl Drop for SqliteDatabase {
    fn drop(&mut self) {
        self.unlock();
    }
}
