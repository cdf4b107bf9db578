//! scripts/deploy-migrations.sh, the seed pipeline's script on prismig, run for real.

use crate::support::cmd::{output, Output};
use crate::support::{Project, TestDb, ADD_POST, INIT};
use std::process::Command;

fn script(p: &Project, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/deploy-migrations.sh"
    ));
    c.args(args)
        .current_dir(p.path())
        .env("PRISMIG", env!("CARGO_BIN_EXE_prismig"))
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .env_remove("DEV_DATABASE_URL")
        .env_remove("PROD_DATABASE_URL");
    for (k, v) in env {
        c.env(k, v);
    }
    output(c)
}

#[test]
fn deploy_script_for_each_environment() {
    let dev = TestDb::new("pipe_dev");
    let prod = TestDb::new("pipe_prod");
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .migration("20240102000000_add_post", ADD_POST);

    let out = script(&p, &[], &["production", "deploy"]);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(out.stdout.contains("no database URL for production"));
    assert_eq!(script(&p, &[], &["qa"]).code, 2);

    let out = script(
        &p,
        &[("DEV_DATABASE_URL", &dev.url())],
        &["development", "status"],
    );
    assert_eq!(out.code, 2, "pending: {out:?}");
    let out = script(&p, &[("DEV_DATABASE_URL", &dev.url())], &["development"]);
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("20")).collect();
    assert!(
        lines.first().unwrap().ends_with(" development: deploy"),
        "{lines:?}"
    );
    assert!(
        lines
            .last()
            .unwrap()
            .ends_with(" development is up to date"),
        "{lines:?}"
    );
    assert_eq!(dev.rows().len(), 2);
    assert!(
        !p.path().join("backups").exists(),
        "no backup outside production"
    );

    let out = script(
        &p,
        &[("PROD_DATABASE_URL", &prod.url())],
        &["prod", "deploy"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    let backups: Vec<_> = std::fs::read_dir(p.path().join("backups"))
        .unwrap()
        .collect();
    assert_eq!(backups.len(), 1, "a backup before production");
    let out = script(&p, &[("PROD_DATABASE_URL", &prod.url())], &["production"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("nothing to deploy"));

    // A failed migration stops the script before deploying, with its own code.
    p.migration("20240103000000_bad", "SELECT 1/0;");
    let out = script(&p, &[("PROD_DATABASE_URL", &prod.url())], &["production"]);
    assert_eq!(out.code, 5, "{out:?}");
    assert!(
        out.stderr.contains("P3018"),
        "the migration failed: {out:?}"
    );
    assert_eq!(
        std::fs::read_dir(p.path().join("backups")).unwrap().count(),
        2,
        "one more backup, none replaced"
    );
    let out = script(&p, &[("PROD_DATABASE_URL", &prod.url())], &["production"]);
    assert_eq!(out.code, 4, "{out:?}");
    assert!(out.stdout.contains("failed migrations in the database"));
    let out = script(
        &p,
        &[("DATABASE_URL", "postgresql://x@127.0.0.1:5499/x")],
        &["development", "status"],
    );
    assert_eq!(out.code, 3, "{out:?}");
}

// A new environment: the database does not exist yet. status stops with P1003, which the
// script reads as "deploy creates it" (Prisma's deploy does, §4.2); a server that cannot be
// reached still stops it with code 3.
#[test]
fn deploy_script_creates_a_new_environment() {
    let fresh = TestDb::unique_name("pipe_new");
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .migration("20240102000000_add_post", ADD_POST);
    let out = script(&p, &[("PROD_DATABASE_URL", &fresh.url())], &["production"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("the database does not exist yet: deploy creates it"),
        "{out:?}"
    );
    assert!(out.stderr.contains("P1003"), "{out:?}");
    assert_eq!(fresh.rows().len(), 2);
    // status alone still reports it as an error.
    let other = TestDb::unique_name("pipe_new_status");
    let out = script(
        &p,
        &[("DEV_DATABASE_URL", &other.url())],
        &["development", "status"],
    );
    assert_eq!(out.code, 3, "{out:?}");
}
