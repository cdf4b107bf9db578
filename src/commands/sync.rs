//! `prismig sync`: says in plain words how the migrations folder and `_prisma_migrations`
//! differ ("Your local migration history and the migrations table from your database are
//! different"), and gives the exact commands that bring them together. Read-only: the
//! commands it names (`baseline`, `resolve`, `deploy`) are the ones that change things.

use super::status::read_state;
use super::Context;
use crate::config::relative;
use crate::error::{exit, Result};
use crate::event::{Advice, AdviceKind, Event};
use crate::migration::script_matches_checksum;
use crate::reconcile::{Diagnosis, History};
use crate::shell::{self, Invocation};

/// What the history needs, one piece of advice per kind of difference. `schema_empty` only
/// matters without a migrations table. `dir` is the migrations folder as the user types it.
pub fn advise(
    local: &[&str],
    d: &Diagnosis,
    schema_empty: bool,
    dir: &str,
    renamed: &[(String, String)],
    inv: &Invocation,
) -> Vec<Advice> {
    let mut out = Vec::new();
    let git_log = |name: &str| {
        shell::command(&[
            "git",
            "log",
            "--all",
            "--oneline",
            "--",
            &format!("{dir}/{name}"),
        ])
    };
    if !d.has_migrations_table {
        if local.is_empty() {
            return out;
        }
        if schema_empty {
            out.push(Advice {
                kind: AdviceKind::Pending,
                migrations: local.iter().map(|s| (*s).to_owned()).collect(),
                explanation: format!(
                    "The database is empty: deploy creates _prisma_migrations and applies all {} migrations.",
                    local.len()
                ),
                commands: vec![inv.prismig(&["migrate", "deploy"])],
            });
        } else {
            out.push(Advice {
                kind: AdviceKind::Unmanaged,
                migrations: Vec::new(),
                explanation: "The database has tables but no _prisma_migrations table, so nothing records which migrations its schema already contains, and deploy refuses to start (P3005). Find the last migration whose changes the database has, mark it and the ones before it applied, then deploy applies the rest.".to_owned(),
                commands: vec![
                    inv.prismig(&["baseline", "--to", local[local.len() - 1]]),
                    inv.prismig(&["baseline", "--to", local[local.len() - 1], "--yes"]),
                    inv.prismig(&["migrate", "deploy"]),
                ],
            });
        }
        return out;
    }
    for name in &d.failed {
        out.push(Advice {
            kind: AdviceKind::Failed,
            migrations: vec![name.clone()],
            explanation: format!(
                "{name} started and did not finish: its script failed (the error is in the logs column of its row), and deploy applies nothing until it is resolved. If the database has its changes (you finished it by hand), mark it applied. If it has none of them (a PostgreSQL script that ran as one transaction leaves nothing behind), mark it rolled back, fix {dir}/{name}/migration.sql, and deploy again."
            ),
            commands: vec![
                inv.prismig(&["fix"]),
                inv.prismig(&["migrate", "resolve", "--applied", name]),
                inv.prismig(&["migrate", "resolve", "--rolled-back", name]),
            ],
        });
    }
    let (missing, unapplied, last_common) = match &d.history {
        History::InSync => (&[][..], &[][..], None),
        History::DatabaseIsBehind { unapplied } => (&[][..], &unapplied[..], None),
        History::MigrationsDirectoryIsBehind { unpersisted } => (&unpersisted[..], &[][..], None),
        History::Diverge {
            last_common,
            unpersisted,
            unapplied,
        } => (&unpersisted[..], &unapplied[..], Some(last_common)),
    };
    // A row and a folder with the same script under another name: the folder was renamed.
    let is_old = |n: &String| renamed.iter().any(|(old, _)| old == n);
    let is_new = |n: &String| renamed.iter().any(|(_, new)| new == n);
    if !renamed.is_empty() {
        out.push(Advice {
            kind: AdviceKind::MissingLocally,
            migrations: renamed.iter().map(|(_, new)| new.clone()).collect(),
            explanation: format!(
                "{} migration folder(s) were renamed after they were applied ({}): the database has the same script under the old name. Deploy would apply them again under the new name and fail on what exists already; prismig fix re-points their rows to the new names.",
                renamed.len(),
                renamed
                    .iter()
                    .map(|(old, new)| format!("{old} -> {new}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            commands: vec![inv.prismig(&["fix"]), inv.prismig(&["fix", "--yes"])],
        });
    }
    // Counted by name: a migration applied several times has several rows, still one name.
    let mut missing_names: Vec<String> = Vec::new();
    for name in missing.iter().filter(|n| !is_old(n)) {
        if !missing_names.contains(name) {
            missing_names.push(name.clone());
        }
    }
    let unapplied: Vec<String> = unapplied.iter().filter(|n| !is_new(n)).cloned().collect();
    if !missing_names.is_empty() {
        let since = match last_common {
            Some(Some(name)) => format!(" After {name}, the two histories part:"),
            Some(None) => " They share no migration at all:".to_owned(),
            None => String::new(),
        };
        out.push(Advice {
            kind: AdviceKind::MissingLocally,
            migrations: missing_names.clone(),
            explanation: format!(
                "Your local migration history and the migrations table from your database are different.{since} the database has {} migration(s) that {dir} lacks. Usually this checkout is behind the one that deployed them, or their folders were renamed or deleted. Deploy does not need them and still applies what is pending; bring the folders back so that every checkout has the same history. prismig fix re-points the rows of a renamed folder, and with --archive moves the others to _prisma_migrations_backup.",
                missing_names.len()
            ),
            commands: missing_names
                .iter()
                .map(|name| git_log(name))
                .chain([inv.prismig(&["fix"])])
                .collect(),
        });
    }
    if !unapplied.is_empty() {
        out.push(Advice {
            kind: AdviceKind::Pending,
            migrations: unapplied.to_vec(),
            explanation: format!(
                "{} migration(s) in {dir} are not applied yet: deploy applies them in order.",
                unapplied.len()
            ),
            commands: vec![inv.prismig(&["migrate", "deploy"])],
        });
    }
    for name in &d.edited {
        out.push(Advice {
            kind: AdviceKind::Edited,
            migrations: vec![name.clone()],
            explanation: format!(
                "{name} was changed after it was applied: its checksum no longer matches its row. Editing the file did not change the database, and deploy does not run it again. prismig fix shows what changed since the applied version. If the change was an accident, restore the file; if it was meant, put the change in a new migration; if the database has the new text already, re-stamp the checksum."
            ),
            commands: vec![
                inv.prismig(&["fix"]),
                format!(
                    "git checkout <commit> -- {}",
                    shell::quote(&format!("{dir}/{name}/migration.sql"))
                ),
                inv.prismig(&["fix", "--restamp", name, "--yes"]),
            ],
        });
    }
    for name in &d.rolled_back_only {
        out.push(Advice {
            kind: AdviceKind::RolledBack,
            migrations: vec![name.clone()],
            explanation: format!(
                "{name} is marked rolled back and nothing else: status lists it as applied, but deploy applies it again. If its changes are in the database, mark it applied instead."
            ),
            commands: vec![
                inv.prismig(&["migrate", "deploy"]),
                inv.prismig(&["migrate", "resolve", "--applied", name]),
            ],
        });
    }
    out
}

/// `(old, new)`: a row whose folder is gone and an unapplied folder with its script.
fn renamed(state: &super::status::State) -> Vec<(String, String)> {
    let (missing, unapplied) = match &state.diagnosis.history {
        History::Diverge {
            unpersisted,
            unapplied,
            ..
        } => (unpersisted, unapplied),
        _ => return Vec::new(),
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for old in missing {
        if out.iter().any(|(o, _)| o == old) {
            continue;
        }
        let sums: Vec<&str> = state
            .rows
            .iter()
            .filter(|r| &r.migration_name == old && r.is_finished() && !r.is_rolled_back())
            .map(|r| r.checksum.as_str())
            .collect();
        let found = unapplied.iter().find(|new| {
            !out.iter().any(|(_, n)| n == *new)
                && state
                    .dir
                    .find(new)
                    .and_then(|m| m.script().ok())
                    .is_some_and(|script| {
                        sums.iter().any(|sum| script_matches_checksum(&script, sum))
                    })
        });
        if let Some(new) = found {
            out.push((old.clone(), new.clone()));
        }
    }
    out
}

pub fn sync(ctx: &mut Context<'_>) -> Result<u8> {
    let target = ctx.announce()?;
    let mut db = ctx.connect(&target)?;
    let state = read_state(ctx, &mut db)?;
    let schema_empty = state.diagnosis.has_migrations_table || {
        let tables = db.table_names(&ctx.project.schemas)?;
        !tables.iter().any(|(_, t)| !db.ignores_table(t))
    };
    let names = state.dir.names();
    // The folder as typed from the working directory, where the printed commands run.
    let shown = match std::env::current_dir() {
        Ok(cwd) => relative(&ctx.project.migrations_dir, &cwd),
        Err(_) => ctx.project.migrations_dir.display().to_string(),
    };
    let renamed = renamed(&state);
    let advice = advise(
        &names,
        &state.diagnosis,
        schema_empty,
        &shown,
        &renamed,
        &ctx.project.invocation,
    );
    // Pending migrations are what deploy is for: `sync && deploy` goes on.
    let code = if advice.iter().all(|a| a.kind == AdviceKind::Pending) {
        exit::OK
    } else {
        exit::FAILURE
    };
    ctx.emit(Event::Sync { advice });
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> Invocation {
        Invocation::default()
    }

    fn kinds(a: &[Advice]) -> Vec<AdviceKind> {
        a.iter().map(|a| a.kind).collect()
    }

    #[test]
    fn unmanaged_databases_get_a_baseline() {
        let d = Diagnosis::default();
        let a = advise(
            &["1_a", "2_b"],
            &d,
            false,
            "prisma/migrations",
            &[],
            &none(),
        );
        assert_eq!(kinds(&a), [AdviceKind::Unmanaged]);
        assert_eq!(a[0].commands[1], "prismig baseline --to 2_b --yes");
        let a = advise(&["1_a", "2_b"], &d, true, "prisma/migrations", &[], &none());
        assert_eq!(kinds(&a), [AdviceKind::Pending]);
        assert!(advise(&[], &d, false, "m", &[], &none()).is_empty());
    }

    #[test]
    fn every_difference_gets_its_commands() {
        let d = Diagnosis {
            has_migrations_table: true,
            failed: vec!["3_c".into()],
            edited: vec!["1_a".into()],
            history: History::Diverge {
                last_common: Some("1_a".into()),
                unpersisted: vec!["2_x".into()],
                unapplied: vec!["2_b".into()],
            },
            rolled_back_only: vec![],
        };
        let a = advise(&["1_a", "2_b"], &d, true, "prisma/migrations", &[], &none());
        assert_eq!(
            kinds(&a),
            [
                AdviceKind::Failed,
                AdviceKind::MissingLocally,
                AdviceKind::Pending,
                AdviceKind::Edited
            ]
        );
        assert_eq!(
            a[0].commands,
            [
                "prismig fix",
                "prismig migrate resolve --applied 3_c",
                "prismig migrate resolve --rolled-back 3_c"
            ]
        );
        assert!(a[1]
            .explanation
            .contains("After 1_a, the two histories part"));
        assert_eq!(
            a[1].commands,
            [
                "git log --all --oneline -- prisma/migrations/2_x",
                "prismig fix"
            ]
        );
    }

    // A name listed three times is one migration; a renamed folder is fix's, not deploy's.
    #[test]
    fn migrations_are_counted_by_name_and_renames_point_to_fix() {
        let d = Diagnosis {
            has_migrations_table: true,
            history: History::Diverge {
                last_common: Some("1_a".into()),
                unpersisted: vec![
                    "2_old".into(),
                    "2_old".into(),
                    "2_old".into(),
                    "3_gone".into(),
                ],
                unapplied: vec!["2_new".into()],
            },
            ..Diagnosis::default()
        };
        let a = advise(&["1_a", "2_new"], &d, true, "m", &[], &none());
        assert_eq!(a[0].migrations, ["2_old", "3_gone"]);
        assert!(
            a[0].explanation.contains("has 2 migration(s)"),
            "{}",
            a[0].explanation
        );
        let renamed = [("2_old".to_owned(), "2_new".to_owned())];
        let a = advise(&["1_a", "2_new"], &d, true, "m", &renamed, &none());
        assert_eq!(
            kinds(&a),
            [AdviceKind::MissingLocally, AdviceKind::MissingLocally]
        );
        assert!(
            a[0].explanation.contains("2_old -> 2_new"),
            "{}",
            a[0].explanation
        );
        assert_eq!(a[0].commands, ["prismig fix", "prismig fix --yes"]);
        assert_eq!(a[1].migrations, ["3_gone"]);
        assert!(a
            .iter()
            .all(|x| !x.commands.iter().any(|c| c.contains("deploy"))));
    }

    // Printed commands are pasted into a shell: names are quoted, the project options kept.
    #[test]
    fn commands_are_quoted_and_keep_the_project_options() {
        let evil = "2_q'$(touch${IFS}PWNED)'";
        let d = Diagnosis {
            has_migrations_table: true,
            failed: vec![evil.into()],
            history: History::MigrationsDirectoryIsBehind {
                unpersisted: vec![evil.into()],
            },
            ..Diagnosis::default()
        };
        let inv = Invocation {
            schema: Some("db/schema.prisma".into()),
            config: None,
            url_var: Some("DATABASE_URL".into()),
        };
        let a = advise(&["1_a"], &d, true, "m", &[], &inv);
        assert_eq!(
            a[0].commands[1],
            r#"prismig migrate resolve --applied '2_q'\''$(touch${IFS}PWNED)'\''' --schema db/schema.prisma --url "$DATABASE_URL""#
        );
        assert_eq!(
            a[1].commands[0],
            r#"git log --all --oneline -- 'm/2_q'\''$(touch${IFS}PWNED)'\'''"#
        );
    }
}
