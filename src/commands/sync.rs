//! `prismig sync`: says in plain words how the migrations folder and `_prisma_migrations`
//! differ ("Your local migration history and the migrations table from your database are
//! different"), and gives the exact commands that bring them together. Read-only: the
//! commands it names (`baseline`, `resolve`, `deploy`) are the ones that change things.

use super::status::read_state;
use super::Context;
use crate::config::relative;
use crate::error::{exit, Result};
use crate::event::{Advice, AdviceKind, Event};
use crate::reconcile::{Diagnosis, History};

/// What the history needs, one piece of advice per kind of difference. `schema_empty` only
/// matters without a migrations table. `dir` is the migrations folder as the user types it.
pub fn advise(local: &[&str], d: &Diagnosis, schema_empty: bool, dir: &str) -> Vec<Advice> {
    let mut out = Vec::new();
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
                commands: vec!["prismig migrate deploy".to_owned()],
            });
        } else {
            out.push(Advice {
                kind: AdviceKind::Unmanaged,
                migrations: Vec::new(),
                explanation: "The database has tables but no _prisma_migrations table, so nothing records which migrations its schema already contains, and deploy refuses to start (P3005). Find the last migration whose changes the database has, mark it and the ones before it applied, then deploy applies the rest.".to_owned(),
                commands: vec![
                    format!("prismig baseline --to {}", local[local.len() - 1]),
                    format!("prismig baseline --to {} --yes", local[local.len() - 1]),
                    "prismig migrate deploy".to_owned(),
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
                "prismig fix".to_owned(),
                format!("prismig migrate resolve --applied {name}"),
                format!("prismig migrate resolve --rolled-back {name}"),
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
    if !missing.is_empty() {
        let since = match last_common {
            Some(Some(name)) => format!(" After {name}, the two histories part:"),
            Some(None) => " They share no migration at all:".to_owned(),
            None => String::new(),
        };
        out.push(Advice {
            kind: AdviceKind::MissingLocally,
            migrations: missing.to_vec(),
            explanation: format!(
                "Your local migration history and the migrations table from your database are different.{since} the database has {} migration(s) that {dir} lacks. Usually this checkout is behind the one that deployed them, or their folders were renamed or deleted. Deploy does not need them and still applies what is pending; bring the folders back so that every checkout has the same history. prismig fix re-points the rows of a renamed folder, and with --archive moves the others to _prisma_migrations_backup.",
                missing.len()
            ),
            commands: missing
                .iter()
                .map(|name| format!("git log --all --oneline -- '{dir}/{name}'"))
                .chain(["prismig fix".to_owned()])
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
            commands: vec!["prismig migrate deploy".to_owned()],
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
                "prismig fix".to_owned(),
                format!("git checkout <commit> -- '{dir}/{name}/migration.sql'"),
                format!("prismig fix --restamp {name} --yes"),
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
                "prismig migrate deploy".to_owned(),
                format!("prismig migrate resolve --applied {name}"),
            ],
        });
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
    let advice = advise(&names, &state.diagnosis, schema_empty, &shown);
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

    fn kinds(a: &[Advice]) -> Vec<AdviceKind> {
        a.iter().map(|a| a.kind).collect()
    }

    #[test]
    fn unmanaged_databases_get_a_baseline() {
        let d = Diagnosis::default();
        let a = advise(&["1_a", "2_b"], &d, false, "prisma/migrations");
        assert_eq!(kinds(&a), [AdviceKind::Unmanaged]);
        assert_eq!(a[0].commands[1], "prismig baseline --to 2_b --yes");
        let a = advise(&["1_a", "2_b"], &d, true, "prisma/migrations");
        assert_eq!(kinds(&a), [AdviceKind::Pending]);
        assert!(advise(&[], &d, false, "m").is_empty());
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
        let a = advise(&["1_a", "2_b"], &d, true, "prisma/migrations");
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
                "git log --all --oneline -- 'prisma/migrations/2_x'",
                "prismig fix"
            ]
        );
    }
}
