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
    /// The script to send to the database: as `script`, but a file whose invalid UTF-8
    /// lies outside comments is refused (PM3115), naming the file and the byte offset.
    /// Prisma would send U+FFFD in place of those bytes, silently changing a string
    /// literal or an identifier (transcripts §9.4 b); inside a comment the change is
    /// harmless and the text (and checksum) are Prisma's (§9.4 a).
    pub fn script_to_apply(&self) -> Result<String, Error> {
        let path = self.dir.join("migration.sql");
        let bytes = std::fs::read(&path).map_err(|_| Error::MigrationFileNotFound {
            path: "migration.sql".to_owned(),
        })?;
        let (text, invalid) = decode_lossy(&bytes);
        if invalid.is_empty() {
            return Ok(text);
        }
        let comments = super::statements::comment_spans(&text);
        for (decoded_at, raw_at) in invalid {
            if !comments.iter().any(|c| c.contains(&decoded_at)) {
                return Err(Error::own(
                    "PM3115",
                    format!(
                        "{}: the byte at offset {raw_at} is not UTF-8, outside a comment. Prisma would replace it with U+FFFD and change the script without a word; prismig applies nothing. Re-encode the file as UTF-8 (for Latin-1: iconv -f latin1 -t utf-8).",
                        path.display()
                    ),
                ));
            }
        }
        Ok(text)
    }

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

/// `String::from_utf8_lossy`, and for each U+FFFD it put in, its byte offset in the
/// decoded text and the offset of the invalid bytes in the file.
fn decode_lossy(bytes: &[u8]) -> (String, Vec<(usize, usize)>) {
    let mut text = String::with_capacity(bytes.len());
    let mut invalid = Vec::new();
    let mut raw = 0;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        raw += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            invalid.push((text.len(), raw));
            text.push('\u{fffd}');
            raw += chunk.invalid().len();
        }
    }
    (text, invalid)
}

#[cfg(test)]
mod decode_tests {
    use super::decode_lossy;

    #[test]
    fn lossy_decoding_matches_the_standard_library_and_locates_each_byte() {
        // Transcripts §9.4 b: ff and fe are two invalid sequences, two U+FFFD.
        let bytes = b"INSERT INTO t VALUES ('a\xff\xfeb');\n-- caf\xe9\n";
        let (text, invalid) = decode_lossy(bytes);
        assert_eq!(text, String::from_utf8_lossy(bytes));
        assert_eq!(invalid, [(24, 24), (27, 25), (41, 37)]);
    }
}
