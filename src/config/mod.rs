//! Finding the project as the Prisma CLI does: config file, schema, `.env`, datasource URL
//! and migrations folder (`prisma-migrate.md` §3.1, §8.2, §8.3). Produces plain data.

mod env;
pub mod prisma_config;
pub mod schema;

pub use env::Env;
pub use prisma_config::{evaluate as evaluate_config, Field};
pub use schema::Value;

use crate::dburl::Provider;
use crate::error::{Error, Result};
use prisma_config::ConfigFile;
use std::path::{Component, Path, PathBuf};

/// Which Prisma CLI's header lines and whitespace to reproduce: Prisma 7 with a config
/// file, Prisma 6.19 for schema-only projects (§8.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Prisma6,
    Prisma7,
}

/// What the command line says about where things are.
#[derive(Debug, Clone, Default)]
pub struct Locations {
    pub schema: Option<PathBuf>,
    pub config: Option<PathBuf>,
    pub url: Option<String>,
    /// Commands that need no database (`migrate new`) load a project without a URL.
    pub url_optional: bool,
    /// `db execute --url` (Prisma 6.19): the URL is all there is; no schema, no config
    /// file, no `.env` is read.
    pub url_only: bool,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub flavor: Flavor,
    /// Config file path as printed (relative to the working directory).
    pub config_display: Option<String>,
    /// Schema path as printed (relative to the working directory).
    pub schema_display: Option<String>,
    /// `.env` files loaded, as printed.
    pub env_files: Vec<String>,
    /// Warnings about the layout, printed before the `.env` lines.
    pub notices: Vec<String>,
    pub datasource_name: String,
    pub provider: Provider,
    /// The connection URL. Holds the password: never print it.
    pub url: String,
    /// `schemas = [...]` of the datasource (multiSchema).
    pub schemas: Vec<String>,
    pub migrations_dir: PathBuf,
    /// Where relative paths in the URL (certificates) are resolved (§8.3).
    pub base_dir: PathBuf,
    pub env: Env,
    /// The datasource's `shadowDatabaseUrl` (`migrate diff`, `status --drift`): the
    /// config's (Prisma 7), else the schema's. One the config cannot decide is raised only
    /// where a shadow is needed: read it through [`Project::shadow_database_url`].
    pub shadow_database: Field,
    /// How this run found the project, repeated in the commands it prints.
    pub invocation: crate::shell::Invocation,
}

/// The major version of the project's Prisma CLI: the installed one
/// (`node_modules/prisma/package.json`), else the `prisma` dependency of the nearest
/// `package.json` (`^6.19.0` → 6). `None` when neither says.
fn prisma_major(dir: &Path) -> Option<u32> {
    let major = |v: &str| -> Option<u32> {
        let digits: String = v
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    for d in dir.ancestors() {
        let installed = d.join("node_modules/prisma/package.json");
        if let Ok(text) = std::fs::read_to_string(&installed) {
            if let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) {
                if let Some(m) = json.get("version").and_then(|v| v.as_str()).and_then(major) {
                    return Some(m);
                }
            }
        }
        if let Ok(text) = std::fs::read_to_string(d.join("package.json")) {
            if let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) {
                return ["devDependencies", "dependencies"]
                    .iter()
                    .find_map(|k| json.get(k)?.get("prisma")?.as_str().and_then(major));
            }
        }
    }
    None
}

/// Whether a Prisma config file is in `cwd` (or `.config/`): a Prisma 7 layout.
pub fn has_config_file(cwd: &Path) -> bool {
    prisma_config::default_path(cwd).is_some()
}

/// `path` relative to `base`, with `..` where needed, `/`-separated as Node prints it.
pub fn relative(path: &Path, base: &Path) -> String {
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); b.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_owned()
    } else {
        cwd.join(p)
    }
}

/// Schema files: one file, or every `*.prisma` of a folder (multi-file schema).
fn schema_files(path: &Path) -> Vec<PathBuf> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "prisma"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    } else {
        vec![path.to_owned()]
    }
}

/// Prisma's P1012 block (§7.3): each error with its excerpt, then the count.
fn validation_errors(errors: &[(&str, &str, (usize, usize), String)]) -> Error {
    let blocks: Vec<String> = errors
        .iter()
        .map(|(file, text, span, message)| schema::pretty(file, text, *span, message))
        .collect();
    Error::SchemaValidation {
        message: format!(
            "Prisma schema validation - (get-config wasm)\nError code: P1012\n{}\nValidation Error Count: {}\n[Context: getConfig]\n\nprismig version : {}",
            blocks.join("\n\n"),
            errors.len(),
            env!("CARGO_PKG_VERSION")
        ),
    }
}

/// One P1012 error about a span of a schema file.
fn validation_error(file_display: &str, text: &str, span: (usize, usize), error: &str) -> Error {
    validation_errors(&[(file_display, text, span, error.to_owned())])
}

fn schema_not_found(checked: &[(String, &str)]) -> Error {
    let mut s = String::from("Could not find Prisma Schema that is required for this command.\nYou can either provide it with `--schema` argument,\nset it in your Prisma Config file (e.g., `prisma.config.ts`),\nset it as `prisma.schema` in your package.json,\nor put it into the default location (`./prisma/schema.prisma`, or `./schema.prisma`.\nChecked following paths:\n\n");
    for (p, why) in checked {
        s.push_str(&format!("{p}: {why}\n"));
    }
    s.push_str("\nSee also https://pris.ly/d/prisma-schema-location");
    Error::Cli(s)
}

/// The nearest `package.json` from `cwd` upward, skipping unparsable ones and the
/// generated client's (`.prisma/client`), as Prisma's project-root lookup does.
fn nearest_package_json(cwd: &Path) -> Option<(PathBuf, serde_json::Value)> {
    cwd.ancestors().find_map(|dir| {
        let p = dir.join("package.json");
        let text = std::fs::read_to_string(&p).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        (json.get("name").and_then(|n| n.as_str()) != Some(".prisma/client")).then_some((p, json))
    })
}

/// Prisma 6: `package.json#prisma.schema`, relative to that package.json (§8.2).
fn package_json_schema(cwd: &Path, has_config: bool) -> Result<Option<PathBuf>> {
    if has_config {
        return Ok(None);
    }
    let Some((path, json)) = nearest_package_json(cwd) else {
        return Ok(None);
    };
    let Some(schema) = json.get("prisma").and_then(|p| p.get("schema")) else {
        return Ok(None);
    };
    let dir = path.parent().map(Path::to_owned).unwrap_or_default();
    match schema.as_str() {
        Some(s) => {
            let p = dir.join(s);
            if p.exists() {
                Ok(Some(p))
            } else {
                Err(Error::Cli(format!(
                    "Provided schema path `{}` from `package.json` doesn't exist.",
                    relative(&p, cwd)
                )))
            }
        }
        None => Err(Error::Cli(format!(
            "Provided schema path `prisma.schema` from `{}` must be of type string",
            relative(&path, cwd)
        ))),
    }
}

/// Prisma 6 `.env` loading (§8.3, `getEnvPaths`/`tryLoadEnvs`): the root `.env` beside the
/// nearest package.json, then the first existing of `<dir of --schema>/.env`,
/// `./prisma/.env`, `./.env`; loaded once when both are the same file; an error when both
/// set a variable to the same value; neither overrides the real environment.
fn load_prisma6_env(env: &mut Env, cwd: &Path, schema_arg: Option<&Path>) -> Result<Vec<String>> {
    let root = nearest_package_json(cwd)
        .and_then(|(p, _)| p.parent().map(|d| d.join(".env")))
        .filter(|p| p.is_file());
    let mut candidates = Vec::new();
    if let Some(s) = schema_arg {
        let s = absolute(cwd, s);
        candidates.push(
            s.parent()
                .map(Path::to_owned)
                .unwrap_or_default()
                .join(".env"),
        );
    }
    candidates.push(cwd.join("prisma/.env"));
    candidates.push(cwd.join(".env"));
    let schema = candidates.into_iter().find(|p| p.is_file());
    let same = |a: &Path, b: &Path| {
        a.canonicalize()
            .ok()
            .zip(b.canonicalize().ok())
            .is_some_and(|(a, b)| a == b)
    };
    let schema = match (&root, schema) {
        (Some(r), Some(s)) if same(r, &s) => None,
        (_, s) => s,
    };
    let own = |e: String| Error::own("PM1014", e);
    if let (Some(r), Some(s)) = (&root, &schema) {
        let root_vars = Env::parse_file(r).map_err(own)?;
        let conflicts: Vec<String> = Env::parse_file(s)
            .map_err(own)?
            .into_iter()
            .filter(|(k, v)| root_vars.iter().any(|(rk, rv)| rk == k && rv == v))
            .map(|(k, _)| k)
            .collect();
        if !conflicts.is_empty() {
            let (rr, sr) = (relative(r, cwd), relative(s, cwd));
            return Err(Error::Cli(format!(
                "There is a conflict between env var{} in {rr} and {sr}\nConflicting env vars:\n{}\n\nWe suggest to move the contents of {sr} to {rr} to consolidate your env vars.\n",
                if conflicts.len() > 1 { "s" } else { "" },
                conflicts.iter().map(|c| format!("  {c}")).collect::<Vec<_>>().join("\n")
            )));
        }
    }
    let mut loaded = Vec::new();
    for p in root.iter().chain(schema.iter()) {
        env.load_file(p).map_err(own)?;
        loaded.push(relative(p, cwd));
    }
    Ok(loaded)
}

/// What Prisma has printed when its schema validation fails (P1012 comes after the
/// config, `.env` and schema lines).
#[derive(Debug, Clone)]
pub struct Header {
    pub flavor: Flavor,
    pub notices: Vec<String>,
    pub config_display: Option<String>,
    pub env_files: Vec<String>,
    pub schema_display: Option<String>,
}

impl Project {
    /// The datasource's shadow database URL; an undecidable one is the config's error.
    pub fn shadow_database_url(&self) -> Result<Option<String>> {
        self.shadow_database.get()
    }

    pub fn load(cwd: &Path, loc: &Locations, command: &str) -> Result<Project> {
        Project::load_with_header(cwd, loc, command).map_err(|(e, _)| e)
    }

    /// As `load`; a P1012 error comes with the header lines Prisma prints before it.
    pub fn load_with_header(
        cwd: &Path,
        loc: &Locations,
        command: &str,
    ) -> std::result::Result<Project, (Error, Option<Box<Header>>)> {
        let mut header = None;
        match Project::load_inner(cwd, loc, command, &mut header) {
            Ok(p) => Ok(p),
            Err(e @ Error::SchemaValidation { .. }) => Err((e, header.map(Box::new))),
            Err(e) => Err((e, None)),
        }
    }

    fn load_inner(
        cwd: &Path,
        loc: &Locations,
        command: &str,
        header: &mut Option<Header>,
    ) -> Result<Project> {
        let mut env = Env::from_process();

        // 1. Config file (Prisma 7 layout). Evaluating it runs its dotenv calls.
        let config = if loc.url_only {
            None
        } else {
            ConfigFile::find(cwd, loc.config.as_deref(), &mut env)?
        };
        let flavor = if config.is_some() {
            Flavor::Prisma7
        } else {
            Flavor::Prisma6
        };
        let base = config
            .as_ref()
            .map(|c| c.dir.clone())
            .unwrap_or_else(|| cwd.to_owned());

        // A config file is Prisma 7's layout, unless the project's Prisma is 6 or older
        // (Prisma 6.x reads a config file too, and the schema's URLs with it).
        let prisma7_rules = config.is_some() && prisma_major(&base).is_none_or(|m| m > 6);

        // 2. Schema (§8.2). No schema, no run (transcripts §9.5): not even with a URL.
        let schema_path = if loc.url_only {
            None
        } else if let Some(s) = &loc.schema {
            let p = absolute(cwd, s);
            if !p.exists() {
                return Err(Error::Cli(format!(
                    "Could not load `--schema` from provided path `{}`: file or directory not found",
                    s.display()
                )));
            }
            Some(p)
        } else if let Some(s) = config
            .as_ref()
            .map(|c| c.schema.get())
            .transpose()?
            .flatten()
        {
            let p = PathBuf::from(&s);
            if !p.exists() {
                let by = match (&config, prisma7_rules) {
                    (Some(c), false) => format!(
                        "\"{}\"",
                        c.path.file_name().unwrap_or_default().to_string_lossy()
                    ),
                    _ => "the Prisma config file".to_owned(),
                };
                return Err(Error::Cli(format!(
                    "Could not load schema from `{s}` provided by {by}: file or directory not found"
                )));
            }
            Some(p)
        } else if let Some(s) = package_json_schema(cwd, config.is_some())? {
            Some(s)
        } else {
            let candidates = [
                base.join("schema.prisma"),
                base.join("prisma/schema.prisma"),
            ];
            match candidates.iter().find(|p| p.is_file()) {
                Some(p) => Some(p.clone()),
                None => {
                    return Err(schema_not_found(&[
                        ("schema.prisma".to_owned(), "file not found"),
                        ("prisma/schema.prisma".to_owned(), "file not found"),
                    ]))
                }
            }
        };

        // 3. `.env`: Prisma 6's rules; with a config file only what it loads itself.
        let env_files = match &config {
            Some(c) => c.env_files.clone(),
            None if loc.url_only => Vec::new(),
            None => load_prisma6_env(&mut env, cwd, loc.schema.as_deref())?,
        };

        let mut notices = Vec::new();
        if flavor == Flavor::Prisma6
            && !loc.url_only
            && nearest_package_json(cwd).is_some_and(|(_, j)| j.get("prisma").is_some())
        {
            notices.push("The configuration property `package.json#prisma` is deprecated and will be removed in Prisma 7. Please migrate to a Prisma config file (e.g., `prisma.config.ts`).\nFor more information, see: https://pris.ly/prisma-config\n".to_owned());
        }
        *header = Some(Header {
            flavor,
            notices: notices.clone(),
            config_display: config.as_ref().map(|c| relative(&c.path, cwd)),
            env_files: env_files.clone(),
            schema_display: schema_path.as_ref().map(|s| relative(s, cwd)),
        });

        // 4. Datasource: Prisma's parse of every schema file, then its datasource checks.
        let mut datasource = None;
        let mut ds_file = (String::new(), String::new(), PathBuf::new());
        if let Some(s) = &schema_path {
            let mut files = Vec::new();
            for f in schema_files(s) {
                let text = std::fs::read_to_string(&f).map_err(|e| {
                    Error::own("PM1015", format!("could not read {}: {e}", f.display()))
                })?;
                let parsed = schema::parse(&text);
                files.push((relative(&f, cwd), text, f, parsed));
            }
            let mut errors: Vec<(usize, (usize, usize), String)> = Vec::new();
            let mut found: Vec<(usize, schema::Datasource)> = Vec::new();
            let mut blocks: Vec<(usize, &schema::ConfigBlock)> = Vec::new();
            for (i, (_, text, _, parsed)) in files.iter().enumerate() {
                errors.extend(
                    parsed
                        .diagnostics
                        .iter()
                        .map(|d| (i, d.span, d.message.clone())),
                );
                for b in parsed
                    .blocks
                    .iter()
                    .filter(|b| b.kind == schema::BlockKind::Datasource)
                {
                    blocks.push((i, b));
                    let mut diagnostics = Vec::new();
                    if let Some(ds) = schema::lift_datasource(text, b, &mut diagnostics) {
                        found.push((i, ds));
                    }
                    errors.extend(diagnostics.into_iter().map(|d| (i, d.span, d.message)));
                }
            }
            if found.len() > 1 {
                for (i, b) in &blocks {
                    errors.push((*i, b.span, format!("Error validating datasource `{}`: You defined more than one datasource. This is not allowed yet because support for multiple databases has not been implemented yet.", b.name)));
                }
            }
            // Prisma 7 moved the connection URLs to the config file (P1012 there); Prisma 6
            // with a config file still reads them from the schema.
            if prisma7_rules {
                for (i, ds) in &found {
                    for (attr, text) in [
                        (&ds.url, "The datasource property `url` is no longer supported in schema files. Move connection URLs for Migrate to `prisma.config.ts` and pass either `adapter` for a direct database connection or `accelerateUrl` for Accelerate to the `PrismaClient` constructor. See https://pris.ly/d/config-datasource and https://pris.ly/d/prisma7-client-config"),
                        (&ds.direct_url, "The datasource property `directUrl` is no longer supported in schema files. Move connection URLs to `prisma.config.ts`. See https://pris.ly/d/config-datasource"),
                        (&ds.shadow_database_url, "The datasource property `shadowDatabaseUrl` is no longer supported in schema files. Move connection URLs to `prisma.config.ts`. See https://pris.ly/d/config-datasource"),
                    ] {
                        if let Some(a) = attr {
                            errors.push((*i, a.span, text.to_owned()));
                        }
                    }
                }
            }
            if !errors.is_empty() {
                let list: Vec<(&str, &str, (usize, usize), String)> = errors
                    .into_iter()
                    .map(|(i, span, m)| (files[i].0.as_str(), files[i].1.as_str(), span, m))
                    .collect();
                return Err(validation_errors(&list));
            }
            if let Some((i, ds)) = found.into_iter().next() {
                let (display, text, path, _) = &files[i];
                ds_file = (display.clone(), text.clone(), path.clone());
                datasource = Some(ds);
            }
        }

        // 5. URL: --url, the config file, the datasource (directUrl wins), DATABASE_URL.
        let resolve = |attr: &schema::Attribute| -> Result<String> {
            match &attr.value {
                Value::Literal(s) => Ok(s.clone()),
                Value::Env(var) => match env.get(var) {
                    Some("") => Err(validation_error(
                        &ds_file.0,
                        &ds_file.1,
                        attr.span,
                        &format!("Error validating datasource `{}`: You must provide a nonempty URL. The environment variable `{var}` resolved to an empty string.", datasource.as_ref().map(|d| d.name.as_str()).unwrap_or("db")),
                    )),
                    Some(v) => Ok(v.to_owned()),
                    None => Err(validation_error(
                        &ds_file.0,
                        &ds_file.1,
                        attr.span,
                        &format!("Environment variable not found: {var}."),
                    )),
                },
                _ => Err(validation_error(
                    &ds_file.0,
                    &ds_file.1,
                    attr.span,
                    "Expected a String value, or a call to `env()`.",
                )),
            }
        };
        let url_attr = datasource
            .as_ref()
            .and_then(|d| d.direct_url.as_ref().or(d.url.as_ref()));
        // Only a source the user named: --url, the config's datasource.url, or the
        // schema's url/directUrl (Prisma 6). Never DATABASE_URL on its own.
        let url = if let Some(u) = &loc.url {
            u.clone()
        } else if let Some(c) = config
            .as_ref()
            .filter(|c| prisma7_rules || !matches!(c.url, Field::Absent) || url_attr.is_none())
        {
            match c.url.get() {
                Ok(Some(u)) => u,
                Ok(None) | Err(_) if loc.url_optional => String::new(),
                Err(e) => return Err(e),
                Ok(None) => {
                    return Err(Error::Cli(format!(
                        "The datasource.url property is required in your Prisma config file when using prisma migrate {command}."
                    )))
                }
            }
        } else if let Some(attr) = url_attr {
            match resolve(attr) {
                Ok(u) => u,
                Err(_) if loc.url_optional => String::new(),
                Err(e) => return Err(e),
            }
        } else if loc.url_optional {
            String::new()
        } else if let Some(ds) = &datasource {
            return Err(validation_error(
                &ds_file.0,
                &ds_file.1,
                ds.span,
                &format!(
                    "Argument \"url\" is missing in data source block \"{}\".",
                    ds.name
                ),
            ));
        } else {
            return Err(Error::own(
                "PM1001",
                "the schema has no datasource block: add one (provider and url), or pass --url",
            ));
        };

        // 6. Provider and URL scheme (§7.3).
        let provider_attr = datasource.as_ref().and_then(|d| d.provider.clone());
        let provider = match &provider_attr {
            Some(schema::Attribute {
                value: Value::Literal(p),
                ..
            }) if p == "mongodb" && command == "execute" => {
                return Err(Error::Execute {
                    code: None,
                    message: "dbExecute is not supported on MongoDB".to_owned(),
                })
            }
            Some(schema::Attribute {
                value: Value::Literal(p),
                ..
            }) => Provider::from_schema(p).ok_or_else(|| {
                Error::own(
                    "PM1024",
                    format!("the datasource provider \"{p}\" is not one prismig runs (postgresql, mysql, sqlite)"),
                )
            })?,
            _ if url.starts_with("prisma://") || url.starts_with("prisma+postgres://") => {
                Provider::Postgres
            }
            _ => Provider::from_url(&url).ok_or_else(|| Error::InvalidUrl {
                details: if loc.url_only {
                    // The schema engine's text (`db execute --url`).
                    format!(
                        "`{}` is not a known connection URL scheme. Prisma cannot determine the connector.",
                        crate::dburl::mask(&url)
                    )
                } else {
                    "The scheme is not recognized".to_owned()
                },
            })?,
        };
        if url.is_empty() && !loc.url_optional {
            return Err(Error::Cli("You must provide a nonempty URL".to_owned()));
        }
        let accelerate = url.starts_with("prisma://") || url.starts_with("prisma+postgres://");
        if accelerate && !loc.url_optional {
            let cmd = if command == "execute" {
                "db execute".to_owned()
            } else {
                format!("migrate {command}")
            };
            let how = match flavor {
                Flavor::Prisma7 => "in `prisma.config.ts`",
                Flavor::Prisma6 => "via the datasource `directUrl` setting",
            };
            return Err(Error::Cli(format!("\nUsing an Accelerate URL is not supported for this CLI command prisma {cmd} yet.\nPlease use a direct connection to your database {how}.\n\nMore information about this limitation: https://pris.ly/d/accelerate-limitations\n")));
        }
        if !url.is_empty() && !accelerate && Provider::from_url(&url) != Some(provider) {
            let expected = match provider {
                Provider::Postgres => {
                    "the URL must start with the protocol `postgresql://` or `postgres://`."
                }
                Provider::Mysql => "the URL must start with the protocol `mysql://`.",
                Provider::Sqlite => "the URL must start with the protocol `file:`.",
            };
            let name = datasource.as_ref().map(|d| d.name.as_str()).unwrap_or("db");
            return Err(match url_attr {
                Some(attr) if loc.url.is_none() && config.is_none() => validation_error(
                    &ds_file.0,
                    &ds_file.1,
                    attr.span,
                    &format!("Error validating datasource `{name}`: {expected}"),
                ),
                _ => Error::own(
                    "PM1013",
                    format!("Error validating datasource `{name}`: {expected}"),
                ),
            });
        }

        // 7. Migrations folder (§3.1).
        let migrations_dir = if let Some(m) = config
            .as_ref()
            .map(|c| c.migrations.get())
            .transpose()?
            .flatten()
        {
            PathBuf::from(m)
        } else if let Some(s) = &schema_path {
            let root = if s.is_dir() {
                s.clone()
            } else if ds_file.2.as_os_str().is_empty() {
                s.parent().map(Path::to_owned).unwrap_or_default()
            } else {
                ds_file.2.parent().map(Path::to_owned).unwrap_or_default()
            };
            root.join("migrations")
        } else {
            cwd.join("prisma/migrations")
        };

        let schemas = match datasource.as_ref().and_then(|d| d.schemas.as_ref()) {
            Some(schema::Attribute {
                value: Value::List(l),
                ..
            }) => l.clone(),
            _ => Vec::new(),
        };

        let base_dir = match (flavor, ds_file.2.parent()) {
            (Flavor::Prisma6, Some(dir)) if !ds_file.2.as_os_str().is_empty() => dir.to_owned(),
            _ => base.clone(),
        };

        // With `--url`, printed commands name a variable instead: the datasource's, if any.
        let url_var = loc.url.as_ref().map(|_| {
            match datasource
                .as_ref()
                .and_then(|d| d.direct_url.as_ref().or(d.url.as_ref()))
                .map(|a| &a.value)
            {
                Some(Value::Env(var)) => var.clone(),
                _ => "DATABASE_URL".to_owned(),
            }
        });
        let invocation = crate::shell::Invocation {
            schema: loc
                .schema
                .as_ref()
                .map(|s| s.to_string_lossy().into_owned()),
            config: loc
                .config
                .as_ref()
                .map(|c| c.to_string_lossy().into_owned()),
            url_var,
        };

        // As for the URL: with Prisma 7 rules only the config names it.
        let shadow_database = match config
            .as_ref()
            .filter(|c| prisma7_rules || !matches!(c.shadow_url, Field::Absent))
        {
            Some(c) => c.shadow_url.clone(),
            None => datasource
                .as_ref()
                .and_then(|d| d.shadow_database_url.as_ref())
                .and_then(|a| match &a.value {
                    Value::Literal(s) => Some(s.clone()),
                    Value::Env(var) => env.get(var).filter(|v| !v.is_empty()).map(str::to_owned),
                    _ => None,
                })
                .map_or(Field::Absent, Field::Value),
        };
        Ok(Project {
            invocation,
            shadow_database,
            flavor,
            notices,
            base_dir,
            config_display: config.as_ref().map(|c| relative(&c.path, cwd)),
            schema_display: schema_path.as_ref().map(|s| relative(s, cwd)),
            env_files,
            datasource_name: datasource
                .as_ref()
                .map(|d| d.name.clone())
                .unwrap_or_else(|| "db".to_owned()),
            provider,
            url,
            schemas,
            migrations_dir,
            env,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_print_like_node() {
        assert_eq!(
            relative(Path::new("/a/b/prisma/schema.prisma"), Path::new("/a/b")),
            "prisma/schema.prisma"
        );
        assert_eq!(
            relative(Path::new("/a/database/schema.prisma"), Path::new("/a/sub")),
            "../database/schema.prisma"
        );
    }

    #[test]
    fn p1012_excerpt_matches_prisma() {
        let text =
            "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n";
        let start = text.find("env(").unwrap();
        let e = validation_error(
            "database/schema.prisma",
            text,
            (start, start + "env(\"DATABASE_URL\")".len()),
            "Environment variable not found: DATABASE_URL.",
        );
        assert_eq!(e.code(), "P1012");
        assert!(e.to_string().starts_with("Prisma schema validation - (get-config wasm)\nError code: P1012\nerror: Environment variable not found: DATABASE_URL.\n  -->  database/schema.prisma:3\n   | \n 2 |   provider = \"postgresql\"\n 3 |   url      = env(\"DATABASE_URL\")\n   | \n\nValidation Error Count: 1\n[Context: getConfig]\n"), "{e}");
    }
}
