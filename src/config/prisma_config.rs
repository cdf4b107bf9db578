//! `prisma.config.*` read statically (no JavaScript runtime): `schema`, `migrations.path`,
//! `datasource.url` in the forms people write, and `import "dotenv/config"`.

use super::env::Env;
use crate::error::{Error, Result};
use regex::Regex;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

const NAMES: &[&str] = &[
    "prisma.config.ts",
    "prisma.config.mts",
    "prisma.config.cts",
    "prisma.config.js",
    "prisma.config.mjs",
    "prisma.config.cjs",
];

#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub dir: PathBuf,
    pub schema: Option<PathBuf>,
    pub migrations: Option<PathBuf>,
    url_expr: Option<(usize, String)>,
    pub imports_dotenv: bool,
}

static STRING: &str = r#"(?:"([^"]*)"|'([^']*)'|`([^`$]*)`)"#;

static SCHEMA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?m)^\s*schema\s*:\s*{STRING}")).expect("valid regex"));
static MIGRATIONS_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?s)migrations\s*:\s*\{{[^}}]*?\bpath\s*:\s*{STRING}"
    ))
    .expect("valid regex")
});
static URL_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^\s*url\s*:\s*(.+?),?\s*$").expect("valid regex"));
static DOTENV: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*(import\s+["']dotenv/config["']|require\(\s*["']dotenv/config["']\s*\)|import\s+\{?\s*config\s*\}?\s+from\s+["']dotenv["'])"#)
        .expect("valid regex")
});
static ENV_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^(?:env\(\s*["'](\w+)["']\s*\)|process\.env\.(\w+)|process\.env\[\s*["'](\w+)["']\s*\])\s*(?:!|as\s+string)?$"#)
        .expect("valid regex")
});
static TEMPLATE_VAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{\s*(?:process\.env\.(\w+)|env\(\s*['\x22](\w+)['\x22]\s*\))\s*\}")
        .expect("valid regex")
});

fn first_string(c: &regex::Captures<'_>) -> Option<String> {
    (1..=3).find_map(|i| c.get(i).map(|m| m.as_str().to_owned()))
}

impl ConfigFile {
    pub fn find(cwd: &Path, explicit: Option<&Path>) -> Result<Option<ConfigFile>> {
        let path = match explicit {
            Some(p) => {
                let p = if p.is_absolute() {
                    p.to_owned()
                } else {
                    cwd.join(p)
                };
                if !p.is_file() {
                    return Err(Error::Cli(format!(
                        "Config file not found at \"{}\"",
                        p.display()
                    )));
                }
                p
            }
            None => {
                let dirs = [cwd.to_owned(), cwd.join(".config")];
                let found = dirs.iter().find_map(|d| {
                    NAMES
                        .iter()
                        .map(|n| {
                            if d.ends_with(".config") {
                                d.join(n.replace("prisma.config", "prisma"))
                            } else {
                                d.join(n)
                            }
                        })
                        .find(|p| p.is_file())
                });
                match found {
                    Some(p) => p,
                    None => return Ok(None),
                }
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::Cli(format!(
                "Failed to load config file \"{}\" as a TypeScript/JavaScript module. Error: {e}",
                path.display()
            ))
        })?;
        let dir = path.parent().map(Path::to_owned).unwrap_or_default();
        let dir = if dir.ends_with(".config") {
            dir.parent().map(Path::to_owned).unwrap_or(dir)
        } else {
            dir
        };
        let url_expr = URL_LINE.captures(&text).map(|c| {
            let start = c.get(0).map_or(0, |m| m.start());
            let line = text[..start].lines().count() + 1;
            (line, c[1].trim().to_owned())
        });
        Ok(Some(ConfigFile {
            schema: SCHEMA
                .captures(&text)
                .and_then(|c| first_string(&c))
                .map(|s| dir.join(s)),
            migrations: MIGRATIONS_PATH
                .captures(&text)
                .and_then(|c| first_string(&c))
                .map(|s| dir.join(s)),
            imports_dotenv: DOTENV.is_match(&text),
            url_expr,
            path,
            dir,
        }))
    }

    /// `datasource.url`, evaluated statically; an error names the line when it cannot be.
    pub fn url(&self, env: &Env) -> Result<Option<String>> {
        let Some((line, expr)) = &self.url_expr else {
            return Ok(None);
        };
        let var_error = |var: &str| {
            Error::Cli(format!(
                "Failed to load config file \"{}\" as a TypeScript/JavaScript module. Error: PrismaConfigEnvError: Cannot resolve environment variable: {var}.",
                self.path.display()
            ))
        };
        if let Some(c) = ENV_CALL.captures(expr) {
            let var = (1..=3).find_map(|i| c.get(i)).map_or("", |m| m.as_str());
            return match env.get(var) {
                Some(v) if !v.is_empty() => Ok(Some(v.to_owned())),
                _ => Err(var_error(var)),
            };
        }
        if let Some(lit) = expr
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .or_else(|| expr.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        {
            return Ok(Some(lit.to_owned()));
        }
        if let Some(tpl) = expr.strip_prefix('`').and_then(|s| s.strip_suffix('`')) {
            let mut missing = None;
            let out = TEMPLATE_VAR.replace_all(tpl, |c: &regex::Captures<'_>| {
                let var = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
                env.get(var).map(str::to_owned).unwrap_or_else(|| {
                    missing = Some(var.to_owned());
                    String::new()
                })
            });
            if let Some(var) = missing {
                return Err(var_error(&var));
            }
            if !out.contains("${") {
                return Ok(Some(out.into_owned()));
            }
        }
        Err(Error::own(
            "PM1016",
            format!(
                "cannot read datasource.url statically from {} line {line} (`{expr}`): pass the URL with --url or DATABASE_URL",
                self.path.display()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &Path, name: &str, text: &str) -> ConfigFile {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        ConfigFile::find(dir, None).unwrap().unwrap()
    }

    fn url_of(expr: &str, env: &Env) -> Result<Option<String>> {
        let dir = tempfile::tempdir().unwrap();
        let c = config(
            dir.path(),
            "prisma.config.ts",
            &format!(
                "export default defineConfig({{\n  datasource: {{\n    url: {expr},\n  }},\n}})\n"
            ),
        );
        c.url(env)
    }

    #[test]
    fn url_forms_people_write() {
        let mut env = Env::default();
        env.set("DATABASE_URL", "postgresql://a@h/d");
        env.set("PGHOST", "h2");
        for expr in [
            "env(\"DATABASE_URL\")",
            "env('DATABASE_URL')",
            "process.env.DATABASE_URL",
            "process.env.DATABASE_URL!",
            "process.env[\"DATABASE_URL\"]",
            "process.env.DATABASE_URL as string",
            "\"postgresql://a@h/d\"",
            "'postgresql://a@h/d'",
        ] {
            assert_eq!(
                url_of(expr, &env).unwrap().as_deref(),
                Some("postgresql://a@h/d"),
                "{expr}"
            );
        }
        assert_eq!(
            url_of("`postgresql://a@${process.env.PGHOST}/d`", &env)
                .unwrap()
                .as_deref(),
            Some("postgresql://a@h2/d")
        );
    }

    #[test]
    fn unset_variables_and_computed_urls_fail_clearly() {
        let env = Env::default();
        let e = url_of("env(\"NOPE\")", &env).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("PrismaConfigEnvError: Cannot resolve environment variable: NOPE."),
            "{e}"
        );
        let e = url_of("buildUrl(process.env)", &env).unwrap_err();
        assert_eq!(e.code(), "PM1016");
        assert!(
            e.to_string().contains("line 3 (`buildUrl(process.env)`)"),
            "{e}"
        );
        assert!(e.to_string().contains("--url"));
    }

    #[test]
    fn schema_migrations_and_dotenv_import() {
        let dir = tempfile::tempdir().unwrap();
        let c = config(
            dir.path(),
            ".config/prisma.ts",
            "import \"dotenv/config\";\nexport default {\n  schema: \"db/schema.prisma\",\n  migrations: { path: \"db/migrations\", seed: \"tsx seed.ts\" },\n}\n",
        );
        assert!(c.imports_dotenv);
        assert_eq!(c.dir, dir.path());
        assert_eq!(c.schema, Some(dir.path().join("db/schema.prisma")));
        assert_eq!(c.migrations, Some(dir.path().join("db/migrations")));
        assert_eq!(c.url(&Env::default()).unwrap(), None);
    }
}
