//! Fleets: one command over many databases or schemas (`--targets FILE`, `--schemas
//! PATTERN`). This module is pure: the targets file, the schema pattern, the number of
//! jobs, and what a fleet reports. `commands::fleet` runs the targets, `db::fleet` asks the
//! servers, `output::fleet` prints.

use crate::error::FleetError;
use serde::Serialize;
use std::time::Duration;

/// One database (or schema) of a fleet.
#[derive(Debug, Clone)]
pub struct Target {
    /// The URL with the password masked: what is printed.
    pub label: String,
    /// The URL itself. Holds the password: never print it.
    pub url: String,
    /// Its line in the targets file (0: found by `--schemas`).
    pub line: usize,
}

/// `url` for printing: the password masked. When the URL parser finds no password but the
/// text has a `user:…@` part (a password with a bare `#`, `/` or `?` cuts the authority
/// short), that whole part is masked instead: where such a password ends cannot be known.
pub fn label(url: &str) -> String {
    if url::Url::parse(url).is_ok_and(|u| u.password().is_some()) {
        return crate::dburl::mask(url);
    }
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rfind('@') {
            Some(at) if rest[..at].contains(':') => format!("{scheme}://****{}", &rest[at..]),
            _ => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

impl Target {
    pub fn new(url: String, line: usize) -> Target {
        Target {
            label: label(&url),
            url,
            line,
        }
    }
}

/// The targets file: one URL or `$ENV_NAME` (also `${ENV_NAME}`) per line; `#` starts a
/// comment (at the start of a line or after blanks: `#` may appear in a URL's password
/// only percent-encoded, but a fragment-less URL never needs a bare one); blank lines are
/// skipped. `env` resolves variables. Lines are checked here for shape only; each URL is
/// parsed for the project's provider by the caller.
pub fn parse_targets(
    path: &str,
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Target>, FleetError> {
    let mut targets = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = match raw.find(" #").or_else(|| raw.find("\t#")) {
            Some(i) => &raw[..i],
            None => raw,
        };
        let content = content.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let bad = |reason: &str| FleetError::BadLine {
            path: path.to_owned(),
            line,
            text: label(content),
            reason: reason.to_owned(),
        };
        if content.chars().any(char::is_whitespace) {
            return Err(bad("one target per line, without spaces"));
        }
        let url = if let Some(var) = content.strip_prefix('$') {
            let name = var
                .strip_prefix('{')
                .and_then(|v| v.strip_suffix('}'))
                .unwrap_or(var);
            let valid = !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(bad("an environment variable name is letters, digits and _"));
            }
            match env(name) {
                Some(v) if !v.trim().is_empty() => v.trim().to_owned(),
                _ => {
                    return Err(FleetError::UnknownEnv {
                        path: path.to_owned(),
                        line,
                        name: name.to_owned(),
                    })
                }
            }
        } else {
            content.to_owned()
        };
        if !url.contains("://") && !url.starts_with("file:") {
            return Err(bad("a URL starts with its scheme, e.g. postgresql://"));
        }
        targets.push(Target::new(url, line));
    }
    if targets.is_empty() {
        return Err(FleetError::NoTarget {
            what: format!("{path} lists no database (only comments and blank lines)"),
        });
    }
    Ok(targets)
}

/// Whether `name` matches `pattern`: `*` any run of characters, `?` one character, the
/// rest literally (case-sensitive, as PostgreSQL names are).
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some('?') => {
                pi += 1;
                ni += 1;
            }
            Some(c) if *c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The URL of one schema: `base` with `schema=<name>` (replacing the base's own), as if
/// the user had written `?schema=`.
pub fn schema_url(base: &str, schema: &str) -> Result<String, String> {
    let mut url = url::Url::parse(base).map_err(|e| e.to_string())?;
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "schema")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    {
        let mut q = url.query_pairs_mut();
        q.clear();
        for (k, v) in &pairs {
            q.append_pair(k, v);
        }
        q.append_pair("schema", schema);
    }
    Ok(url.to_string())
}

/// The URL of one MySQL database of a server: `base` with its path replaced.
pub fn database_url(base: &str, database: &str) -> Result<String, String> {
    let mut url = url::Url::parse(base).map_err(|e| e.to_string())?;
    let encoded: String = url::form_urlencoded::byte_serialize(database.as_bytes()).collect();
    url.set_path(&format!("/{}", encoded.replace('+', "%20")));
    Ok(url.to_string())
}

/// Connections one target holds at once: PostgreSQL and MySQL deploys open a bookkeeping
/// session and a script session (ARCHITECTURE.md, "Execution model").
pub const CONNECTIONS_PER_TARGET: usize = 2;

/// `--jobs` by default: four per CPU (targets mostly wait for their server), at most 32.
pub fn default_jobs(cpus: usize) -> usize {
    (cpus.max(1) * 4).min(32)
}

/// The jobs a run uses: what was asked (or the default), never more than the targets, and
/// never more than the tightest server accepts at `CONNECTIONS_PER_TARGET` each (`free`:
/// the free connections of each server that could be asked). At least 1.
pub fn cap_jobs(asked: Option<usize>, cpus: usize, targets: usize, free: &[usize]) -> usize {
    let wanted = asked.unwrap_or_else(|| default_jobs(cpus));
    let server = free
        .iter()
        .map(|f| f / CONNECTIONS_PER_TARGET)
        .min()
        .unwrap_or(usize::MAX);
    wanted.min(targets).min(server).max(1)
}

/// A stable per-schema advisory key (FNV-1a of the database and schema names), used with
/// Prisma's key as the first half of a two-key advisory lock: PostgreSQL keeps two-key and
/// one-key locks apart, so it never meets Prisma's own `pg_advisory_lock(72707369)`.
pub fn schema_lock_key(database: &str, schema: &str) -> i32 {
    let mut hash: u32 = 0x811c_9dc5;
    for b in database.bytes().chain([0]).chain(schema.bytes()) {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    i32::from_ne_bytes(hash.to_ne_bytes())
}

/// MySQL's per-database lock name in a fleet (`GET_LOCK` names are server-wide and at
/// most 64 characters): `prisma_migrate:<db>`, or a digest of a long name.
#[cfg(any(feature = "mysql", test))]
pub fn mysql_lock_name(database: &str) -> String {
    let name = format!("prisma_migrate:{database}");
    if name.chars().count() <= 64 {
        return name;
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(database.as_bytes());
    let hex: String = digest.iter().take(20).map(|b| format!("{b:02x}")).collect();
    format!("prisma_migrate:{hex}")
}

/// How one target ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum Outcome {
    /// deploy: every pending migration applied (perhaps none).
    Applied,
    /// status: nothing to apply.
    UpToDate,
    /// status: migrations deploy would apply.
    Behind { pending: usize },
    /// status: a failed migration (deploy would stop with P3009).
    Failed,
    /// status: the folder and the history went different ways.
    Diverged,
    /// status: tables and no history (deploy would stop with P3005).
    Unmanaged,
    /// status --drift: the schema differs from what the applied migrations make.
    Drifted,
    /// The command failed on this target.
    Error { code: String, message: String },
    /// Stopped by SIGINT/SIGTERM while it ran.
    Interrupted,
    /// Never started: `--fail-fast` after a failure, or a signal.
    NotStarted,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        matches!(self, Outcome::Applied | Outcome::UpToDate)
    }

    /// One word (or two) for tables and lines.
    pub fn word(&self) -> String {
        match self {
            Outcome::Applied => "ok".to_owned(),
            Outcome::UpToDate => "up to date".to_owned(),
            Outcome::Behind { pending } => format!("behind {pending}"),
            Outcome::Failed => "failed".to_owned(),
            Outcome::Diverged => "diverged".to_owned(),
            Outcome::Unmanaged => "unmanaged".to_owned(),
            Outcome::Drifted => "drifted".to_owned(),
            Outcome::Error { code, .. } => format!("error {code}"),
            Outcome::Interrupted => "interrupted".to_owned(),
            Outcome::NotStarted => "not started".to_owned(),
        }
    }
}

/// One finished (or never started) target.
#[derive(Debug, Clone)]
pub struct TargetReport {
    /// The target's place in the list (0-based).
    pub index: usize,
    pub label: String,
    pub outcome: Outcome,
    /// deploy: the migrations applied to it.
    pub applied: Vec<String>,
    pub duration: Duration,
}

/// What a fleet reports while it runs; `output::fleet` prints it.
#[derive(Debug, Clone)]
pub enum FleetEvent {
    /// The run starts: how many targets, with how many jobs; `note` says why fewer jobs
    /// than asked.
    Begin {
        command: &'static str,
        targets: usize,
        jobs: usize,
        note: Option<String>,
    },
    Started {
        index: usize,
        label: String,
    },
    Finished(TargetReport),
    /// Every target, in list order, once all have ended.
    End {
        reports: Vec<TargetReport>,
        elapsed: Duration,
        signal: Option<i32>,
    },
}

pub trait FleetReporter {
    fn report(&mut self, event: FleetEvent);
    /// Called about every 200 ms while targets run (live progress on a terminal).
    fn tick(&mut self) {}
}

/// The exit code of a fleet: 0 only if every target succeeded (deploy) or is up to date
/// (status); 130/143 after SIGINT/SIGTERM; else 1.
pub fn exit_code(reports: &[TargetReport], signal: Option<i32>) -> u8 {
    if let Some(s) = signal {
        return crate::error::Error::Interrupted { signal: s }.exit_code();
    }
    if reports.iter().all(|r| r.outcome.ok()) {
        crate::error::exit::OK
    } else {
        crate::error::exit::FAILURE
    }
}

#[cfg(test)]
mod tests;
