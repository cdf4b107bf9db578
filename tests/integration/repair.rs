//! `fix` and `cleanup` against real folders, git and PostgreSQL: what the drift
//! kinds look like on disk, and that every change can be undone.

use crate::support::{cmd::run, json_steps, steps, Project, TestDb};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=prismig",
            "-c",
            "user.email=prismig@example.com",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(ok.status.success(), "git {args:?}: {ok:?}");
}

/// Every file under `dir` with its content, for before/after comparisons.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let path = e.path();
            let rel = path.strip_prefix(base).unwrap().display().to_string();
            if path.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(base, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

// The database keeps only a checksum; fix finds the applied text in git and shows what
// changed since, so that "edited" says how, not only that.
#[test]
fn fix_shows_how_an_edited_migration_changed() {
    let db = TestDb::new("repair_git");
    let p = Project::new();
    p.migration(
        "20240101000000_init",
        "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n",
    );
    git(p.path(), &["init", "-q"]);
    git(p.path(), &["add", "."]);
    git(p.path(), &["commit", "-q", "-m", "init"]);
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    p.migration(
        "20240101000000_init",
        "CREATE TABLE a (id int);\nCREATE TABLE b (id bigint);\n",
    );
    git(p.path(), &["commit", "-q", "-am", "widen b"]);

    let out = run(&p, &db.url(), &["fix"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("applied text found in git at "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("since then +1 -1 line(s)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("- CREATE TABLE b (id int);"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("+ CREATE TABLE b (id bigint);"),
        "{}",
        out.stdout
    );

    // A comment-only edit is named as such.
    p.migration(
        "20240101000000_init",
        "-- reviewed\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\n",
    );
    let out = run(&p, &db.url(), &["fix"]);
    assert!(out.stdout.contains("comments only"), "{}", out.stdout);

    // Outside git: said so, and the re-stamp still works.
    std::fs::remove_dir_all(p.path().join(".git")).unwrap();
    let out = run(&p, &db.url(), &["fix", "--restamp-all", "--yes"]);
    out.success();
    assert!(
        out.stdout.contains("not in this checkout's git history"),
        "{}",
        out.stdout
    );
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.success();
    assert!(!out.stderr.contains("modified"), "{}", out.stderr);
}

// Prisma trips over an empty folder (P3015); cleanup moves it and the rest of the litter
// to the trash, fixes the file name, brings the nested migration up and writes the
// lockfile, and --undo gives back the folder byte for byte.
#[test]
fn cleanup_tidies_the_folder_and_undo_restores_it() {
    let db = TestDb::new("repair_cleanup");
    let p = Project::new();
    p.migration("20240101000000_init", "CREATE TABLE a (id int);\n")
        .write("prisma/migrations/.DS_Store", "mac")
        .write(
            "prisma/migrations/20240101000000_init/migration.sql.orig",
            "old",
        )
        .write(
            "prisma/migrations/20240101000000_init/.migration.sql.swp",
            "vim",
        )
        .write(
            "prisma/migrations/20240102000000_b/Migration.sql",
            "CREATE TABLE b (id int);\n",
        )
        .write(
            "prisma/migrations/20240101000000_init/20240103000000_c/migration.sql",
            "CREATE TABLE c (id int);\n",
        );
    std::fs::create_dir_all(p.migrations().join("20240104000000_empty")).unwrap();
    std::fs::remove_file(p.migrations().join("migration_lock.toml")).unwrap();
    let original = tree(&p.migrations());

    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.failure();
    assert!(out.stderr.contains("P3015"), "{}", out.stderr);
    db.exec("DROP TABLE IF EXISTS _prisma_migrations; DROP TABLE IF EXISTS a");

    let out = run(&p, &db.url(), &["cleanup"]);
    out.success();
    assert_eq!(tree(&p.migrations()), original, "a dry run moves nothing");
    for expected in [
        "move to trash     .DS_Store",
        "note              20240101000000_init/20240103000000_c",
        "move to trash     20240101000000_init/.migration.sql.swp",
        "move to trash     20240101000000_init/migration.sql.orig",
        "rename file       20240102000000_b/Migration.sql",
        "move to trash     20240104000000_empty",
        "write lockfile    migration_lock.toml",
    ] {
        assert!(out.stdout.contains(expected), "{expected}:\n{}", out.stdout);
    }
    let out = run(&p, &db.url(), &["cleanup", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["repair"]["applied"], false);
    assert_eq!(doc["repair"]["steps"].as_array().unwrap().len(), 7);
    // The nested migration is reported, not moved: it could be archived on purpose.
    let nested = doc["repair"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "20240101000000_init/20240103000000_c")
        .unwrap();
    assert_eq!(nested["action"], "note");

    let out = run(&p, &db.url(), &["cleanup", "--yes"]);
    out.success();
    let after = tree(&p.migrations());
    let names: Vec<&str> = after.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "20240101000000_init/",
            "20240101000000_init/20240103000000_c/",
            "20240101000000_init/20240103000000_c/migration.sql",
            "20240101000000_init/migration.sql",
            "20240102000000_b/",
            "20240102000000_b/migration.sql",
            "migration_lock.toml"
        ]
    );
    assert_eq!(
        after["migration_lock.toml"],
        prismig::__internal::commands::lockfile_text("postgresql").as_bytes()
    );
    assert!(p.path().join(".prismig/trash").is_dir());
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert!(!out.stdout.contains("20240103000000_c"), "{}", out.stdout);
    let out = run(&p, &db.url(), &["cleanup"]);
    out.success();
    assert!(
        out.stdout.contains("cleanup: nothing to change. Found:"),
        "{}",
        out.stdout
    );

    // Undo from the manifest the run printed.
    let manifest = std::fs::read_dir(p.path().join(".prismig/trash"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
        .join("manifest.json");
    let m = manifest.to_str().unwrap();
    run(&p, &db.url(), &["cleanup", "--undo", m]).success();
    assert_ne!(
        tree(&p.migrations()),
        original,
        "undo without --yes moves nothing"
    );
    run(&p, &db.url(), &["cleanup", "--undo", m, "--yes"]).success();
    assert_eq!(tree(&p.migrations()), original);
}

// A lockfile for another provider is not rewritten: it is P3019's case, for a person.
#[test]
fn cleanup_leaves_another_providers_lockfile_to_a_person() {
    let p = Project::new();
    p.migration("20240101000000_init", "CREATE TABLE a (id int);\n");
    p.write(
        "prisma/migrations/migration_lock.toml",
        prismig::__internal::commands::lockfile_text("mysql"),
    );
    let out = run(
        &p,
        "postgresql://unused@127.0.0.1:1/none",
        &["cleanup", "--yes"],
    );
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("needs you"), "{}", out.stdout);
    assert!(out.stdout.contains("P3019"), "{}", out.stdout);
    assert_eq!(
        std::fs::read_to_string(p.migrations().join("migration_lock.toml")).unwrap(),
        prismig::__internal::commands::lockfile_text("mysql")
    );
    assert!(!p.path().join(".prismig").exists());
}

fn copy_tree(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

// A history as Prisma writes it (tests/fixtures/prisma_made: transcripts Scenario D, with
// a CRLF checkout, a branch's row without a folder and a duplicate row): one `fix` plan
// covers all four, --yes leaves a history that status and deploy read to §4–§5, and
// --undo gives back Prisma's rows exactly, logs and ids included.
#[test]
fn fix_repairs_a_prisma_made_history() {
    let db = TestDb::new("repair_fixture");
    let p = Project::new();
    std::fs::remove_dir_all(p.path().join("prisma")).unwrap();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/prisma_made"),
        p.path(),
    );
    db.exec(&std::fs::read_to_string(p.path().join("history.sql")).unwrap());
    let original = db.rows();
    assert_eq!(original.len(), 5);
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    assert!(out.stderr.starts_with("Error: P3009\n"), "{}", out.stderr);

    let out = run(&p, &db.url(), &["fix", "--json"]);
    assert_eq!(
        out.code, 1,
        "the branch's row needs a decision: {}",
        out.stdout
    );
    assert_eq!(
        json_steps(&out.stdout),
        steps(&[
            ("mark_rolled_back", "20240103000000_bad"),
            ("archive", "20240102000000_add_post"),
            ("restamp", "20240101000000_init"),
            ("keep", "20240102120000_feature_flags"),
        ])
    );
    assert_eq!(db.rows(), original);

    let out = run(&p, &db.url(), &["fix", "--archive", "--yes"]);
    out.success();
    let rows = db.rows();
    let names: Vec<&str> = rows.iter().map(|r| r.migration_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "20240101000000_init",
            "20240102000000_add_post",
            "20240103000000_bad"
        ]
    );
    assert_eq!(
        rows[0].checksum,
        prismig::__internal::migration::checksum(
            &std::fs::read_to_string(p.migrations().join("20240101000000_init/migration.sql"))
                .unwrap()
        )
    );
    assert_eq!(
        rows[1].id, "c5cc9199-af87-4453-b815-1f3f569ceb26",
        "the first row is kept"
    );
    assert!(rows[2].rolled_back && !rows[2].finished);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM _prisma_migrations_backup WHERE archived_by <> ''"),
        2
    );
    assert_eq!(db.text("SELECT logs AS v FROM _prisma_migrations_backup WHERE id = '9d1c2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e'"), "");
    let out = run(&p, &db.url(), &["migrate", "status"]);
    out.success();
    assert!(
        out.stdout.contains("Database schema is up to date!"),
        "{}",
        out.stdout
    );
    let out = run(&p, &db.url(), &["fix"]);
    out.success();
    assert!(out.stdout.contains("nothing to do"), "{}", out.stdout);

    let record = std::fs::read_dir(p.path().join(".prismig/history-backups"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    run(
        &p,
        &db.url(),
        &["fix", "--undo", record.to_str().unwrap(), "--yes"],
    )
    .success();
    assert_eq!(db.rows(), original, "Prisma's rows, exactly");
    assert_eq!(
        db.count("SELECT count(*) AS n FROM _prisma_migrations_backup"),
        0
    );

    // Repaired again, the corrected script deploys as a new row (§4.2).
    run(&p, &db.url(), &["fix", "--archive", "--yes"]).success();
    p.migration(
        "20240103000000_bad",
        "-- AlterTable\nALTER TABLE \"User\" ADD COLUMN \"email\" TEXT;\nCREATE INDEX \"User_email_idx\" ON \"User\"(\"email\");\n",
    );
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert!(
        out.stdout
            .contains("Applying migration `20240103000000_bad`"),
        "{}",
        out.stdout
    );
    run(&p, &db.url(), &["migrate", "status"]).success();
}

// A branch merged late: its older migration applied after a newer one. Prisma accepts it;
// fix says so and changes nothing, since rewriting when things happened would falsify the
// history.
#[test]
fn fix_notes_migrations_applied_out_of_order() {
    let db = TestDb::new("repair_order");
    let p = Project::new();
    p.migration("20240101000000_init", "CREATE TABLE a (id int);\n")
        .migration("20240103000000_c", "CREATE TABLE c (id int);\n");
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    p.migration("20240102000000_b", "CREATE TABLE b (id int);\n");
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    let before = db.rows();
    let out = run(&p, &db.url(), &["fix", "--yes"]);
    out.success();
    assert!(
        out.stdout.contains("fix: nothing to change. Found:\n  note              20240102000000_b  (applied after 20240103000000_c, though it sorts before it"),
        "{}",
        out.stdout
    );
    assert_eq!(db.rows(), before);
    assert!(!p.path().join(".prismig").exists());
}
