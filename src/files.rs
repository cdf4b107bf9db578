//! The files prismig writes (repair records, cleanup manifests and trash, backups): created
//! exclusively (`O_EXCL`), never over an existing file, mode 0600 in directories of mode
//! 0700, under names made unique by the time and a random part; and moves that also work
//! between two filesystems.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// `20240101T000000.123Z-1a2b3c4d`: sorts by time; the random part keeps two runs in the
/// same millisecond (parallel pipelines in one working directory) apart.
pub fn unique_stamp() -> io::Result<String> {
    let id = crate::history::new_id().map_err(|e| io::Error::other(e.to_string()))?;
    let random: String = id.chars().filter(|c| *c != '-').take(8).collect();
    Ok(format!(
        "{}-{random}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
    ))
}

/// Creates `dir` and its missing parents with mode 0700.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// A new file, mode 0600; fails if anything exists at `path` (a symbolic link included).
pub fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// Writes `bytes` to a new file (see `create_new`) and flushes it to the disk.
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let result = create_new(path).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = result {
        if e.kind() != io::ErrorKind::AlreadyExists {
            let _ = std::fs::remove_file(path);
        }
        return Err(e);
    }
    Ok(())
}

/// SHA-256 of a file's bytes, hex.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path)?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Moves `from` (a file or a folder) to `to`, which must not exist. A rename where it can;
/// across filesystems a copy, flushed to the disk, then the removal of the original, so
/// that at every moment one whole copy exists.
pub fn move_path(from: &Path, to: &Path) -> io::Result<()> {
    if std::fs::symlink_metadata(to).is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists already", to.display()),
        ));
    }
    match std::fs::rename(from, to) {
        Err(e) if e.raw_os_error() == Some(libc::EXDEV) => {
            if let Err(e) = copy_tree(from, to) {
                let _ = remove_tree(to);
                return Err(e);
            }
            if let Some(parent) = to.parent() {
                sync_dir(parent)?;
            }
            remove_tree(from)
        }
        other => other,
    }
}

fn remove_tree(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    let meta = std::fs::symlink_metadata(from)?;
    let mode = meta.permissions().mode() & 0o7777;
    if meta.file_type().is_symlink() {
        std::os::unix::fs::symlink(std::fs::read_link(from)?, to)
    } else if meta.is_dir() {
        std::fs::DirBuilder::new().mode(0o700).create(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        sync_dir(to)?;
        std::fs::set_permissions(to, std::fs::Permissions::from_mode(mode))
    } else {
        let mut source = File::open(from)?;
        let mut dest = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(to)?;
        io::copy(&mut source, &mut dest)?;
        dest.set_permissions(std::fs::Permissions::from_mode(mode))?;
        dest.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_files_are_private_and_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a/b");
        private_dir(&sub).unwrap();
        let mode = std::fs::metadata(&sub).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        let f = sub.join("r.json");
        write_new(&f, b"one").unwrap();
        assert_eq!(
            std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let e = write_new(&f, b"two").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&f).unwrap(), b"one");
        // A planted link is not followed.
        let target = dir.path().join("victim");
        std::fs::write(&target, "keep").unwrap();
        let link = sub.join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(write_new(&link, b"x").is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    }

    #[test]
    fn stamps_differ_within_a_millisecond() {
        let stamps: std::collections::HashSet<String> =
            (0..200).map(|_| unique_stamp().unwrap()).collect();
        assert_eq!(stamps.len(), 200);
    }

    #[test]
    fn a_move_never_replaces_what_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, "a").unwrap();
        std::fs::write(&b, "b").unwrap();
        assert!(move_path(&a, &b).is_err());
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "b");
        std::fs::remove_file(&b).unwrap();
        move_path(&a, &b).unwrap();
        assert!(!a.exists());
    }
}
