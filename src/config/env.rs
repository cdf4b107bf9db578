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
