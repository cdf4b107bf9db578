//! The files prismig writes (repair records, cleanup manifests and trash, backups): created
//! exclusively (`O_EXCL`), never over an existing file, mode 0600 in directories of mode
//! 0700, under names made unique by the time and a random part; and moves that also work
//! between two filesystems. Modes apply where the system has them (Unix); on Windows new
//! files and folders take the permissions of the folder they are made in.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, Write};
#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

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

/// A folder builder that gives new folders `mode` (Unix).
pub fn dir_builder(mode: u32) -> DirBuilder {
    #[cfg(unix)]
    {
        let mut builder = DirBuilder::new();
        builder.mode(mode);
        builder
    }
    #[cfg(not(unix))]
    {
        let _ = mode;
        DirBuilder::new()
    }
}

/// Options that create a new file for writing, mode `mode` (Unix), and fail if anything
/// exists at the path (a symbolic link included).
pub fn new_file_options(mode: u32) -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(mode);
    #[cfg(not(unix))]
    let _ = mode;
    options
}

/// Creates `dir` and its missing parents with mode 0700.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    dir_builder(0o700).recursive(true).create(dir)
}

/// A new file, mode 0600; fails if anything exists at `path` (a symbolic link included).
pub fn create_new(path: &Path) -> io::Result<File> {
    new_file_options(0o600).open(path)
}

/// A new folder of mode 0700 under the system's temporary folder, removed with its
/// contents when dropped. Holds secrets that a library reads only from a path (a client
/// key for libpq) where the system has no memory-only files.
#[derive(Debug)]
pub struct TempPrivateDir {
    path: PathBuf,
}

impl TempPrivateDir {
    pub fn new() -> io::Result<TempPrivateDir> {
        let path = std::env::temp_dir().join(format!("prismig-{}", unique_stamp()?));
        // Not recursive: the folder must be new, so that nobody else can have opened it.
        dir_builder(0o700).create(&path)?;
        Ok(TempPrivateDir { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes a new file of mode 0600 named `name` inside; returns its path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        let path = self.path.join(name);
        create_new(&path)?.write_all(bytes)?;
        Ok(path)
    }
}

impl Drop for TempPrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
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
        Err(e) if e.kind() == io::ErrorKind::CrossesDevices => {
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
    #[cfg(unix)]
    let permissions = std::fs::Permissions::from_mode(meta.permissions().mode() & 0o7777);
    #[cfg(not(unix))]
    let permissions = meta.permissions();
    if meta.file_type().is_symlink() {
        copy_symlink(from, to)
    } else if meta.is_dir() {
        dir_builder(0o700).create(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        sync_dir(to)?;
        std::fs::set_permissions(to, permissions)
    } else {
        let mut source = File::open(from)?;
        let mut dest = new_file_options(0o600).open(to)?;
        io::copy(&mut source, &mut dest)?;
        dest.set_permissions(permissions)?;
        dest.sync_all()
    }
}

#[cfg(unix)]
fn copy_symlink(from: &Path, to: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(std::fs::read_link(from)?, to)
}

/// Windows tells links to files from links to folders.
#[cfg(windows)]
fn copy_symlink(from: &Path, to: &Path) -> io::Result<()> {
    use std::os::windows::fs::FileTypeExt;
    let target = std::fs::read_link(from)?;
    if std::fs::symlink_metadata(from)?
        .file_type()
        .is_symlink_dir()
    {
        std::os::windows::fs::symlink_dir(target, to)
    } else {
        std::os::windows::fs::symlink_file(target, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
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

    // The PKCS#12 identity's PEM files where there are no memory-only files (§9
    // `sslidentity`): a new folder only its owner can enter, files only the owner can read
    // (libpq refuses others), all gone when dropped.
    #[cfg(unix)]
    #[test]
    fn a_temporary_private_folder_is_private_and_removed() {
        let first = TempPrivateDir::new().unwrap();
        let second = TempPrivateDir::new().unwrap();
        assert_ne!(first.path(), second.path());
        assert!(first.path().starts_with(std::env::temp_dir()));
        let mode = std::fs::metadata(first.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
        let key = first.write("key.pem", b"secret").unwrap();
        assert_eq!(std::fs::read(&key).unwrap(), b"secret");
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(
            first.write("key.pem", b"other").is_err(),
            "never overwritten"
        );
        let path = first.path().to_path_buf();
        drop(first);
        assert!(!path.exists(), "removed with its files");
        assert!(second.path().exists());
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
