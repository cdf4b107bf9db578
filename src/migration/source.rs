//! Listing the migrations folder exactly as Prisma ≥ 6.6 does (§3.2, §3.3).

use super::collation::sort_key;
use crate::error::Error;
use std::path::{Path, PathBuf};

/// One migration folder. Its script is read only when needed, which is also when Prisma
/// reports a missing `migration.sql` (§3.3).
#[derive(Debug, Clone)]
pub struct LocalMigration {
    pub name: String,
    pub dir: PathBuf,
}

impl LocalMigration {
    /// The script as Node reads it: UTF-8 with invalid sequences replaced by U+FFFD and a
    /// BOM kept. A missing or unreadable file is P3015.
    pub fn script(&self) -> Result<String, Error> {
        match std::fs::read(self.dir.join("migration.sql")) {
            Ok(bytes) => Ok(match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            }),
            Err(_) => Err(Error::MigrationFileNotFound {
                path: "migration.sql".to_owned(),
            }),
        }
    }
}

#[derive(Debug, Clone)]
pub struct MigrationsDir {
    pub path: PathBuf,
    /// `migration_lock.toml` content; `None` when missing or unreadable (no provider check).
    pub lockfile: Option<String>,
    pub migrations: Vec<LocalMigration>,
}

impl MigrationsDir {
    /// Any error reading the folder yields an empty list, as in Prisma.
    pub fn read(path: &Path) -> MigrationsDir {
        let lockfile = std::fs::read(path.join("migration_lock.toml"))
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        let migrations: Vec<LocalMigration> = match std::fs::read_dir(path) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                // DirEntry::file_type does not follow symlinks: linked folders are skipped.
                .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
                .map(|e| LocalMigration {
                    name: e.file_name().to_string_lossy().into_owned(),
                    dir: e.path(),
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        // Keys computed once; the name breaks ties, as in locale_compare.
        let mut keyed: Vec<(Vec<u8>, LocalMigration)> = migrations
            .into_iter()
            .map(|m| (sort_key(&m.name), m))
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
        let migrations: Vec<LocalMigration> = keyed.into_iter().map(|(_, m)| m).collect();
        MigrationsDir {
            path: path.to_owned(),
            lockfile,
            migrations,
        }
    }

    pub fn find(&self, name: &str) -> Option<&LocalMigration> {
        self.migrations.iter().find(|m| m.name == name)
    }

    pub fn names(&self) -> Vec<&str> {
        self.migrations.iter().map(|m| m.name.as_str()).collect()
    }
}
