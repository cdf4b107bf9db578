//! What `migrate diff` and `status --drift` need of a database besides deploy's path: its
//! schema (`describe`), what identifies the database a connection reaches (`identity`), a
//! given shadow database emptied as the schema engine empties it (`reset_shadow`), and a
//! temporary shadow database named `prismig_shadow_<unix seconds>_<12 hex>`, dropped
//! afterwards (a temporary file on SQLite). Those a killed run left behind are dropped by a
//! later run once they are old and nobody is connected to them (`sweep_orphans`).

use super::{Database, Target};
use crate::drift::{Flavour, Schema};
use crate::error::{Error, Result};
use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use std::time::{SystemTime, UNIX_EPOCH};

/// A temporary shadow this much older than now, with nobody connected, is an orphan: a
/// replay of thousands of migrations takes a few seconds, and one in progress keeps its
/// session open for its whole length.
pub const ORPHAN_AGE_SECS: u64 = 600;

const PREFIX: &str = "prismig_shadow_";

/// The name of a temporary shadow created at `unix_secs` with the random part `hex`.
pub fn temporary_name(unix_secs: u64, hex: &str) -> String {
    format!("{PREFIX}{unix_secs:010}_{hex}")
}

/// When the temporary shadow called `name` was created, if `name` has exactly the shape
/// `temporary_name` gives (ten digits, twelve lowercase hex digits): nothing else is
/// ever dropped by the sweep.
pub fn temporary_name_created(name: &str) -> Option<u64> {
    let rest = name.strip_prefix(PREFIX)?;
    let (secs, hex) = rest.split_once('_')?;
    let digits = |s: &str, n: usize, ok: fn(&u8) -> bool| s.len() == n && s.bytes().all(|b| ok(&b));
    if !digits(secs, 10, u8::is_ascii_digit)
        || !digits(hex, 12, |b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
    {
        return None;
    }
    secs.parse().ok()
}

/// Whether the temporary shadow `name` is old enough at `now` to be taken for an orphan.
pub fn is_old_temporary(name: &str, now: u64) -> bool {
    temporary_name_created(name).is_some_and(|t| now.saturating_sub(t) >= ORPHAN_AGE_SECS)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[derive(QueryableByName)]
struct NameRow {
    #[diesel(sql_type = Text)]
    name: String,
}

/// An object an object-by-object reset drops: its kind (`TABLE`, `VIEW`, …) and its name
/// as the `DROP` statement wants it.
#[derive(QueryableByName)]
struct Object {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    name: String,
}

/// What identifies the database a connection reaches, whatever the URL's spelling: the
/// server and database (`place`) and, on PostgreSQL, the schemas the diff reads or a
/// reset empties. Two connections reach the same data when the places are equal and the
/// schemas meet (`overlaps`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub place: String,
    pub schemas: Vec<String>,
}

impl Identity {
    pub fn overlaps(&self, other: &Identity) -> bool {
        self.place == other.place
            && (self.schemas.is_empty()
                || other.schemas.is_empty()
                || self.schemas.iter().any(|s| other.schemas.contains(s)))
    }
}

/// P3016, as the schema engine reports a failed object-by-object reset.
fn reset_failed(detail: impl std::fmt::Display) -> Error {
    Error::ResetFailed {
        error: detail.to_string(),
    }
}

impl Database {
    /// The schema the drift summary compares: the URL's schema (PostgreSQL: and the
    /// datasource's `schemas`), without `_prisma_migrations`.
    pub fn describe(&mut self, schemas: &[String]) -> Result<Schema> {
        match self {
            Database::Postgres(db) => {
                let namespaces = pg_namespaces(db.schema(), schemas);
                super::introspect_pg::describe(db.conn(), &namespaces)
            }
            Database::Sqlite(db) => super::introspect_sqlite::describe(db.conn()),
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => {
                let name = db.database().to_owned();
                super::introspect_mysql::describe(db.conn(), &name)
            }
        }
    }

    /// Which comparison rules apply (MariaDB renames indexes differently from MySQL).
    pub fn flavour(&mut self) -> Result<Flavour> {
        Ok(match self {
            Database::Postgres(_) => Flavour::Postgres,
            Database::Sqlite(_) => Flavour::Sqlite,
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => {
                if super::introspect_mysql::is_mariadb(db.conn())? {
                    Flavour::Mariadb
                } else {
                    Flavour::Mysql
                }
            }
        })
    }

    /// Asks the server which database this connection reaches. PostgreSQL: the server's
    /// start time, the database's oid and name (readable by every role, unlike the
    /// system identifier), and the schemas; MySQL: the server's host name, port and data
    /// directory, and the database; SQLite: the file's canonical path.
    pub fn identity(&mut self, schemas: &[String]) -> Result<Identity> {
        match self {
            Database::Postgres(db) => {
                let schemas = pg_namespaces(db.schema(), schemas);
                let row = diesel::sql_query(
                    "SELECT pg_postmaster_start_time()::text || '|' || d.oid::text || '|' || d.datname AS name FROM pg_database d WHERE d.datname = current_database()",
                )
                .get_result::<NameRow>(db.conn())?;
                Ok(Identity {
                    place: row.name,
                    schemas,
                })
            }
            Database::Sqlite(db) => {
                let row = diesel::sql_query(
                    "SELECT file AS name FROM pragma_database_list WHERE name = 'main'",
                )
                .get_result::<NameRow>(db.conn())?;
                let path = std::path::PathBuf::from(row.name);
                let canon = std::fs::canonicalize(&path).unwrap_or(path);
                Ok(Identity {
                    place: canon.display().to_string(),
                    schemas: Vec::new(),
                })
            }
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => {
                let row = diesel::sql_query(
                    "SELECT CONCAT_WS('|', @@hostname, @@port, @@datadir, DATABASE()) AS name",
                )
                .get_result::<NameRow>(db.conn())?;
                Ok(Identity {
                    place: row.name,
                    schemas: Vec::new(),
                })
            }
        }
    }

    /// Empties a given shadow database as the schema engine does before replaying into
    /// it. PostgreSQL: each schema dropped with what it holds and created again, then
    /// `_prisma_migrations` dropped if it is elsewhere; MySQL: the database dropped and
    /// created again. Where that is not allowed (a role that may create tables but does
    /// not own the schema or may not drop the database), the objects are dropped one by
    /// one; P3016 when that fails too. SQLite is not reset (the engine replays into the
    /// file as it is): `replay` refuses a non-empty one.
    pub fn reset_shadow(&mut self, schemas: &[String]) -> Result<()> {
        match self {
            Database::Postgres(db) => {
                let namespaces = pg_namespaces(db.schema(), schemas);
                let conn = db.conn();
                let mut whole = String::from("BEGIN;");
                for s in &namespaces {
                    let q = crate::dburl::quote_ident(s);
                    whole.push_str(&format!(
                        " DROP SCHEMA IF EXISTS {q} CASCADE; CREATE SCHEMA {q};"
                    ));
                }
                whole.push_str(" COMMIT;");
                if conn.batch_execute(&whole).is_err() {
                    let _ = conn.batch_execute("ROLLBACK");
                    pg_drop_objects(conn, &namespaces).map_err(reset_failed)?;
                }
                // As the engine does; it is usually gone with its schema already.
                let _ = conn.batch_execute("DROP TABLE IF EXISTS _prisma_migrations");
                let search_path = format!(
                    "SET search_path = {}",
                    crate::dburl::quote_ident(&namespaces[0])
                );
                conn.batch_execute(&search_path)?;
                Ok(())
            }
            Database::Sqlite(_) => Ok(()),
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => {
                let q = format!("`{}`", db.database().replace('`', "``"));
                let conn = db.conn();
                if conn
                    .batch_execute(&format!("DROP DATABASE {q}; CREATE DATABASE {q}; USE {q}"))
                    .is_err()
                {
                    // After a failed DROP the database is still there; after a failed
                    // CREATE, there is nothing to empty and the next statement says so.
                    let _ = conn.batch_execute(&format!("USE {q}"));
                    let name = db.database().to_owned();
                    mysql_drop_objects(db.conn(), &name).map_err(reset_failed)?;
                }
                Ok(())
            }
        }
    }
}

/// The URL's schema first, then the datasource's others.
fn pg_namespaces(url_schema: &str, schemas: &[String]) -> Vec<String> {
    let mut out = vec![url_schema.to_owned()];
    out.extend(schemas.iter().filter(|s| **s != url_schema).cloned());
    out
}

/// The object-by-object reset of PostgreSQL schemas: views, tables, sequences, routines
/// and types, each with what depends on it; objects that belong to an extension stay.
fn pg_drop_objects(conn: &mut diesel::pg::PgConnection, namespaces: &[String]) -> Result<()> {
    let list = diesel::sql_query(
        "WITH ext AS (SELECT objid FROM pg_depend WHERE deptype = 'e') \
         SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind, \
                format('%I.%I', n.nspname, c.relname) AS name, \
                CASE c.relkind WHEN 'v' THEN 0 WHEN 'm' THEN 1 WHEN 'S' THEN 3 ELSE 2 END AS ord \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.oid NOT IN (SELECT objid FROM ext) \
           AND NOT (c.relkind = 'r' AND c.relispartition) \
         UNION ALL \
         SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, \
                format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), 4 \
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
         WHERE n.nspname = ANY($1) AND p.oid NOT IN (SELECT objid FROM ext) \
         UNION ALL \
         SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, format('%I.%I', n.nspname, t.typname), 5 \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
         WHERE n.nspname = ANY($1) AND t.typtype IN ('e', 'd', 'r', 'm') AND t.oid NOT IN (SELECT objid FROM ext) \
         UNION ALL \
         SELECT 'TYPE', format('%I.%I', n.nspname, t.typname), 5 \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_class c ON c.oid = t.typrelid \
         WHERE n.nspname = ANY($1) AND t.typtype = 'c' AND c.relkind = 'c' AND t.oid NOT IN (SELECT objid FROM ext) \
         ORDER BY 3, 2",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(namespaces)
    .load::<Object>(conn)?;
    for o in list {
        // An earlier CASCADE may have taken this one with it.
        conn.batch_execute(&format!("DROP {} IF EXISTS {} CASCADE", o.kind, o.name))?;
    }
    Ok(())
}

/// The object-by-object reset of a MySQL database: views, then tables without the
/// foreign-key checks, so that the order does not matter.
#[cfg(feature = "mysql")]
fn mysql_drop_objects(conn: &mut diesel::mysql::MysqlConnection, database: &str) -> Result<()> {
    let list = diesel::sql_query(
        "SELECT IF(TABLE_TYPE = 'VIEW', 'VIEW', 'TABLE') AS kind, TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_TYPE = 'VIEW' DESC, TABLE_NAME",
    )
    .bind::<Text, _>(database)
    .load::<Object>(conn)?;
    conn.batch_execute("SET FOREIGN_KEY_CHECKS = 0")?;
    let mut result = Ok(());
    for o in list {
        if let Err(e) = conn.batch_execute(&format!(
            "DROP {} IF EXISTS `{}`",
            o.kind,
            o.name.replace('`', "``")
        )) {
            result = Err(e.into());
            break;
        }
    }
    conn.batch_execute("SET FOREIGN_KEY_CHECKS = 1")?;
    result
}

/// A database prismig created for one diff; `drop_now` (or dropping the value) removes it.
pub struct TemporaryDatabase {
    pub target: Target,
    /// Orphans of earlier runs dropped before this one was created (names, for a note).
    pub swept: Vec<String>,
    /// SQLite: the file, locked (`flock`) while in use so that no sweep takes it.
    held: Option<std::fs::File>,
    dropped: bool,
}

/// PM7003: the shadow database could not be created.
fn creation_refused(detail: impl std::fmt::Display) -> Error {
    Error::own(
        "PM7003",
        format!("could not create a temporary shadow database to replay the migrations into ({detail}); give an empty database the user may use with --shadow-database-url (or `shadowDatabaseUrl` in the datasource)"),
    )
}

/// An exclusive `flock` on `file` without waiting; false when someone holds it.
#[cfg(unix)]
fn try_flock(file: &std::fs::File) -> bool {
    use std::os::unix::io::AsRawFd;
    // SAFETY: the descriptor belongs to `file`, which outlives the call.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

/// Without `flock` no file can be shown unused: a sweep leaves every one.
#[cfg(not(unix))]
fn try_flock(_file: &std::fs::File) -> bool {
    false
}

/// The admin connection on the server of `url` (the database itself may be gone).
fn pg_admin(url: &crate::dburl::PgUrl) -> Result<diesel::pg::PgConnection> {
    for admin in ["postgres", "template1", "defaultdb"] {
        if let Ok(c) = diesel::pg::PgConnection::establish(&url.with_database(admin).conninfo()?) {
            return Ok(c);
        }
    }
    Err(Error::Database(format!(
        "could not connect to the server of {} through `postgres`, `template1` or `defaultdb`",
        url.header_location()
    )))
}

/// Drops the temporary shadows a killed run left on the server of `like` (or, on SQLite,
/// in the temporary folder): names of exactly `temporary_name`'s shape, created at least
/// `ORPHAN_AGE_SECS` ago, nobody connected (PostgreSQL: `pg_stat_activity`, and `DROP
/// DATABASE` refuses one with a session anyway; MySQL: the process list, and only when
/// the user may see every session; SQLite: the creator's `flock`). Returns the names
/// dropped. Best effort: a sweep that cannot run leaves everything as it is.
pub fn sweep_orphans(like: &Target) -> Vec<String> {
    let now = now_secs();
    let mut dropped = Vec::new();
    match like {
        Target::Postgres(url) => {
            let Ok(mut c) = pg_admin(url) else {
                return dropped;
            };
            let names = diesel::sql_query(
                "SELECT d.datname AS name FROM pg_database d WHERE d.datname LIKE 'prismig\\_shadow\\_%' AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)",
            )
            .load::<NameRow>(&mut c)
            .unwrap_or_default();
            for n in names.into_iter().filter(|n| is_old_temporary(&n.name, now)) {
                let sql = format!("DROP DATABASE {}", crate::dburl::quote_ident(&n.name));
                if c.batch_execute(&sql).is_ok() {
                    dropped.push(n.name);
                }
            }
        }
        Target::Sqlite(_) => {
            let dir = std::env::temp_dir();
            let Ok(entries) = std::fs::read_dir(&dir) else {
                return dropped;
            };
            for entry in entries.flatten() {
                let file = entry.file_name().to_string_lossy().into_owned();
                let Some((stem, suffix)) = file.rsplit_once('.') else {
                    continue;
                };
                if !is_old_temporary(stem, now) {
                    continue;
                }
                let path = dir.join(format!("{stem}.db"));
                if suffix != "db" {
                    // SQLite's files next to a database that is gone already.
                    if matches!(suffix, "db-journal" | "db-wal" | "db-shm") && !path.exists() {
                        let _ = std::fs::remove_file(entry.path());
                    }
                    continue;
                }
                let Ok(handle) = std::fs::OpenOptions::new().read(true).open(&path) else {
                    continue;
                };
                if !try_flock(&handle) {
                    continue;
                }
                for p in sqlite_files(&path) {
                    let _ = std::fs::remove_file(p);
                }
                dropped.push(path.display().to_string());
            }
        }
        #[cfg(feature = "mysql")]
        Target::Mysql(url) => {
            let Ok(mut c) = diesel::mysql::MysqlConnection::establish(&url.diesel_url(None)) else {
                return dropped;
            };
            // Without PROCESS a user sees only its own sessions: another user's replay
            // would look idle.
            let sees_all = diesel::sql_query(
                "SELECT PRIVILEGE_TYPE AS name FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE = 'PROCESS' AND GRANTEE = CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')",
            )
            .load::<NameRow>(&mut c)
            .is_ok_and(|rows| !rows.is_empty());
            if !sees_all {
                return dropped;
            }
            let names = diesel::sql_query(
                "SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'prismig\\_shadow\\_%' AND SCHEMA_NAME NOT IN (SELECT DB FROM information_schema.PROCESSLIST WHERE DB IS NOT NULL)",
            )
            .load::<NameRow>(&mut c)
            .unwrap_or_default();
            for n in names.into_iter().filter(|n| is_old_temporary(&n.name, now)) {
                if c.batch_execute(&format!("DROP DATABASE `{}`", n.name))
                    .is_ok()
                {
                    dropped.push(n.name);
                }
            }
        }
    }
    dropped
}

/// A SQLite database file and the files SQLite keeps next to it.
fn sqlite_files(path: &std::path::Path) -> [std::path::PathBuf; 4] {
    [
        path.to_owned(),
        path.with_extension("db-journal"),
        path.with_extension("db-wal"),
        path.with_extension("db-shm"),
    ]
}

impl TemporaryDatabase {
    /// Drops the orphans on the server of `like`, then creates an empty database next
    /// to it (same server and credentials), or a new temporary file for SQLite.
    pub fn create(like: &Target) -> Result<(TemporaryDatabase, Database)> {
        let swept = sweep_orphans(like);
        let random = crate::history::new_id()?.replace('-', "");
        let name = temporary_name(now_secs(), &random[..12]);
        let target = match like {
            Target::Postgres(url) => Target::Postgres(Box::new(url.with_database(&name))),
            Target::Sqlite(_) => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                let url = format!("file:{}", path.display());
                Target::Sqlite(crate::dburl::SqliteUrl::parse(&url, &std::env::temp_dir())?)
            }
            #[cfg(feature = "mysql")]
            Target::Mysql(url) => {
                let mut url = url.as_ref().clone();
                url.database = name.clone();
                Target::Mysql(Box::new(url))
            }
        };
        if let Target::Sqlite(url) = &target {
            // Created exclusively and private, as every file prismig writes; SQLite takes
            // an empty file as an empty database.
            let file = crate::files::create_new(url.path())
                .map_err(|e| creation_refused(format!("{}: {e}", url.path().display())))?;
            // Held until the file is removed: a sweep in another process skips it.
            try_flock(&file);
            let db = Database::connect(&target)?;
            return Ok((
                TemporaryDatabase {
                    target,
                    swept,
                    held: Some(file),
                    dropped: false,
                },
                db,
            ));
        }
        let db = match Database::create(&target) {
            Ok((db, _)) => db,
            Err(
                e @ (Error::DatabaseCreationFailed { .. }
                | Error::AccessDenied { .. }
                | Error::Own { .. }),
            ) => return Err(creation_refused(e)),
            Err(e) => return Err(e),
        };
        let mut db = db;
        if let (Database::Postgres(pg), Target::Postgres(url)) = (&mut db, &target) {
            // A scratch database needs no durability: without a flush per commit the replay
            // costs what the scripts cost. Scripts run on sessions opened after this, which
            // take the database's setting; nothing they mean changes.
            let _ = pg.conn().batch_execute(&format!(
                "ALTER DATABASE {} SET synchronous_commit = off; SET synchronous_commit = off",
                crate::dburl::quote_ident(url.database())
            ));
        }
        Ok((
            TemporaryDatabase {
                target,
                swept,
                held: None,
                dropped: false,
            },
            db,
        ))
    }

    /// Drops the database (after every connection to it is closed).
    pub fn drop_now(&mut self) -> Result<()> {
        if self.dropped {
            return Ok(());
        }
        self.dropped = true;
        match &self.target {
            Target::Postgres(url) => {
                let name = url.database().to_owned();
                pg_admin(url)?
                    .batch_execute(&format!(
                        "DROP DATABASE IF EXISTS {}",
                        crate::dburl::quote_ident(&name)
                    ))
                    .map_err(|e| Error::Database(e.to_string()))
            }
            Target::Sqlite(url) => {
                for p in sqlite_files(url.path()) {
                    let _ = std::fs::remove_file(p);
                }
                self.held = None;
                Ok(())
            }
            #[cfg(feature = "mysql")]
            Target::Mysql(url) => {
                let mut c = diesel::mysql::MysqlConnection::establish(&url.diesel_url(None))
                    .map_err(|e| Error::Database(e.to_string()))?;
                c.batch_execute(&format!(
                    "DROP DATABASE IF EXISTS `{}`",
                    url.database.replace('`', "``")
                ))
                .map_err(|e| Error::Database(e.to_string()))
            }
        }
    }
}

impl Drop for TemporaryDatabase {
    fn drop(&mut self) {
        let _ = self.drop_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Only the exact shape prismig gives its temporary shadows may ever be dropped.
    #[test]
    fn the_sweep_matches_only_prismigs_own_names() {
        let now = 1_800_000_000;
        let old = now - ORPHAN_AGE_SECS;
        for (name, created, old_enough) in [
            ("prismig_shadow_1799999400_0123456789ab", Some(old), true),
            (
                "prismig_shadow_1799999999_abcdefabcdef",
                Some(now - 1),
                false,
            ),
            (
                "prismig_shadow_1799999401_0123456789ab",
                Some(old + 1),
                false,
            ),
            ("prismig_shadow_0000000001_000000000000", Some(1), true),
            // Near misses: never ours.
            ("prismig_shadow_1799999400_0123456789AB", None, false),
            ("prismig_shadow_1799999400_0123456789a", None, false),
            ("prismig_shadow_1799999400_0123456789abc", None, false),
            ("prismig_shadow_179999940_0123456789ab", None, false),
            ("prismig_shadow_17999994000_0123456789ab", None, false),
            ("prismig_shadow_1799999400_0123456789ag", None, false),
            ("prismig_shadow_1799999400-0123456789ab", None, false),
            ("prismig_shadow_1799999400_0123456789ab_", None, false),
            ("prismig_shadow_1799999400_0123456789ab.db", None, false),
            ("Prismig_shadow_1799999400_0123456789ab", None, false),
            ("xprismig_shadow_1799999400_0123456789ab", None, false),
            ("prismig_shadow_+799999400_0123456789ab", None, false),
            ("prismig_shadow_1799999400_", None, false),
            ("prismig_shadow_", None, false),
            // The earlier shape (a random part only) and Prisma's own shadows.
            ("prismig_shadow_0123456789abcdef", None, false),
            (
                "prisma_migrate_shadow_db_2f0e3f5e-1c2b-4d7e-9a8b-0c1d2e3f4a5b",
                None,
                false,
            ),
            ("myapp", None, false),
            ("", None, false),
        ] {
            assert_eq!(temporary_name_created(name), created, "{name}");
            assert_eq!(is_old_temporary(name, now), old_enough, "{name}");
        }
    }

    #[test]
    fn names_made_are_names_matched() {
        let name = temporary_name(1_765_000_000, "00ff00ff00ff");
        assert_eq!(name, "prismig_shadow_1765000000_00ff00ff00ff");
        assert_eq!(temporary_name_created(&name), Some(1_765_000_000));
        // PostgreSQL and MySQL keep 63 and 64 characters of a name.
        assert!(name.len() <= 63);
    }

    #[test]
    fn identities_meet_on_the_place_and_a_shared_schema() {
        let id = |place: &str, schemas: &[&str]| Identity {
            place: place.to_owned(),
            schemas: schemas.iter().map(|s| (*s).to_owned()).collect(),
        };
        for (a, b, same) in [
            (id("s|1|db", &["public"]), id("s|1|db", &["public"]), true),
            (id("s|1|db", &["public"]), id("s|1|db", &["shadow"]), false),
            (id("s|1|db", &["a", "b"]), id("s|1|db", &["c", "b"]), true),
            (id("s|1|db", &["public"]), id("s|2|db", &["public"]), false),
            (id("h|3306|/d|db", &[]), id("h|3306|/d|db", &[]), true),
            (id("h|3306|/d|db", &[]), id("h|3306|/d|other", &[]), false),
        ] {
            assert_eq!(a.overlaps(&b), same, "{a:?} {b:?}");
            assert_eq!(b.overlaps(&a), same, "{b:?} {a:?}");
        }
    }
}
