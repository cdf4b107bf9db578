//! A tmpfs mounted by a test: a second filesystem, or a small one to fill up.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Tmpfs {
    pub path: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (`64k`, `1m`) at `path`, made if missing. A test that needs
    /// it fails when it cannot be had: it is never skipped in silence.
    pub fn mount(path: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(path).expect("mount point");
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(path)
            .output();
        match out {
            Ok(o) if o.status.success() => Tmpfs {
                path: path.to_owned(),
            },
            other => panic!(
                "this test needs a tmpfs of its own at {} (`mount -t tmpfs`, as root with CAP_SYS_ADMIN), and mounting failed: {other:?}",
                path.display()
            ),
        }
    }

    /// Fills the filesystem with 4 KiB files under `dir`, then frees `free_pages` of them.
    pub fn fill(&self, dir: &Path, free_pages: usize) {
        use std::io::Write;
        std::fs::create_dir_all(dir).expect("filler folder");
        let mut made = Vec::new();
        for i in 0.. {
            let f = dir.join(format!("fill{i}"));
            let ok = std::fs::File::create(&f)
                .and_then(|mut file| file.write_all(&[b'x'; 4096]).and_then(|()| file.sync_all()));
            if ok.is_err() {
                let _ = std::fs::remove_file(&f);
                break;
            }
            made.push(f);
        }
        assert!(made.len() > free_pages, "the tmpfs did not fill up");
        for f in made.iter().rev().take(free_pages) {
            std::fs::remove_file(f).expect("free a page");
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}
