//! `deploy --backup`: a consistent copy of the database before anything is applied.
//! PostgreSQL through `pg_dump` (custom format), SQLite through its online backup API on the
//! locked connection, MySQL through `mysqldump --single-transaction`. Passwords go to the tools
//! in their environment, never on a command line.

use super::{Database, Target};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A client tool on the PATH, or in Debian's versioned PostgreSQL folders.
fn find_tool(name: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    on_path.or_else(|| {
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin").join(name)))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        found.pop()
    })
}

fn run_tool(mut cmd: Command, tool: &str, secret: Option<&str>) -> Result<()> {
    let out = cmd
        .output()
        .map_err(|e| Error::own("PM4002", format!("{tool} could not run: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    let mut stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    if let Some(s) = secret.filter(|s| !s.is_empty()) {
        stderr = stderr.replace(s, "****");
    }
    Err(Error::own(
        "PM4002",
        format!("{tool} failed, nothing was applied: {stderr}"),
    ))
}

impl Database {
    /// Writes a backup to `path`, a new file (mode 0600; an existing file is never
    /// replaced), and checks that the matching tool can read it back before anything is
    /// applied: an empty or truncated backup (a full disk) is an error, and removed.
    pub fn backup(&mut self, target: &Target, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::files::private_dir(dir).map_err(|e| {
                Error::own("PM4002", format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let file = crate::files::create_new(path).map_err(|e| {
            Error::own(
                "PM5011",
                format!(
                    "cannot create the backup {}: {e}; an existing file is never replaced. Nothing was applied",
                    path.display()
                ),
            )
        })?;
        let result = self.write_backup(target, path, file).and_then(|()| {
            verify(target, path).map_err(|why| {
                Error::own(
                    "PM5010",
                    format!(
                        "the backup {} cannot be restored ({why}), so nothing was applied. Check the free space and the tool's version, then run again",
                        path.display()
                    ),
                )
            })
        });
        if result.is_err() {
            let _ = std::fs::remove_file(path);
        }
        result
    }

    fn write_backup(&mut self, target: &Target, path: &Path, file: std::fs::File) -> Result<()> {
        let flushed = |file: &std::fs::File| {
            file.sync_all().map_err(|e| {
                Error::own(
                    "PM4002",
                    format!(
                        "the backup {} could not be written, nothing was applied: {e}",
                        path.display()
                    ),
                )
            })
        };
        match (self, target) {
            (Database::Postgres(_), Target::Postgres(url)) => {
                let tool = find_tool("pg_dump").ok_or_else(|| {
                    Error::own("PM4001", "--backup needs pg_dump, which is not installed (Debian: apt-get install postgresql-client); nothing was applied")
                })?;
                // Everything about the connection goes in the environment: no part of the
                // URL can become an option. The dump goes to the file opened above.
                let mut cmd = Command::new(tool);
                cmd.arg("--format=custom")
                    .arg("--no-password")
                    .stdout(Stdio::from(file.try_clone().map_err(|e| {
                        Error::own("PM4002", format!("cannot use {}: {e}", path.display()))
                    })?));
                for (k, v) in url.libpq_env() {
                    cmd.env(k, v);
                }
                run_tool(cmd, "pg_dump", url.password())?;
                flushed(&file)
            }
            (Database::Sqlite(db), _) => {
                drop(file);
                db.backup_to(path).map_err(|e| {
                    Error::own(
                        "PM4002",
                        format!("the SQLite backup failed, nothing was applied: {e}"),
                    )
                })
            }
            #[cfg(feature = "mysql")]
            (Database::Mysql(_), Target::Mysql(url)) => {
                let tool = find_tool("mysqldump")
                    .or_else(|| find_tool("mariadb-dump"))
                    .ok_or_else(|| {
                        Error::own(
                            "PM4001",
                            "--backup needs mysqldump, which is not installed; nothing was applied",
                        )
                    })?;
                // `--` ends the options: a database named `--all-databases` is a name.
                let mut cmd = Command::new(tool);
                cmd.args(["--single-transaction", "--routines", "--no-tablespaces"])
                    .arg(format!("--host={}", url.host()))
                    .arg(format!("--port={}", url.port()))
                    .arg(format!("--user={}", url.user))
                    .arg("--")
                    .arg(&url.database)
                    .stdout(Stdio::from(file.try_clone().map_err(|e| {
                        Error::own("PM4002", format!("cannot use {}: {e}", path.display()))
                    })?));
                if let Some(p) = &url.password {
                    cmd.env("MYSQL_PWD", p);
                }
                run_tool(cmd, "mysqldump", url.password.as_deref())?;
                flushed(&file)
            }
            _ => unreachable!("a database matches its target"),
        }
    }
}

/// Whether the matching tool reads the backup back: `pg_restore --list`, SQLite's
/// `integrity_check`, mysqldump's closing `-- Dump completed` line.
fn verify(target: &Target, path: &Path) -> std::result::Result<(), String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size == 0 {
        return Err("the file is empty".to_owned());
    }
    match target {
        Target::Postgres(_) => {
            let tool = find_tool("pg_restore")
                .ok_or_else(|| "pg_restore, which checks it, is not installed".to_owned())?;
            let out = Command::new(tool)
                .arg("--list")
                .arg("--")
                .arg(path)
                .output()
                .map_err(|e| format!("pg_restore could not run: {e}"))?;
            if out.status.success() && !out.stdout.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "pg_restore --list: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ))
            }
        }
        Target::Sqlite(_) => sqlite_integrity(path),
        #[cfg(feature = "mysql")]
        Target::Mysql(_) => {
            use std::io::{Read, Seek, SeekFrom};
            let mut f = std::fs::File::open(path).map_err(|e| e.to_string())?;
            let tail_len = size.min(512);
            f.seek(SeekFrom::End(-i64::try_from(tail_len).unwrap_or(512)))
                .map_err(|e| e.to_string())?;
            let mut tail = Vec::new();
            f.read_to_end(&mut tail).map_err(|e| e.to_string())?;
            if String::from_utf8_lossy(&tail).contains("-- Dump completed") {
                Ok(())
            } else {
                Err("it does not end with mysqldump's `-- Dump completed` line".to_owned())
            }
        }
    }
}

fn sqlite_integrity(path: &Path) -> std::result::Result<(), String> {
    use diesel::{Connection, QueryableByName, RunQueryDsl};
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let url = path
        .to_str()
        .ok_or_else(|| "the path is not UTF-8".to_owned())?;
    let mut conn = diesel::sqlite::SqliteConnection::establish(url).map_err(|e| e.to_string())?;
    let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .map_err(|e| e.to_string())?;
    match rows.first() {
        Some(c) if c.integrity_check == "ok" => Ok(()),
        Some(c) => Err(format!("integrity_check: {}", c.integrity_check)),
        None => Err("integrity_check gave no answer".to_owned()),
    }
}

/// `prismig-backup-<database>-<UTC time>.<ext>` in the working directory.
pub fn default_backup_path(target: &Target) -> PathBuf {
    // Time and a random part: two deploys in the same second do not meet.
    let time = crate::files::unique_stamp()
        .unwrap_or_else(|_| chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string());
    let (name, ext) = match target {
        Target::Postgres(url) => (url.database().to_owned(), "dump"),
        Target::Sqlite(url) => (url.file_name().trim_end_matches(".db").to_owned(), "db"),
        #[cfg(feature = "mysql")]
        Target::Mysql(url) => (url.database.clone(), "sql"),
    };
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    PathBuf::from(format!("prismig-backup-{safe}-{time}.{ext}"))
}
