//! A MariaDB server owned by one test, started with `--no-defaults`: latin1 is its default
//! character set, as on a server nobody configured (MySQL 5.7 and MariaDB without a
//! distribution's config). For what the shared server, configured for utf8mb4, cannot show.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Mariadb {
    port: u16,
    child: Child,
    // Removed after the server stops (fields drop after `drop` runs).
    _dir: tempfile::TempDir,
}

fn find_bin(names: &[&str]) -> PathBuf {
    names
        .iter()
        .find_map(|n| super::find_bin(n, &[PathBuf::from("/usr/sbin")]))
        .unwrap_or_else(|| panic!("none of {names:?} found: this test starts its own MariaDB server and needs the server binaries (apt-get install mariadb-server)"))
}

impl Mariadb {
    pub fn start() -> Mariadb {
        let install = find_bin(&["mariadb-install-db", "mysql_install_db"]);
        let server = find_bin(&["mariadbd", "mysqld"]);
        let dir = tempfile::tempdir().unwrap();
        // The server refuses to run as root without a user to switch to.
        let user: Vec<String> = if unsafe { libc::geteuid() } == 0 {
            let chown = Command::new("chown")
                .args(["mysql"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(chown.success(), "chown mysql {}", dir.path().display());
            vec!["--user=mysql".to_owned()]
        } else {
            vec![]
        };
        let data = dir.path().join("data");
        let out = Command::new(&install)
            .arg("--no-defaults")
            .args(&user)
            .arg(format!("--datadir={}", data.display()))
            .arg("--auth-root-authentication-method=normal")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{install:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // A free port: bound, then released for the server.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&server)
            .arg("--no-defaults")
            .args(&user)
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--port={port}"))
            .arg("--bind-address=127.0.0.1")
            .arg(format!("--socket={}", dir.path().join("sock").display()))
            .arg(format!("--pid-file={}", dir.path().join("pid").display()))
            .arg("--skip-log-bin")
            .arg("--innodb-flush-log-at-trx-commit=0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let me = Mariadb {
            port,
            child,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while diesel::Connection::establish(&me.url("mysql"))
            .map(|_: diesel::MysqlConnection| ())
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "the test's MariaDB did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        me
    }

    pub fn url(&self, db: &str) -> String {
        format!("mysql://root@127.0.0.1:{}/{db}", self.port)
    }

    pub fn conn(&self) -> diesel::MysqlConnection {
        diesel::Connection::establish(&self.url("mysql")).unwrap()
    }
}

impl Drop for Mariadb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
