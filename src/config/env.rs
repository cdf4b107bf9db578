//! Environment variables: the real environment over `.env` files, which never override
//! it (Prisma 6 `.env` loading, §8.3). The process environment itself is never changed.

use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    pub fn from_process() -> Env {
        Env {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str)
    }

    /// The variables of a `.env` file, in order. `${VAR}` expands.
    pub fn parse_file(path: &Path) -> Result<Vec<(String, String)>, String> {
        dotenvy::from_path_iter(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .map(|item| item.map_err(|e| format!("{}: {e}", path.display())))
            .collect()
    }

    /// Adds the variables of a `.env` file that are not set yet (dotenv never overrides).
    pub fn load_file(&mut self, path: &Path) -> Result<(), String> {
        for (k, v) in Env::parse_file(path)? {
            self.vars.entry(k).or_insert(v);
        }
        Ok(())
    }

    /// Sets a variable (tests and library use); the process environment is untouched.
    pub fn set(&mut self, key: &str, value: &str) {
        self.vars.insert(key.to_owned(), value.to_owned());
    }

    /// Whether a variable is set to something other than `""` or `"0"` (Prisma's test for
    /// `PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK`).
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some(v) if !v.is_empty() && v != "0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Prisma's advisory-lock switch (spec §4.5): set and neither "" nor "0" means on.
    #[test]
    fn flag_is_set_unless_missing_empty_or_zero() {
        let rows: &[(Option<&str>, bool, &str)] = &[
            (None, false, "unset: the lock is taken"),
            (Some(""), false, "empty counts as unset"),
            (Some("0"), false, "\"0\" turns it off"),
            (Some("1"), true, "any other value turns it on"),
            (Some("true"), true, "a word turns it on"),
            (Some("00"), true, "only the exact text \"0\" is off"),
        ];
        for (value, expected, rule) in rows {
            let mut env = Env::default();
            if let Some(v) = value {
                env.set("PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK", v);
            }
            assert_eq!(
                env.flag("PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK"),
                *expected,
                "{rule}"
            );
        }
    }

    // §8.3: `.env` adds variables, never overrides the real environment; `${VAR}` expands.
    #[test]
    fn dotenv_adds_but_never_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(
            &path,
            "DATABASE_URL=postgresql://file@h/db\nEXTRA=x\nBOTH=${EXTRA}-y\n",
        )
        .unwrap();
        assert_eq!(
            Env::parse_file(&path).unwrap(),
            [
                (
                    "DATABASE_URL".to_owned(),
                    "postgresql://file@h/db".to_owned()
                ),
                ("EXTRA".to_owned(), "x".to_owned()),
                ("BOTH".to_owned(), "x-y".to_owned()),
            ]
        );
        let mut env = Env::default();
        env.set("DATABASE_URL", "postgresql://real@h/db");
        env.load_file(&path).unwrap();
        assert_eq!(env.get("DATABASE_URL"), Some("postgresql://real@h/db"));
        assert_eq!(
            env.get("EXTRA"),
            Some("x"),
            "a variable only in .env is loaded"
        );
        assert_eq!(env.get("MISSING"), None);
        let missing = dir.path().join("nope.env");
        let e = Env::default().load_file(&missing).unwrap_err();
        assert!(e.starts_with(&missing.display().to_string()), "{e}");
    }

    #[test]
    fn process_environment_is_read() {
        // PATH is set for any test run; the process environment is copied, not changed.
        let env = Env::from_process();
        assert_eq!(env.get("PATH"), std::env::var("PATH").ok().as_deref());
        assert!(!env.vars.is_empty());
    }
}
