//! The repairs' inputs taken as hostile: crafted cleanup manifests and history records,
//! migration names made to run commands when pasted, database names that look like
//! options, full and second filesystems, parallel runs. Each attack ends in a coded error
//! with nothing changed, inside the project or outside it.

use crate::support::cmd::{command, output, run, Output};
use crate::support::mount::Tmpfs;
use crate::support::{Project, TestDb, ADD_POST, INIT};
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const NO_DB: &str = "postgresql://unused@127.0.0.1:1/none";

/// Every entry under `dir` (links as links) with its content and mode.
fn tree(dir: &Path) -> BTreeMap<String, (Vec<u8>, u32)> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, (Vec<u8>, u32)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            let rel = path.strip_prefix(base).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let mode = meta.permissions().mode();
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(
                    format!("{rel}@"),
                    (target.display().to_string().into_bytes(), 0),
                );
            } else if meta.is_dir() {
                out.insert(format!("{rel}/"), (Vec::new(), mode));
                walk(base, &path, out);
            } else {
                out.insert(rel, (std::fs::read(&path).unwrap(), mode));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The one file in `dir`.
fn only_file(dir: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

#[track_caller]
fn refused(out: &Output, code: &str) {
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(
        out.stderr.contains(&format!("Error: {code}: ")),
        "expected {code}: {out:#?}"
    );
}

// Scope 1: a crafted manifest cannot move or delete anything outside the migrations folder
// and its trash folder: `..`, absolute paths, symbolic links on the way or at the end,
// relative paths, another project's folder. Each is refused before anything moves.
#[test]
fn cleanup_undo_refuses_manifests_that_reach_outside() {
    let p = Project::new();
    p.migration("20240101000000_init", "CREATE TABLE a (id int);\n")
        .write("prisma/migrations/.DS_Store", "mac");
    let outside = tempfile::tempdir().unwrap();
    let out_dir = outside.path().canonicalize().unwrap();
    std::fs::write(out_dir.join("victim.txt"), "precious").unwrap();
    std::fs::create_dir(out_dir.join("dir")).unwrap();
    std::fs::write(out_dir.join("dir/keep.txt"), "keep").unwrap();

    run(&p, NO_DB, &["cleanup", "--yes"]).success();
    let trash_root = p.path().join(".prismig/trash");
    let trash = only_file(&trash_root);
    assert_eq!(mode(&trash_root), 0o700);
    assert_eq!(mode(&trash), 0o700);
    let manifest_path = trash.join("manifest.json");
    assert_eq!(mode(&manifest_path), 0o600);
    let real: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    let migrations = PathBuf::from(real["migrations_dir"].as_str().unwrap());

    // A link inside the migrations folder that leads out, and one in the trash.
    std::os::unix::fs::symlink(&out_dir, migrations.join("escape")).unwrap();
    std::os::unix::fs::symlink(out_dir.join("victim.txt"), trash.join("link")).unwrap();

    let victim = out_dir.join("victim.txt");
    let m = migrations.display().to_string();
    let t = trash.display().to_string();
    let o = out_dir.display().to_string();
    let dotdot = |base: &str| format!("{base}/../../../../../../..{o}/victim.txt");
    let crafted: Vec<(&str, serde_json::Value)> = vec![
        (
            "written: an absolute path outside, with its true hash",
            serde_json::json!({"written": [victim], "written_sha256": [sha256(b"precious")], "moves": []}),
        ),
        (
            "written: `..` out of the migrations folder",
            serde_json::json!({"written": [dotdot(&m)], "written_sha256": [sha256(b"precious")], "moves": []}),
        ),
        (
            "written: through a link in the migrations folder",
            serde_json::json!({"written": [format!("{m}/escape/victim.txt")], "written_sha256": [sha256(b"precious")], "moves": []}),
        ),
        (
            "move back through a link that leads out",
            serde_json::json!({"written": [], "moves": [[format!("{m}/escape/planted.txt"), format!("{t}/.DS_Store")]]}),
        ),
        (
            "move an outside file into the project",
            serde_json::json!({"written": [], "moves": [[format!("{m}/stolen.txt"), victim]]}),
        ),
        (
            "move from `..` out of the trash",
            serde_json::json!({"written": [], "moves": [[format!("{m}/stolen.txt"), dotdot(&t)]]}),
        ),
        (
            "move back to an outside folder",
            serde_json::json!({"written": [], "moves": [[format!("{o}/dir/planted"), format!("{t}/.DS_Store")]]}),
        ),
        (
            "a link in the trash pointing out",
            serde_json::json!({"written": [], "moves": [[format!("{m}/from_link"), format!("{t}/link")]]}),
        ),
        (
            "relative paths",
            serde_json::json!({"written": [], "moves": [["prisma/migrations/.DS_Store", ".DS_Store"]]}),
        ),
    ];
    let mut files = Vec::new();
    for (i, (what, body)) in crafted.iter().enumerate() {
        let mut doc = body.clone();
        doc["created_at"] = "2024-01-01T00:00:00Z".into();
        doc["migrations_dir"] = m.clone().into();
        let f = trash.join(format!("crafted{i}.json"));
        std::fs::write(&f, serde_json::to_string(&doc).unwrap()).unwrap();
        files.push((*what, f));
    }
    // Another project's folder as the migrations folder.
    let other = trash.join("other.json");
    std::fs::write(
        &other,
        serde_json::json!({"created_at": "t", "migrations_dir": o, "moves": [[format!("{o}/dir/keep.txt"), format!("{t}/.DS_Store")]], "written": []}).to_string(),
    )
    .unwrap();
    files.push(("another migrations folder", other));
    // A manifest outside any trash folder, moving its neighbour into the migrations.
    std::fs::create_dir(out_dir.join("20240109000000_planted")).unwrap();
    std::fs::write(
        out_dir.join("20240109000000_planted/migration.sql"),
        "DROP TABLE a;",
    )
    .unwrap();
    let loose = out_dir.join("manifest.json");
    std::fs::write(
        &loose,
        serde_json::json!({"created_at": "t", "migrations_dir": m, "moves": [[format!("{m}/20240109000000_planted"), format!("{o}/20240109000000_planted")]], "written": []}).to_string(),
    )
    .unwrap();
    files.push(("a manifest outside the trash", loose));

    let project_before = tree(p.path());
    let outside_before = tree(&out_dir);
    for (what, f) in &files {
        for yes in [false, true] {
            let mut args = vec!["cleanup", "--undo", f.to_str().unwrap()];
            if yes {
                args.push("--yes");
            }
            let out = run(&p, NO_DB, &args);
            assert_eq!(out.code, 1, "{what}: {out:#?}");
            assert!(out.stderr.contains("Error: PM3420: "), "{what}: {out:#?}");
            assert!(out.stderr.contains("nothing was moved"), "{what}: {out:#?}");
            assert_eq!(tree(p.path()), project_before, "{what}");
            assert_eq!(tree(&out_dir), outside_before, "{what}");
        }
    }

    // The manifest cleanup wrote still undoes it.
    std::fs::remove_file(migrations.join("escape")).unwrap();
    run(
        &p,
        NO_DB,
        &[
            "cleanup",
            "--undo",
            manifest_path.to_str().unwrap(),
            "--yes",
        ],
    )
    .success();
    assert_eq!(
        std::fs::read_to_string(migrations.join(".DS_Store")).unwrap(),
        "mac"
    );
    assert_eq!(tree(&out_dir), outside_before);
}

// Scope 1: the lockfile cleanup wrote is removed on undo only while it holds what cleanup
// wrote; edited since (or a manifest without its hash), the undo refuses and moves nothing.
#[test]
fn cleanup_undo_removes_only_the_files_it_wrote() {
    let p = Project::new();
    p.migration("20240101000000_init", "CREATE TABLE a (id int);\n")
        .write("prisma/migrations/x.orig", "old");
    std::fs::remove_file(p.migrations().join("migration_lock.toml")).unwrap();
    let original = tree(&p.migrations());
    run(&p, NO_DB, &["cleanup", "--yes"]).success();
    let manifest = only_file(&p.path().join(".prismig/trash")).join("manifest.json");
    let m = manifest.to_str().unwrap();
    let lock = p.migrations().join("migration_lock.toml");
    assert_eq!(mode(&lock), 0o644, "the lockfile is a project file");

    std::fs::write(&lock, "provider = \"postgresql\"\n# edited by hand\n").unwrap();
    let before = tree(p.path());
    for args in [
        &["cleanup", "--undo", m][..],
        &["cleanup", "--undo", m, "--yes"],
    ] {
        let out = run(&p, NO_DB, args);
        refused(&out, "PM3422");
        assert_eq!(tree(p.path()), before);
    }

    // A manifest without the hashes (or with a wrong one) removes nothing either.
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    doc.as_object_mut().unwrap().remove("written_sha256");
    let old = manifest.with_file_name("old.json");
    std::fs::write(&old, doc.to_string()).unwrap();
    std::fs::write(
        &lock,
        prismig::__internal::commands::lockfile_text("postgresql"),
    )
    .unwrap();
    let before = tree(p.path());
    let out = run(
        &p,
        NO_DB,
        &["cleanup", "--undo", old.to_str().unwrap(), "--yes"],
    );
    refused(&out, "PM3422");
    assert_eq!(tree(p.path()), before);

    // Back as cleanup wrote it: the undo goes through and the folder is as it was.
    run(&p, NO_DB, &["cleanup", "--undo", m, "--yes"]).success();
    assert_eq!(tree(&p.migrations()), original);
}

// Scope 6 and 1: the migrations folder on another filesystem than the working directory
// (the README's Docker volume): cleanup copies, flushes and removes, and its undo does the
// same. An undo that fails half-way (the volume full) puts back what it had moved.
#[test]
fn cleanup_across_filesystems_and_an_undo_that_fails_half_way() {
    let p = Project::new();
    let volume = Tmpfs::mount(&p.path().join("vol"), "1m");
    let vol = volume.path.clone();
    p.write(
        "vol/schema.prisma",
        "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n",
    );
    p.write(
        "vol/migrations/migration_lock.toml",
        crate::support::project::LOCKFILE,
    );
    p.write("vol/migrations/20240101000000_init/migration.sql", INIT);
    // Restored last, and too big for what will be left: the undo's second move fails.
    p.write("vol/migrations/.DS_Store", vec![b'm'; 64 * 1024]);
    p.write("vol/migrations/z.orig", "small");
    p.write("vol/migrations/.idea/workspace.xml", "<xml/>");
    let original = tree(&vol.join("migrations"));

    let args = ["cleanup", "--schema", "vol/schema.prisma", "--yes"];
    let out = run(&p, NO_DB, &args);
    out.success();
    let trash = only_file(&p.path().join(".prismig/trash"));
    assert_eq!(
        std::fs::read(trash.join(".DS_Store")).unwrap().len(),
        64 * 1024
    );
    assert_eq!(
        std::fs::read_to_string(trash.join(".idea/workspace.xml")).unwrap(),
        "<xml/>"
    );
    let names: Vec<String> = tree(&vol.join("migrations")).into_keys().collect();
    assert_eq!(
        names,
        [
            "20240101000000_init/",
            "20240101000000_init/migration.sql",
            "migration_lock.toml"
        ]
    );
    // The printed undo keeps --schema.
    assert!(
        out.stdout.contains("cleanup --undo .prismig/trash/")
            && out.stdout.contains("--yes --schema vol/schema.prisma\n"),
        "{}",
        out.stdout
    );

    let manifest = trash.join("manifest.json");
    let undo = [
        "cleanup",
        "--schema",
        "vol/schema.prisma",
        "--undo",
        manifest.to_str().unwrap(),
        "--yes",
    ];
    volume.fill(&vol.join("filler"), 4);
    let vol_before = tree(&vol.join("migrations"));
    let trash_before = tree(&trash);
    let out = run(&p, NO_DB, &undo);
    refused(&out, "PM3421");
    assert!(
        out.stderr
            .contains("what had moved was put back: nothing changed"),
        "{}",
        out.stderr
    );
    assert_eq!(tree(&vol.join("migrations")), vol_before);
    assert_eq!(tree(&trash), trash_before);

    std::fs::remove_dir_all(vol.join("filler")).unwrap();
    run(&p, NO_DB, &undo).success();
    assert_eq!(tree(&vol.join("migrations")), original);
    drop(volume);
}

// Scope 6: migrations under another folder (an archive) are reported, never moved up into
// the deploy set.
#[test]
fn cleanup_reports_archived_migrations_and_moves_nothing() {
    let p = Project::new();
    p.migration("20240101000000_init", "CREATE TABLE a (id int);\n")
        .write(
            "prisma/migrations/archive/20230101000000_old/migration.sql",
            "CREATE TABLE old (id int);\n",
        );
    let before = tree(p.path());
    let out = run(&p, NO_DB, &["cleanup", "--yes"]);
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(
        out.stdout.contains("needs you         archive")
            && out.stdout.contains("archive/20230101000000_old/"),
        "{}",
        out.stdout
    );
    assert_eq!(tree(p.path()), before);
}

// Scope 5: an empty database is not baselined: deploy is what it needs.
#[test]
fn baseline_refuses_an_empty_database() {
    let db = TestDb::new("hostile_bl_empty");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    for args in [&["baseline"][..], &["baseline", "--yes"]] {
        let out = run(&p, &db.url(), args);
        refused(&out, "PM3427");
        assert!(
            out.stderr.contains("prismig migrate deploy"),
            "{}",
            out.stderr
        );
    }
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'"),
        0
    );
    assert!(!p.path().join(".prismig").exists());
}

// Scope 5: a migration whose tables are absent is held back ("needs you", nothing marked),
// with the choice of deploying it or --force.
#[test]
fn baseline_holds_back_migrations_whose_objects_are_absent() {
    let db = TestDb::new("hostile_bl_absent");
    db.exec(INIT);
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .migration("20240102000000_add_post", ADD_POST);
    let out = run(&p, &db.url(), &["baseline", "--yes"]);
    assert_eq!(out.code, 1, "{out:#?}");
    for expected in [
        "needs you         20240102000000_add_post",
        "$ prismig baseline --to 20240101000000_init --yes",
        "$ prismig migrate deploy",
        "$ prismig baseline --to 20240102000000_add_post --force --yes",
        "does not exist",
    ] {
        assert!(out.stdout.contains(expected), "{expected}: {}", out.stdout);
    }
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'"),
        0
    );
    assert!(!p.path().join(".prismig").exists());

    // The first choice: baseline what is there, deploy the rest.
    run(
        &p,
        &db.url(),
        &["baseline", "--to", "20240101000000_init", "--yes"],
    )
    .success();
    let out = run(&p, &db.url(), &["migrate", "deploy"]);
    out.success();
    assert!(out
        .stdout
        .contains("Applying migration `20240102000000_add_post`"));

    // The second: --force marks it all the same, and says what it overrode.
    let other = TestDb::new("hostile_bl_force");
    other.exec(INIT);
    let out = run(&p, &other.url(), &["baseline", "--force", "--yes"]);
    out.success();
    assert!(out.stdout.contains("--force although"), "{}", out.stdout);
    assert_eq!(other.rows().len(), 2);
}

// Scope 1 and 5: a record names its database; undoing it against another one is refused
// naming the right one. The undo of a baseline that created the table drops it (P3005
// protects again), unless rows were added since.
#[test]
fn baseline_records_belong_to_their_database() {
    let a = TestDb::new("hostile_rec_a");
    let b = TestDb::new("hostile_rec_b");
    a.exec(INIT);
    b.exec(INIT);
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .migration("20240102000000_add_post", ADD_POST);
    // A password in the URL (the server trusts the user) stays out of the record.
    let secret = a.url().replacen("postgres@", "postgres:s3cret@", 1);
    let out = run(
        &p,
        &secret,
        &["baseline", "--to", "20240101000000_init", "--yes"],
    );
    out.success();
    assert!(!out.stdout.contains("s3cret"), "{}", out.stdout);
    let dir = p.path().join(".prismig/history-backups");
    assert_eq!(mode(&p.path().join(".prismig")), 0o700);
    assert_eq!(mode(&dir), 0o700);
    let record = only_file(&dir);
    assert_eq!(mode(&record), 0o600);
    assert!(!std::fs::read_to_string(&record).unwrap().contains("s3cret"));
    let r = record.to_str().unwrap();
    assert!(
        out.stdout.contains(&format!(
            "to undo: prismig baseline --undo .prismig/history-backups/{} --yes\n",
            record.file_name().unwrap().to_str().unwrap()
        )),
        "{}",
        out.stdout
    );

    let a_rows = a.rows();
    for args in [
        &["baseline", "--undo", r][..],
        &["baseline", "--undo", r, "--yes"],
    ] {
        let out = run(&p, &b.url(), args);
        refused(&out, "PM3425");
        assert!(
            out.stderr.contains(&format!("\"{}\"", a.name)),
            "{}",
            out.stderr
        );
        assert_eq!(
            b.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'"),
            0
        );
        assert_eq!(a.rows(), a_rows);
    }

    // Rows added since: dropping the table would lose them.
    run(&p, &a.url(), &["migrate", "deploy"]).success();
    let rows = a.rows();
    let out = run(&p, &a.url(), &["baseline", "--undo", r, "--yes"]);
    refused(&out, "PM3426");
    assert_eq!(a.rows(), rows);

    // Without them, the exact earlier state: no table, and deploy stops with P3005.
    a.exec("DELETE FROM _prisma_migrations WHERE migration_name = '20240102000000_add_post'; DROP TABLE \"Post\"");
    run(&p, &a.url(), &["baseline", "--undo", r, "--yes"]).success();
    assert_eq!(
        a.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = '_prisma_migrations'"),
        0
    );
    let out = run(&p, &a.url(), &["migrate", "deploy"]);
    assert!(out.stderr.starts_with("Error: P3005"), "{}", out.stderr);
}

// Scope 2: 32 baselines at once from one working directory leave 32 records.
#[test]
fn parallel_baselines_keep_every_record() {
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    // Made four at a time: 32 in a row take long on a loaded machine.
    let dbs: Vec<TestDb> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                s.spawn(move || {
                    (0..8)
                        .map(|i| {
                            let db = TestDb::new(&format!("hostile_par{}", w * 8 + i));
                            db.exec(INIT);
                            db
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let children: Vec<_> = dbs
        .iter()
        .map(|db| {
            command(&p, &db.url(), &["baseline", "--yes"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    let records: Vec<PathBuf> = std::fs::read_dir(p.path().join(".prismig/history-backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(records.len(), 32);
    let mut databases: Vec<String> = records
        .iter()
        .map(|f| {
            assert_eq!(mode(f), 0o600);
            let r: prismig::__internal::commands::RepairRecord =
                serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            r.database
        })
        .collect();
    databases.sort();
    databases.dedup();
    assert_eq!(databases.len(), 32);
    for db in &dbs {
        assert_eq!(db.rows().len(), 1);
    }
}

/// A table of about 600 kB of hex text, which no small filesystem holds even compressed.
fn big_table(db: &TestDb) {
    db.exec("CREATE TABLE big AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS v FROM generate_series(1, 20000) g");
}

// Scope 3: pg_dump into a full filesystem: a coded error, no file left, nothing applied.
#[test]
fn a_backup_on_a_full_disk_stops_the_deploy() {
    let db = TestDb::new("hostile_full");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    big_table(&db);
    p.migration("20240102000000_add_post", ADD_POST);
    let disk = Tmpfs::mount(&p.path().join("full"), "64k");
    let arg = format!("--backup={}", disk.path.join("b.dump").display());
    let out = run(&p, &db.url(), &["migrate", "deploy", &arg]);
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(
        out.stderr.contains("PM4002") || out.stderr.contains("PM5010"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("nothing was applied"), "{}", out.stderr);
    assert!(!out.stdout.contains("Backup written"), "{}", out.stdout);
    assert_eq!(db.rows().len(), 1);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'Post'"),
        0
    );
    assert!(!disk.path.join("b.dump").exists());
    drop(disk);
}

// Scope 3: a dump tool that "succeeds" with an empty or truncated file (as pg_dump did on a
// full disk) is caught by the check with pg_restore; an existing file is never replaced;
// a good backup is private.
#[test]
fn backups_are_checked_before_anything_is_applied() {
    let db = TestDb::new("hostile_verify");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    let bin = p.path().join("fakebin");
    std::fs::create_dir_all(&bin).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (what, script) in [
        ("empty", "#!/bin/sh\nexit 0\n"),
        ("truncated", "#!/bin/sh\nprintf 'PGDMP\\001\\016'\nexit 0\n"),
    ] {
        let fake = bin.join("pg_dump");
        std::fs::write(&fake, script).unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut cmd = command(&p, &db.url(), &["migrate", "deploy", "--backup=b.dump"]);
        cmd.env("PATH", &path);
        let out = output(cmd);
        refused(&out, "PM5010");
        assert!(
            out.stderr.contains("nothing was applied"),
            "{what}: {}",
            out.stderr
        );
        assert!(!p.path().join("b.dump").exists(), "{what}");
        assert_eq!(
            db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'User'"),
            0,
            "{what}"
        );
    }

    // An existing file is left alone.
    p.write("b.dump", "mine");
    let out = run(&p, &db.url(), &["migrate", "deploy", "--backup=b.dump"]);
    refused(&out, "PM5011");
    assert_eq!(
        std::fs::read_to_string(p.path().join("b.dump")).unwrap(),
        "mine"
    );
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'User'"),
        0
    );

    // A real one: mode 0600, readable by pg_restore.
    let out = run(
        &p,
        &db.url(),
        &["migrate", "deploy", "--backup=backups/ok.dump"],
    );
    out.success();
    let ok = p.path().join("backups/ok.dump");
    assert_eq!(mode(&ok), 0o600);
    assert_eq!(mode(&p.path().join("backups")), 0o700);
    let list = std::process::Command::new("pg_restore")
        .arg("--list")
        .arg(&ok)
        .output()
        .unwrap();
    assert!(list.status.success());
}

// Scope 3: a database whose name is an option of pg_dump is dumped as a name: the data is
// in the backup (an option `--schema-only` would have left it out).
#[test]
fn a_postgres_database_named_like_an_option() {
    let name = format!("--schema-only-{}", std::process::id());
    diesel::connection::SimpleConnection::batch_execute(
        &mut crate::support::db::admin(),
        &format!("CREATE DATABASE \"{name}\""),
    )
    .unwrap();
    let db = TestDb { name: name.clone() };
    db.exec(INIT);
    db.exec("CREATE TABLE keep (v text); INSERT INTO keep VALUES ('row');");
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    // The schema is not empty: baseline first, then a pending migration to back up for.
    run(&p, &db.url(), &["baseline", "--yes"]).success();
    p.migration("20240102000000_add_post", ADD_POST);
    let out = run(&p, &db.url(), &["migrate", "deploy", "--backup=b.dump"]);
    out.success();
    let list = std::process::Command::new("pg_restore")
        .arg("--list")
        .arg(p.path().join("b.dump"))
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(list.contains("TABLE DATA public keep"), "{list}");
}

// Scope 3: MySQL's database name comes after `--`: a database named `--all-databases`
// is dumped alone, not every database of the server.
#[cfg(feature = "mysql")]
#[test]
fn a_mysql_database_named_all_databases() {
    use crate::providers::{mysql_admin, Backend, Mysql};
    use diesel::connection::SimpleConnection;
    let name = "--all-databases";
    let mut admin = mysql_admin();
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS `{name}`"))
        .unwrap();
    struct Dropper(&'static str);
    impl Drop for Dropper {
        fn drop(&mut self) {
            let _ = mysql_admin().batch_execute(&format!("DROP DATABASE IF EXISTS `{}`", self.0));
        }
    }
    let _guard = Dropper(name);
    let p = Project::new();
    p.write(
        "prisma/schema.prisma",
        "datasource db {\n  provider = \"mysql\"\n  url      = env(\"DATABASE_URL\")\n}\n",
    );
    p.write(
        "prisma/migrations/migration_lock.toml",
        "provider = \"mysql\"\n",
    );
    p.migration("20240101000000_init", Mysql::INIT);
    let mut url = url::Url::parse(
        &std::env::var("TEST_MYSQL_URL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/mysql".to_owned()),
    )
    .unwrap();
    url.set_path(&format!("/{name}"));
    let url = url.to_string();
    let out = run(&p, &url, &["migrate", "deploy", "--backup=b.sql"]);
    out.success();
    let dump = std::fs::read_to_string(p.path().join("b.sql")).unwrap();
    assert!(dump.contains("Database: --all-databases"), "{dump}");
    assert!(!dump.contains("CREATE DATABASE"), "one database only");
    assert!(
        !dump.contains("Current Database: `mysql`"),
        "not the system database"
    );
    assert!(dump
        .trim_end()
        .lines()
        .last()
        .unwrap()
        .starts_with("-- Dump completed"));
    assert_eq!(mode(&p.path().join("b.sql")), 0o600);
}

/// Runs each `$ git …` line of `text` in a shell in `dir`, as a user pasting it would.
fn paste_git_lines(dir: &Path, text: &str) -> usize {
    let mut n = 0;
    for line in text.lines() {
        let Some(cmd) = line.trim_start().strip_prefix("$ git ") else {
            continue;
        };
        n += 1;
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("git {cmd}"))
            .current_dir(dir)
            .output()
            .unwrap();
        let _ = status;
    }
    n
}

// Scope 4: a migration named to run a command when its printed `git log` is pasted; a
// failed one whose status hint has double quotes and `$()`. Pasted, nothing runs.
#[test]
fn printed_commands_are_safe_to_paste() {
    let db = TestDb::new("hostile_paste");
    let p = Project::new();
    let evil = "20240102000000_q'$(touch${IFS}PWNED)'";
    p.migration("20240101000000_init", INIT)
        .migration(evil, "CREATE TABLE b (id int);\n");
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    p.remove_migration(evil);

    let out = run(&p, &db.url(), &["sync"]);
    out.failure();
    assert_eq!(paste_git_lines(p.path(), &out.stdout), 1, "{}", out.stdout);
    let out = run(&p, &db.url(), &["fix"]);
    assert_eq!(paste_git_lines(p.path(), &out.stdout), 1, "{}", out.stdout);
    assert!(!p.path().join("PWNED").exists());

    // The project options are kept and the URL is a variable: no password on screen.
    let secret = db.url().replacen("postgres@", "postgres:s3cret@", 1);
    let out = run(
        &p,
        &secret,
        &["sync", "--schema", "prisma/schema.prisma", "--url", &secret],
    );
    assert!(
        out.stdout
            .contains("$ prismig fix --schema prisma/schema.prisma --url \"$DATABASE_URL\"\n"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("s3cret") && !out.stderr.contains("s3cret"));

    // status' hint, pasted: the name comes through whole, and nothing runs.
    let bad = "20240103000000_x\"$(touch PWNED2)\"";
    p.migration(bad, "THIS IS NOT SQL;\n");
    run(&p, &db.url(), &["migrate", "deploy"]).failure();
    let out = run(&p, &db.url(), &["migrate", "status"]);
    let hint = out
        .stderr
        .lines()
        .find(|l| l.starts_with("prisma migrate resolve --rolled-back "))
        .unwrap_or_else(|| panic!("{}", out.stderr));
    let args = hint.trim_start_matches("prisma migrate resolve --rolled-back ");
    let echoed = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("printf '%s' {args}"))
        .current_dir(p.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&echoed.stdout), bad);
    assert!(!p.path().join("PWNED2").exists());
}

// Scope 7: after a rename sync counts migrations by name and points to fix, not deploy.
#[test]
fn sync_after_a_rename_points_to_fix() {
    let db = TestDb::new("hostile_sync_rename");
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .migration("20240102000000_add_post", ADD_POST);
    run(&p, &db.url(), &["migrate", "deploy"]).success();
    p.remove_migration("20240102000000_add_post");
    p.migration("20240102000000_posts", ADD_POST);
    let out = run(&p, &db.url(), &["sync"]);
    out.failure();
    assert!(
        out.stdout
            .contains("20240102000000_add_post -> 20240102000000_posts"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("  $ prismig fix --yes\n"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("migrate deploy"), "{}", out.stdout);
    run(&p, &db.url(), &["fix", "--yes"]).success();
    let out = run(&p, &db.url(), &["sync"]);
    out.success();

    // Three rows of one missing migration: one migration.
    for i in 0..3 {
        db.exec(&format!("INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES ('dup{i}', 'x', '20240105000000_gone', now(), now(), 1)"));
    }
    let out = run(&p, &db.url(), &["sync"]);
    out.failure();
    assert!(
        out.stdout.contains("the database has 1 migration(s) that"),
        "{}",
        out.stdout
    );
}

// Scope 6: cleanup's own moves, all or none: the trash (here a small volume) fills up on the
// second move, and the first is moved back; the folder is as it was and no manifest stays.
#[test]
fn cleanup_that_fails_half_way_moves_back() {
    let p = Project::new();
    p.migration("20240101000000_init", INIT)
        .write("prisma/migrations/.DS_Store", "small")
        .write("prisma/migrations/z.orig", vec![b'z'; 256 * 1024]);
    let volume = Tmpfs::mount(&p.path().join(".prismig"), "64k");
    let before = tree(&p.migrations());
    let out = run(&p, NO_DB, &["cleanup", "--yes"]);
    refused(&out, "PM3410");
    // The first move (to another filesystem) went through; the second did not fit.
    assert!(
        out.stderr.contains("z.orig") && out.stderr.contains("No space left"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("what had moved was moved back"),
        "{}",
        out.stderr
    );
    assert_eq!(tree(&p.migrations()), before);
    let left: Vec<_> = tree(&volume.path).into_keys().collect();
    assert!(left.iter().all(|k| k.ends_with('/')), "{left:?}");
    drop(volume);
}
