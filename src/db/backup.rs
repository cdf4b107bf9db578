//! `deploy --backup`: a consistent copy of the database before anything is applied.
//! PostgreSQL through `pg_dump` (custom format), SQLite through its online backup API on the
//! locked connection, MySQL through `mysqldump --single-transaction`. Passwords go to the tools
//! in their environment, never on a command line.

use super::{Database, Target};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

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
    /// Writes a backup to `path`.
    pub fn backup(&mut self, target: &Target, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::own("PM4002", format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        match (self, target) {
            (Database::Postgres(_), Target::Postgres(url)) => {
                let tool = find_tool("pg_dump").ok_or_else(|| {
                    Error::own("PM4001", "--backup needs pg_dump, which is not installed (Debian: apt-get install postgresql-client); nothing was applied")
                })?;
                let mut cmd = Command::new(tool);
                cmd.arg("--format=custom")
                    .arg("--no-password")
                    .arg(format!("--file={}", path.display()));
                for (k, v) in url.libpq_env() {
                    cmd.env(k, v);
                }
                run_tool(cmd, "pg_dump", url.password())
            }
            (Database::Sqlite(db), _) => db.backup_to(path).map_err(|e| {
                Error::own(
                    "PM4002",
                    format!("the SQLite backup failed, nothing was applied: {e}"),
                )
            }),
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
                let mut cmd = Command::new(tool);
                cmd.args(["--single-transaction", "--routines", "--no-tablespaces"])
                    .arg(format!("--host={}", url.host()))
                    .arg(format!("--port={}", url.port()))
                    .arg(format!("--user={}", url.user))
                    .arg(format!("--result-file={}", path.display()))
                    .arg(&url.database);
                if let Some(p) = &url.password {
                    cmd.env("MYSQL_PWD", p);
                }
                run_tool(cmd, "mysqldump", url.password.as_deref())
            }
            _ => unreachable!("a database matches its target"),
        }
    }
}

/// `prismig-backup-<database>-<UTC time>.<ext>` in the working directory.
pub fn default_backup_path(target: &Target) -> PathBuf {
    let time = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
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
