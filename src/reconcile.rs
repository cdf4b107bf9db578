//! The decisions, as pure functions of (local migrations, history rows): what deploy
//! applies, what status reports, what resolve changes. No I/O.
//!
//! Rules from `prisma-migrate.md` §4.2, §4.4, §5.2, §6.2, §6.3.

use crate::error::Error;
use crate::history::MigrationRecord;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// What `diagnose` needs of a name's rows: the row that counts (the last one not rolled
/// back), if any. One entry per name, no allocation per row: histories have thousands.
fn current_rows(rows: &[MigrationRecord]) -> HashMap<&str, Option<&MigrationRecord>> {
    let mut map: HashMap<&str, Option<&MigrationRecord>> = HashMap::with_capacity(rows.len());
    for r in rows {
        let slot = map.entry(r.migration_name.as_str()).or_insert(None);
        if !r.is_rolled_back() {
            *slot = Some(r);
        }
    }
    map
}

/// P3009 when any row is failed (§4.4), with one detail line per failed row in table order.
pub fn check_no_failed(rows: &[MigrationRecord]) -> Result<(), Error> {
    let mut details = String::new();
    for r in rows.iter().filter(|r| r.is_failed()) {
        // chrono's Display of DateTime<Utc> is the engine's rendering.
        let _ = writeln!(
            details,
            "The `{}` migration started at {} failed",
            r.migration_name, r.started_at
        );
    }
    if details.is_empty() {
        Ok(())
    } else {
        Err(Error::FailedMigrations { details })
    }
}

/// §4.2 step 7: local migrations, in folder order, with no row that is not rolled back.
/// Edited migrations and rows missing locally are ignored; a migration whose rows are all
/// rolled back is applied again.
pub fn pending_for_deploy<'a>(local: &[&'a str], rows: &[MigrationRecord]) -> Vec<&'a str> {
    let present: HashSet<&str> = rows
        .iter()
        .filter(|r| r.rolled_back_at.is_none())
        .map(|r| r.migration_name.as_str())
        .collect();
    local
        .iter()
        .copied()
        .filter(|name| !present.contains(name))
        .collect()
}

/// What `migrate status` knows (§5.2), plus what Prisma computes but never shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Diagnosis {
    pub has_migrations_table: bool,
    pub failed: Vec<String>,
    pub edited: Vec<String>,
    pub history: History,
    /// Local migrations whose only rows are rolled back: status reads them as applied,
    /// deploy applies them again.
    pub rolled_back_only: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum History {
    #[default]
    InSync,
    DatabaseIsBehind {
        unapplied: Vec<String>,
    },
    MigrationsDirectoryIsBehind {
        unpersisted: Vec<String>,
    },
    Diverge {
        last_common: Option<String>,
        unpersisted: Vec<String>,
        unapplied: Vec<String>,
    },
}

/// §5.2. `matches(index, stored_checksum)` tells whether local migration `index` still has
/// the stored checksum. Prisma's engine compares with the first row of the name; prismig
/// compares with the row that counts, the last one not rolled back, so that a migration
/// rolled back, fixed and applied again is not reported as edited (Prisma's CLI never shows
/// this field; prismig warns with it).
pub fn diagnose<E>(
    local: &[&str],
    rows: &[MigrationRecord],
    has_migrations_table: bool,
    mut matches: impl FnMut(usize, &str) -> Result<bool, E>,
) -> Result<Diagnosis, E> {
    let mut unapplied = Vec::new();
    let mut first_unapplied = None;
    let mut edited = Vec::new();
    let mut rolled_back_only = Vec::new();
    let index = current_rows(rows);
    for (i, name) in local.iter().enumerate() {
        match index.get(name) {
            None => {
                first_unapplied.get_or_insert(i);
                unapplied.push((*name).to_owned());
            }
            Some(current) => match current {
                Some(row) => {
                    if !matches(i, &row.checksum)? {
                        edited.push((*name).to_owned());
                    }
                }
                None => rolled_back_only.push((*name).to_owned()),
            },
        }
    }
    let failed = rows
        .iter()
        .filter(|r| r.is_failed())
        .map(|r| r.migration_name.clone())
        .collect();
    let local_set: HashSet<&str> = local.iter().copied().collect();
    let unpersisted: Vec<String> = rows
        .iter()
        .filter(|r| !local_set.contains(r.migration_name.as_str()))
        .map(|r| r.migration_name.clone())
        .collect();
    let history = match (unapplied.is_empty(), unpersisted.is_empty()) {
        (true, true) => History::InSync,
        (false, true) => History::DatabaseIsBehind { unapplied },
        (true, false) => History::MigrationsDirectoryIsBehind { unpersisted },
        (false, false) => History::Diverge {
            last_common: first_unapplied
                .and_then(|i| i.checked_sub(1))
                .map(|i| local[i].to_owned()),
            unpersisted,
            unapplied,
        },
    };
    Ok(Diagnosis {
        has_migrations_table,
        failed,
        edited,
        history,
        rolled_back_only,
    })
}

/// §6.2 steps 5–6: P3008 if a finished row exists; else the ids of failed rows to mark
/// rolled back before inserting the applied row.
pub fn plan_resolve_applied(name: &str, rows: &[MigrationRecord]) -> Result<Vec<String>, Error> {
    let mine: Vec<&MigrationRecord> = rows.iter().filter(|r| r.migration_name == name).collect();
    if mine.iter().any(|r| r.is_finished()) {
        return Err(Error::AlreadyApplied {
            name: name.to_owned(),
        });
    }
    Ok(mine
        .iter()
        .filter(|r| r.is_failed())
        .map(|r| r.id.clone())
        .collect())
}

/// §6.3 steps 4–6: P3011 without rows, P3012 when every row finished; else the failed rows
/// to mark (possibly none, when they are already rolled back).
pub fn plan_resolve_rolled_back(
    name: &str,
    rows: &[MigrationRecord],
) -> Result<Vec<String>, Error> {
    let mine: Vec<&MigrationRecord> = rows.iter().filter(|r| r.migration_name == name).collect();
    if mine.is_empty() {
        return Err(Error::NeverApplied {
            name: name.to_owned(),
        });
    }
    if mine.iter().all(|r| r.is_finished()) {
        return Err(Error::NotFailed {
            name: name.to_owned(),
        });
    }
    Ok(mine
        .iter()
        .filter(|r| r.is_failed())
        .map(|r| r.id.clone())
        .collect())
}

#[cfg(test)]
mod tests;
