//! One fixture project per layout (tests/fixtures/layouts), each deployed end to end with
//! the URL coming from the place that layout keeps it (§3.1, §8.2, §8.3, §8.4).

use crate::support::{cmd::output, location, TestDb};
use std::path::{Path, PathBuf};
use std::process::Command;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A copy of a fixture in a temp dir.
fn fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(name);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/layouts")
            .join(name),
        &root,
    );
    (dir, root)
}

/// `prismig <args>` in `cwd` with no DATABASE_URL in the environment.
fn prismig(cwd: &Path, args: &[&str]) -> crate::support::cmd::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_prismig"));
    c.args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .env("NO_COLOR", "1");
    output(c)
}

fn datasource(db: &TestDb) -> String {
    format!(
        "Datasource \"db\": PostgreSQL database \"{}\", schema \"public\" at \"{}\"\n",
        db.name,
        location(db)
    )
}

const DEPRECATED: &str = "warn The configuration property `package.json#prisma` is deprecated and will be removed in Prisma 7. Please migrate to a Prisma config file (e.g., `prisma.config.ts`).\nFor more information, see: https://pris.ly/prisma-config\n\n";

#[test]
fn prisma6_schema_only_with_prisma_dotenv() {
    let db = TestDb::new("layout_p6");
    let (_t, root) = fixture("prisma6");
    std::fs::write(
        root.join("prisma/.env"),
        format!("DATABASE_URL={}\n", db.url()),
    )
    .unwrap();
    let out = prismig(&root, &["migrate", "deploy"]);
    out.success();
    assert_eq!(
        out.stderr,
        "Environment variables loaded from prisma/.env\n"
    );
    assert!(out.stdout.starts_with(&format!(
        "Prisma schema loaded from prisma/schema.prisma\n{}\n1 migration found",
        datasource(&db)
    )));
    assert_eq!(db.rows().len(), 1);
}

#[test]
fn prisma7_config_with_dotenv_import_and_migrations_path() {
    let db = TestDb::new("layout_p7");
    let (_t, root) = fixture("prisma7");
    std::fs::write(
        root.join(".env"),
        format!("DATABASE_URL=\"{}\"\n", db.url()),
    )
    .unwrap();
    let out = prismig(&root, &["migrate", "deploy"]);
    out.success();
    assert_eq!(out.stderr, "Loaded Prisma config from prisma.config.ts.\n\nEnvironment variables loaded from .env\nPrisma schema loaded from prisma/schema.prisma.\n");
    assert_eq!(db.rows()[0].migration_name, "20240101000000_init");
    // --config from elsewhere: paths inside resolve against the config's folder, and
    // `dotenv/config` reads the `.env` of the working directory (none there), so
    // `process.env.DATABASE_URL!` is undefined: no URL, and no other source is tried.
    let out = prismig(
        root.parent().unwrap(),
        &["migrate", "status", "--config", "prisma7/prisma.config.ts"],
    );
    assert!(
        out.stderr.contains(
            "The datasource.url property is required in your Prisma config file when using prisma migrate status."
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn multi_file_schema_folder() {
    let db = TestDb::new("layout_multi");
    let (_t, root) = fixture("multifile");
    std::fs::write(root.join(".env"), format!("DATABASE_URL={}\n", db.url())).unwrap();
    let out = prismig(&root, &["migrate", "deploy", "--schema", "prisma/schema"]);
    out.success();
    assert!(
        out.stdout.starts_with(&format!(
            "Prisma schema loaded from prisma/schema\n{}\n1 migration found in prisma/migrations\n",
            datasource(&db)
        )),
        "{}",
        out.stdout
    );
    assert_eq!(db.rows().len(), 1);
}

// Appendix "package.json prisma.schema + root .env" and "same, from a subfolder".
#[test]
fn package_json_schema_and_root_dotenv() {
    let db = TestDb::new("layout_pkg");
    let (_t, root) = fixture("pkgjson");
    std::fs::write(root.join(".env"), format!("DATABASE_URL={}\n", db.url())).unwrap();
    let out = prismig(&root, &["migrate", "deploy"]);
    out.success();
    assert_eq!(
        out.stderr,
        format!("{DEPRECATED}Environment variables loaded from .env\n")
    );
    assert!(
        out.stdout.starts_with(&format!(
            "Prisma schema loaded from database/schema.prisma\n{}",
            datasource(&db)
        )),
        "{}",
        out.stdout
    );
    let sub = root.join("src");
    std::fs::create_dir_all(&sub).unwrap();
    let out = prismig(&sub, &["migrate", "status"]);
    out.success();
    assert_eq!(
        out.stderr,
        format!("{DEPRECATED}Environment variables loaded from ../.env\n")
    );
    assert!(out
        .stdout
        .starts_with("Prisma schema loaded from ../database/schema.prisma\n"));
}

#[test]
fn monorepo_uses_the_nearest_package_json_above() {
    let db = TestDb::new("layout_mono");
    let (_t, root) = fixture("monorepo");
    std::fs::write(root.join(".env"), format!("DATABASE_URL={}\n", db.url())).unwrap();
    let api = root.join("packages/api");
    let out = prismig(&api, &["migrate", "deploy"]);
    out.success();
    assert_eq!(out.stderr, "Environment variables loaded from ../../.env\n");
    assert_eq!(db.rows().len(), 1);
}

#[test]
fn same_value_in_root_and_schema_dotenv_is_a_conflict() {
    let (_t, root) = fixture("envconflict");
    let line = "DATABASE_URL=postgresql://postgres@127.0.0.1:5432/x\n";
    std::fs::write(root.join(".env"), line).unwrap();
    std::fs::write(root.join("prisma/.env"), line).unwrap();
    let out = prismig(&root, &["migrate", "status"]);
    out.failure();
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "Error: There is a conflict between env var in .env and prisma/.env\nConflicting env vars:\n  DATABASE_URL\n\nWe suggest to move the contents of prisma/.env to .env to consolidate your env vars.\n\n");
    // Different values are no conflict: the root file wins.
    std::fs::write(
        root.join("prisma/.env"),
        "DATABASE_URL=postgresql://postgres@127.0.0.1:5499/other\n",
    )
    .unwrap();
    let out = prismig(&root, &["migrate", "status"]);
    assert_eq!(
        out.stderr.lines().take(2).collect::<Vec<_>>(),
        [
            "Environment variables loaded from .env",
            "Environment variables loaded from prisma/.env"
        ]
    );
    assert!(!out.stderr.contains("5499"), "{}", out.stderr);
}
