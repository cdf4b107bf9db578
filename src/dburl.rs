//! Prisma connection URLs: parsing, translation to libpq, the header line, masking.
//!
//! Prisma's engine parses URLs with the `url` crate (WHATWG) and quaint
//! (`prisma-migrate.md` §9); so do we, so that malformed URLs fail with the same
//! P1013 details (`invalid port number`, …).

use crate::error::{Error, Result};
#[cfg(target_os = "linux")]
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use url::Url;

/// Database families prismig speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Postgres,
    Sqlite,
    Mysql,
}

impl Provider {
    /// The value Prisma writes into `migration_lock.toml` (§3.4).
    pub fn lock_name(self) -> &'static str {
        match self {
            Provider::Postgres => "postgresql",
            Provider::Sqlite => "sqlite",
            Provider::Mysql => "mysql",
        }
    }

    /// The name in the `Datasource` header (§8.4).
    pub fn pretty(self) -> &'static str {
        match self {
            Provider::Postgres => "PostgreSQL",
            Provider::Sqlite => "SQLite",
            Provider::Mysql => "MySQL",
        }
    }

    /// From a schema `provider = "…"` value.
    pub fn from_schema(value: &str) -> Option<Provider> {
        match value {
            "postgresql" | "postgres" => Some(Provider::Postgres),
            "sqlite" => Some(Provider::Sqlite),
            "mysql" => Some(Provider::Mysql),
            _ => None,
        }
    }

    /// From a URL scheme, for when there is no schema file.
    pub fn from_url(url: &str) -> Option<Provider> {
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Some(Provider::Postgres)
        } else if lower.starts_with("file:") {
            Some(Provider::Sqlite)
        } else if lower.starts_with("mysql") {
            Some(Provider::Mysql)
        } else {
            None
        }
    }
}

/// A parsed PostgreSQL URL, with Prisma's parameters separated from libpq's.
#[derive(Debug, Clone)]
pub struct PgUrl {
    /// Host from the URL authority (IPv6 brackets kept), if any.
    host: Option<String>,
    /// `host` query parameter: overrides the URL host; a path is a Unix-socket directory.
    host_param: Option<String>,
    port: Option<u16>,
    user: String,
    password: Option<String>,
    /// Database name as written in the URL (not percent-decoded), as Prisma prints it.
    db_raw: String,
    /// Percent-decoded database name, as libpq and the server see it.
    db: String,
    schema: String,
    /// Parameters passed through to libpq.
    passthrough: Vec<(String, String)>,
    connect_timeout: u64,
    pgbouncer: bool,
    /// `socket_timeout` in seconds, enforced as the server's `statement_timeout`.
    socket_timeout: Option<u64>,
    /// `sslidentity`: a PKCS#12 client identity, with its `sslpassword`.
    ssl_identity: Option<(String, Option<String>)>,
    /// Folder that relative certificate paths are resolved against (§8.3).
    base_dir: Option<PathBuf>,
    /// The identity converted to PEM files, made once per process.
    identity_files: Arc<OnceLock<std::result::Result<IdentityFiles, String>>>,
}

/// The PKCS#12 identity as the PEM certificate and key files libpq opens by path: on Linux
/// memory-only files, so that a decrypted private key never touches the disk.
#[cfg(target_os = "linux")]
#[derive(Debug)]
struct IdentityFiles {
    cert: OwnedFd,
    key: OwnedFd,
}

#[cfg(target_os = "linux")]
impl IdentityFiles {
    fn new(cert_pem: &[u8], key_pem: &[u8]) -> std::result::Result<IdentityFiles, String> {
        Ok(IdentityFiles {
            cert: memory_file("prismig-cert", cert_pem)?,
            key: memory_file("prismig-key", key_pem)?,
        })
    }

    /// (sslcert, sslkey)
    fn paths(&self) -> std::result::Result<(String, String), String> {
        Ok((
            format!("/proc/self/fd/{}", self.cert.as_raw_fd()),
            format!("/proc/self/fd/{}", self.key.as_raw_fd()),
        ))
    }
}

/// Elsewhere (no `memfd`) a new private temporary folder (0700, files 0600; on Windows the
/// user's own temporary folder), removed with the last copy of the URL. Compiled on Linux
/// too, where only its tests use it.
#[cfg_attr(target_os = "linux", allow(dead_code))]
#[derive(Debug)]
struct DiskIdentityFiles {
    dir: crate::files::TempPrivateDir,
}

#[cfg(not(target_os = "linux"))]
type IdentityFiles = DiskIdentityFiles;

#[cfg_attr(target_os = "linux", allow(dead_code))]
impl DiskIdentityFiles {
    fn new(cert_pem: &[u8], key_pem: &[u8]) -> std::result::Result<DiskIdentityFiles, String> {
        let dir = crate::files::TempPrivateDir::new()
            .map_err(|e| format!("cannot create a private temporary folder: {e}"))?;
        for (name, pem) in [("cert.pem", cert_pem), ("key.pem", key_pem)] {
            dir.write(name, pem)
                .map_err(|e| format!("cannot write {}: {e}", dir.path().join(name).display()))?;
        }
        Ok(DiskIdentityFiles { dir })
    }

    /// (sslcert, sslkey)
    fn paths(&self) -> std::result::Result<(String, String), String> {
        let path = |name: &str| {
            let path = self.dir.path().join(name);
            path.to_str().map(str::to_owned).ok_or_else(|| {
                format!(
                    "the temporary folder's path is not UTF-8: {}",
                    path.display()
                )
            })
        };
        Ok((path("cert.pem")?, path("key.pem")?))
    }
}

/// A file that lives in memory only (`memfd`), readable by libpq as `/proc/self/fd/N`.
#[cfg(target_os = "linux")]
fn memory_file(name: &str, content: &[u8]) -> std::result::Result<OwnedFd, String> {
    let cname = std::ffi::CString::new(name).map_err(|e| e.to_string())?;
    // SAFETY: a valid C string and flags; the result is checked.
    let raw = unsafe { libc::memfd_create(cname.as_ptr(), libc::MFD_CLOEXEC) };
    if raw < 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    // SAFETY: raw is a fresh descriptor that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(raw) };
    // libpq refuses keys readable by group or others.
    // SAFETY: fd is open.
    if unsafe { libc::fchmod(fd.as_raw_fd(), 0o600) } != 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    let mut file = std::fs::File::from(fd.try_clone().map_err(|e| e.to_string())?);
    std::io::Write::write_all(&mut file, content).map_err(|e| e.to_string())?;
    Ok(fd)
}

/// PKCS#12 identity → (certificate PEM, key PEM) files.
fn identity_to_pem(
    path: &Path,
    password: Option<&str>,
) -> std::result::Result<IdentityFiles, String> {
    let der = std::fs::read(path)
        .map_err(|e| format!("identity file not found ({}): {e}", path.display()))?;
    let parsed = openssl::pkcs12::Pkcs12::from_der(&der)
        .and_then(|p| p.parse2(password.unwrap_or("")))
        .map_err(|e| format!("cannot read the PKCS#12 identity {}: {e}", path.display()))?;
    let (Some(cert), Some(key)) = (parsed.cert, parsed.pkey) else {
        return Err(format!(
            "the PKCS#12 identity {} holds no certificate and key",
            path.display()
        ));
    };
    let mut cert_pem = cert.to_pem().map_err(|e| e.to_string())?;
    for extra in parsed.ca.iter().flatten() {
        cert_pem.extend(extra.to_pem().map_err(|e| e.to_string())?);
    }
    let key_pem = key.private_key_to_pem_pkcs8().map_err(|e| e.to_string())?;
    IdentityFiles::new(&cert_pem, &key_pem)
}

/// Parameters Prisma understands that libpq would reject: stripped (§9).
const PRISMA_ONLY: &[&str] = &[
    "schema",
    "connection_limit",
    "pool_timeout",
    "pgbouncer",
    "statement_cache_size",
    "max_connection_lifetime",
    "max_idle_connection_lifetime",
    "single_use_connections",
    "socket_timeout",
    "sslaccept",
    "sslidentity",
    "connect_timeout",
    "sslmode",
    "sslcert",
    "host",
];

/// Parameters libpq accepts with the same meaning: passed through.
const PASSTHROUGH: &[&str] = &[
    "application_name",
    "options",
    "channel_binding",
    "sslkey",
    "sslrootcert",
    "target_session_attrs",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "gssencmode",
    "krbsrvname",
    "sslcompression",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
];

fn invalid(details: impl Into<String>) -> Error {
    Error::InvalidUrl {
        details: details.into(),
    }
}

fn decode(s: &str) -> String {
    percent_decode(s)
}

/// Percent-decoding as the `url` crate does it for userinfo: a stray `%` is kept, and
/// invalid UTF-8 keeps the raw text.
fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

impl PgUrl {
    pub fn parse(raw: &str) -> Result<PgUrl> {
        let url = Url::parse(raw).map_err(|e| invalid(e.to_string()))?;
        match url.scheme() {
            "postgres" | "postgresql" => {}
            _ => return Err(invalid("The scheme is not recognized")),
        }
        let mut schema = None;
        let mut host_param = None;
        let mut connect_timeout = 5;
        let mut pgbouncer = false;
        let mut passthrough = Vec::new();
        let mut sslmode = None;
        let mut sslaccept_strict = false;
        let mut socket_timeout = None;
        let mut ssl_identity = None;
        let mut ssl_password = None;
        for (k, v) in url.query_pairs() {
            let (k, v) = (k.into_owned(), v.into_owned());
            match k.as_str() {
                "schema" => schema = Some(v),
                "host" => host_param = Some(v),
                "connect_timeout" => {
                    connect_timeout = v
                        .parse()
                        .map_err(|_| invalid("invalid digit found in string"))?
                }
                "socket_timeout" => {
                    let secs: u64 = v
                        .parse()
                        .map_err(|_| invalid("invalid digit found in string"))?;
                    socket_timeout = (secs > 0).then_some(secs);
                }
                "sslidentity" => ssl_identity = Some(v),
                // The PKCS#12 password (Prisma), not libpq's key passphrase.
                "sslpassword" => ssl_password = Some(v),
                "connection_limit" | "statement_cache_size" | "pool_timeout" => {
                    v.parse::<u64>()
                        .map_err(|_| invalid("invalid digit found in string"))?;
                }
                "pgbouncer" => {
                    pgbouncer = v
                        .parse::<bool>()
                        .map_err(|_| invalid("provided string was not `true` or `false`"))?
                }
                // Prisma accepts only disable/prefer/require; anything else means prefer.
                "sslmode" => {
                    sslmode = Some(match v.as_str() {
                        "disable" | "require" => v,
                        _ => "prefer".to_owned(),
                    })
                }
                "sslaccept" => sslaccept_strict = v != "accept_invalid_certs",
                // Prisma's sslcert is the CA root certificate: libpq calls it sslrootcert.
                "sslcert" => passthrough.push(("sslrootcert".to_owned(), v)),
                k if PASSTHROUGH.contains(&k) => passthrough.push((k.to_owned(), v)),
                k if PRISMA_ONLY.contains(&k) => {}
                // Prisma ignores unknown parameters; libpq would reject them.
                _ => {}
            }
        }
        let has_ca = passthrough.iter().any(|(k, _)| k == "sslrootcert");
        let mode = match sslmode.as_deref() {
            Some("disable") => "disable",
            _ if sslaccept_strict => {
                // Prisma verifies against the system roots when no CA file is given.
                if !has_ca {
                    passthrough.push(("sslrootcert".to_owned(), "system".to_owned()));
                }
                "verify-full"
            }
            Some("require") => "require",
            _ => "prefer",
        };
        passthrough.push(("sslmode".to_owned(), mode.to_owned()));

        let host = url.host_str().filter(|h| !h.is_empty()).map(str::to_owned);
        let path = url.path();
        let db_raw = path
            .strip_prefix('/')
            .unwrap_or(path)
            .split('/')
            .next()
            .unwrap_or("")
            .to_owned();
        let db = if db_raw.is_empty() {
            "postgres".to_owned()
        } else {
            decode(&db_raw)
        };
        let user = if url.username().is_empty() {
            String::new()
        } else {
            decode(url.username())
        };
        Ok(PgUrl {
            host,
            host_param,
            port: url.port(),
            user,
            password: url.password().map(decode),
            db_raw,
            db,
            schema: schema.unwrap_or_else(|| "public".to_owned()),
            passthrough,
            connect_timeout,
            pgbouncer,
            socket_timeout,
            ssl_identity: ssl_identity.map(|i| (i, ssl_password)),
            base_dir: None,
            identity_files: Arc::new(OnceLock::new()),
        })
    }

    /// Resolve relative certificate paths against `dir` (the schema's folder in Prisma 6,
    /// the config's in Prisma 7).
    pub fn with_base_dir(mut self, dir: &Path) -> PgUrl {
        self.base_dir = Some(dir.to_owned());
        self
    }

    fn resolve(&self, p: &str) -> String {
        match &self.base_dir {
            Some(base) if !Path::new(p).is_absolute() && p != "system" => {
                base.join(p).to_string_lossy().into_owned()
            }
            _ => p.to_owned(),
        }
    }

    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The database name as the server knows it.
    pub fn database(&self) -> &str {
        &self.db
    }

    /// The database name as Prisma prints it (as written in the URL).
    pub fn database_display(&self) -> &str {
        if self.db_raw.is_empty() {
            "postgres"
        } else {
            &self.db_raw
        }
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    pub fn pgbouncer(&self) -> bool {
        self.pgbouncer
    }

    /// `host:port` or `host` as in the `Datasource` header (§8.4).
    pub fn header_location(&self) -> String {
        let host = self.host.clone().unwrap_or_default();
        if host.starts_with('/') || host.starts_with("./") || host.starts_with("../") {
            return format!("unix:{host}");
        }
        match self.port {
            Some(p) => format!("{host}:{p}"),
            None => host,
        }
    }

    /// `host:port` as in P1001 texts: the `host` parameter first, default port 5432.
    pub fn error_location(&self) -> String {
        let host = self
            .host_param
            .clone()
            .or_else(|| self.host.clone())
            .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_owned())
            .unwrap_or_else(|| "localhost".to_owned());
        format!("{host}:{}", self.port.unwrap_or(5432))
    }

    /// libpq's environment variables for client tools (`pg_dump`): the password travels in
    /// the environment, never on a command line. Holds the password: never print it.
    pub fn libpq_env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            (
                "PGHOST",
                self.host_param
                    .clone()
                    .or_else(|| {
                        self.host
                            .clone()
                            .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_owned())
                    })
                    .unwrap_or_else(|| "localhost".to_owned()),
            ),
            ("PGPORT", self.port.unwrap_or(5432).to_string()),
            ("PGDATABASE", self.db.clone()),
            ("PGCONNECT_TIMEOUT", self.connect_timeout.to_string()),
        ];
        if !self.user.is_empty() {
            env.push(("PGUSER", self.user.clone()));
        }
        if let Some(p) = &self.password {
            env.push(("PGPASSWORD", p.clone()));
        }
        for (k, v) in &self.passthrough {
            let var = match k.as_str() {
                "sslmode" => "PGSSLMODE",
                "sslrootcert" => "PGSSLROOTCERT",
                "sslkey" => "PGSSLKEY",
                "application_name" => "PGAPPNAME",
                "options" => "PGOPTIONS",
                "channel_binding" => "PGCHANNELBINDING",
                _ => continue,
            };
            let v = if var == "PGSSLROOTCERT" || var == "PGSSLKEY" {
                self.resolve(v)
            } else {
                v.clone()
            };
            env.push((var, v));
        }
        env
    }

    /// A copy pointing at another database (for `CREATE DATABASE` through an admin database).
    pub fn with_database(&self, db: &str) -> PgUrl {
        let mut other = self.clone();
        other.db = db.to_owned();
        other.db_raw = db.to_owned();
        other
    }

    /// libpq `key=value` connection string. Holds the password: never print it.
    /// Fails (P1011) when the TLS identity cannot be read.
    pub fn conninfo(&self) -> Result<String> {
        let mut parts: Vec<(String, String)> = Vec::new();
        let host = self
            .host_param
            .clone()
            .or_else(|| {
                self.host
                    .as_ref()
                    .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_owned())
            })
            .unwrap_or_else(|| "localhost".to_owned());
        parts.push(("host".into(), host));
        parts.push(("port".into(), self.port.unwrap_or(5432).to_string()));
        if !self.user.is_empty() {
            parts.push(("user".into(), self.user.clone()));
        }
        if let Some(p) = &self.password {
            parts.push(("password".into(), p.clone()));
        }
        parts.push(("dbname".into(), self.db.clone()));
        if self.connect_timeout > 0 {
            parts.push(("connect_timeout".into(), self.connect_timeout.to_string()));
        }
        for (k, v) in &self.passthrough {
            match k.as_str() {
                "sslrootcert" | "sslkey" => parts.push((k.clone(), self.resolve(v))),
                "options" => {}
                _ => parts.push((k.clone(), v.clone())),
            }
        }
        let mut options: Vec<String> = self
            .passthrough
            .iter()
            .filter(|(k, _)| k == "options")
            .map(|(_, v)| v.clone())
            .collect();
        if let Some(secs) = self.socket_timeout {
            options.push(format!("-c statement_timeout={}", secs * 1000));
        }
        if !options.is_empty() {
            parts.push(("options".into(), options.join(" ")));
        }
        if let Some((identity, password)) = &self.ssl_identity {
            let path = PathBuf::from(self.resolve(identity));
            let files = self
                .identity_files
                .get_or_init(|| identity_to_pem(&path, password.as_deref()));
            match files
                .as_ref()
                .map_err(String::clone)
                .and_then(IdentityFiles::paths)
            {
                Ok((cert, key)) => {
                    parts.push(("sslcert".into(), cert));
                    parts.push(("sslkey".into(), key));
                }
                Err(message) => return Err(Error::Tls { message }),
            }
        }
        if !self
            .passthrough
            .iter()
            .any(|(k, _)| k == "application_name")
        {
            parts.push(("application_name".into(), "prismig".into()));
        }
        Ok(parts
            .iter()
            .map(|(k, v)| format!("{k}='{}'", v.replace('\\', "\\\\").replace('\'', "\\'")))
            .collect::<Vec<_>>()
            .join(" "))
    }
}

/// A Prisma SQLite URL: `file:<path>[?params]`, relative paths against the schema's folder
/// (Prisma 6) or the config's (Prisma 7) (§8.3).
#[derive(Debug, Clone)]
pub struct SqliteUrl {
    raw: String,
    path: PathBuf,
}

impl SqliteUrl {
    pub fn parse(raw: &str, base_dir: &Path) -> Result<SqliteUrl> {
        let rest = raw
            .strip_prefix("file:")
            .ok_or_else(|| invalid("The scheme is not recognized"))?;
        let rest = rest.split('?').next().unwrap_or("");
        // `file://abs/path` and `file:///abs/path` name absolute paths.
        let rest = match rest.strip_prefix("//") {
            Some(r) if r.starts_with('/') => r,
            Some(r) => {
                return Ok(SqliteUrl {
                    raw: raw.to_owned(),
                    path: PathBuf::from(format!("/{r}")),
                })
            }
            None => rest,
        };
        if rest.is_empty() {
            return Err(invalid("empty SQLite database path"));
        }
        let decoded = percent_decode(rest);
        let path = Path::new(&decoded);
        let path = if path.is_absolute() {
            path.to_owned()
        } else {
            base_dir.join(path)
        };
        Ok(SqliteUrl {
            raw: raw.to_owned(),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database name Prisma prints: the file name.
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The location Prisma prints: the whole URL as written.
    pub fn location(&self) -> &str {
        &self.raw
    }
}

/// A Prisma MySQL URL (§9 applies to PostgreSQL; MySQL takes `socket`, `connect_timeout`,
/// `sslcert`, `sslaccept` and pool settings, which are ignored here).
#[derive(Debug, Clone)]
pub struct MysqlUrl {
    host: String,
    port: Option<u16>,
    pub user: String,
    pub password: Option<String>,
    db_raw: String,
    pub database: String,
    pub socket: Option<String>,
    pub connect_timeout: u64,
    pub ssl_ca: Option<String>,
    pub ssl_strict: bool,
    /// PlanetScale has no `GET_LOCK` (§4.5).
    pub planetscale: bool,
    /// Fail on a `GET_LOCK` timeout instead of going on (`--strict-lock`).
    pub strict_lock: bool,
}

impl MysqlUrl {
    pub fn parse(raw: &str, base_dir: &Path) -> Result<MysqlUrl> {
        let url = Url::parse(raw).map_err(|e| invalid(e.to_string()))?;
        if !url.scheme().starts_with("mysql") {
            return Err(invalid("The scheme is not recognized"));
        }
        let mut socket = None;
        let mut connect_timeout = 5;
        let mut ssl_ca = None;
        let mut ssl_strict = false;
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "socket" => socket = Some(v.into_owned()),
                "connect_timeout" => {
                    connect_timeout = v
                        .parse()
                        .map_err(|_| invalid("invalid digit found in string"))?
                }
                "sslcert" => {
                    let p = Path::new(v.as_ref());
                    ssl_ca = Some(
                        if p.is_absolute() {
                            p.to_owned()
                        } else {
                            base_dir.join(p)
                        }
                        .to_string_lossy()
                        .into_owned(),
                    );
                }
                "sslaccept" => ssl_strict = v != "accept_invalid_certs",
                _ => {}
            }
        }
        let db_raw = url
            .path()
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("")
            .to_owned();
        Ok(MysqlUrl {
            host: url.host_str().unwrap_or("localhost").to_owned(),
            port: url.port(),
            user: percent_decode(url.username()),
            password: url.password().map(percent_decode),
            database: if db_raw.is_empty() {
                "mysql".to_owned()
            } else {
                percent_decode(&db_raw)
            },
            db_raw,
            socket,
            connect_timeout,
            ssl_ca,
            ssl_strict,
            planetscale: raw.contains(".psdb.cloud"),
            strict_lock: false,
        })
    }

    /// The header's database name: as written, `mysql` when there is none.
    pub fn database_display(&self) -> &str {
        if self.db_raw.is_empty() {
            "mysql"
        } else {
            &self.db_raw
        }
    }

    pub fn host(&self) -> &str {
        self.host.trim_start_matches('[').trim_end_matches(']')
    }

    pub fn port(&self) -> u16 {
        self.port.unwrap_or(3306)
    }

    /// `host:port`, or the host alone without an explicit port (§8.4).
    pub fn header_location(&self) -> String {
        match self.port {
            Some(p) => format!("{}:{p}", self.host),
            None => self.host.clone(),
        }
    }

    pub fn error_location(&self) -> String {
        format!("{}:{}", self.host(), self.port())
    }

    /// A URL for Diesel's MySQL connection (it reads `unix_socket`, `ssl_ca`, `ssl_mode`).
    /// Holds the password: never print it. `database: None` connects without one.
    pub fn diesel_url(&self, database: Option<&str>) -> String {
        let mut u = Url::parse("mysql://localhost").expect("static URL");
        let _ = u.set_host(Some(&self.host));
        let _ = u.set_port(Some(self.port()));
        let _ = u.set_username(&self.user);
        let _ = u.set_password(self.password.as_deref());
        if let Some(db) = database {
            u.set_path(&format!("/{db}"));
        }
        {
            let mut q = u.query_pairs_mut();
            if let Some(s) = &self.socket {
                q.append_pair("unix_socket", s);
            }
            if let Some(ca) = &self.ssl_ca {
                q.append_pair("ssl_ca", ca);
                q.append_pair(
                    "ssl_mode",
                    if self.ssl_strict {
                        "verify_identity"
                    } else {
                        "required"
                    },
                );
            }
        }
        u.to_string().trim_end_matches('?').to_owned()
    }
}

/// Replace the password of any URL-looking string with `****`, for messages.
pub fn mask(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("****"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Quote an identifier for PostgreSQL (`"a""b"`).
pub fn quote_ident(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Parsing a MySQL URL in any build (the MySQL connection itself needs the `mysql` feature);
/// for tools and fuzzing.
pub struct MysqlUrlParse;

impl MysqlUrlParse {
    pub fn parse(raw: &str, base_dir: &Path) -> Result<MysqlUrl> {
        MysqlUrl::parse(raw, base_dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prisma_parameters_and_strips_them() {
        let u = PgUrl::parse(
            "postgresql://u:p%40ss@127.0.0.1:5433/my%64b?schema=custom&connection_limit=5&pgbouncer=true&application_name=a+b",
        )
        .unwrap();
        assert_eq!(u.schema(), "custom");
        assert_eq!(u.database(), "mydb");
        assert_eq!(u.database_display(), "my%64b");
        assert_eq!(u.password(), Some("p@ss"));
        assert!(u.pgbouncer());
        let ci = u.conninfo().unwrap();
        assert!(ci.contains("dbname='mydb'"), "{ci}");
        assert!(ci.contains("application_name='a b'"), "{ci}");
        assert!(!ci.contains("schema"), "{ci}");
        assert!(ci.contains("connect_timeout='5'"), "{ci}");
    }

    #[test]
    fn header_and_error_locations() {
        let u = PgUrl::parse("postgresql://postgres@127.0.0.1:5432/db").unwrap();
        assert_eq!(u.header_location(), "127.0.0.1:5432");
        let u = PgUrl::parse("postgresql://postgres@localhost/db?host=/var/run/x").unwrap();
        assert_eq!(u.header_location(), "localhost");
        assert_eq!(u.error_location(), "/var/run/x:5432");
        let u = PgUrl::parse("postgresql://postgres@[::1]:5432/db").unwrap();
        assert_eq!(u.error_location(), "::1:5432");
        let u = PgUrl::parse("postgresql://postgres@h/").unwrap();
        assert_eq!(u.database_display(), "postgres");
    }

    #[test]
    fn malformed_urls_are_p1013() {
        let e = PgUrl::parse("postgresql://x@127.0.0.1:99999/y").unwrap_err();
        assert_eq!(e.code(), "P1013");
        assert!(e
            .to_string()
            .contains("invalid port number in database URL"));
        let e = PgUrl::parse("postgresql://x@h/y?connect_timeout=abc").unwrap_err();
        assert_eq!(e.code(), "P1013");
    }

    #[test]
    fn conninfo_quotes_values() {
        let u = PgUrl::parse("postgresql://o%27neil:a%5Cb%27c@h/d").unwrap();
        let ci = u.conninfo().unwrap();
        assert!(ci.contains(r"user='o\'neil'"), "{ci}");
        assert!(ci.contains(r"password='a\\b\'c'"), "{ci}");
    }

    #[test]
    fn sqlite_paths_resolve_against_the_base_folder() {
        let base = Path::new("/p/prisma");
        let u = SqliteUrl::parse("file:./dev.db", base).unwrap();
        assert_eq!(u.path(), Path::new("/p/prisma/./dev.db"));
        assert_eq!(u.file_name(), "dev.db");
        assert_eq!(u.location(), "file:./dev.db");
        assert_eq!(
            SqliteUrl::parse("file:dev.db?connection_limit=1", base)
                .unwrap()
                .path(),
            Path::new("/p/prisma/dev.db")
        );
        assert_eq!(
            SqliteUrl::parse("file:/abs/x.db", base).unwrap().path(),
            Path::new("/abs/x.db")
        );
        assert_eq!(
            SqliteUrl::parse("file:///abs/x.db", base).unwrap().path(),
            Path::new("/abs/x.db")
        );
        assert_eq!(SqliteUrl::parse("file:", base).unwrap_err().code(), "P1013");
    }

    #[test]
    fn mask_hides_passwords() {
        assert_eq!(
            mask("postgresql://u:secret@h:5432/d"),
            "postgresql://u:****@h:5432/d"
        );
        assert_eq!(mask("postgresql://u@h/d"), "postgresql://u@h/d");
    }

    #[test]
    fn quote_ident_doubles_quotes() {
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }

    // §9: "special characters in passwords must be percent-encoded"; the `url` crate (and
    // Prisma) decode only `%` followed by two hex digits and keep any other text as is.
    #[test]
    fn percent_decode_only_decodes_percent_and_two_hex_digits() {
        let rows: &[(&str, &str, &str)] = &[
            (
                "app2024",
                "app2024",
                "digits after a letter are not an escape",
            ),
            ("pass1234", "pass1234", "a password of digits is kept"),
            // (escapes after text first: a broken index step then fails instead of looping)
            ("abcd%41", "abcdA", "an escape after text"),
            ("a%41b", "aAb", "text after an escape"),
            ("%41", "A", "an escape at the start"),
            ("%41%42", "AB", "two escapes in a row"),
            ("a%2f", "a/", "lowercase hex digits"),
            ("a%2F", "a/", "uppercase hex digits"),
            ("%", "%", "a lone % is kept"),
            ("100%", "100%", "a trailing % is kept"),
            ("%4", "%4", "one hex digit at the end is kept"),
            (
                "ab%4",
                "ab%4",
                "one hex digit at the end after text is kept",
            ),
            ("%4g", "%4g", "the second character must be a hex digit"),
            ("%g4", "%g4", "the first character must be a hex digit"),
            ("%%41", "%A", "a stray % before an escape"),
            ("%e2%82%ac", "€", "escapes form UTF-8"),
            ("%ff%41", "%ff%41", "invalid UTF-8 keeps the raw text"),
            ("", "", "empty"),
        ];
        for (input, expected, rule) in rows {
            assert_eq!(percent_decode(input), *expected, "{input}: {rule}");
        }
    }

    /// The value of `key` in a conninfo string, quotes removed.
    fn conninfo_value(ci: &str, key: &str) -> Option<String> {
        let prefix = format!("{key}='");
        ci.split("' ")
            .find_map(|part| part.strip_prefix(&prefix))
            .map(|v| v.trim_end_matches('\'').to_owned())
    }

    // §9 rows `sslmode`, `sslaccept`, `sslcert`: Prisma accepts only disable/prefer/require
    // (anything else is prefer); `sslaccept=strict` (or any value but
    // `accept_invalid_certs`) verifies chain and host name, against the system roots unless
    // `sslcert` names the CA; `sslcert` is the CA file (libpq's `sslrootcert`).
    #[test]
    fn prisma_tls_parameters_map_to_libpq() {
        let rows: &[(&str, &str, Option<&str>, &str)] = &[
            ("", "prefer", None, "default prefer"),
            ("sslmode=disable", "disable", None, "disable kept"),
            ("sslmode=prefer", "prefer", None, "prefer kept"),
            ("sslmode=require", "require", None, "require kept"),
            (
                "sslmode=verify-full",
                "prefer",
                None,
                "verify-full is not Prisma's: prefer",
            ),
            (
                "sslmode=verify-ca",
                "prefer",
                None,
                "verify-ca is not Prisma's: prefer",
            ),
            (
                "sslmode=allow",
                "prefer",
                None,
                "allow is not Prisma's: prefer",
            ),
            (
                "sslaccept=strict",
                "verify-full",
                Some("system"),
                "strict: system roots",
            ),
            (
                "sslaccept=other",
                "verify-full",
                Some("system"),
                "unknown sslaccept: strict",
            ),
            (
                "sslaccept=accept_invalid_certs",
                "prefer",
                None,
                "no verification",
            ),
            (
                "sslmode=require&sslaccept=accept_invalid_certs",
                "require",
                None,
                "require without verification",
            ),
            (
                "sslmode=require&sslaccept=strict",
                "verify-full",
                Some("system"),
                "strict wins",
            ),
            (
                "sslmode=disable&sslaccept=strict",
                "disable",
                None,
                "disable wins over strict",
            ),
            (
                "sslaccept=strict&sslcert=/ca.pem",
                "verify-full",
                Some("/ca.pem"),
                "sslcert is the CA: no system roots",
            ),
            (
                "sslcert=/ca.pem",
                "prefer",
                Some("/ca.pem"),
                "sslcert alone is renamed",
            ),
            (
                "sslrootcert=/root.pem&sslaccept=strict",
                "verify-full",
                Some("/root.pem"),
                "libpq's sslrootcert passes through",
            ),
        ];
        for (query, mode, rootcert, rule) in rows {
            let u = PgUrl::parse(&format!("postgresql://u@h/d?{query}")).unwrap();
            let ci = u.conninfo().unwrap();
            assert_eq!(
                conninfo_value(&ci, "sslmode").as_deref(),
                Some(*mode),
                "{query}: {rule}: {ci}"
            );
            assert_eq!(
                conninfo_value(&ci, "sslrootcert").as_deref(),
                *rootcert,
                "{query}: {rule}: {ci}"
            );
            assert_eq!(
                ci.matches("sslrootcert=").count(),
                usize::from(rootcert.is_some()),
                "{ci}"
            );
            assert!(!ci.contains("sslaccept"), "{ci}");
            assert!(
                !ci.contains("sslcert="),
                "{query}: Prisma's sslcert is never libpq's: {ci}"
            );
            let env = u.libpq_env();
            let get = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
            assert_eq!(get("PGSSLMODE"), Some(*mode), "{query}: {rule}");
            assert_eq!(get("PGSSLROOTCERT"), *rootcert, "{query}: {rule}");
        }
    }

    // §8.3: relative certificate paths resolve against the schema's (or config's) folder;
    // libpq's special value `system` and absolute paths are kept.
    #[test]
    fn certificate_paths_resolve_against_the_base_folder() {
        let base = Path::new("/p/prisma");
        let rows: &[(&str, &str, &str)] = &[
            (
                "sslcert=ca.pem",
                "/p/prisma/ca.pem",
                "relative: against the folder",
            ),
            ("sslcert=/etc/ca.pem", "/etc/ca.pem", "absolute: kept"),
            ("sslaccept=strict", "system", "system: kept"),
            ("sslrootcert=system", "system", "libpq's system: kept"),
        ];
        for (query, expected, rule) in rows {
            let u = PgUrl::parse(&format!("postgresql://u@h/d?{query}"))
                .unwrap()
                .with_base_dir(base);
            let ci = u.conninfo().unwrap();
            assert_eq!(
                conninfo_value(&ci, "sslrootcert").as_deref(),
                Some(*expected),
                "{rule}"
            );
            let env = u.libpq_env();
            assert!(
                env.contains(&("PGSSLROOTCERT", (*expected).to_owned())),
                "{rule}: {env:?}"
            );
        }
        let u = PgUrl::parse("postgresql://u@h/d?sslkey=k.pem")
            .unwrap()
            .with_base_dir(base);
        assert_eq!(
            conninfo_value(&u.conninfo().unwrap(), "sslkey").as_deref(),
            Some("/p/prisma/k.pem")
        );
        assert!(u
            .libpq_env()
            .contains(&("PGSSLKEY", "/p/prisma/k.pem".to_owned())));
        // without a base folder a relative path is left to libpq (the working directory)
        let u = PgUrl::parse("postgresql://u@h/d?sslcert=ca.pem").unwrap();
        assert_eq!(
            conninfo_value(&u.conninfo().unwrap(), "sslrootcert").as_deref(),
            Some("ca.pem")
        );
    }

    // libpq's conninfo syntax (`keyword='value'`); §9: connect_timeout defaults to 5 and
    // 0 means none; Prisma-only parameters never reach libpq; no `options` unless asked.
    #[test]
    fn conninfo_is_exactly_what_libpq_needs() {
        let rows: &[(&str, &str, &str)] = &[
            (
                "postgresql://u:pw@h:5433/d",
                "host='h' port='5433' user='u' password='pw' dbname='d' connect_timeout='5' sslmode='prefer' application_name='prismig'",
                "defaults: 5 s timeout, prefer, prismig as application",
            ),
            (
                "postgresql://h/d?connect_timeout=0&schema=s&pgbouncer=true&connection_limit=3&pool_timeout=1&statement_cache_size=0&unknown=1",
                "host='h' port='5432' dbname='d' sslmode='prefer' application_name='prismig'",
                "no user, no password, timeout 0 = none, Prisma-only and unknown parameters stripped",
            ),
            (
                "postgresql://u@h/d?connect_timeout=12&application_name=app&options=-c%20work_mem%3D1MB",
                "host='h' port='5432' user='u' dbname='d' connect_timeout='12' application_name='app' sslmode='prefer' options='-c work_mem=1MB'",
                "application_name and options pass through",
            ),
            (
                "postgresql://u@h/d?socket_timeout=3&options=-c%20a%3Db",
                "host='h' port='5432' user='u' dbname='d' connect_timeout='5' sslmode='prefer' options='-c a=b -c statement_timeout=3000' application_name='prismig'",
                "socket_timeout becomes statement_timeout in ms, after the user's options",
            ),
            (
                "postgresql://u@h/d?socket_timeout=0",
                "host='h' port='5432' user='u' dbname='d' connect_timeout='5' sslmode='prefer' application_name='prismig'",
                "socket_timeout 0 = none",
            ),
            (
                "postgresql://u@h/?host=/run/pg",
                "host='/run/pg' port='5432' user='u' dbname='postgres' connect_timeout='5' sslmode='prefer' application_name='prismig'",
                "the host parameter wins; database defaults to postgres",
            ),
            (
                "postgresql://u@[::1]:6000/d",
                "host='::1' port='6000' user='u' dbname='d' connect_timeout='5' sslmode='prefer' application_name='prismig'",
                "IPv6 brackets removed",
            ),
            (
                "postgresql:///d",
                "host='localhost' port='5432' dbname='d' connect_timeout='5' sslmode='prefer' application_name='prismig'",
                "host defaults to localhost",
            ),
        ];
        for (url, expected, rule) in rows {
            let ci = PgUrl::parse(url).unwrap().conninfo().unwrap();
            assert_eq!(ci, *expected, "{url}: {rule}");
        }
    }

    // The environment of libpq's client tools (`pg_dump`): everything needed to reach the
    // same server, the password included, and nothing libpq would reject.
    #[test]
    fn libpq_env_carries_the_connection() {
        let u = PgUrl::parse(
            "postgresql://us%40r:p%40ss@[::1]:6000/d%62?sslmode=require&connect_timeout=7&application_name=a&options=-c%20x%3Dy&channel_binding=require&schema=s&keepalives=1",
        )
        .unwrap();
        let owned = |v: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
            v.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
        };
        assert_eq!(
            u.libpq_env(),
            owned(&[
                ("PGHOST", "::1"),
                ("PGPORT", "6000"),
                ("PGDATABASE", "db"),
                ("PGCONNECT_TIMEOUT", "7"),
                ("PGUSER", "us@r"),
                ("PGPASSWORD", "p@ss"),
                ("PGAPPNAME", "a"),
                ("PGOPTIONS", "-c x=y"),
                ("PGCHANNELBINDING", "require"),
                ("PGSSLMODE", "require"),
            ])
        );
        let u = PgUrl::parse("postgresql:///?host=/run/pg").unwrap();
        assert_eq!(
            u.libpq_env(),
            owned(&[
                ("PGHOST", "/run/pg"),
                ("PGPORT", "5432"),
                ("PGDATABASE", "postgres"),
                ("PGCONNECT_TIMEOUT", "5"),
                ("PGSSLMODE", "prefer"),
            ])
        );
        let u = PgUrl::parse("postgresql://h:1/d").unwrap();
        assert_eq!(u.libpq_env()[0], ("PGHOST", "h".to_owned()));
    }

    // §9: Prisma-side parameters are checked as the engine checks them (P1013).
    #[test]
    fn prisma_parameters_are_validated() {
        let rows: &[(&str, bool, &str)] = &[
            ("pgbouncer=true", true, "true"),
            ("pgbouncer=false", true, "false"),
            ("pgbouncer=yes", false, "pgbouncer must be true or false"),
            ("connection_limit=5", true, "integer"),
            (
                "connection_limit=x",
                false,
                "connection_limit must be an integer",
            ),
            ("pool_timeout=x", false, "pool_timeout must be an integer"),
            (
                "statement_cache_size=x",
                false,
                "statement_cache_size must be an integer",
            ),
            (
                "socket_timeout=x",
                false,
                "socket_timeout must be an integer",
            ),
            (
                "connect_timeout=-1",
                false,
                "connect_timeout must be a non-negative integer",
            ),
            ("unknown=x", true, "unknown parameters are ignored"),
        ];
        for (query, ok, rule) in rows {
            let r = PgUrl::parse(&format!("postgresql://u@h/d?{query}"));
            assert_eq!(r.is_ok(), *ok, "{query}: {rule}");
            if let Err(e) = r {
                assert_eq!(e.code(), "P1013", "{query}");
            }
        }
        assert!(!PgUrl::parse("postgresql://u@h/d?pgbouncer=false")
            .unwrap()
            .pgbouncer());
        assert!(!PgUrl::parse("postgresql://u@h/d").unwrap().pgbouncer());
        assert_eq!(
            PgUrl::parse("postgresql://u@h/d").unwrap().schema(),
            "public"
        );
        assert_eq!(PgUrl::parse("mysql://u@h/d").unwrap_err().code(), "P1013");
        assert_eq!(PgUrl::parse("postgres://u@h/d").unwrap().user(), "u");
        assert_eq!(PgUrl::parse("postgres://h/d").unwrap().user(), "");
        assert_eq!(PgUrl::parse("postgres://u@h/d").unwrap().password(), None);
    }

    // §8.4: the header prints host and port as written; P1001 texts default the port.
    #[test]
    fn locations() {
        let rows: &[(&str, &str, &str)] = &[
            ("postgresql://u@h:6000/d", "h:6000", "h:6000"),
            ("postgresql://u@h/d", "h", "h:5432"),
            ("postgresql://u@[::1]/d", "[::1]", "::1:5432"),
            ("postgresql:///d", "", "localhost:5432"),
            ("postgresql://u@h/d?host=/s", "h", "/s:5432"),
        ];
        for (url, header, error) in rows {
            let u = PgUrl::parse(url).unwrap();
            assert_eq!(u.header_location(), *header, "{url}");
            assert_eq!(u.error_location(), *error, "{url}");
        }
        let u = PgUrl::parse("postgresql://u@h/d")
            .unwrap()
            .with_database("other");
        assert_eq!((u.database(), u.database_display()), ("other", "other"));
        assert!(u.conninfo().unwrap().contains("dbname='other'"));
    }

    // §3.4 lock names, §8.4 header names, provider from the schema or the URL scheme.
    #[test]
    fn providers() {
        for (p, lock, pretty) in [
            (Provider::Postgres, "postgresql", "PostgreSQL"),
            (Provider::Sqlite, "sqlite", "SQLite"),
            (Provider::Mysql, "mysql", "MySQL"),
        ] {
            assert_eq!((p.lock_name(), p.pretty()), (lock, pretty));
            assert_eq!(Provider::from_schema(lock), Some(p));
        }
        assert_eq!(Provider::from_schema("postgres"), Some(Provider::Postgres));
        assert_eq!(Provider::from_schema("cockroachdb"), None);
        let rows: &[(&str, Option<Provider>)] = &[
            ("postgres://h/d", Some(Provider::Postgres)),
            ("POSTGRESQL://h/d", Some(Provider::Postgres)),
            ("file:dev.db", Some(Provider::Sqlite)),
            ("mysql://h/d", Some(Provider::Mysql)),
            ("sqlserver://h", None),
            ("prisma://h", None),
        ];
        for (url, p) in rows {
            assert_eq!(Provider::from_url(url), *p, "{url}");
        }
    }

    // Prisma's MySQL URL: default port 3306 and database `mysql`; `sslcert` is the CA
    // (relative to the schema folder), `sslaccept=strict` verifies the host name.
    #[test]
    fn mysql_urls() {
        let base = Path::new("/p/prisma");
        let u = MysqlUrl::parse("mysql://r%40t:p%40ss@db.example:3307/sh%6fp?sslcert=ca.pem&sslaccept=strict&connect_timeout=9&socket=/run/m.sock", base).unwrap();
        assert_eq!(
            (u.user.as_str(), u.password.as_deref()),
            ("r@t", Some("p@ss"))
        );
        assert_eq!(
            (u.database.as_str(), u.database_display()),
            ("shop", "sh%6fp")
        );
        assert_eq!((u.host(), u.port()), ("db.example", 3307));
        assert_eq!(u.header_location(), "db.example:3307");
        assert_eq!(u.error_location(), "db.example:3307");
        assert_eq!(u.ssl_ca.as_deref(), Some("/p/prisma/ca.pem"));
        assert!(u.ssl_strict && !u.planetscale && !u.strict_lock);
        assert_eq!(
            (u.connect_timeout, u.socket.as_deref()),
            (9, Some("/run/m.sock"))
        );
        assert_eq!(
            u.diesel_url(Some("x")),
            "mysql://r%40t:p%40ss@db.example:3307/x?unix_socket=%2Frun%2Fm.sock&ssl_ca=%2Fp%2Fprisma%2Fca.pem&ssl_mode=verify_identity"
        );
        let u = MysqlUrl::parse(
            "mysql://u@[::1]/?sslcert=/ca.pem&sslaccept=accept_invalid_certs",
            base,
        )
        .unwrap();
        assert_eq!(
            (u.database.as_str(), u.database_display()),
            ("mysql", "mysql")
        );
        assert_eq!((u.host(), u.port()), ("::1", 3306));
        assert_eq!(u.header_location(), "[::1]");
        assert_eq!(u.error_location(), "::1:3306");
        assert_eq!(u.ssl_ca.as_deref(), Some("/ca.pem"));
        assert!(!u.ssl_strict);
        assert_eq!(u.connect_timeout, 5);
        assert_eq!(
            u.diesel_url(None),
            "mysql://u@[::1]:3306?ssl_ca=%2Fca.pem&ssl_mode=required"
        );
        assert!(
            MysqlUrl::parse("mysql://u@x.psdb.cloud/d", base)
                .unwrap()
                .planetscale
        );
        assert_eq!(
            MysqlUrlParse::parse("postgresql://h/d", base)
                .unwrap_err()
                .code(),
            "P1013"
        );
        assert_eq!(
            MysqlUrl::parse("mysql://h/d?connect_timeout=x", base)
                .unwrap_err()
                .code(),
            "P1013"
        );
    }

    #[test]
    fn sqlite_urls_decode_and_take_hosts_as_folders() {
        let base = Path::new("/p/prisma");
        let rows: &[(&str, &str)] = &[
            ("file:my%20db.db", "/p/prisma/my db.db"),
            ("file://srv/x.db", "/srv/x.db"),
            ("file:sub/x.db?mode=ro", "/p/prisma/sub/x.db"),
            // Three slashes: an absolute path, decoded as any other.
            ("file:///tmp/my%20db.db", "/tmp/my db.db"),
        ];
        for (url, path) in rows {
            // As text: `Path`'s comparison would take `//tmp` for `/tmp`.
            assert_eq!(
                SqliteUrl::parse(url, base).unwrap().path().to_str(),
                Some(*path),
                "{url}"
            );
        }
        assert_eq!(SqliteUrl::parse("x.db", base).unwrap_err().code(), "P1013");
        assert_eq!(
            SqliteUrl::parse("file:?a=b", base).unwrap_err().code(),
            "P1013"
        );
    }

    #[test]
    fn mask_only_changes_passwords() {
        assert_eq!(mask("not a url"), "not a url");
        assert_eq!(mask("mysql://u:p@h/d"), "mysql://u:****@h/d");
    }

    // §9 table, column "translation for a libpq tool": which parameters reach libpq. Written
    // out here, not read from the constants, so that dropping a name from either list fails.
    #[test]
    fn which_url_parameters_reach_libpq() {
        let kept = [
            "application_name",
            "options",
            "channel_binding",
            "sslkey",
            "sslrootcert",
            "target_session_attrs",
            "keepalives",
            "keepalives_idle",
            "keepalives_interval",
            "keepalives_count",
            "tcp_user_timeout",
            "gssencmode",
            "krbsrvname",
            "sslcompression",
            "ssl_min_protocol_version",
            "ssl_max_protocol_version",
        ];
        for k in kept {
            let ci = PgUrl::parse(&format!("postgresql://u@h/d?{k}=v1"))
                .unwrap()
                .conninfo()
                .unwrap();
            assert!(ci.contains(&format!("{k}='v1'")), "{k} is kept: {ci}");
        }
        let stripped = [
            ("schema", "s"),
            ("connection_limit", "1"),
            ("pool_timeout", "1"),
            ("pgbouncer", "true"),
            ("statement_cache_size", "1"),
            ("max_connection_lifetime", "1"),
            ("max_idle_connection_lifetime", "1"),
            ("single_use_connections", "true"),
            ("socket_timeout", "0"),
            ("sslaccept", "accept_invalid_certs"),
            ("sslpassword", "pw"),
            ("api_key", "k"),
            ("not_a_parameter", "x"),
        ];
        for (k, v) in stripped {
            let ci = PgUrl::parse(&format!("postgresql://u@h/d?{k}={v}"))
                .unwrap()
                .conninfo()
                .unwrap();
            assert!(!ci.contains(&format!("{k}=")), "{k} is stripped: {ci}");
            assert!(!ci.contains(&format!("'{v}'")) || v == "1", "{k}: {ci}");
        }
    }

    // §8.4: a `host` that is a socket folder prints as `unix:<folder>`. The URL parser never
    // yields such a host (`/` ends the authority), so the field is set directly.
    #[test]
    fn socket_folders_print_as_unix() {
        for (host, expected) in [
            ("/run/pg", "unix:/run/pg"),
            ("./pg", "unix:./pg"),
            ("../pg", "unix:../pg"),
            ("pg", "pg:5432"),
            (".pg", ".pg:5432"),
        ] {
            let mut u = PgUrl::parse("postgresql://u@h:5432/d").unwrap();
            u.host = Some(host.to_owned());
            assert_eq!(u.header_location(), expected, "{host}");
        }
    }

    /// A PKCS#12 identity (EC key, self-signed certificate) protected by `password`.
    #[cfg(target_os = "linux")]
    fn pkcs12_identity(password: &str) -> Vec<u8> {
        use openssl::{asn1::Asn1Time, ec, hash::MessageDigest, nid::Nid, pkey::PKey, x509};
        let group = ec::EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let key = PKey::from_ec_key(ec::EcKey::generate(&group).unwrap()).unwrap();
        let mut name = x509::X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "prismig").unwrap();
        let name = name.build();
        let mut cert = x509::X509Builder::new().unwrap();
        cert.set_subject_name(&name).unwrap();
        cert.set_issuer_name(&name).unwrap();
        cert.set_pubkey(&key).unwrap();
        cert.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        cert.set_not_after(&Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        cert.sign(&key, MessageDigest::sha256()).unwrap();
        let cert = cert.build();
        openssl::pkcs12::Pkcs12::builder()
            .name("prismig")
            .pkey(&key)
            .cert(&cert)
            .build2(password)
            .unwrap()
            .to_der()
            .unwrap()
    }

    // §9 `sslidentity` where there are no memory-only files (macOS, Windows): the PEM files
    // are in a new folder only the owner can enter, readable by the owner alone (libpq
    // refuses others), and gone with the last copy of the URL.
    #[cfg(unix)]
    #[test]
    fn pkcs12_identity_on_disk_is_private_and_removed() {
        use std::os::unix::fs::PermissionsExt;
        let files = DiskIdentityFiles::new(b"CERT PEM", b"KEY PEM").unwrap();
        let (cert, key) = files.paths().unwrap();
        assert_eq!(std::fs::read(&cert).unwrap(), b"CERT PEM");
        assert_eq!(std::fs::read(&key).unwrap(), b"KEY PEM");
        let dir = Path::new(&cert).parent().unwrap().to_path_buf();
        assert_eq!(Path::new(&key).parent().unwrap(), dir);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(Path::new(&cert)), 0o600);
        assert_eq!(mode(Path::new(&key)), 0o600);
        drop(files);
        assert!(!dir.exists(), "the decrypted key does not outlive the run");
    }

    // §9 `sslidentity`/`sslpassword`: the PKCS#12 identity becomes libpq's PEM `sslcert` and
    // `sslkey`, in memory-only files libpq accepts (mode 0600); errors are P1011.
    #[cfg(target_os = "linux")]
    #[test]
    fn pkcs12_identity_becomes_pem_files_in_memory() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("id.p12"), pkcs12_identity("s3cret")).unwrap();
        let u = PgUrl::parse("postgresql://u@h/d?sslidentity=id.p12&sslpassword=s3cret")
            .unwrap()
            .with_base_dir(dir.path());
        let ci = u.conninfo().unwrap();
        assert!(
            !ci.contains("s3cret") && !ci.contains("sslidentity"),
            "{ci}"
        );
        let cert = conninfo_value(&ci, "sslcert").unwrap();
        let key = conninfo_value(&ci, "sslkey").unwrap();
        assert!(cert.starts_with("/proc/self/fd/") && key.starts_with("/proc/self/fd/"));
        assert_ne!(cert, key);
        let pem = std::fs::read_to_string(&cert).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
        let pem = std::fs::read_to_string(&key).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        for f in [&cert, &key] {
            let mode = std::fs::metadata(f).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "libpq refuses keys others can read");
        }
        assert_eq!(u.conninfo().unwrap(), ci, "made once, then reused");

        let rows = [
            ("sslidentity=id.p12&sslpassword=wrong", "wrong password"),
            ("sslidentity=id.p12", "no password for a protected identity"),
            ("sslidentity=missing.p12&sslpassword=s3cret", "missing file"),
        ];
        for (query, rule) in rows {
            let u = PgUrl::parse(&format!("postgresql://u@h/d?{query}"))
                .unwrap()
                .with_base_dir(dir.path());
            assert_eq!(u.conninfo().unwrap_err().code(), "P1011", "{rule}");
        }
    }
}
