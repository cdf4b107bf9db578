//! Finding the project as the Prisma CLI does: config file, schema, `.env`, datasource URL
//! and migrations folder (`prisma-migrate.md` §3.1, §8.2, §8.3). Produces plain data.

mod env;
mod prisma_config;
mod schema;

pub use env::Env;
pub use schema::{parse_datasource, Datasource, Value};

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
    /// The datasource's `shadowDatabaseUrl`, when set and resolvable (`migrate diff`,
    /// `status --drift`).
    pub shadow_database_url: Option<String>,
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

/// Prisma's P1012 block for an attribute of the datasource (§7.3).
fn validation_error(file_display: &str, text: &str, line: usize, error: &str) -> Error {
    let lines: Vec<&str> = text.lines().collect();
    let width = line.to_string().len();
    let mut excerpt = String::new();
    if line >= 2 {
        excerpt.push_str(&format!(
            " {:>width$} | {}\n",
            line - 1,
            lines.get(line - 2).copied().unwrap_or("")
        ));
    }
    excerpt.push_str(&format!(
        " {:>width$} | {}\n",
        line,
        lines.get(line - 1).copied().unwrap_or("")
    ));
    let pad = " ".repeat(width);
    Error::SchemaValidation {
        message: format!(
            "Prisma schema validation - (get-config wasm)\nError code: P1012\nerror: {error}\n  -->  {file_display}:{line}\n {pad} | \n{excerpt} {pad} | \n\nValidation Error Count: 1\n[Context: getConfig]\n\nprismig version : {}",
            env!("CARGO_PKG_VERSION")
        ),
    }
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

impl Project {
    pub fn load(cwd: &Path, loc: &Locations, command: &str) -> Result<Project> {
        let mut env = Env::from_process();

        // 1. Config file (Prisma 7 layout).
        let config = ConfigFile::find(cwd, loc.config.as_deref())?;
        let flavor = if config.is_some() {
            Flavor::Prisma7
        } else {
            Flavor::Prisma6
        };
        let base = config
            .as_ref()
            .map(|c| c.dir.clone())
            .unwrap_or_else(|| cwd.to_owned());

        // 2. Schema (§8.2).
        let schema_path = if let Some(s) = &loc.schema {
            let p = absolute(cwd, s);
            if !p.exists() {
                return Err(Error::Cli(format!(
                    "Could not load `--schema` from provided path `{}`: file or directory not found",
                    s.display()
                )));
            }
            Some(p)
        } else if let Some(s) = config.as_ref().and_then(|c| c.schema.clone()) {
            Some(s)
        } else if let Some(s) = package_json_schema(cwd, config.is_some())? {
            Some(s)
        } else {
            let candidates = [
                base.join("schema.prisma"),
                base.join("prisma/schema.prisma"),
            ];
            match candidates.iter().find(|p| p.is_file()) {
                Some(p) => Some(p.clone()),
                None if loc.url.is_some() || env.get("DATABASE_URL").is_some() => None,
                None => {
                    return Err(schema_not_found(&[
                        ("schema.prisma".to_owned(), "file not found"),
                        ("prisma/schema.prisma".to_owned(), "file not found"),
                    ]))
                }
            }
        };

        // 3. `.env` (Prisma 6 only; Prisma 7 loads it only through `dotenv/config`).
        let env_files = match &config {
            Some(c) if c.imports_dotenv => {
                let p = cwd.join(".env");
                if p.is_file() {
                    env.load_file(&p).map_err(|e| Error::own("PM1014", e))?;
                    vec![relative(&p, cwd)]
                } else {
                    Vec::new()
                }
            }
            Some(_) => Vec::new(),
            None => load_prisma6_env(&mut env, cwd, loc.schema.as_deref())?,
        };

        // 4. Datasource: the first block across the schema files.
        let mut datasource = None;
        let mut ds_file = (String::new(), String::new(), PathBuf::new());
        if let Some(s) = &schema_path {
            for f in schema_files(s) {
                let text = std::fs::read_to_string(&f).map_err(|e| {
                    Error::own("PM1015", format!("could not read {}: {e}", f.display()))
                })?;
                if let Some(ds) = parse_datasource(&text) {
                    ds_file = (relative(&f, cwd), text, f.clone());
                    datasource = Some(ds);
                    break;
                }
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
                        attr.line,
                        &format!("Error validating datasource `{}`: You must provide a nonempty URL. The environment variable `{var}` resolved to an empty string.", datasource.as_ref().map(|d| d.name.as_str()).unwrap_or("db")),
                    )),
                    Some(v) => Ok(v.to_owned()),
                    None => Err(validation_error(
                        &ds_file.0,
                        &ds_file.1,
                        attr.line,
                        &format!("Environment variable not found: {var}."),
                    )),
                },
                _ => Err(validation_error(
                    &ds_file.0,
                    &ds_file.1,
                    attr.line,
                    "Expected a String value, or a call to `env()`.",
                )),
            }
        };
        let url_line = datasource
            .as_ref()
            .and_then(|d| d.direct_url.as_ref().or(d.url.as_ref()).map(|a| a.line));
        let url = if let Some(u) = &loc.url {
            u.clone()
        } else if let Some(u) = config.as_ref().map(|c| c.url(&env)).transpose()?.flatten() {
            u
        } else if let Some(attr) = datasource
            .as_ref()
            .and_then(|d| d.direct_url.as_ref().or(d.url.as_ref()))
        {
            match resolve(attr) {
                Ok(u) => u,
                Err(_) if loc.url_optional => String::new(),
                Err(e) => return Err(e),
            }
        } else if let Some(u) = env.get("DATABASE_URL") {
            u.to_owned()
        } else if loc.url_optional {
            String::new()
        } else if config.is_some() {
            return Err(Error::Cli(format!(
                "The datasource.url property is required in your Prisma config file when using prisma migrate {command}."
            )));
        } else {
            return Err(Error::own(
                "PM1001",
                "no database URL: pass --url, set DATABASE_URL, or add a datasource block with a url to the schema",
            ));
        };

        // 6. Provider and URL scheme (§7.3).
        let provider_attr = datasource.as_ref().and_then(|d| d.provider.clone());
        let provider = match &provider_attr {
            Some(schema::Attribute {
                value: Value::Literal(p),
                line,
            }) => Provider::from_schema(p).ok_or_else(|| {
                validation_error(
                    &ds_file.0,
                    &ds_file.1,
                    *line,
                    &format!("Datasource provider not known: \"{p}\"."),
                )
            })?,
            _ => Provider::from_url(&url).ok_or_else(|| Error::InvalidUrl {
                details: "The scheme is not recognized".to_owned(),
            })?,
        };
        if url.is_empty() && !loc.url_optional {
            return Err(Error::Cli("You must provide a nonempty URL".to_owned()));
        }
        if !url.is_empty()
            && Provider::from_url(&url) != Some(provider)
            && !url.starts_with("prisma://")
        {
            let expected = match provider {
                Provider::Postgres => {
                    "the URL must start with the protocol `postgresql://` or `postgres://`."
                }
                Provider::Mysql => "the URL must start with the protocol `mysql://`.",
                Provider::Sqlite => "the URL must start with the protocol `file:`.",
            };
            let name = datasource.as_ref().map(|d| d.name.as_str()).unwrap_or("db");
            return Err(match url_line {
                Some(line) if loc.url.is_none() => validation_error(
                    &ds_file.0,
                    &ds_file.1,
                    line,
                    &format!("Error validating datasource `{name}`: {expected}"),
                ),
                _ => Error::own(
                    "PM1013",
                    format!("Error validating datasource `{name}`: {expected}"),
                ),
            });
        }
        if url.starts_with("prisma://") {
            return Err(Error::Cli(format!("\nUsing an Accelerate URL is not supported for this CLI command prisma migrate {command} yet.\nPlease use a direct connection to your database in `prisma.config.ts`.\n\nMore information about this limitation: https://pris.ly/d/accelerate-limitations\n")));
        }

        // 7. Migrations folder (§3.1).
        let migrations_dir = if let Some(m) = config.as_ref().and_then(|c| c.migrations.clone()) {
            m
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

        let mut notices = Vec::new();
        if flavor == Flavor::Prisma6
            && nearest_package_json(cwd).is_some_and(|(_, j)| j.get("prisma").is_some())
        {
            notices.push("The configuration property `package.json#prisma` is deprecated and will be removed in Prisma 7. Please migrate to a Prisma config file (e.g., `prisma.config.ts`).\nFor more information, see: https://pris.ly/prisma-config\n".to_owned());
        }
        if flavor == Flavor::Prisma7 {
            if let Some(ds) = &datasource {
                for (attr, name) in [
                    (&ds.url, "url"),
                    (&ds.direct_url, "directUrl"),
                    (&ds.shadow_database_url, "shadowDatabaseUrl"),
                ] {
                    if attr.is_some() {
                        notices.push(format!("The datasource property `{name}` is no longer supported in schema files (Prisma 7 rejects it with P1012: move connection URLs to `prisma.config.ts`); prismig accepts it and prefers the config's URL. See https://pris.ly/d/config-datasource"));
                    }
                }
            }
        }

        let base_dir = match (flavor, ds_file.2.parent()) {
            (Flavor::Prisma6, Some(dir)) if !ds_file.2.as_os_str().is_empty() => dir.to_owned(),
            _ => base.clone(),
        };

        let shadow_database_url = datasource
            .as_ref()
            .and_then(|d| d.shadow_database_url.as_ref())
            .and_then(|a| match &a.value {
                Value::Literal(s) => Some(s.clone()),
                Value::Env(var) => env.get(var).filter(|v| !v.is_empty()).map(str::to_owned),
                _ => None,
            });
        Ok(Project {
            shadow_database_url,
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
        let e = validation_error(
            "database/schema.prisma",
            text,
            3,
            "Environment variable not found: DATABASE_URL.",
        );
        assert_eq!(e.code(), "P1012");
        assert!(e.to_string().starts_with("Prisma schema validation - (get-config wasm)\nError code: P1012\nerror: Environment variable not found: DATABASE_URL.\n  -->  database/schema.prisma:3\n   | \n 2 |   provider = \"postgresql\"\n 3 |   url      = env(\"DATABASE_URL\")\n   | \n\nValidation Error Count: 1\n[Context: getConfig]\n"), "{e}");
    }
}
