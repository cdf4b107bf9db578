//! `prismig fix`: finds where `_prisma_migrations` and the migrations folder disagree and
//! repairs what can be repaired without guessing:
//! - failed rows: marked rolled back when the catalog shows the script left nothing
//!   behind, marked applied when everything it creates is there (finished by hand);
//! - edited migrations: a summary of the change (from git), re-stamped on request;
//!   CRLF-only and legacy unpadded checksums re-stamped with the rest;
//! - rows whose folder is gone: re-pointed when the folder was renamed (same script),
//!   else reported, and moved to `_prisma_migrations_backup` with `--archive`;
//! - several finished rows for one migration: the extra ones archived;
//! - rows applied in another order than the folder's: reported.
//!
//! A dry run unless `--yes`; then under the migration lock, in one transaction, after the
//! previous values are saved to a record that `--undo` reads.

use super::repair::{begin, write_record, Previous, RepairRecord, Session};
use super::Context;
use crate::config::relative;
use crate::dburl::Provider;
use crate::error::{exit, Error, Result};
use crate::event::{Event, RepairAction, RepairStep};
use crate::history::{new_id, MigrationRecord};
use crate::migration::checksum;
use crate::migration::edits::{applied_version, summarize};
use crate::migration::objects::script_effects;
use crate::shell::{self, Invocation};
use chrono::Utc;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct FixOptions {
    /// Carry the plan out; otherwise only show it.
    pub yes: bool,
    /// Move the rows of migrations whose folder is gone to `_prisma_migrations_backup`.
    pub archive: bool,
    /// Edited migrations whose checksum is to be re-stamped.
    pub restamp: Vec<String>,
    /// Re-stamp every edited migration.
    pub restamp_all: bool,
    /// Restore what a previous `fix --yes` changed, as its record lists it.
    pub undo: Option<PathBuf>,
}

/// A local migration as the planner sees it: its checksum (`None` when unreadable) and
/// the checksums of its CRLF/LF variants, which Prisma accepts too (§2).
#[derive(Debug, Clone)]
pub struct LocalScript {
    pub name: String,
    pub checksum: Option<String>,
    pub variants: Vec<String>,
}

impl LocalScript {
    #[cfg(test)]
    pub fn new(name: &str, script: Option<&str>) -> LocalScript {
        LocalScript::read(name, script, |_| true)
    }

    /// As `new`, computing the CRLF/LF variants only when `wanted(exact checksum)` says they
    /// can matter (no row, or a row whose checksum is not the exact one): two more SHA-256
    /// runs per script otherwise, for nothing.
    pub fn read(name: &str, script: Option<&str>, wanted: impl Fn(&str) -> bool) -> LocalScript {
        let exact = script.map(checksum);
        let variants = match (script, &exact) {
            (Some(s), Some(c)) if wanted(c) => vec![
                checksum(&s.replace("\r\n", "\n")),
                checksum(&s.replace('\n', "\r\n")),
            ],
            _ => Vec::new(),
        };
        LocalScript {
            name: name.to_owned(),
            checksum: exact,
            variants,
        }
    }

    /// Whether Prisma takes `stored` as this script's checksum.
    fn matches(&self, stored: &str) -> bool {
        let Some(exact) = &self.checksum else {
            return false;
        };
        std::iter::once(exact)
            .chain(&self.variants)
            .any(|c| c == stored || (stored.len() < 64 && unpad(c) == stored))
    }
}

/// What the catalog says about a failed migration's objects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// Objects in the state the script leaves them in.
    pub as_applied: Vec<String>,
    /// Objects in the state they had before the script.
    pub as_before: Vec<String>,
    /// Objects this database's catalog cannot tell about.
    pub unknown: usize,
    /// Statements with nothing to look up (data changes, `ALTER COLUMN`, …).
    pub unchecked_statements: usize,
    /// The failed run was one transaction (PostgreSQL, nothing committed): it left nothing.
    pub atomic: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Applied(String),
    NotApplied(String),
    Unsure(String),
}

/// Decides a failed migration from its evidence. Only a catalog that agrees on every
/// object, with nothing left unchecked, decides; a script that ran as one transaction
/// and left none of its objects is known to have left nothing.
pub fn judge(e: &Evidence) -> Verdict {
    let checked = e.as_applied.len() + e.as_before.len();
    let unchecked = e.unchecked_statements + e.unknown;
    if checked == 0 {
        return Verdict::Unsure(
            "nothing its script creates or drops can be looked up in the catalog".to_owned(),
        );
    }
    if e.as_before.is_empty() {
        if unchecked == 0 {
            return Verdict::Applied(format!(
                "all {checked} object(s) its script creates or drops are as it leaves them: it was finished by hand"
            ));
        }
        return Verdict::Unsure(format!(
            "all {checked} object(s) its script creates or drops are as it leaves them, but {unchecked} statement(s) or object(s) cannot be checked"
        ));
    }
    if e.as_applied.is_empty() {
        if e.atomic {
            return Verdict::NotApplied(format!(
                "it ran as one transaction, and none of its {checked} object(s) are there: it left nothing behind"
            ));
        }
        if unchecked == 0 {
            return Verdict::NotApplied(format!(
                "none of its {checked} object(s) are there, and it has no other statements: it left nothing behind"
            ));
        }
        return Verdict::Unsure(format!(
            "none of its {checked} object(s) are there, but it ran statement by statement and {unchecked} statement(s) or object(s) cannot be checked"
        ));
    }
    Verdict::Unsure(format!(
        "partly there: {} of {checked} object(s) are as the script leaves them",
        e.as_applied.len()
    ))
}

/// One step and the change it makes.
#[derive(Debug, Clone, PartialEq)]
pub struct FixStep {
    pub step: RepairStep,
    pub op: Option<Op>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    MarkApplied {
        name: String,
        roll_back: Vec<String>,
        checksum: String,
    },
    MarkRolledBack {
        name: String,
        ids: Vec<String>,
    },
    Restamp {
        name: String,
        id: String,
        old: String,
        new: String,
    },
    Rename {
        ids: Vec<String>,
        from: String,
        to: String,
    },
    Archive {
        name: String,
        ids: Vec<String>,
    },
}

/// What the planner needs beyond folder and rows.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    /// Failed migrations (with a readable script and no finished row) → evidence.
    pub evidence: HashMap<String, Evidence>,
    /// Edited migrations → summary lines.
    pub edits: HashMap<String, Vec<String>>,
}

fn keep(name: &str, reason: String, details: Vec<String>) -> FixStep {
    FixStep {
        step: RepairStep::new(RepairAction::Keep, name, reason).with_details(details),
        op: None,
    }
}

/// The plan, from the local migrations (folder order), the rows (`started_at` order), and
/// what was found about failed and edited ones. `dir` is the folder as the user types it.
pub fn plan_fix(
    local: &[LocalScript],
    rows: &[MigrationRecord],
    findings: &Findings,
    options: &FixOptions,
    dir: &str,
    inv: &Invocation,
) -> Vec<FixStep> {
    let position: HashMap<&str, usize> = local
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.as_str(), i))
        .collect();
    // Names in the order their first row started, each with its rows; indexed by name, as
    // histories have thousands of rows.
    let mut by_name: Vec<(&str, Vec<&MigrationRecord>)> = Vec::new();
    let mut slot: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
    for r in rows {
        let i = *slot.entry(r.migration_name.as_str()).or_insert_with(|| {
            by_name.push((r.migration_name.as_str(), Vec::new()));
            by_name.len() - 1
        });
        by_name[i].1.push(r);
    }
    fn live(r: &MigrationRecord) -> bool {
        r.is_finished() && !r.is_rolled_back()
    }
    let (mut failed, mut renames, mut archives, mut restamps, mut kept, mut notes) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );

    // Rows whose folder is gone: renamed folders first, since a rename claims a folder.
    let with_rows: HashSet<&str> = by_name.iter().map(|(n, _)| *n).collect();
    let mut claimed: HashSet<&str> = HashSet::new();
    // Folders without rows by every checksum Prisma would take for theirs.
    let mut by_checksum: HashMap<String, Vec<&LocalScript>> = HashMap::new();
    for l in local
        .iter()
        .filter(|l| !with_rows.contains(l.name.as_str()))
    {
        for c in l.checksum.iter().chain(&l.variants) {
            for key in [c.clone(), unpad(c)] {
                let list = by_checksum.entry(key).or_default();
                if !list.iter().any(|x| x.name == l.name) {
                    list.push(l);
                }
            }
        }
    }
    for (name, list) in by_name.iter().filter(|(n, _)| !position.contains_key(n)) {
        let ids: Vec<String> = list.iter().map(|r| r.id.clone()).collect();
        let mut candidates: Vec<&LocalScript> = list
            .iter()
            .filter(|r| live(r))
            .flat_map(|r| by_checksum.get(r.checksum.as_str()).into_iter().flatten())
            .filter(|l| !claimed.contains(l.name.as_str()))
            .copied()
            .collect();
        candidates.sort_by(|a, b| a.name.cmp(&b.name));
        candidates.dedup_by(|a, b| a.name == b.name);
        if let [only] = candidates.as_slice() {
            claimed.insert(only.name.as_str());
            renames.push(FixStep {
                step: RepairStep::new(
                    RepairAction::Rename,
                    *name,
                    format!(
                        "its folder is gone and {} has the same script and no row: the folder was renamed",
                        only.name
                    ),
                )
                .with_details(vec![format!("{name} → {}", only.name)]),
                op: Some(Op::Rename {
                    ids,
                    from: (*name).to_owned(),
                    to: only.name.clone(),
                }),
            });
            continue;
        }
        let failed_too = list.iter().any(|r| r.is_failed());
        if options.archive {
            archives.push(FixStep {
                step: RepairStep::new(
                    RepairAction::Archive,
                    *name,
                    format!(
                        "{} row(s) for a migration whose folder is gone{}",
                        ids.len(),
                        if failed_too {
                            " (one failed, which blocks deploy)"
                        } else {
                            ""
                        }
                    ),
                ),
                op: Some(Op::Archive {
                    name: (*name).to_owned(),
                    ids,
                }),
            });
        } else {
            kept.push(keep(
                name,
                format!(
                    "{} row(s) but no folder in {dir}{}: bring the folder back, or move the rows to _prisma_migrations_backup",
                    ids.len(),
                    if failed_too { "; a row failed, which blocks deploy (P3009)" } else { "" }
                ),
                vec![
                    format!(
                        "$ {}",
                        shell::command(&[
                            "git",
                            "log",
                            "--all",
                            "--oneline",
                            "--",
                            &format!("{dir}/{name}")
                        ])
                    ),
                    format!("$ {}", inv.prismig(&["fix", "--archive"])),
                ],
            ));
        }
    }

    for l in local {
        let Some(&i) = slot.get(l.name.as_str()) else {
            continue;
        };
        let list = &by_name[i].1;
        let name = l.name.as_str();
        let failed_ids: Vec<String> = list
            .iter()
            .filter(|r| r.is_failed())
            .map(|r| r.id.clone())
            .collect();
        let finished: Vec<&&MigrationRecord> = list.iter().filter(|r| live(r)).collect();
        if !failed_ids.is_empty() {
            let resolve = vec![
                format!(
                    "$ {}",
                    inv.prismig(&["migrate", "resolve", "--applied", name])
                ),
                format!(
                    "$ {}",
                    inv.prismig(&["migrate", "resolve", "--rolled-back", name])
                ),
            ];
            if !finished.is_empty() {
                failed.push(FixStep {
                    step: RepairStep::new(
                        RepairAction::MarkRolledBack,
                        name,
                        "a failed row, though a later row finished: the failure is stale",
                    ),
                    op: Some(Op::MarkRolledBack {
                        name: name.to_owned(),
                        ids: failed_ids,
                    }),
                });
            } else if let (Some(sum), Some(e)) = (&l.checksum, findings.evidence.get(name)) {
                let mut details: Vec<String> = e
                    .as_applied
                    .iter()
                    .map(|o| format!("as applied: {o}"))
                    .chain(e.as_before.iter().map(|o| format!("as before:  {o}")))
                    .collect();
                details.truncate(12);
                match judge(e) {
                    Verdict::Applied(why) => failed.push(FixStep {
                        step: RepairStep::new(RepairAction::MarkApplied, name, format!("failed, but {why}"))
                            .with_details(details),
                        op: Some(Op::MarkApplied {
                            name: name.to_owned(),
                            roll_back: failed_ids,
                            checksum: sum.clone(),
                        }),
                    }),
                    Verdict::NotApplied(why) => failed.push(FixStep {
                        step: RepairStep::new(
                            RepairAction::MarkRolledBack,
                            name,
                            format!("failed, and {why}; fix {dir}/{name}/migration.sql, then deploy applies it again"),
                        )
                        .with_details(details),
                        op: Some(Op::MarkRolledBack {
                            name: name.to_owned(),
                            ids: failed_ids,
                        }),
                    }),
                    Verdict::Unsure(why) => {
                        details.extend(resolve);
                        kept.push(keep(name, format!("failed, and {why}: check the database, then run one of"), details));
                    }
                }
            } else {
                kept.push(keep(
                    name,
                    "failed, and its script cannot be read: check the database, then run one of"
                        .to_owned(),
                    resolve,
                ));
            }
            continue;
        }
        let Some(sum) = &l.checksum else { continue };
        // Several finished rows: keep the one that matches the file, else the first.
        let kept_row = finished
            .iter()
            .find(|r| l.matches(&r.checksum))
            .or(finished.first())
            .copied();
        if finished.len() > 1 {
            let extra: Vec<String> = finished
                .iter()
                .filter(|r| Some(r.id.as_str()) != kept_row.map(|k| k.id.as_str()))
                .map(|r| r.id.clone())
                .collect();
            archives.push(FixStep {
                step: RepairStep::new(
                    RepairAction::Archive,
                    name,
                    format!(
                        "{} finished rows for one migration: the one started {} is kept",
                        finished.len(),
                        kept_row
                            .map(|r| r.started_at.to_string())
                            .unwrap_or_default()
                    ),
                ),
                op: Some(Op::Archive {
                    name: name.to_owned(),
                    ids: extra,
                }),
            });
        }
        let Some(row) = kept_row else { continue };
        if *sum == row.checksum {
            continue;
        }
        let restamp = |reason: String, details: Vec<String>| FixStep {
            step: RepairStep::new(RepairAction::Restamp, name, reason).with_details(details),
            op: Some(Op::Restamp {
                name: name.to_owned(),
                id: row.id.clone(),
                old: row.checksum.clone(),
                new: sum.clone(),
            }),
        };
        if l.matches(&row.checksum) {
            let why = if row.checksum.len() == 64 {
                "only its line endings changed (CRLF/LF): the same script to Prisma"
            } else {
                "stored in the legacy form without zero padding: the same script to Prisma"
            };
            restamps.push(restamp(why.to_owned(), Vec::new()));
            continue;
        }
        let details = findings.edits.get(name).cloned().unwrap_or_default();
        if options.restamp_all || options.restamp.iter().any(|n| n == name) {
            restamps.push(restamp(
                "edited after it was applied; re-stamped as asked, so the file is taken as what the database has".to_owned(),
                details,
            ));
        } else {
            let mut details = details;
            details.push(format!("$ {}", inv.prismig(&["fix", "--restamp", name])));
            kept.push(keep(
                name,
                "edited after it was applied: restore the file, or re-stamp its checksum if the database has this text".to_owned(),
                details,
            ));
        }
    }

    // Applied in another order than the folder's: information, as history is not rewritten.
    let archived: HashSet<&str> = archives
        .iter()
        .filter_map(|s| match &s.op {
            Some(Op::Archive { ids, .. }) => Some(ids.iter().map(String::as_str)),
            _ => None,
        })
        .flatten()
        .collect();
    let mut latest: Option<(usize, &str)> = None;
    for r in rows
        .iter()
        .filter(|r| live(r) && !archived.contains(r.id.as_str()))
    {
        let Some(&i) = position.get(r.migration_name.as_str()) else {
            continue;
        };
        match latest {
            Some((j, after)) if i < j => notes.push(FixStep {
                step: RepairStep::new(
                    RepairAction::Note,
                    &r.migration_name,
                    format!("applied after {after}, though it sorts before it: a new database applies them the other way round; nothing to change"),
                ),
                op: None,
            }),
            Some((j, _)) if i <= j => {}
            _ => latest = Some((i, r.migration_name.as_str())),
        }
    }

    failed
        .into_iter()
        .chain(renames)
        .chain(archives)
        .chain(restamps)
        .chain(kept)
        .chain(notes)
        .collect()
}

/// The legacy rendering: each byte in hex without its leading zero (prisma-engines #1887).
fn unpad(exact: &str) -> String {
    exact
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).unwrap_or("");
            s.strip_prefix('0').unwrap_or(s).to_owned()
        })
        .collect()
}

pub fn fix(ctx: &mut Context<'_>, options: &FixOptions) -> Result<u8> {
    let Session {
        target,
        mut db,
        dir,
    } = match begin(ctx, options.undo.as_deref(), options.yes, "fix --undo")? {
        Ok(session) => session,
        Err(code) => return Ok(code),
    };
    let Some(rows) = db.history().list()? else {
        ctx.emit(Event::Repair {
            command: "fix",
            steps: vec![RepairStep::new(
                RepairAction::Note,
                "_prisma_migrations",
                "the database has no migration history yet: nothing to repair (see prismig sync)",
            )],
            applied: false,
            backup: None,
            undo: None,
        });
        return Ok(exit::OK);
    };
    let shown = match std::env::current_dir() {
        Ok(cwd) => relative(&ctx.project.migrations_dir, &cwd),
        Err(_) => ctx.project.migrations_dir.display().to_string(),
    };
    // Checksums only: scripts are read again for the few migrations that need their text.
    let mut stored: HashMap<&str, Vec<&str>> = HashMap::with_capacity(rows.len());
    for r in &rows {
        stored
            .entry(r.migration_name.as_str())
            .or_default()
            .push(r.checksum.as_str());
    }
    let local: Vec<LocalScript> = dir
        .migrations
        .iter()
        .map(|m| {
            let script = m.script().ok();
            LocalScript::read(&m.name, script.as_deref(), |exact| {
                stored
                    .get(m.name.as_str())
                    .is_none_or(|sums| sums.iter().any(|s| *s != exact))
            })
        })
        .collect();
    for name in &options.restamp {
        if dir.find(name).is_none() {
            return Err(Error::MigrationNotFound { name: name.clone() });
        }
    }
    // First pass without findings, to learn which migrations need the catalog or git.
    let draft = plan_fix(
        &local,
        &rows,
        &Findings::default(),
        options,
        &shown,
        &ctx.project.invocation,
    );
    let mut findings = Findings::default();
    let position: HashMap<&str, usize> = local
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.as_str(), i))
        .collect();
    let failed: HashSet<&str> = rows
        .iter()
        .filter(|r| r.is_failed())
        .map(|r| r.migration_name.as_str())
        .collect();
    let first_live: HashMap<&str, &str> = rows
        .iter()
        .rev()
        .filter(|r| r.is_finished() && !r.is_rolled_back())
        .map(|r| (r.migration_name.as_str(), r.checksum.as_str()))
        .collect();
    for step in &draft {
        let name = step.step.name.as_str();
        let Some(&i) = position.get(name) else {
            continue;
        };
        match step.step.action {
            RepairAction::Keep if failed.contains(name) => {
                let Ok(script) = dir.migrations[i].script() else {
                    continue;
                };
                let earlier: Vec<String> = dir.migrations[..i]
                    .iter()
                    .filter_map(|m| m.script().ok())
                    .collect();
                let earlier: Vec<&str> = earlier.iter().map(String::as_str).collect();
                findings.evidence.insert(
                    name.to_owned(),
                    evidence(&mut db, &script, name, &earlier, &rows),
                );
            }
            RepairAction::Keep | RepairAction::Restamp => {
                let first = first_live.get(name).copied().unwrap_or_default().to_owned();
                // Line endings and legacy checksums need no diff.
                if local[i].matches(&first) {
                    continue;
                }
                let Ok(script) = dir.migrations[i].script() else {
                    continue;
                };
                let file = dir.migrations[i].dir.join("migration.sql");
                let lines = match applied_version(&file, &first) {
                    Some((version, old)) => summarize(&old, &script, Some(version)).lines(),
                    None => summarize(&script, &script, None).lines()[..1].to_vec(),
                };
                findings.edits.insert(name.to_owned(), lines);
            }
            _ => {}
        }
    }
    let plan = plan_fix(
        &local,
        &rows,
        &findings,
        options,
        &shown,
        &ctx.project.invocation,
    );
    let needs_you = plan.iter().any(|s| s.step.action == RepairAction::Keep);
    let code = if needs_you { exit::FAILURE } else { exit::OK };
    let changes: Vec<&FixStep> = plan.iter().filter(|s| s.op.is_some()).collect();
    if !options.yes || changes.is_empty() {
        ctx.emit(Event::Repair {
            command: "fix",
            steps: plan.into_iter().map(|s| s.step).collect(),
            applied: false,
            backup: None,
            undo: None,
        });
        return Ok(code);
    }
    let mut record = RepairRecord::new("fix", target.description(&[]));
    let now = Utc::now();
    let mut new_ids = Vec::new();
    for s in &changes {
        match s.op.as_ref() {
            Some(Op::MarkApplied {
                name, roll_back, ..
            }) => {
                let id = new_id()?;
                record.inserted.push(id.clone());
                new_ids.push(id);
                record
                    .rolled_back
                    .extend(roll_back.iter().map(|id| Previous {
                        id: id.clone(),
                        migration: name.clone(),
                        value: String::new(),
                    }));
            }
            Some(Op::MarkRolledBack { name, ids }) => {
                record.rolled_back.extend(ids.iter().map(|id| Previous {
                    id: id.clone(),
                    migration: name.clone(),
                    value: String::new(),
                }));
            }
            Some(Op::Restamp { name, id, old, .. }) => record.restamped.push(Previous {
                id: id.clone(),
                migration: name.clone(),
                value: old.clone(),
            }),
            Some(Op::Rename { ids, from, to }) => {
                record.renamed.extend(ids.iter().map(|id| Previous {
                    id: id.clone(),
                    migration: to.clone(),
                    value: from.clone(),
                }));
            }
            Some(Op::Archive { name, ids }) => {
                record.archived.extend(ids.iter().map(|id| Previous {
                    id: id.clone(),
                    migration: name.clone(),
                    value: String::new(),
                }));
            }
            None => {}
        }
        record.migrations.push(s.step.name.clone());
    }
    let archives = !record.archived.is_empty();
    if archives {
        record.archive_batch = Some(new_id()?);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let backup = write_record(&cwd, &record)?;
    // MySQL commits before any DDL, so there the backup table is made first.
    let ddl_commits = target.provider() == Provider::Mysql;
    if archives && ddl_commits {
        db.history().create_backup_table()?;
    }
    let batch = record.archive_batch.clone().unwrap_or_default();
    db.history().in_transaction(|store| {
        if archives && !ddl_commits {
            store.create_backup_table()?;
        }
        let mut ids = new_ids.iter();
        for s in &changes {
            match s.op.as_ref() {
                Some(Op::MarkApplied {
                    name,
                    roll_back,
                    checksum,
                }) => {
                    let id = ids.next().expect("one id per mark-applied step");
                    store.resolve_applied(roll_back, id, checksum, name, now)?;
                }
                Some(Op::MarkRolledBack { ids, .. }) => store.mark_rolled_back(ids, now)?,
                Some(Op::Restamp { id, new, .. }) => store.set_checksum(id, new)?,
                Some(Op::Rename { ids, to, .. }) => {
                    for id in ids {
                        store.set_name(id, to)?;
                    }
                }
                Some(Op::Archive { ids, .. }) => {
                    for id in ids {
                        store.archive(id, &batch, now)?;
                    }
                }
                None => {}
            }
        }
        Ok(())
    })?;
    db.unlock();
    ctx.emit(Event::Repair {
        command: "fix",
        steps: plan.into_iter().map(|s| s.step).collect(),
        applied: true,
        undo: Some(ctx.project.invocation.prismig(&[
            "fix",
            "--undo",
            &crate::config::relative(&backup, &cwd),
            "--yes",
        ])),
        backup: Some(crate::config::relative(&backup, &cwd)),
    });
    Ok(code)
}

/// Looks up the objects of a failed migration's script in the catalog. An object the
/// earlier migrations already leave in the state this script wants (a table it creates
/// that exists since `init`) tells nothing and counts as unknown.
fn evidence(
    db: &mut crate::db::Database,
    script: &str,
    name: &str,
    earlier: &[&str],
    rows: &[MigrationRecord],
) -> Evidence {
    let mut prior: HashMap<crate::migration::objects::SchemaObject, bool> = HashMap::new();
    for s in earlier {
        for x in script_effects(s).expectations {
            prior.insert(x.object, x.present_when_applied);
        }
    }
    let effects = script_effects(script);
    let (informative, known): (Vec<_>, Vec<_>) = effects
        .expectations
        .into_iter()
        .partition(|x| prior.get(&x.object) != Some(&x.present_when_applied));
    let objects: Vec<_> = informative.iter().map(|e| e.object.clone()).collect();
    let answers = db.probe(&objects);
    let mut e = Evidence {
        unknown: known.len(),
        unchecked_statements: effects.unchecked_statements,
        atomic: db.plan(script).atomic
            && rows
                .iter()
                .filter(|r| r.migration_name == name && r.is_failed())
                .all(|r| r.applied_steps_count == 0),
        ..Evidence::default()
    };
    for (x, answer) in informative.iter().zip(answers) {
        let shown = format!(
            "{} {}",
            x.object,
            if answer == Some(true) {
                "exists"
            } else {
                "does not exist"
            }
        );
        match answer {
            None => e.unknown += 1,
            Some(present) if present == x.present_when_applied => e.as_applied.push(shown),
            Some(_) => e.as_before.push(shown),
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: u32) -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 0, minute, 0).unwrap()
    }

    fn row(id: &str, name: &str, sum: &str, minute: u32, state: &str) -> MigrationRecord {
        MigrationRecord {
            id: id.into(),
            checksum: sum.into(),
            finished_at: (state == "applied").then(|| at(minute)),
            migration_name: name.into(),
            rolled_back_at: (state == "rolled_back").then(|| at(minute)),
            started_at: at(minute),
            applied_steps_count: 0,
        }
    }

    fn local(scripts: &[(&str, &str)]) -> Vec<LocalScript> {
        scripts
            .iter()
            .map(|(n, s)| LocalScript::new(n, Some(s)))
            .collect()
    }

    fn actions(plan: &[FixStep]) -> Vec<(RepairAction, &str)> {
        plan.iter()
            .map(|s| (s.step.action, s.step.name.as_str()))
            .collect()
    }

    fn run(local: &[LocalScript], rows: &[MigrationRecord], options: &FixOptions) -> Vec<FixStep> {
        plan_fix(
            local,
            rows,
            &Findings::default(),
            options,
            "prisma/migrations",
            &Invocation::default(),
        )
    }

    #[test]
    fn a_clean_history_has_nothing_to_fix() {
        let l = local(&[("1_a", "A"), ("2_b", "B")]);
        let rows = [
            row("r1", "1_a", &checksum("A"), 1, "applied"),
            row("r2", "2_b", &checksum("B"), 2, "applied"),
        ];
        assert!(run(&l, &rows, &FixOptions::default()).is_empty());
    }

    #[test]
    fn judging_failed_migrations() {
        let e = |applied: usize, before: usize, unchecked: usize, atomic: bool| Evidence {
            as_applied: vec!["x".into(); applied],
            as_before: vec!["y".into(); before],
            unknown: 0,
            unchecked_statements: unchecked,
            atomic,
        };
        assert!(matches!(judge(&e(3, 0, 0, false)), Verdict::Applied(_)));
        // A data statement may not have run: no "applied" on the objects alone.
        assert!(matches!(judge(&e(3, 0, 1, true)), Verdict::Unsure(_)));
        assert!(matches!(judge(&e(0, 3, 2, true)), Verdict::NotApplied(_)));
        assert!(matches!(judge(&e(0, 3, 0, false)), Verdict::NotApplied(_)));
        // Statement by statement, with statements that cannot be checked: no guess.
        assert!(matches!(judge(&e(0, 3, 1, false)), Verdict::Unsure(_)));
        assert!(matches!(judge(&e(1, 2, 0, true)), Verdict::Unsure(_)));
        assert!(matches!(judge(&e(0, 0, 4, true)), Verdict::Unsure(_)));
    }

    #[test]
    fn failed_rows_follow_the_evidence() {
        let l = local(&[("1_a", "A"), ("2_b", "B")]);
        let rows = [
            row("r1", "1_a", &checksum("A"), 1, "applied"),
            row("r2", "2_b", &checksum("B"), 2, "failed"),
        ];
        let mut findings = Findings::default();
        let options = FixOptions::default();
        // Without evidence (unreadable catalog): left for a person, with both resolves.
        let plan = run(&l, &rows, &options);
        assert_eq!(actions(&plan), [(RepairAction::Keep, "2_b")]);
        findings.evidence.insert(
            "2_b".into(),
            Evidence {
                as_before: vec!["table b does not exist".into()],
                atomic: true,
                ..Evidence::default()
            },
        );
        let plan = plan_fix(&l, &rows, &findings, &options, "m", &Invocation::default());
        assert_eq!(
            plan[0].op,
            Some(Op::MarkRolledBack {
                name: "2_b".into(),
                ids: vec!["r2".into()]
            })
        );
        findings.evidence.insert(
            "2_b".into(),
            Evidence {
                as_applied: vec!["table b exists".into()],
                ..Evidence::default()
            },
        );
        let plan = plan_fix(&l, &rows, &findings, &options, "m", &Invocation::default());
        assert_eq!(
            plan[0].op,
            Some(Op::MarkApplied {
                name: "2_b".into(),
                roll_back: vec!["r2".into()],
                checksum: checksum("B")
            })
        );
        // A failed row next to a finished one is stale whatever the catalog says.
        let stale = [
            row("r1", "2_b", &checksum("B"), 1, "failed"),
            row("r2", "2_b", &checksum("B"), 2, "applied"),
        ];
        let plan = run(&local(&[("2_b", "B")]), &stale, &options);
        assert_eq!(actions(&plan), [(RepairAction::MarkRolledBack, "2_b")]);
    }

    #[test]
    fn edits_crlf_and_legacy_checksums() {
        let script = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n";
        let crlf = script.replace('\n', "\r\n");
        // A stored checksum with a byte below 0x10, in the legacy unpadded form. Most
        // digests have one (1 - (15/16)^32); the search is bounded so that a checksum that
        // never does fails here instead of looping.
        let legacy_script = (0..1000)
            .map(|i| format!("SELECT {i};"))
            .find(|s| {
                let c = checksum(s);
                c.as_bytes().chunks(2).any(|p| p[0] == b'0')
            })
            .expect("a script whose checksum has a byte below 0x10");
        let legacy = unpad(&checksum(&legacy_script));
        let l = local(&[("1_a", &crlf), ("2_b", "edited"), ("3_c", &legacy_script)]);
        let rows = [
            row("r1", "1_a", &checksum(script), 1, "applied"),
            row("r2", "2_b", &checksum("original"), 2, "applied"),
            row("r3", "3_c", &legacy, 3, "applied"),
        ];
        let plan = run(&l, &rows, &FixOptions::default());
        assert_eq!(
            actions(&plan),
            [
                (RepairAction::Restamp, "1_a"),
                (RepairAction::Restamp, "3_c"),
                (RepairAction::Keep, "2_b")
            ]
        );
        assert!(plan[0].step.reason.contains("line endings"));
        assert!(plan[1].step.reason.contains("legacy"));
        assert!(plan[2]
            .step
            .details
            .contains(&"$ prismig fix --restamp 2_b".to_owned()));
        let asked = FixOptions {
            restamp: vec!["2_b".into()],
            ..FixOptions::default()
        };
        let plan = run(&l, &rows, &asked);
        assert_eq!(
            plan.iter().find(|s| s.step.name == "2_b").unwrap().op,
            Some(Op::Restamp {
                name: "2_b".into(),
                id: "r2".into(),
                old: checksum("original"),
                new: checksum("edited")
            })
        );
    }

    #[test]
    fn missing_folders_renames_and_archives() {
        let l = local(&[("1_a", "A"), ("2_renamed", "B"), ("3_c", "C")]);
        let rows = [
            row("r1", "1_a", &checksum("A"), 1, "applied"),
            row("r2", "2_b", &checksum("B"), 2, "applied"),
            row("r3", "9_gone", &checksum("Z"), 3, "applied"),
        ];
        let plan = run(&l, &rows, &FixOptions::default());
        assert_eq!(
            actions(&plan),
            [
                (RepairAction::Rename, "2_b"),
                (RepairAction::Keep, "9_gone")
            ]
        );
        assert_eq!(
            plan[0].op,
            Some(Op::Rename {
                ids: vec!["r2".into()],
                from: "2_b".into(),
                to: "2_renamed".into()
            })
        );
        let archive = FixOptions {
            archive: true,
            ..FixOptions::default()
        };
        let plan = run(&l, &rows, &archive);
        assert_eq!(
            plan[1].op,
            Some(Op::Archive {
                name: "9_gone".into(),
                ids: vec!["r3".into()]
            })
        );
    }

    #[test]
    fn duplicates_keep_the_matching_row_and_order_is_noted() {
        let l = local(&[("1_a", "A"), ("2_b", "B"), ("3_c", "C")]);
        let rows = [
            row("r1", "1_a", &checksum("old"), 1, "applied"),
            row("r2", "1_a", &checksum("A"), 2, "applied"),
            row("r3", "3_c", &checksum("C"), 3, "applied"),
            row("r4", "2_b", &checksum("B"), 4, "applied"),
        ];
        let plan = run(&l, &rows, &FixOptions::default());
        assert_eq!(
            actions(&plan),
            [(RepairAction::Archive, "1_a"), (RepairAction::Note, "2_b")]
        );
        assert_eq!(
            plan[0].op,
            Some(Op::Archive {
                name: "1_a".into(),
                ids: vec!["r1".into()]
            })
        );
        assert!(plan[1].step.reason.contains("applied after 3_c"));
    }
}
