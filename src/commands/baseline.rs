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
use crate::migration::objects::{script_effects, SchemaObject};
use crate::shell::Invocation;
use chrono::Utc;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct BaselineOptions {
    /// The last migration to mark applied; all local migrations when absent.
    pub to: Option<String>,
    /// Change the history; otherwise only the plan is shown.
    pub yes: bool,
    /// Remove the rows a previous `baseline --yes` inserted, as recorded in this file.
    pub undo: Option<PathBuf>,
    /// Mark migrations applied even when the objects their scripts create are missing.
    pub force: bool,
}

/// Holds back the steps of migrations whose objects the database lacks (`absent`: name →
/// the objects not as the script leaves them): they become "needs you", with the choice
/// of deploying them or `--force`. With `force` they stay, the objects named.
pub fn hold_back(
    steps: Vec<RepairStep>,
    absent: &HashMap<String, Vec<String>>,
    local: &[&str],
    force: bool,
    inv: &Invocation,
) -> Vec<RepairStep> {
    let steps: Vec<RepairStep> = steps
        .into_iter()
        .map(|step| {
            let Some(objects) = absent.get(&step.name).filter(|o| !o.is_empty()) else {
                return step;
            };
            if force {
                let reason = format!("{}; --force although {}", step.reason, objects.join(", "));
                return RepairStep::new(step.action, step.name, reason);
            }
            let before = local
                .iter()
                .position(|n| *n == step.name)
                .and_then(|i| i.checked_sub(1))
                .map(|i| local[i]);
            let mut details: Vec<String> = objects.clone();
            if let Some(before) = before {
                details.push(format!(
                    "$ {}",
                    inv.prismig(&["baseline", "--to", before, "--yes"])
                ));
            }
            details.push(format!("$ {}", inv.prismig(&["migrate", "deploy"])));
            details.push(format!(
                "$ {}",
                inv.prismig(&["baseline", "--to", &step.name, "--force", "--yes"])
            ));
            RepairStep::new(
                RepairAction::Keep,
                &step.name,
                "its objects are not in the database, so its script has not run here: baseline the migrations before it and let deploy apply it, or mark it applied anyway with --force",
            )
            .with_details(details)
        })
        .collect();
    // Marking the others alone would leave a hole in the history: nothing is marked.
    if !steps.iter().any(|s| s.action == RepairAction::Keep) {
        return steps;
    }
    steps
        .into_iter()
        .map(|step| match step.action {
            RepairAction::MarkApplied => RepairStep::new(
                RepairAction::Note,
                step.name,
                format!(
                    "{}; not marked while a migration up to the target needs you",
                    step.reason
                ),
            ),
            _ => step,
        })
        .collect()
}

/// Decides what `baseline` does, from the local names (folder order) and the history rows.
/// A migration with an applied row is left alone; one whose latest row failed stops the
/// plan, since marking it applied would hide a half-applied script.
pub fn plan_baseline(
    local: &[&str],
    rows: &[MigrationRecord],
    to: Option<&str>,
    inv: &Invocation,
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
                    "{name} failed in this database, so baseline cannot tell whether its changes are there.\nCheck the database, then run one of:\n  {}\n  {}",
                    inv.prismig(&["migrate", "resolve", "--applied", name]),
                    inv.prismig(&["migrate", "resolve", "--rolled-back", name])
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
    let steps = plan_baseline(
        &names,
        &rows,
        options.to.as_deref(),
        &ctx.project.invocation,
    )?;
    // Read every script up to the target before anything changes: an unreadable one stops
    // the run whole.
    let end = steps
        .last()
        .and_then(|last| names.iter().position(|n| *n == last.name))
        .map_or(0, |i| i + 1);
    let mut scripts = Vec::with_capacity(end);
    for name in &names[..end] {
        let not_found = || Error::MigrationNotFound {
            name: (*name).to_owned(),
        };
        let script = dir
            .find(name)
            .ok_or_else(not_found)?
            .script()
            .map_err(|_| not_found())?;
        scripts.push(script);
    }
    let checksums: Vec<String> = steps
        .iter()
        .map(|step| {
            let i = names
                .iter()
                .position(|n| *n == step.name)
                .expect("planned from names");
            checksum(&scripts[i])
        })
        .collect();
    if !steps.is_empty() {
        let tables = db.table_names(&ctx.project.schemas)?;
        let empty = !tables
            .iter()
            .any(|(_, t)| t != "_prisma_migrations" && !db.ignores_table(t));
        if empty {
            return Err(Error::own(
                "PM3427",
                format!(
                    "the database has no tables, so none of these migrations has run here: baseline would mark {} migration(s) applied that are not. Apply them instead: {}",
                    steps.len(),
                    ctx.project.invocation.prismig(&["migrate", "deploy"])
                ),
            ));
        }
    }
    let absent = absent_objects(&mut db, &names[..end], &scripts, &steps);
    let steps = hold_back(
        steps,
        &absent,
        &names,
        options.force,
        &ctx.project.invocation,
    );
    let held = steps.iter().any(|s| s.action == RepairAction::Keep);
    if !options.yes || steps.is_empty() || held {
        ctx.emit(Event::Repair {
            command: "baseline",
            steps,
            applied: false,
            backup: None,
            undo: None,
        });
        return Ok(if held { exit::FAILURE } else { exit::OK });
    }
    let ids = steps.iter().map(|_| new_id()).collect::<Result<Vec<_>>>()?;
    let record = RepairRecord {
        inserted: ids.clone(),
        migrations: steps.iter().map(|s| s.name.clone()).collect(),
        created_table: !has_table,
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
        undo: Some(ctx.project.invocation.prismig(&[
            "baseline",
            "--undo",
            &crate::config::relative(&backup, &cwd),
            "--yes",
        ])),
        backup: Some(crate::config::relative(&backup, &cwd)),
    });
    Ok(exit::OK)
}

/// For each migration to mark, the objects its script creates or drops that the database
/// does not have as the script leaves them (probed as `fix` does). An object a later
/// migration up to the target also touches is that one's to judge.
fn absent_objects(
    db: &mut crate::db::Database,
    names: &[&str],
    scripts: &[String],
    steps: &[RepairStep],
) -> HashMap<String, Vec<String>> {
    let effects: Vec<_> = scripts.iter().map(|s| script_effects(s)).collect();
    let mut out = HashMap::new();
    for step in steps {
        let Some(i) = names.iter().position(|n| *n == step.name) else {
            continue;
        };
        let later: HashSet<&SchemaObject> = effects[i + 1..]
            .iter()
            .flat_map(|e| e.expectations.iter().map(|x| &x.object))
            .collect();
        let own: Vec<_> = effects[i]
            .expectations
            .iter()
            .filter(|x| !later.contains(&x.object))
            .collect();
        let objects: Vec<SchemaObject> = own.iter().map(|x| x.object.clone()).collect();
        let answers = db.probe(&objects);
        let absent: Vec<String> = own
            .iter()
            .zip(answers)
            .filter_map(|(x, answer)| match answer {
                Some(present) if present != x.present_when_applied => Some(format!(
                    "{} {}",
                    x.object,
                    if present { "exists" } else { "does not exist" }
                )),
                _ => None,
            })
            .collect();
        out.insert(step.name.clone(), absent);
    }
    out
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
            names(&plan_baseline(&local, &[], None, &Invocation::default()).unwrap()),
            ["1_a", "2_b", "3_c"]
        );
        assert_eq!(
            names(&plan_baseline(&local, &[], Some("2_b"), &Invocation::default()).unwrap()),
            ["1_a", "2_b"]
        );
    }

    #[test]
    fn applied_rows_are_kept_and_rolled_back_ones_are_marked() {
        let local = ["1_a", "2_b", "3_c"];
        let rows = [row("1_a", true, false), row("2_b", false, true)];
        assert_eq!(
            names(&plan_baseline(&local, &rows, None, &Invocation::default()).unwrap()),
            ["2_b", "3_c"]
        );
        let all = [row("1_a", true, false), row("2_b", true, false)];
        assert!(
            plan_baseline(&local, &all, Some("2_b"), &Invocation::default())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn failed_rows_and_unknown_targets_stop_the_plan() {
        let local = ["1_a", "2_b"];
        let e = plan_baseline(
            &local,
            &[row("2_b", false, false)],
            None,
            &Invocation::default(),
        )
        .unwrap_err();
        assert_eq!(e.code(), "PM3401");
        // Beyond the target, a failed row is not baseline's business.
        assert_eq!(
            names(
                &plan_baseline(
                    &local,
                    &[row("2_b", false, false)],
                    Some("1_a"),
                    &Invocation::default()
                )
                .unwrap()
            ),
            ["1_a"]
        );
        let e = plan_baseline(&local, &[], Some("9_z"), &Invocation::default()).unwrap_err();
        assert_eq!(e.code(), "P3017");
    }

    #[test]
    fn absent_objects_hold_a_migration_back_unless_forced() {
        let local = ["1_a", "2_b"];
        let steps = plan_baseline(&local, &[], None, &Invocation::default()).unwrap();
        let absent = HashMap::from([
            ("1_a".to_owned(), Vec::new()),
            (
                "2_b".to_owned(),
                vec!["table \"b\" does not exist".to_owned()],
            ),
        ]);
        let held = hold_back(
            steps.clone(),
            &absent,
            &local,
            false,
            &Invocation::default(),
        );
        assert_eq!(held[0].action, RepairAction::Note);
        assert_eq!(held[1].action, RepairAction::Keep);
        assert_eq!(
            held[1].details,
            [
                "table \"b\" does not exist",
                "$ prismig baseline --to 1_a --yes",
                "$ prismig migrate deploy",
                "$ prismig baseline --to 2_b --force --yes"
            ]
        );
        let forced = hold_back(steps, &absent, &local, true, &Invocation::default());
        assert_eq!(forced[1].action, RepairAction::MarkApplied);
        assert!(forced[1].reason.contains("--force although table"));
    }
}
