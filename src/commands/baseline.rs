//! `prismig baseline [--to NAME]`: makes a database that already has the schema managed,
//! by marking every local migration up to NAME applied, as `resolve --applied` would one by
//! one, in one transaction under the migration lock. A dry run unless `--yes`; idempotent, so
//! a container entrypoint can run it on every start; the inserted row ids are saved to a JSON
//! file first, and `--undo FILE` removes exactly those rows again.

use super::repair::{begin, write_record, RepairRecord, Session};
use super::Context;
use crate::error::{exit, Error, Result};
use crate::event::{Event, RepairAction, RepairStep};
use crate::history::{new_id, MigrationRecord};
use crate::migration::checksum;
use chrono::Utc;
use std::collections::HashSet;
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct BaselineOptions {
    /// The last migration to mark applied; all local migrations when absent.
    pub to: Option<String>,
    /// Change the history; otherwise only the plan is shown.
    pub yes: bool,
    /// Remove the rows a previous `baseline --yes` inserted, as recorded in this file.
    pub undo: Option<PathBuf>,
}

/// Decides what `baseline` does, from the local names (folder order) and the history rows.
/// A migration with an applied row is left alone; one whose latest row failed stops the
/// plan, since marking it applied would hide a half-applied script.
pub fn plan_baseline(
    local: &[&str],
    rows: &[MigrationRecord],
    to: Option<&str>,
) -> Result<Vec<RepairStep>> {
    let end = match to {
        Some(name) => {
            local
                .iter()
                .position(|n| *n == name)
                .ok_or_else(|| Error::MigrationNotFound {
                    name: name.to_owned(),
                })?
                + 1
        }
        None => local.len(),
    };
    let applied: HashSet<&str> = rows
        .iter()
        .filter(|r| r.is_finished() && !r.is_rolled_back())
        .map(|r| r.migration_name.as_str())
        .collect();
    let failed: HashSet<&str> = rows
        .iter()
        .filter(|r| r.is_failed())
        .map(|r| r.migration_name.as_str())
        .collect();
    let mut steps = Vec::new();
    for name in &local[..end] {
        if applied.contains(name) {
            continue;
        }
        if failed.contains(name) {
            return Err(Error::own(
                "PM3401",
                format!(
                    "{name} failed in this database, so baseline cannot tell whether its changes are there.\nCheck the database, then run one of:\n  prismig migrate resolve --applied {name}\n  prismig migrate resolve --rolled-back {name}"
                ),
            ));
        }
        steps.push(RepairStep::new(
            RepairAction::MarkApplied,
            *name,
            if rows.iter().any(|r| r.migration_name == *name) {
                "only rolled-back rows: its changes are taken to be in the database"
            } else {
                "no row: its changes are taken to be in the database"
            },
        ));
    }
    Ok(steps)
}

pub fn baseline(ctx: &mut Context<'_>, options: &BaselineOptions) -> Result<u8> {
    let Session {
        target,
        mut db,
        dir,
    } = match begin(ctx, options.undo.as_deref(), options.yes, "baseline --undo")? {
        Ok(session) => session,
        Err(code) => return Ok(code),
    };
    let database = target.description(&[]);
    let rows = db.history().list()?;
    let has_table = rows.is_some();
    let rows = rows.unwrap_or_default();
    let names = dir.names();
    let steps = plan_baseline(&names, &rows, options.to.as_deref())?;
    // Read every script before anything changes: an unreadable one stops the run whole.
    let mut checksums = Vec::with_capacity(steps.len());
    for step in &steps {
        let not_found = || Error::MigrationNotFound {
            name: step.name.clone(),
        };
        let script = dir
            .find(&step.name)
            .ok_or_else(not_found)?
            .script()
            .map_err(|_| not_found())?;
        checksums.push(checksum(&script));
    }
    if !options.yes || steps.is_empty() {
        ctx.emit(Event::Repair {
            command: "baseline",
            steps,
            applied: false,
            backup: None,
        });
        return Ok(exit::OK);
    }
    let ids = steps.iter().map(|_| new_id()).collect::<Result<Vec<_>>>()?;
    let record = RepairRecord {
        inserted: ids.clone(),
        migrations: steps.iter().map(|s| s.name.clone()).collect(),
        ..RepairRecord::new("baseline", database)
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let backup = write_record(&cwd, &record)?;
    let now = Utc::now();
    // MySQL commits before any DDL, so there the table is made before the transaction.
    let ddl_commits = target.provider() == crate::dburl::Provider::Mysql;
    if !has_table && ddl_commits {
        db.history().create_table()?;
    }
    db.history().in_transaction(|store| {
        if !has_table && !ddl_commits {
            store.create_table()?;
        }
        for ((step, id), sum) in steps.iter().zip(&ids).zip(&checksums) {
            store.resolve_applied(&[], id, sum, &step.name, now)?;
        }
        Ok(())
    })?;
    db.unlock();
    ctx.emit(Event::Repair {
        command: "baseline",
        steps,
        applied: true,
        backup: Some(crate::config::relative(&backup, &cwd)),
    });
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row(name: &str, finished: bool, rolled_back: bool) -> MigrationRecord {
        let t = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        MigrationRecord {
            id: format!("id-{name}"),
            checksum: String::new(),
            finished_at: finished.then_some(t),
            migration_name: name.to_owned(),
            rolled_back_at: rolled_back.then_some(t),
            started_at: t,
            applied_steps_count: 0,
        }
    }

    fn names(steps: &[RepairStep]) -> Vec<&str> {
        steps.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn marks_everything_up_to_the_target() {
        let local = ["1_a", "2_b", "3_c"];
        assert_eq!(
            names(&plan_baseline(&local, &[], None).unwrap()),
            ["1_a", "2_b", "3_c"]
        );
        assert_eq!(
            names(&plan_baseline(&local, &[], Some("2_b")).unwrap()),
            ["1_a", "2_b"]
        );
    }

    #[test]
    fn applied_rows_are_kept_and_rolled_back_ones_are_marked() {
        let local = ["1_a", "2_b", "3_c"];
        let rows = [row("1_a", true, false), row("2_b", false, true)];
        assert_eq!(
            names(&plan_baseline(&local, &rows, None).unwrap()),
            ["2_b", "3_c"]
        );
        let all = [row("1_a", true, false), row("2_b", true, false)];
        assert!(plan_baseline(&local, &all, Some("2_b")).unwrap().is_empty());
    }

    #[test]
    fn failed_rows_and_unknown_targets_stop_the_plan() {
        let local = ["1_a", "2_b"];
        let e = plan_baseline(&local, &[row("2_b", false, false)], None).unwrap_err();
        assert_eq!(e.code(), "PM3401");
        // Beyond the target, a failed row is not baseline's business.
        assert_eq!(
            names(&plan_baseline(&local, &[row("2_b", false, false)], Some("1_a")).unwrap()),
            ["1_a"]
        );
        let e = plan_baseline(&local, &[], Some("9_z")).unwrap_err();
        assert_eq!(e.code(), "P3017");
    }
}
