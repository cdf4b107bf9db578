//! `migrate diff` (Prisma 6.19's flags) and the drift check of `status --drift`: two
//! schemas — empty, a database, or a migrations folder replayed into a shadow database —
//! compared by `drift::diff`. Nothing is written to a database other than the shadow.

use crate::config::{Field, Locations, Project};
use crate::db::{Database, Target, TemporaryDatabase};
use crate::dburl::Provider;
use crate::drift::{self, Flavour, Schema, Step};
use crate::error::{Error, Result};
use crate::history::new_id;
use crate::migration::{
    checksum, edits, read_lock_provider, script_matches_checksum, LocalMigration, MigrationsDir,
};
use std::path::{Path, PathBuf};

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffSource {
    Empty,
    Url(String),
    Migrations(PathBuf),
    /// The datasource of this schema file (`None`: the project's schema or config).
    SchemaDatasource(Option<PathBuf>),
}

#[derive(Debug, Clone)]
pub struct DiffOptions {
    pub from: DiffSource,
    pub to: DiffSource,
    pub shadow_database_url: Option<String>,
    pub schema: Option<PathBuf>,
    pub config: Option<PathBuf>,
    /// A database that must never serve as the shadow (the library's own database).
    pub protect: Option<Compared>,
}

/// The steps and Prisma's summary of them.
#[derive(Debug, Clone)]
pub struct DiffReport {
    pub steps: Vec<Step>,
    pub summary: String,
    /// For stderr: what prismig did or noticed besides the diff (orphaned temporary
    /// shadows dropped).
    pub notes: Vec<String>,
}

impl DiffReport {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    fn new(from: &Schema, to: &Schema, flavour: Flavour) -> DiffReport {
        let steps = drift::diff(from, to, flavour);
        let summary = drift::render(&steps);
        DiffReport {
            steps,
            summary,
            notes: Vec::new(),
        }
    }
}

/// A source resolved to what it needs: a provider and where to read it.
struct Resolved {
    provider: Option<Provider>,
    kind: Kind,
}

enum Kind {
    Empty,
    Database {
        /// As written, for the shadow's same-URL check.
        url: String,
        target: Target,
        schemas: Vec<String>,
    },
    Migrations(MigrationsDir),
}

fn project(cwd: &Path, schema: Option<PathBuf>, config: Option<PathBuf>) -> Result<Project> {
    Project::load(
        cwd,
        &Locations {
            schema,
            config,
            url: None,
            url_optional: false,
            url_only: false,
        },
        "diff",
    )
}

fn resolve(cwd: &Path, source: &DiffSource, options: &DiffOptions) -> Result<Resolved> {
    Ok(match source {
        DiffSource::Empty => Resolved {
            provider: None,
            kind: Kind::Empty,
        },
        DiffSource::Url(url) => {
            let provider = Provider::from_url(url).ok_or_else(|| Error::InvalidUrl {
                details: "The scheme is not recognized".to_owned(),
            })?;
            // Prisma resolves a relative SQLite path against the working directory here
            // (§9.7), not against the schema's folder.
            Resolved {
                provider: Some(provider),
                kind: Kind::Database {
                    url: url.clone(),
                    target: Target::parse(provider, url, cwd)?,
                    schemas: Vec::new(),
                },
            }
        }
        DiffSource::SchemaDatasource(path) => {
            let p = project(
                cwd,
                path.clone().or_else(|| options.schema.clone()),
                options.config.clone(),
            )?;
            Resolved {
                provider: Some(p.provider),
                kind: Kind::Database {
                    url: p.url.clone(),
                    target: Target::parse(p.provider, &p.url, &p.base_dir)?,
                    schemas: p.schemas.clone(),
                },
            }
        }
        DiffSource::Migrations(path) => {
            let dir = MigrationsDir::read(&cwd.join(path));
            let lock = dir.lockfile.as_deref().ok_or_else(|| {
                Error::Cli("Could not determine the connector from the migrations directory (missing migration_lock.toml).".to_owned())
            })?;
            let name = read_lock_provider(lock);
            let provider = Provider::from_schema(&name).ok_or_else(|| {
                Error::own(
                    "PM7004",
                    format!("migration_lock.toml names the provider `{name}`, which prismig does not support"),
                )
            })?;
            Resolved {
                provider: Some(provider),
                kind: Kind::Migrations(dir),
            }
        }
    })
}

/// Where the migrations are replayed: a given shadow URL, or a temporary database on the
/// server of `like`.
pub struct Shadow<'a> {
    pub url: Option<&'a str>,
    pub like: Option<&'a Target>,
    /// The databases under comparison and the project's own, none of which may be the
    /// shadow.
    pub compared: &'a [Compared],
    pub base_dir: &'a Path,
    /// The datasource's `schemas` besides the URL's (PostgreSQL), described in the shadow
    /// as in the compared database.
    pub schemas: &'a [String],
}

/// A database the shadow must not be: its URL as written (the engine compares those
/// strings), parsed, and the schemas read in it.
#[derive(Debug, Clone)]
pub struct Compared {
    pub url: String,
    pub target: Target,
    pub schemas: Vec<String>,
    /// Read by the diff. The project's own database is not: when it cannot be reached
    /// from here, no connection through its URL can be emptied, and the diff goes on.
    pub read: bool,
}

/// A migrations folder replayed: the schema it gives, the rules to compare it by, and
/// notes for stderr (orphaned temporary shadows dropped, edited migrations).
#[derive(Debug, Clone)]
pub struct Replayed {
    pub schema: Schema,
    pub flavour: Flavour,
    pub notes: Vec<String>,
}

fn same_database(a: &Target, b: &Target) -> bool {
    match (a, b) {
        (Target::Postgres(x), Target::Postgres(y)) => {
            x.header_location() == y.header_location()
                && x.database() == y.database()
                && x.schema() == y.schema()
        }
        (Target::Sqlite(x), Target::Sqlite(y)) => {
            let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
            canon(x.path()) == canon(y.path())
        }
        #[cfg(feature = "mysql")]
        (Target::Mysql(x), Target::Mysql(y)) => {
            x.header_location() == y.header_location() && x.database == y.database
        }
        _ => false,
    }
}

/// The schema engine's words when the shadow URL is the main one; `how` says how prismig
/// found out when the URLs differ.
fn same_as_main(how: Option<String>) -> Error {
    let prisma = "The shadow database you configured appears to be the same as the main database. Please specify another shadow database.";
    Error::own(
        "PM7005",
        match how {
            None => prisma.to_owned(),
            Some(how) => {
                format!("{prisma} ({how}; a shadow database is emptied before the replay)")
            }
        },
    )
}

/// Refuses a shadow that is one of `compared`: the same URL, the same parsed location,
/// or, asking both servers, the same database (and, on PostgreSQL, a shared schema).
/// Runs before anything is written to the shadow.
fn check_not_compared(
    url: &str,
    target: &Target,
    db: &mut Database,
    shadow: &Shadow<'_>,
) -> Result<()> {
    for c in shadow.compared {
        if c.url == url || same_database(&c.target, target) {
            return Err(same_as_main(None));
        }
    }
    let mine = db.identity(shadow.schemas)?;
    for c in shadow.compared {
        let theirs = match Database::connect_read_only(&c.target) {
            Ok(mut other) => other.identity(&c.schemas)?,
            // A database that does not exist is not the shadow.
            Err(Error::DatabaseDoesNotExist { .. }) => continue,
            Err(
                Error::Unreachable { .. }
                | Error::Timeout { .. }
                | Error::AuthenticationFailed { .. }
                | Error::AccessDenied { .. }
                | Error::Tls { .. },
            ) if !c.read => continue,
            Err(e) => return Err(e),
        };
        if mine.overlaps(&theirs) {
            return Err(same_as_main(Some(format!(
                "the shadow URL and the URL of {} differ, but both servers say they reach the same database",
                c.target.description(&c.schemas)
            ))));
        }
    }
    Ok(())
}

/// The note for an orphaned temporary shadow a sweep dropped.
fn swept_note(name: &str) -> String {
    let base = Path::new(name)
        .file_name()
        .map_or(name.to_owned(), |n| n.to_string_lossy().into_owned());
    let created = crate::db::temporary_name_created(base.trim_end_matches(".db"))
        .and_then(|t| chrono::DateTime::from_timestamp(i64::try_from(t).ok()?, 0))
        .map_or(String::new(), |t| {
            format!(", created {}", t.format("%Y-%m-%d %H:%M:%S UTC"))
        });
    format!("dropped the temporary shadow database {name}{created}: an earlier run was stopped before it could drop it, and nobody is connected to it")
}

/// Applies `migrations` (name, script) to the shadow as deploy applies them
/// (`Database::apply_migration`, with the history table), then describes it. A given
/// shadow is checked not to be a compared database, then reset as the engine resets it;
/// a failing migration is P3006.
pub fn replay(provider: Provider, migrations: &[Script], shadow: &Shadow<'_>) -> Result<Replayed> {
    let mut temporary = None;
    let mut notes = Vec::new();
    let mut db = match shadow.url {
        Some(url) => {
            let target = Target::parse(provider, url, shadow.base_dir)?;
            if shadow.compared.iter().any(|c| c.url == url) {
                return Err(same_as_main(None));
            }
            if let Target::Sqlite(file) = &target {
                // The engine creates a missing SQLite shadow file (transcripts §9.7);
                // exclusively and private, as every file prismig writes.
                if !file.path().exists() {
                    crate::files::create_new(file.path())
                        .map_err(|e| Error::Database(format!("{}: {e}", file.path().display())))?;
                }
            }
            let mut db = Database::connect(&target)?;
            check_not_compared(url, &target, &mut db, shadow)?;
            if let Target::Sqlite(_) = target {
                // The engine replays into a SQLite shadow as it is, without emptying it:
                // what the file held would end up in the summary or break the replay.
                let existing = db.describe(&[])?;
                if !existing.tables.is_empty() {
                    return Err(Error::own(
                        "PM7006",
                        format!(
                            "the shadow database {} is not empty ({} tables); prismig does not empty a SQLite shadow file: give a new file, or leave the option out to use a temporary one",
                            target.description(&[]),
                            existing.tables.len()
                        ),
                    ));
                }
            } else {
                db.reset_shadow(shadow.schemas)?;
            }
            db
        }
        None => {
            let like = match (shadow.like, provider) {
                (Some(t), _) => t.clone(),
                (None, Provider::Sqlite) => Target::parse(
                    Provider::Sqlite,
                    "file:./shadow.db",
                    &std::env::temp_dir(),
                )?,
                (None, _) => {
                    return Err(Error::own(
                        "PM7007",
                        "replaying migrations needs a shadow database, and there is no database URL to create a temporary one next to: pass --shadow-database-url",
                    ))
                }
            };
            let (t, db) = TemporaryDatabase::create(&like)?;
            notes.extend(t.swept.iter().map(|n| swept_note(n)));
            temporary = Some(t);
            db
        }
    };
    let result = (|| {
        db.history().create_table()?;
        for (name, script) in migrations {
            let id = new_id()?;
            if let Err(failure) = db.apply_migration(&id, &checksum(script), name, script)? {
                return Err(Error::ShadowApplyFailed {
                    name: name.clone(),
                    error: failure.error,
                });
            }
        }
        let flavour = db.flavour()?;
        Ok((db.describe(shadow.schemas)?, flavour))
    })();
    drop(db);
    if let Some(mut t) = temporary {
        t.drop_now()?;
    }
    let (schema, flavour) = result?;
    Ok(Replayed {
        schema,
        flavour,
        notes,
    })
}

/// `prismig migrate diff`.
pub fn migrate_diff(cwd: &Path, options: &DiffOptions) -> Result<DiffReport> {
    let from = resolve(cwd, &options.from, options)?;
    let to = resolve(cwd, &options.to, options)?;
    let provider = match (from.provider, to.provider) {
        (Some(a), Some(b)) if a != b => {
            return Err(Error::own(
                "PM7008",
                format!(
                    "the two sides use different providers ({} and {}): a diff compares two schemas of one provider",
                    a.pretty(),
                    b.pretty()
                ),
            ))
        }
        (a, b) => a.or(b),
    };
    let Some(provider) = provider else {
        // Empty against empty.
        return Ok(DiffReport::new(
            &Schema::default(),
            &Schema::default(),
            Flavour::Postgres,
        ));
    };
    let database_target = |r: &Resolved| match &r.kind {
        Kind::Database { target, .. } => Some(target.clone()),
        _ => None,
    };
    let any_target = database_target(&from).or_else(|| database_target(&to));
    let other_schemas: Vec<String> = [&from, &to]
        .iter()
        .find_map(|r| match &r.kind {
            Kind::Database { schemas, .. } if !schemas.is_empty() => Some(schemas.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let own = project(cwd, options.schema.clone(), options.config.clone()).ok();
    // Raised only when a migrations side needs the shadow.
    let shadow_url = match &options.shadow_database_url {
        Some(u) => Field::Value(u.clone()),
        None => own
            .as_ref()
            .map_or(Field::Absent, |p| p.shadow_database.clone()),
    };
    // The shadow is emptied: it may be neither side nor the project's own database.
    let mut compared: Vec<Compared> = [&from, &to]
        .iter()
        .filter_map(|r| match &r.kind {
            Kind::Database {
                url,
                target,
                schemas,
            } => Some(Compared {
                url: url.clone(),
                target: target.clone(),
                schemas: schemas.clone(),
                read: true,
            }),
            _ => None,
        })
        .collect();
    if let Some(p) = own.as_ref().filter(|p| p.provider == provider) {
        if let Ok(target) = Target::parse(p.provider, &p.url, &p.base_dir) {
            compared.push(Compared {
                url: p.url.clone(),
                target,
                schemas: p.schemas.clone(),
                read: false,
            });
        }
    }
    // The library's own database, whichever sides are compared.
    compared.extend(options.protect.iter().cloned());
    let mut flavour = match provider {
        Provider::Postgres => Flavour::Postgres,
        Provider::Sqlite => Flavour::Sqlite,
        Provider::Mysql => Flavour::Mysql,
    };
    let mut notes = Vec::new();
    let mut describe = |r: &Resolved| -> Result<Schema> {
        match &r.kind {
            Kind::Empty => Ok(Schema::default()),
            Kind::Database {
                target, schemas, ..
            } => {
                let mut db = Database::connect_read_only(target)?;
                flavour = db.flavour()?;
                db.describe(schemas)
            }
            Kind::Migrations(dir) => {
                let scripts = dir
                    .migrations
                    .iter()
                    .map(|m| Ok((m.name.clone(), m.script_to_apply()?)))
                    .collect::<Result<Vec<_>>>()?;
                let replayed = replay(
                    provider,
                    &scripts,
                    &Shadow {
                        url: shadow_url.get()?.as_deref(),
                        // A temporary shadow goes next to the compared database, else
                        // next to the library's own.
                        like: any_target
                            .as_ref()
                            .or(options.protect.as_ref().map(|p| &p.target)),
                        compared: &compared,
                        base_dir: cwd,
                        schemas: &other_schemas,
                    },
                )?;
                flavour = replayed.flavour;
                notes.extend(replayed.notes);
                Ok(replayed.schema)
            }
        }
    };
    let a = describe(&from)?;
    let b = describe(&to)?;
    let mut report = DiffReport::new(&a, &b, flavour);
    report.notes = notes;
    Ok(report)
}

/// `status --drift`'s code with `--exit-code detailed` when the schema drifted.
pub const DRIFT: u8 = 6;

/// `migrate status --drift`, after the usual status (whose exit code is `code`): the
/// applied migrations (finished, not rolled back, per `_prisma_migrations`) replayed in a
/// shadow database and compared with the live schema. Drift gives 6 with `--exit-code detailed`, else 1; otherwise the
/// status's own code.
pub fn status_drift(
    ctx: &mut super::Context<'_>,
    codes: super::ExitCodes,
    shadow_database_url: Option<&str>,
    code: u8,
) -> Result<u8> {
    let target = ctx.target()?;
    let mut db = Database::connect_read_only(&target)?;
    let rows = db.history().list()?.unwrap_or_default();
    if let Some(r) = rows.iter().find(|r| r.is_failed()) {
        return Err(Error::own(
            "PM7009",
            format!(
                "cannot check for drift: the migration `{}` failed in this database, so what its history should contain is unknown; resolve it first (prismig migrate resolve)",
                r.migration_name
            ),
        ));
    }
    let applied = |name: &str| {
        rows.iter()
            .any(|r| r.migration_name == name && r.is_finished() && !r.is_rolled_back())
    };
    let dir = MigrationsDir::read(&ctx.project.migrations_dir);
    let missing: Vec<&str> = rows
        .iter()
        .filter(|r| r.is_finished() && !r.is_rolled_back())
        .map(|r| r.migration_name.as_str())
        .filter(|n| dir.find(n).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(Error::own(
            "PM7010",
            format!(
                "cannot check for drift: applied migrations are not in the migrations folder ({}), so the expected schema cannot be rebuilt; restore their folders",
                missing.join(", ")
            ),
        ));
    }
    let list: Vec<&LocalMigration> = dir.migrations.iter().filter(|m| applied(&m.name)).collect();
    let (scripts, mut notes) = applied_scripts(&list, &rows)?;
    let live = db.describe(&ctx.project.schemas)?;
    drop(db);
    let shadow_url = match shadow_database_url {
        Some(u) => Some(u.to_owned()),
        None => ctx.project.shadow_database_url()?,
    };
    let base_dir = ctx.project.base_dir.clone();
    let schemas = ctx.project.schemas.clone();
    let compared = [Compared {
        url: ctx.project.url.clone(),
        target: target.clone(),
        schemas: schemas.clone(),
        read: true,
    }];
    let replayed = replay(
        ctx.project.provider,
        &scripts,
        &Shadow {
            url: shadow_url.as_deref(),
            like: Some(&target),
            compared: &compared,
            base_dir: &base_dir,
            schemas: &schemas,
        },
    )?;
    notes.extend(replayed.notes);
    for message in notes {
        ctx.emit(crate::event::Event::Warning { message });
    }
    let (expected, flavour) = (replayed.schema, replayed.flavour);
    let report = DiffReport::new(&expected, &live, flavour);
    let drifted = !report.is_empty();
    ctx.emit(crate::event::Event::Drift {
        summary: report.summary,
        steps: report.steps,
    });
    Ok(match (drifted, codes) {
        (false, _) => code,
        (true, super::ExitCodes::Detailed) => DRIFT,
        (true, super::ExitCodes::Prisma) => crate::error::exit::FAILURE,
    })
}

/// A migration's name and the text to replay.
pub type Script = (String, String);

/// The text each applied migration had when it was applied: the file, or, when its
/// checksum no longer matches `_prisma_migrations`, the version in git whose checksum
/// does (with a note). PM7011 when there is none: the edited file is never replayed in
/// place of what the database ran.
fn applied_scripts(
    list: &[&LocalMigration],
    rows: &[crate::history::MigrationRecord],
) -> Result<(Vec<Script>, Vec<String>)> {
    let mut scripts = Vec::with_capacity(list.len());
    let mut notes = Vec::new();
    for m in list {
        let script = m.script_to_apply()?;
        let stored = rows
            .iter()
            .rev()
            .find(|r| r.migration_name == m.name && r.is_finished() && !r.is_rolled_back())
            .map(|r| r.checksum.as_str());
        match stored {
            Some(stored) if !script_matches_checksum(&script, stored) => {
                let file = m.dir.join("migration.sql");
                let Some((version, text)) = edits::applied_version(&file, stored) else {
                    return Err(Error::own(
                        "PM7011",
                        format!(
                            "cannot check for drift: the migration `{}` was edited after it was applied (its checksum in _prisma_migrations differs from {}), and no version of the file in git has the applied checksum, so what the database ran is unknown; restore the file as it was applied, or, if the edit changes nothing, record it with `prismig fix`",
                            m.name,
                            file.display()
                        ),
                    ));
                };
                notes.push(format!(
                    "the migration `{}` was edited after it was applied: replaying the text that was applied (git {version}), not the file",
                    m.name
                ));
                scripts.push((m.name.clone(), text));
            }
            _ => scripts.push((m.name.clone(), script)),
        }
    }
    Ok((scripts, notes))
}
