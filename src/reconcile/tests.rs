//! Table-driven tests of the rules in `prisma-migrate.md` §4.2, §4.4, §5.2, §6.2, §6.3.

use super::*;
use chrono::{TimeZone, Utc};
use std::convert::Infallible;

#[derive(Clone, Copy)]
enum S {
    Finished,
    Failed,
    RolledBack,
}

fn row(i: i64, name: &str, s: S) -> MigrationRecord {
    let at = Utc.timestamp_opt(1_700_000_000 + i, 0).unwrap();
    MigrationRecord {
        id: format!("id{i}"),
        checksum: format!("sum-{name}"),
        finished_at: matches!(s, S::Finished).then_some(at),
        migration_name: name.to_owned(),
        rolled_back_at: matches!(s, S::RolledBack).then_some(at),
        started_at: at,
        applied_steps_count: i64::from(matches!(s, S::Finished)),
    }
}

fn all_match(_: usize, _: &str) -> Result<bool, Infallible> {
    Ok(true)
}

#[test]
fn deploy_pending_rules() {
    // (local, rows, expected pending) — §4.2 step 7.
    let cases: Vec<(Vec<&str>, Vec<MigrationRecord>, Vec<&str>)> = vec![
        (vec!["a", "b"], vec![], vec!["a", "b"]),
        (vec!["a", "b"], vec![row(1, "a", S::Finished)], vec!["b"]),
        // out-of-order application is allowed
        (
            vec!["a", "b", "c"],
            vec![row(1, "b", S::Finished)],
            vec!["a", "c"],
        ),
        // a migration whose only rows are rolled back is applied again
        (vec!["a"], vec![row(1, "a", S::RolledBack)], vec!["a"]),
        // rolled back, then applied: not pending
        (
            vec!["a"],
            vec![row(1, "a", S::RolledBack), row(2, "a", S::Finished)],
            vec![],
        ),
        // rows missing locally are ignored
        (vec!["a"], vec![row(1, "z", S::Finished)], vec!["a"]),
    ];
    for (local, rows, expected) in cases {
        assert_eq!(pending_for_deploy(&local, &rows), expected, "{local:?}");
    }
}

#[test]
fn failed_row_blocks_deploy_with_p3009_details() {
    let rows = vec![
        row(1, "a", S::Finished),
        row(2, "b", S::Failed),
        row(3, "z", S::Failed),
    ];
    let e = check_no_failed(&rows).unwrap_err();
    assert_eq!(e.code(), "P3009");
    assert!(e.to_string().ends_with(
        "\nThe `b` migration started at 2023-11-14 22:13:22 UTC failed\nThe `z` migration started at 2023-11-14 22:13:23 UTC failed\n"
    ), "{e}");
    assert!(check_no_failed(&[row(1, "a", S::RolledBack)]).is_ok());
}

#[test]
fn diagnose_history_shapes() {
    let cases: Vec<(Vec<&str>, Vec<MigrationRecord>, History)> = vec![
        (vec!["a"], vec![row(1, "a", S::Finished)], History::InSync),
        (
            vec!["a", "b"],
            vec![row(1, "a", S::Finished)],
            History::DatabaseIsBehind {
                unapplied: vec!["b".into()],
            },
        ),
        (
            vec!["a"],
            vec![row(1, "a", S::Finished), row(2, "b", S::Finished)],
            History::MigrationsDirectoryIsBehind {
                unpersisted: vec!["b".into()],
            },
        ),
        // scenario G (g3)
        (
            vec!["a", "c"],
            vec![row(1, "a", S::Finished), row(2, "b", S::Finished)],
            History::Diverge {
                last_common: Some("a".into()),
                unpersisted: vec!["b".into()],
                unapplied: vec!["c".into()],
            },
        ),
        (
            vec!["c"],
            vec![row(2, "b", S::Finished)],
            History::Diverge {
                last_common: None,
                unpersisted: vec!["b".into()],
                unapplied: vec!["c".into()],
            },
        ),
        // a rolled-back row still counts as "in the database" for status
        (vec!["a"], vec![row(1, "a", S::RolledBack)], History::InSync),
    ];
    for (local, rows, expected) in cases {
        let d = diagnose(&local, &rows, true, all_match).unwrap();
        assert_eq!(d.history, expected, "{local:?}");
    }
}

#[test]
fn diagnose_failed_edited_and_rolled_back_only() {
    let local = ["a", "b", "c"];
    let rows = vec![
        row(1, "a", S::Finished),
        row(2, "b", S::Failed),
        row(3, "c", S::RolledBack),
    ];
    let d = diagnose(&local, &rows, true, |i, _| Ok::<_, Infallible>(i != 0)).unwrap();
    assert_eq!(d.failed, ["b"]);
    assert_eq!(d.edited, ["a"]);
    assert_eq!(d.rolled_back_only, ["c"]);
    assert_eq!(d.history, History::InSync);
}

#[test]
fn diagnose_compares_with_the_row_that_counts() {
    let mut old = row(1, "a", S::RolledBack);
    old.checksum = "old".to_owned();
    let rows = vec![old, row(2, "a", S::Finished)];
    let mut seen = Vec::new();
    diagnose(&["a", "b"], &rows, true, |i, sum| {
        seen.push((i, sum.to_owned()));
        Ok::<_, Infallible>(true)
    })
    .unwrap();
    assert_eq!(seen, [(0, "sum-a".to_owned())]);
}

#[test]
fn resolve_applied_rules() {
    assert_eq!(
        plan_resolve_applied("a", &[]).unwrap(),
        Vec::<String>::new()
    );
    let e = plan_resolve_applied("a", &[row(1, "a", S::Finished)]).unwrap_err();
    assert_eq!(e.code(), "P3008");
    let rows = vec![
        row(1, "a", S::Failed),
        row(2, "a", S::RolledBack),
        row(3, "a", S::Failed),
    ];
    assert_eq!(plan_resolve_applied("a", &rows).unwrap(), ["id1", "id3"]);
}

#[test]
fn resolve_rolled_back_rules() {
    assert_eq!(
        plan_resolve_rolled_back("a", &[]).unwrap_err().code(),
        "P3011"
    );
    assert_eq!(
        plan_resolve_rolled_back("a", &[row(1, "a", S::Finished)])
            .unwrap_err()
            .code(),
        "P3012"
    );
    assert_eq!(
        plan_resolve_rolled_back("a", &[row(1, "a", S::Failed)]).unwrap(),
        ["id1"]
    );
    // already rolled back: succeeds and changes nothing
    assert!(plan_resolve_rolled_back("a", &[row(1, "a", S::RolledBack)])
        .unwrap()
        .is_empty());
}

// Several rows for one migration name: which row counts for each decision.
#[test]
fn diagnose_with_several_rows_per_name() {
    // (local, rows, expected history, rule)
    let cases: Vec<(Vec<&str>, Vec<MigrationRecord>, History, &str)> = vec![
        (
            vec!["a", "b", "c", "d"],
            vec![
                row(1, "a", S::Finished),
                row(2, "c", S::Finished),
                row(3, "x", S::Finished),
            ],
            History::Diverge {
                last_common: Some("a".into()),
                unpersisted: vec!["x".into()],
                unapplied: vec!["b".into(), "d".into()],
            },
            "§5.2: last common = the local migration before the FIRST unapplied one",
        ),
        (
            vec!["a"],
            vec![row(1, "a", S::Finished), row(2, "z", S::RolledBack)],
            History::MigrationsDirectoryIsBehind {
                unpersisted: vec!["z".into()],
            },
            "§5.2: a rolled-back row missing locally is still not in the folder",
        ),
        (
            vec!["a"],
            vec![
                row(1, "z", S::Failed),
                row(2, "a", S::Finished),
                row(3, "z", S::Finished),
            ],
            History::MigrationsDirectoryIsBehind {
                unpersisted: vec!["z".into(), "z".into()],
            },
            "§5.2: one entry per row, duplicates possible, table order",
        ),
        (
            vec!["a", "b"],
            vec![
                row(1, "a", S::RolledBack),
                row(2, "a", S::RolledBack),
                row(3, "b", S::Failed),
            ],
            History::InSync,
            "§5.2: any row, whatever its state, makes a name applied for status",
        ),
    ];
    for (local, rows, expected, rule) in cases {
        let d = diagnose(&local, &rows, false, all_match).unwrap();
        assert_eq!(d.history, expected, "{rule}");
        assert!(!d.has_migrations_table);
    }
}

#[test]
fn the_row_that_counts_is_the_last_one_not_rolled_back() {
    // (rows of `a`, checksum compared, rolled back only, rule)
    let named = |i, s, sum: &str| {
        let mut r = row(i, "a", s);
        r.checksum = sum.to_owned();
        r
    };
    let cases: Vec<(Vec<MigrationRecord>, Option<&str>, bool, &str)> = vec![
        (
            vec![named(1, S::Finished, "one"), named(2, S::Finished, "two")],
            Some("two"),
            false,
            "the last of two finished rows",
        ),
        (
            vec![named(1, S::Finished, "one"), named(2, S::RolledBack, "two")],
            Some("one"),
            false,
            "a later rolled-back row does not count",
        ),
        (
            vec![
                named(1, S::RolledBack, "one"),
                named(2, S::Failed, "two"),
                named(3, S::RolledBack, "three"),
            ],
            Some("two"),
            false,
            "a failed row counts",
        ),
        (
            vec![
                named(1, S::RolledBack, "one"),
                named(2, S::RolledBack, "two"),
            ],
            None,
            true,
            "only rolled-back rows: nothing to compare, reported as such",
        ),
    ];
    for (rows, compared, rolled_back_only, rule) in cases {
        let mut seen = Vec::new();
        let d = diagnose(&["a"], &rows, true, |_, sum| {
            seen.push(sum.to_owned());
            Ok::<_, Infallible>(false)
        })
        .unwrap();
        assert_eq!(seen.first().map(String::as_str), compared, "{rule}");
        assert_eq!(seen.len(), usize::from(compared.is_some()), "{rule}");
        assert_eq!(d.edited.len(), usize::from(compared.is_some()), "{rule}");
        assert_eq!(
            d.rolled_back_only.len(),
            usize::from(rolled_back_only),
            "{rule}"
        );
    }
}

#[test]
fn diagnose_reports_every_failed_row_and_stops_on_a_read_error() {
    let rows = vec![
        row(1, "a", S::Failed),
        row(2, "a", S::RolledBack),
        row(3, "a", S::Failed),
        row(4, "b", S::Finished),
    ];
    let d = diagnose(&["a", "b"], &rows, true, all_match).unwrap();
    assert_eq!(d.failed, ["a", "a"], "§5.2: one name per failed row");
    assert!(d.edited.is_empty() && d.rolled_back_only.is_empty());
    assert!(d.has_migrations_table);
    let e = diagnose(&["a", "b"], &rows, true, |i, _| {
        if i == 1 {
            Err("unreadable")
        } else {
            Ok(true)
        }
    });
    assert_eq!(
        e,
        Err("unreadable"),
        "§5.2: an unreadable file fails (P3015)"
    );
}

#[test]
fn deploy_and_resolve_with_several_rows_per_name() {
    // §4.2 step 7: a failed row is not rolled back, so it is not pending (P3009 stops first).
    assert_eq!(
        pending_for_deploy(
            &["a"],
            &[row(1, "a", S::RolledBack), row(2, "a", S::Failed)]
        ),
        Vec::<&str>::new()
    );
    assert_eq!(
        pending_for_deploy(
            &["a", "b"],
            &[row(1, "b", S::RolledBack), row(2, "b", S::RolledBack)]
        ),
        ["a", "b"]
    );
    // §6.3: P3012 only when EVERY row finished; a failed row among finished ones is marked.
    assert_eq!(
        plan_resolve_rolled_back("a", &[row(1, "a", S::Finished), row(2, "a", S::Failed)]).unwrap(),
        ["id2"]
    );
    assert_eq!(
        plan_resolve_rolled_back("a", &[row(1, "a", S::Finished), row(2, "a", S::Finished)])
            .unwrap_err()
            .code(),
        "P3012"
    );
    // other names' rows never count
    assert_eq!(
        plan_resolve_rolled_back("a", &[row(1, "b", S::Failed)])
            .unwrap_err()
            .code(),
        "P3011"
    );
    assert_eq!(
        plan_resolve_applied("a", &[row(1, "b", S::Finished), row(2, "b", S::Failed)]).unwrap(),
        Vec::<String>::new()
    );
    // §6.2: P3008 when any row of the name finished, even after failed ones
    assert_eq!(
        plan_resolve_applied("a", &[row(1, "a", S::Failed), row(2, "a", S::Finished)])
            .unwrap_err()
            .code(),
        "P3008"
    );
    assert!(check_no_failed(&[row(1, "a", S::Finished), row(2, "b", S::RolledBack)]).is_ok());
}
