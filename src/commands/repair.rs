//! What `baseline` and `fix` share: the record of a history change, written before the
//! change, and `--undo`, which reads it back and restores the rows it lists.

use super::Context;
use crate::db::{Database, Target};
use crate::error::{exit, Error, Result};
use crate::event::{Event, RepairAction, RepairStep};
use crate::files;
use crate::history::HistoryStore;
use crate::migration::{check_provider, MigrationsDir};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A row's value before a repair changed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Previous {
    pub id: String,
    pub migration: String,
    pub value: String,
}

/// The file `baseline --yes` and `fix --yes` write before they change anything
/// (`.prismig/history-backups/<UTC time>-<command>.json`; README, "Repairs").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RepairRecord {
    pub command: String,
    pub database: String,
    pub created_at: String,
    /// Ids of the rows inserted: `--undo` deletes them.
    #[serde(default)]
    pub inserted: Vec<String>,
    /// The migrations the change is about.
    #[serde(default)]
    pub migrations: Vec<String>,
    /// Rows marked rolled back: `--undo` clears `rolled_back_at`.
    #[serde(default)]
    pub rolled_back: Vec<Previous>,
    /// Old checksums of re-stamped rows.
    #[serde(default)]
    pub restamped: Vec<Previous>,
    /// Old names of renamed rows.
    #[serde(default)]
    pub renamed: Vec<Previous>,
    /// Rows moved to `_prisma_migrations_backup`, tagged there with `archive_batch`.
    #[serde(default)]
    pub archived: Vec<Previous>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_batch: Option<String>,
    /// The repair created `_prisma_migrations`: `--undo` drops it again, so that deploy
    /// stops with P3005 as it did before.
    #[serde(default)]
    pub created_table: bool,
}

impl RepairRecord {
    pub fn new(command: &str, database: String) -> RepairRecord {
        RepairRecord {
            command: command.to_owned(),
            database,
            created_at: Utc::now().to_rfc3339(),
            ..RepairRecord::default()
        }
    }
}

/// Writes the record to `.prismig/history-backups/<UTC time>-<random>-<command>.json` under
/// `base`: a new file (never one that exists), mode 0600, in a folder of mode 0700.
pub fn write_record(base: &Path, record: &RepairRecord) -> Result<PathBuf> {
    let dir = base.join(".prismig").join("history-backups");
    let fail = |e: std::io::Error| {
        Error::own(
            "PM3403",
            format!(
                "cannot save the repair record in {}: {e}; nothing was changed",
                dir.display()
            ),
        )
    };
    files::private_dir(&dir).map_err(fail)?;
    let path = dir.join(format!(
        "{}-{}.json",
        files::unique_stamp().map_err(fail)?,
        record.command
    ));
    let text = serde_json::to_string_pretty(record).expect("a record serialises");
    files::write_new(&path, (text + "\n").as_bytes()).map_err(fail)?;
    Ok(path)
}

pub fn read_record(file: &Path) -> Result<RepairRecord> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        Error::own(
            "PM3402",
            format!("cannot read the repair record {}: {e}", file.display()),
        )
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Error::own(
            "PM3402",
            format!("{} is not a prismig repair record: {e}", file.display()),
        )
    })
}

/// What a history repair works on.
pub(super) struct Session {
    pub target: Target,
    pub db: Database,
    pub dir: MigrationsDir,
}

/// How every history repair starts: the header lines, a connection, then either `--undo`
/// (carried out here; `Err` holds its exit code) or the folder, checked against the
/// provider as deploy checks it, and with `yes` the migration lock, taken before the
/// history is read so that the plan is the one carried out.
pub(super) fn begin(
    ctx: &mut Context<'_>,
    undo_file: Option<&Path>,
    yes: bool,
    undo_label: &'static str,
) -> Result<std::result::Result<Session, u8>> {
    let target = ctx.announce()?;
    let mut db = ctx.connect(&target)?;
    if let Some(file) = undo_file {
        return undo(ctx, &mut db, &target, file, yes, undo_label).map(Err);
    }
    let dir = MigrationsDir::read(&ctx.project.migrations_dir);
    check_provider(dir.lockfile.as_deref(), ctx.lock_name())?;
    if yes {
        ctx.lock(&mut db)?;
    }
    Ok(Ok(Session { target, db, dir }))
}

/// What undoing `record` does, given the ids now in `_prisma_migrations`.
pub fn plan_undo(record: &RepairRecord, live: &[(String, String)]) -> Vec<RepairStep> {
    let name_of = |id: &str| live.iter().find(|(i, _)| i == id).map(|(_, n)| n.clone());
    let because = format!("{} at {}", record.command, record.created_at);
    let mut steps = Vec::new();
    for id in &record.inserted {
        if let Some(name) = name_of(id) {
            steps.push(RepairStep::new(
                RepairAction::RemoveRow,
                name,
                format!("inserted by {because}"),
            ));
        }
    }
    for p in &record.rolled_back {
        if name_of(&p.id).is_some() {
            steps.push(RepairStep::new(
                RepairAction::Restore,
                &p.migration,
                format!("marked rolled back by {because}: failed again"),
            ));
        }
    }
    for p in &record.restamped {
        if name_of(&p.id).is_some() {
            steps.push(RepairStep::new(
                RepairAction::Restore,
                &p.migration,
                format!("re-stamped by {because}: checksum back to {}", p.value),
            ));
        }
    }
    for p in &record.renamed {
        if let Some(name) = name_of(&p.id) {
            steps.push(RepairStep::new(
                RepairAction::Restore,
                name,
                format!("renamed by {because}: back to {}", p.value),
            ));
        }
    }
    for p in &record.archived {
        if name_of(&p.id).is_none() {
            steps.push(RepairStep::new(
                RepairAction::Restore,
                &p.migration,
                format!("archived by {because}: back from _prisma_migrations_backup"),
            ));
        }
    }
    steps
}

/// `--undo FILE`: puts back what the record says was changed, in one transaction under
/// the migration lock; a dry run unless `yes`.
fn undo(
    ctx: &mut Context<'_>,
    db: &mut Database,
    target: &Target,
    file: &Path,
    yes: bool,
    label: &'static str,
) -> Result<u8> {
    let record = read_record(file)?;
    // Ids are random, so another database would have none of them: without this check
    // the undo would say "nothing to do" and leave the database it was meant for as it is.
    let here = target.description(&[]);
    if record.database != here {
        return Err(Error::own(
            "PM3425",
            format!(
                "{} records a {} of {}, not of this {here}; nothing was changed. Run the undo with that database's URL",
                file.display(),
                record.command,
                record.database
            ),
        ));
    }
    if yes {
        ctx.lock(db)?;
    }
    let rows = db.history().list()?;
    let table_exists = rows.is_some();
    let rows = rows.unwrap_or_default();
    let live: Vec<(String, String)> = rows.into_iter().map(|r| (r.id, r.migration_name)).collect();
    let mut steps = plan_undo(&record, &live);
    // Only when every row left is one the record inserted does dropping the table give
    // back the earlier state; rows added since (a deploy) must not disappear with it.
    let drop_table = record.created_table && table_exists;
    if drop_table {
        let others: Vec<&str> = live
            .iter()
            .filter(|(id, _)| !record.inserted.contains(id))
            .map(|(_, name)| name.as_str())
            .collect();
        if !others.is_empty() {
            return Err(Error::own(
                "PM3426",
                format!(
                    "{} created _prisma_migrations, and rows were added since ({}): undoing it would drop their history; nothing was changed. Resolve those migrations first, or remove the rows yourself",
                    record.command,
                    others.join(", ")
                ),
            ));
        }
        steps.push(RepairStep::new(
            RepairAction::RemoveRow,
            "_prisma_migrations",
            format!(
                "created by {} at {}: dropped, so that deploy stops with P3005 again",
                record.command, record.created_at
            ),
        ));
    }
    if !yes || steps.is_empty() {
        ctx.emit(Event::Repair {
            command: label,
            steps,
            applied: false,
            backup: None,
            undo: None,
        });
        return Ok(exit::OK);
    }
    let present = |id: &str| live.iter().any(|(i, _)| i == id);
    db.history()
        .in_transaction(|store: &mut HistoryStore<'_>| {
            let inserted: Vec<String> = record
                .inserted
                .iter()
                .filter(|id| present(id))
                .cloned()
                .collect();
            store.delete_rows(&inserted)?;
            for p in record.rolled_back.iter().filter(|p| present(&p.id)) {
                store.clear_rolled_back(&p.id)?;
            }
            for p in record.restamped.iter().filter(|p| present(&p.id)) {
                store.set_checksum(&p.id, &p.value)?;
            }
            for p in record.renamed.iter().filter(|p| present(&p.id)) {
                store.set_name(&p.id, &p.value)?;
            }
            if let Some(batch) = &record.archive_batch {
                store.restore_archived(batch)?;
            }
            if drop_table {
                store.drop_table()?;
            }
            Ok(())
        })?;
    db.unlock();
    ctx.emit(Event::Repair {
        command: label,
        steps,
        applied: true,
        backup: None,
        undo: None,
    });
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_plans_only_what_is_still_there() {
        let mut r = RepairRecord::new("fix", "db".into());
        r.inserted = vec!["i1".into(), "gone".into()];
        r.restamped = vec![Previous {
            id: "r1".into(),
            migration: "1_a".into(),
            value: "abc".into(),
        }];
        r.archived = vec![
            Previous {
                id: "a1".into(),
                migration: "9_z".into(),
                value: String::new(),
            },
            Previous {
                id: "r1".into(),
                migration: "1_a".into(),
                value: String::new(),
            },
        ];
        let live = [
            ("i1".to_owned(), "2_b".to_owned()),
            ("r1".to_owned(), "1_a".to_owned()),
        ];
        let steps = plan_undo(&r, &live);
        let got: Vec<(RepairAction, &str)> =
            steps.iter().map(|s| (s.action, s.name.as_str())).collect();
        assert_eq!(
            got,
            [
                (RepairAction::RemoveRow, "2_b"),
                (RepairAction::Restore, "1_a"),
                (RepairAction::Restore, "9_z")
            ]
        );
    }

    #[test]
    fn old_baseline_records_still_read() {
        let text = r#"{"command":"baseline","database":"d","created_at":"t","inserted":["x"],"migrations":["1_a"]}"#;
        let r: RepairRecord = serde_json::from_str(text).unwrap();
        assert_eq!(r.inserted, ["x"]);
        assert!(r.restamped.is_empty() && r.archive_batch.is_none());
    }
}
