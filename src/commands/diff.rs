//! `migrate diff` (Prisma 6.19's flags) and the drift check of `status --drift`: two
//! schemas — empty, a database, or a migrations folder replayed into a shadow database —
//! compared by `drift::diff`. Nothing is written to a database other than the shadow.

use crate::config::{Locations, Project};
use crate::db::{Database, Target, TemporaryDatabase};
use crate::dburl::Provider;
use crate::drift::{self, Flavour, Schema, Step};
use crate::error::{Error, Result};
use crate::history::new_id;
use crate::migration::{checksum, read_lock_provider, LocalMigration, MigrationsDir};
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
    pub protect: Option<Target>,
}

/// The steps and Prisma's summary of them.
#[derive(Debug, Clone)]
pub struct DiffReport {
    pub steps: Vec<Step>,
    pub summary: String,
}

impl DiffReport {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    fn new(from: &Schema, to: &Schema, flavour: Flavour) -> DiffReport {
        let steps = drift::diff(from, to, flavour);
        let summary = drift::render(&steps);
        DiffReport { steps, summary }
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
    /// The database under comparison, which must never be the shadow.
    pub target: Option<&'a Target>,
    pub base_dir: &'a Path,
    /// The datasource's `schemas` besides the URL's (PostgreSQL), described in the shadow
    /// as in the compared database.
    pub schemas: &'a [String],
}

fn same_database(a: &Target, b: &Target) -> bool {
    match (a, b) {
        (Target::Postgres(x), Target::Postgres(y)) => {
            x.header_location() == y.header_location() && x.database() == y.database()
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

/// Applies `migrations` to the shadow as deploy applies them (`Database::apply_migration`,
/// with the history table), then describes it. A failing migration is P3006.
pub fn replay(
    provider: Provider,
    migrations: &[&LocalMigration],
    shadow: &Shadow<'_>,
) -> Result<(Schema, Flavour)> {
    let mut temporary = None;
    let mut db = match shadow.url {
        Some(url) => {
            let target = Target::parse(provider, url, shadow.base_dir)?;
            if shadow.target.is_some_and(|t| same_database(t, &target)) {
                return Err(Error::own(
                    "PM7005",
                    "the shadow database is the database being compared: give another, empty database with --shadow-database-url",
                ));
            }
            let mut db = Database::connect(&target)?;
            let existing = db.describe(&[])?;
            if !existing.tables.is_empty() || !existing.enums.is_empty() {
                return Err(Error::own(
                    "PM7006",
                    format!(
                        "the shadow database {} is not empty ({} tables); prismig does not reset it: empty it, or give an empty database with --shadow-database-url, or leave the option out to use a temporary database",
                        target.description(&[]),
                        existing.tables.len()
                    ),
                ));
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
            temporary = Some(t);
            db
        }
    };
    let result = (|| {
        db.history().create_table()?;
        for m in migrations {
            let script = m.script_to_apply()?;
            let id = new_id()?;
            if let Err(failure) = db.apply_migration(&id, &checksum(&script), &m.name, &script)? {
                return Err(Error::ShadowApplyFailed {
                    name: m.name.clone(),
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
    result
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
    let shadow_url = options.shadow_database_url.clone().or_else(|| {
        project(cwd, options.schema.clone(), options.config.clone())
            .ok()
            .and_then(|p| p.shadow_database_url)
    });
    // Replaying writes to the shadow: never the library's own database, whichever sides
    // are compared.
    if let (Some(own), Some(url)) = (&options.protect, &shadow_url) {
        if same_database(own, &Target::parse(provider, url, cwd)?) {
            return Err(Error::own(
                "PM7005",
                "the shadow database is the migrator's own database: give another, empty database with Migrator::shadow_database_url",
            ));
        }
    }
    let mut flavour = match provider {
        Provider::Postgres => Flavour::Postgres,
        Provider::Sqlite => Flavour::Sqlite,
        Provider::Mysql => Flavour::Mysql,
    };
    let mut describe = |r: &Resolved| -> Result<Schema> {
        match &r.kind {
            Kind::Empty => Ok(Schema::default()),
            Kind::Database { target, schemas } => {
                let mut db = Database::connect_read_only(target)?;
                flavour = db.flavour()?;
                db.describe(schemas)
            }
            Kind::Migrations(dir) => {
                let list: Vec<&LocalMigration> = dir.migrations.iter().collect();
                let (schema, f) = replay(
                    provider,
                    &list,
                    &Shadow {
                        url: shadow_url.as_deref(),
                        // A temporary shadow goes next to the compared database, else
                        // next to the library's own.
                        like: any_target.as_ref().or(options.protect.as_ref()),
                        target: any_target.as_ref(),
                        base_dir: cwd,
                        schemas: &other_schemas,
                    },
                )?;
                flavour = f;
                Ok(schema)
            }
        }
    };
    let a = describe(&from)?;
    let b = describe(&to)?;
    Ok(DiffReport::new(&a, &b, flavour))
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
    let live = db.describe(&ctx.project.schemas)?;
    drop(db);
    let shadow_url = shadow_database_url
        .map(str::to_owned)
        .or_else(|| ctx.project.shadow_database_url.clone());
    let base_dir = ctx.project.base_dir.clone();
    let schemas = ctx.project.schemas.clone();
    let (expected, flavour) = replay(
        ctx.project.provider,
        &list,
        &Shadow {
            url: shadow_url.as_deref(),
            like: Some(&target),
            target: Some(&target),
            base_dir: &base_dir,
            schemas: &schemas,
        },
    )?;
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
