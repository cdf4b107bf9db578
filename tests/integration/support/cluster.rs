//! A PostgreSQL cluster owned by one test: TLS on with a CA made here, scram passwords,
//! client-certificate login for `certuser`. For what the shared server cannot show (it
//! trusts every local connection and has no test CA).

use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{BasicConstraints, SubjectAlternativeName};
use openssl::x509::{X509NameBuilder, X509};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const PASSWORD: &str = "s3cret-Pw";
pub const P12_PASSWORD: &str = "p12-Pw";

pub struct Cluster {
    pub dir: tempfile::TempDir,
    pub port: u16,
    run_as: Vec<String>,
    pg_ctl: PathBuf,
}

fn find_bin(name: &str) -> PathBuf {
    // Debian keeps the server binaries per version: the newest first.
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path().join("bin")))
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions.reverse();
    super::find_bin(name, &versions)
        .unwrap_or_else(|| panic!("{name} not found: the TLS tests start their own PostgreSQL cluster and need the server binaries (apt-get install postgresql)"))
}

fn key() -> PKey<Private> {
    PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap()
}

fn cert(
    cn: &str,
    key: &PKey<Private>,
    issuer: Option<(&X509, &PKey<Private>)>,
    server: bool,
) -> X509 {
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", cn).unwrap();
    let name = name.build();
    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    b.set_serial_number(
        &BigNum::from_u32(rand_serial())
            .unwrap()
            .to_asn1_integer()
            .unwrap(),
    )
    .unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_pubkey(key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::days_from_now(2).unwrap())
        .unwrap();
    match issuer {
        None => {
            b.set_issuer_name(&name).unwrap();
            b.append_extension(BasicConstraints::new().critical().ca().build().unwrap())
                .unwrap();
            b.sign(key, MessageDigest::sha256()).unwrap();
        }
        Some((ca, ca_key)) => {
            b.set_issuer_name(ca.subject_name()).unwrap();
            if server {
                let san = SubjectAlternativeName::new()
                    .dns("localhost")
                    .ip("127.0.0.1")
                    .build(&b.x509v3_context(Some(ca), None))
                    .unwrap();
                b.append_extension(san).unwrap();
            }
            b.sign(ca_key, MessageDigest::sha256()).unwrap();
        }
    }
    b.build()
}

fn rand_serial() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("run a PostgreSQL server binary");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Cluster {
    pub fn start() -> Cluster {
        let initdb = find_bin("initdb");
        let pg_ctl = find_bin("pg_ctl");
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_owned();
        let root = root.as_path();
        let is_root = unsafe_geteuid() == 0;
        let run_as: Vec<String> = if is_root {
            vec![
                "runuser".into(),
                "-u".into(),
                "postgres".into(),
                "--".into(),
            ]
        } else {
            Vec::new()
        };
        let data = root.join("data");
        let certs = root.join("certs");
        std::fs::create_dir(&certs).unwrap();

        let ca_key = key();
        let ca = cert("prismig test CA", &ca_key, None, false);
        let other_key = key();
        let other_ca = cert("another CA", &other_key, None, false);
        let server_key = key();
        let server = cert("localhost", &server_key, Some((&ca, &ca_key)), true);
        let client_key = key();
        let client = cert("certuser", &client_key, Some((&ca, &ca_key)), false);
        std::fs::write(certs.join("ca.crt"), ca.to_pem().unwrap()).unwrap();
        std::fs::write(certs.join("other-ca.crt"), other_ca.to_pem().unwrap()).unwrap();
        std::fs::write(certs.join("server.crt"), server.to_pem().unwrap()).unwrap();
        std::fs::write(
            certs.join("server.key"),
            server_key.private_key_to_pem_pkcs8().unwrap(),
        )
        .unwrap();
        let p12 = openssl::pkcs12::Pkcs12::builder()
            .name("certuser")
            .pkey(&client_key)
            .cert(&client)
            .build2(P12_PASSWORD)
            .unwrap();
        std::fs::write(certs.join("client.p12"), p12.to_der().unwrap()).unwrap();
        std::fs::write(root.join("pwfile"), PASSWORD).unwrap();

        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if is_root {
            run(Command::new("chown").args(["-R", "postgres"]).arg(root));
            run(Command::new("chmod").arg("0755").arg(root));
        }
        run(Command::new("chmod")
            .arg("0600")
            .arg(certs.join("server.key")));
        let mut init = Command::new(run_as.first().map_or(initdb.as_os_str(), |s| s.as_ref()));
        init.args(run_as.iter().skip(1));
        if is_root {
            init.arg(&initdb);
        }
        run(init
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--no-sync",
            ])
            .arg(format!("--pwfile={}", root.join("pwfile").display())));
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostnossl all all 127.0.0.1/32 reject\nhostssl all certuser 127.0.0.1/32 cert\nhostssl all all 127.0.0.1/32 scram-sha-256\n",
        )
        .unwrap();
        let opts = format!(
            "-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c ssl=on -c ssl_cert_file={c}/server.crt -c ssl_key_file={c}/server.key -c ssl_ca_file={c}/ca.crt",
            root = root.display(),
            c = certs.display()
        );
        let cluster = Cluster {
            dir,
            port,
            run_as,
            pg_ctl,
        };
        cluster.ctl(&[
            "-o",
            &opts,
            "-l",
            &root.join("log").to_string_lossy(),
            "-w",
            "start",
        ]);
        let admin = format!(
            "postgresql://postgres@localhost:{port}/postgres?host={}",
            root.display()
        );
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        diesel::pg::PgConnection::establish(&admin)
            .expect("connect to the test cluster over its socket")
            .batch_execute("CREATE ROLE certuser LOGIN CREATEDB")
            .unwrap();
        cluster
    }

    fn ctl(&self, args: &[&str]) {
        let data = self.dir.path().join("data");
        let mut c = match self.run_as.first() {
            Some(first) => {
                let mut c = Command::new(first);
                c.args(&self.run_as[1..]).arg(&self.pg_ctl);
                c
            }
            None => Command::new(&self.pg_ctl),
        };
        run(c.arg("-D").arg(&data).args(args));
    }

    /// Restarts the server (fast shutdown: sessions are cut, transactions rolled back).
    pub fn restart(&self) {
        // With the log file: otherwise the new server keeps the test's output pipes open.
        let log = self.dir.path().join("log");
        self.ctl(&["-m", "fast", "-l", &log.to_string_lossy(), "-w", "restart"]);
    }

    pub fn certs(&self) -> PathBuf {
        self.dir.path().join("certs")
    }

    /// A TCP URL on the cluster.
    pub fn url(&self, userinfo: &str, db: &str, query: &str) -> String {
        format!(
            "postgresql://{userinfo}@localhost:{}/{db}?{query}",
            self.port
        )
    }

    pub fn cert_path(&self, name: &str) -> String {
        path_str(&self.certs().join(name))
    }
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn unsafe_geteuid() -> u32 {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let mut c = match self.run_as.first() {
            Some(first) => {
                let mut c = Command::new(first);
                c.args(&self.run_as[1..]).arg(&self.pg_ctl);
                c
            }
            None => Command::new(&self.pg_ctl),
        };
        let _ = c
            .arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "stop"])
            .output();
    }
}
