//! The shadow database of `migrate diff` and `status --drift` (issue 17): a given one is
//! emptied as the schema engine empties it (transcripts §9.7: "Reusing such a non-empty
//! shadow database for another diff worked and gave the same result"), it is never a
//! compared database however its URL is spelled (spec §7.2, "The shadow database you
//! configured appears to be the same as the main database"), and temporary ones a killed
//! run left behind are dropped by a later run.

use crate::drift::{
    assert_no_difference, check, deployed, diff, diff_with_shadow, project, refs, with_shadow,
    Twin, NO_DIFFERENCE,
};
#[cfg(feature = "mysql")]
use crate::providers::Mysql;
use crate::providers::{Backend, Postgres, Sqlite};
use crate::support::cmd::{command, output, run, Output};
use crate::support::wait::{wait_for, wait_until};
use crate::support::{Project, TestDb};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SAME: &str = "Error: PM7005: The shadow database you configured appears to be the same as the main database. Please specify another shadow database.";

/// The same URL with the host written another way (`localhost` for `127.0.0.1` and back).
fn respelled(url: &str) -> String {
    if url.contains("@127.0.0.1") {
        url.replacen("@127.0.0.1", "@localhost", 1)
    } else {
        assert!(url.contains("@localhost"), "{url}");
        url.replacen("@localhost", "@127.0.0.1", 1)
    }
}

// A shadow holding a table, a view, an enum, a sequence and tables of the history is
// emptied, replayed into and left with the history's tables, as the engine leaves it;
// using it again gives the same result.
#[test]
fn postgres_a_given_shadow_is_reset() {
    let db = TestDb::new("shadow_reset_target");
    let shadow = TestDb::new("shadow_reset");
    let url = db.url();
    let p = deployed::<Postgres>(&url);
    shadow.exec(
        "CREATE TYPE mood AS ENUM ('ok'); CREATE TABLE junk (id int, m mood); \
         CREATE VIEW junk_v AS SELECT id FROM junk; CREATE SEQUENCE junk_seq; \
         CREATE TABLE \"User\" (id int); CREATE SCHEMA other; CREATE TABLE other.kept (id int);",
    );
    for _ in 0..2 {
        let out = diff_with_shadow(&p, &url, &shadow.url());
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (0, NO_DIFFERENCE, ""),
            "{out:#?}"
        );
        assert_eq!(
            shadow.count("SELECT count(*) AS n FROM pg_class WHERE relname IN ('junk', 'junk_v', 'junk_seq')")
                + shadow.count("SELECT count(*) AS n FROM pg_type WHERE typname = 'mood'"),
            0
        );
        assert_eq!(
            shadow.count("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('User', 'Post')"),
            2
        );
        // Only the URL's schema is the shadow's.
        assert_eq!(
            shadow.count("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'other'"),
            1
        );
    }
}

// A role that may create tables in the shadow's schema but does not own it cannot drop
// the schema: its objects are dropped one by one; one it may not drop is P3016.
#[test]
fn postgres_a_shadow_the_role_does_not_own_is_emptied_object_by_object() {
    let db = TestDb::new("shadow_fallback_target");
    let shadow = TestDb::new("shadow_fallback");
    let role = format!("prismig_shadow_role_{}", std::process::id());
    shadow.exec(&format!(
        "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN; GRANT CREATE, USAGE ON SCHEMA public TO {role}; CREATE TABLE not_mine (id int);"
    ));
    let as_role = shadow.url().replacen("postgres@", &format!("{role}@"), 1);
    assert_ne!(as_role, shadow.url());
    let url = db.url();
    let p = deployed::<Postgres>(&url);
    let out = diff_with_shadow(&p, &url, &as_role);
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(
        out.stderr.starts_with("Error: P3016\n\nThe fallback method for database resets failed, meaning Migrate could not clean up the database entirely. Original error: \n"),
        "{out:#?}"
    );
    assert!(out.stderr.contains("not_mine"), "{out:#?}");
    shadow.exec(&format!(
        "DROP TABLE not_mine; SET ROLE {role}; CREATE TYPE mood AS ENUM ('ok'); CREATE TABLE junk (id int, m mood); CREATE VIEW junk_v AS SELECT id FROM junk; CREATE FUNCTION junk_f() RETURNS int LANGUAGE sql AS 'SELECT 1'; RESET ROLE;"
    ));
    for _ in 0..2 {
        let out = diff_with_shadow(&p, &url, &as_role);
        assert_no_difference(&out);
    }
    assert_eq!(
        shadow.count("SELECT count(*) AS n FROM pg_class WHERE relname IN ('junk', 'junk_v')"),
        0
    );
    shadow.exec(&format!("DROP OWNED BY {role}"));
    drop(shadow);
    diesel::connection::SimpleConnection::batch_execute(
        &mut crate::support::db::admin(),
        &format!("DROP ROLE {role}"),
    )
    .unwrap();
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_a_given_shadow_is_reset() {
    let db = Mysql::create("shadow_reset_target");
    let shadow = Mysql::create("shadow_reset");
    let url = db.url();
    let p = deployed::<Mysql>(&url);
    shadow.exec(
        "CREATE TABLE junk (id INT PRIMARY KEY); CREATE TABLE junk_child (id INT, CONSTRAINT junk_fk FOREIGN KEY (id) REFERENCES junk (id)); \
         CREATE VIEW junk_v AS SELECT id FROM junk; CREATE TABLE `User` (id INT);",
    );
    for _ in 0..2 {
        let out = diff_with_shadow(&p, &url, &shadow.url());
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (0, NO_DIFFERENCE, ""),
            "{out:#?}"
        );
        assert!(!shadow.table_exists("junk") && !shadow.table_exists("junk_v"));
        assert!(shadow.table_exists("User") && shadow.table_exists("Post"));
    }
}

// The engine replays into a SQLite shadow file as it is; prismig refuses a non-empty one
// rather than mix its contents into the summary.
#[test]
fn sqlite_a_non_empty_shadow_file_is_refused() {
    let db = Sqlite::create("shadow_sqlite");
    let url = db.url();
    let p = deployed::<Sqlite>(&url);
    let shadow = p.path().join("shadow.db");
    let shadow_url = format!("file:{}", shadow.display());
    let out = diff_with_shadow(&p, &url, &shadow_url);
    assert_no_difference(&out);
    let out = diff_with_shadow(&p, &url, &shadow_url);
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(out.stderr.starts_with("Error: PM7006: "), "{out:#?}");
    // The main database spelled as a relative path is the same file.
    let out = diff_with_shadow(
        &p,
        &url,
        &format!("file:{}", db.path().display()).replace(&format!("{}/", p.path().display()), "./"),
    );
    assert!(out.stderr.starts_with(SAME), "{out:#?}");
}

/// The shadow is each compared database under another spelling, and the project's own;
/// returns the project, deployed to `db`.
fn same_database_is_refused<B: Twin>(db: &B, respell: fn(&str) -> String) -> Project {
    let url = db.url();
    let p = deployed::<B>(&url);
    let other = respell(&url);
    assert_ne!(other, url);
    let cases: Vec<Vec<String>> = vec![
        with_shadow(&url, &url),
        with_shadow(&url, &other),
        // The compared database on the other side.
        vec![
            "--from-url".into(),
            url.clone(),
            "--to-migrations".into(),
            "prisma/migrations".into(),
            "--shadow-database-url".into(),
            other.clone(),
        ],
        // Not compared, but the project's own database.
        vec![
            "--from-migrations".into(),
            "prisma/migrations".into(),
            "--to-empty".into(),
            "--shadow-database-url".into(),
            other.clone(),
        ],
    ];
    for args in &cases {
        let out = diff(&p, &url, &refs(args));
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (1, ""),
            "{args:?}\n{out:#?}"
        );
        assert!(out.stderr.starts_with(SAME), "{args:?}\n{out:#?}");
    }
    let out = run(
        &p,
        &url,
        &[
            "migrate",
            "status",
            "--drift",
            "--shadow-database-url",
            &other,
        ],
    );
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(out.stderr.contains("PM7005"), "{out:#?}");
    // Nothing was emptied.
    assert!(db.table_exists("Post") && db.table_exists("_prisma_migrations"));
    assert_eq!(db.count("SELECT count(*) AS n FROM _prisma_migrations"), 2);
    p
}

#[test]
fn postgres_the_shadow_is_never_a_compared_database() {
    let db = Postgres::create("shadow_same");
    let p = same_database_is_refused(&db, respelled);
    // Another schema of the same database is another shadow.
    let url = db.url();
    let out = diff_with_shadow(&p, &url, &format!("{url}?schema=shadow"));
    assert_no_difference(&out);
    assert_eq!(
        db.count("SELECT count(*) AS n FROM pg_tables WHERE tablename = 'Post' AND schemaname IN ('public', 'shadow')"),
        2
    );
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_the_shadow_is_never_a_compared_database() {
    let db = Mysql::create("shadow_same");
    // The loopback address in its short form.
    same_database_is_refused(&db, |url| {
        assert!(url.contains("@127.0.0.1"), "{url}");
        url.replacen("@127.0.0.1", "@127.1", 1)
    });
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A temporary shadow's name, made `secs` seconds ago with the random part `hex`.
fn aged(secs: u64, hex: &str) -> String {
    format!("prismig_shadow_{}_{hex}", unix_now() - secs)
}

fn shadow_shape(name: &str) -> bool {
    let re = regex::Regex::new(r"^prismig_shadow_[0-9]{10}_[0-9a-f]{12}$").unwrap();
    re.is_match(name)
}

const SLOW: &str = "20240103000000_slow";

/// The project deployed to `url`, then given a last migration that sleeps (`sleep`) and
/// names a marker; returns the project and the marker.
fn with_slow_migration<B: Twin>(url: &str, sleep: &str) -> (Project, String) {
    let p = deployed::<B>(url);
    let marker = format!("orphan_marker_{}", std::process::id());
    p.migration(SLOW, &format!("{sleep}, '{marker}';\n"));
    (p, marker)
}

/// `migrate diff` from the migrations to `url`, without `--exit-code`.
fn diff_command(p: &Project, url: &str) -> Command {
    command(
        p,
        url,
        &[
            "migrate",
            "diff",
            "--from-migrations",
            "prisma/migrations",
            "--to-url",
            url,
        ],
    )
}

/// The drift check with `tmp` as the temporary folder.
fn check_in(p: &Project, url: &str, tmp: &Path) -> Output {
    let mut cmd = diff_command(p, url);
    cmd.arg("--exit-code").env("TMPDIR", tmp);
    output(cmd)
}

/// Starts `cmd` and kills it (-9) once `running` finds what it waits for (the last
/// migration running in the shadow), which it returns.
fn kill_mid_replay(mut cmd: Command, running: &dyn Fn() -> Option<String>) -> String {
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let found = wait_for(
        "the replay to reach the slow migration",
        Duration::from_millis(50),
        running,
    );
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(i32::try_from(child.id()).unwrap(), libc::SIGKILL) };
    child.wait().unwrap();
    found
}

/// A run killed mid-replay of the slow migration: once its session on the shadow has ended
/// (`sessions` counts them), the shadow stays; returns its name.
fn orphaned(
    p: &Project,
    url: &str,
    running: &dyn Fn() -> Option<String>,
    sessions: &dyn Fn(&str) -> i64,
    exists: &dyn Fn(&str) -> bool,
) -> String {
    let orphan = kill_mid_replay(diff_command(p, url), running);
    assert!(shadow_shape(&orphan), "{orphan}");
    // Its session ends with the sleep; the database stays.
    wait_until(
        "the killed run's session to end",
        Duration::from_millis(100),
        || sessions(&orphan) == 0,
    );
    assert!(exists(&orphan), "{orphan}");
    orphan
}

/// The drift check once the slow migration is gone: no difference; `old` is gone and
/// every one of `kept` stays.
fn check_sweeps(
    p: &Project,
    url: &str,
    old: &str,
    kept: &[&String],
    exists: &dyn Fn(&str) -> bool,
) {
    p.remove_migration(SLOW);
    let out = check(p, url);
    assert_no_difference(&out);
    // Another run may have swept it first; either way it is gone and nothing else is.
    if !out.stderr.is_empty() {
        assert!(
            out.stderr.contains(&format!(
                "prismig: dropped the temporary shadow database {old}, created "
            )),
            "{out:#?}"
        );
    }
    assert!(!exists(old));
    for n in kept {
        assert!(exists(n), "{n} was dropped");
    }
}

#[test]
fn postgres_an_orphaned_temporary_shadow_is_dropped_later() {
    let db = TestDb::new("shadow_orphan");
    let url = db.url();
    let (p, marker) = with_slow_migration::<Postgres>(&url, "SELECT pg_sleep(2)");
    let exists = |n: &str| {
        db.count(&format!(
            "SELECT count(*) AS n FROM pg_database WHERE datname = '{n}'"
        )) == 1
    };
    let orphan = orphaned(
        &p,
        &url,
        &|| {
            let n = db.text(&format!("SELECT coalesce(max(datname), '') AS v FROM pg_stat_activity WHERE query LIKE '%{marker}%' AND datname LIKE 'prismig\\_shadow\\_%'"));
            (!n.is_empty()).then_some(n)
        },
        &|n| {
            db.count(&format!(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '{n}'"
            ))
        },
        &exists,
    );
    // Aged by eleven minutes (the name carries the creation time), next to a young one,
    // an old one in use and near misses.
    let hex = &orphan[orphan.len() - 12..];
    let old = aged(660, hex);
    let young = aged(60, hex);
    let in_use = aged(3600, "0123456789ab");
    let upper = aged(3600, &hex.to_uppercase());
    let longer = format!("{}0", aged(3600, hex));
    db.exec(&format!("ALTER DATABASE \"{orphan}\" RENAME TO \"{old}\""));
    for n in [&young, &in_use, &upper, &longer] {
        db.exec(&format!("CREATE DATABASE \"{n}\""));
    }
    let session = diesel::Connection::establish(&crate::support::db::url_for(&in_use));
    let session: diesel::pg::PgConnection = session.unwrap();
    check_sweeps(&p, &url, &old, &[&young, &in_use, &upper, &longer], &exists);
    drop(session);
    // Once the session is gone, a sweep by a run elsewhere on the server may drop the old
    // ones first.
    for n in [&young, &in_use, &upper, &longer] {
        db.exec(&format!("DROP DATABASE IF EXISTS \"{n}\""));
    }
}

#[cfg(feature = "mysql")]
#[test]
fn mysql_an_orphaned_temporary_shadow_is_dropped_later() {
    use diesel::connection::SimpleConnection;
    let db = Mysql::create("shadow_orphan");
    let url = db.url();
    let (p, marker) = with_slow_migration::<Mysql>(&url, "SELECT SLEEP(2)");
    let exists = |n: &str| {
        db.count(&format!(
            "SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{n}'"
        )) == 1
    };
    let orphan = orphaned(
        &p,
        &url,
        &|| {
            #[derive(diesel::QueryableByName)]
            struct Db {
                #[diesel(sql_type = diesel::sql_types::Text)]
                v: String,
            }
            let n = diesel::RunQueryDsl::get_result::<Db>(
                diesel::sql_query(format!("SELECT COALESCE(MAX(DB), '') AS v FROM information_schema.PROCESSLIST WHERE INFO LIKE '%{marker}%' AND DB LIKE 'prismig\\_shadow\\_%'")),
                &mut crate::providers::mysql_admin(),
            )
            .unwrap()
            .v;
            (!n.is_empty()).then_some(n)
        },
        &|n| {
            db.count(&format!(
                "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = '{n}'"
            ))
        },
        &exists,
    );
    // MySQL cannot rename a database: an old one is made beside the young orphan.
    let hex = &orphan[orphan.len() - 12..];
    let old = aged(660, hex);
    let in_use = aged(3600, "0123456789ab");
    let upper = aged(3600, &hex.to_uppercase());
    let mut admin = crate::providers::mysql_admin();
    for n in [&old, &in_use, &upper] {
        admin
            .batch_execute(&format!("CREATE DATABASE `{n}`"))
            .unwrap();
    }
    let session: diesel::mysql::MysqlConnection =
        diesel::Connection::establish(&db.url().replace(&db.name, &in_use)).unwrap();
    check_sweeps(&p, &url, &old, &[&orphan, &in_use, &upper], &exists);
    drop(session);
    for n in [&orphan, &in_use, &upper] {
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS `{n}`"))
            .unwrap();
    }
}

// SQLite's temporary shadow is a file in the temporary folder (here a private one):
// a killed run leaves it, a later run removes it once old.
#[test]
fn sqlite_an_orphaned_temporary_shadow_file_is_removed_later() {
    let db = Sqlite::create("shadow_orphan");
    let url = db.url();
    let p = deployed::<Sqlite>(&url);
    let tmp = tempfile::tempdir().unwrap();
    let names = [
        (format!("{}.db", aged(660, "0123456789ab")), false),
        (format!("{}.db-journal", aged(660, "0123456789ab")), false),
        (format!("{}.db", aged(60, "0123456789ac")), true),
        (format!("{}.db", aged(660, "0123456789AB")), true),
        (format!("{}.sqlite", aged(660, "0123456789ad")), true),
        // Left next to a database that is gone.
        (format!("{}.db-wal", aged(660, "0123456789ae")), false),
        (format!("{}.db-wal", aged(60, "0123456789af")), true),
        ("notes.db".to_owned(), true),
    ];
    for (n, _) in &names {
        std::fs::write(tmp.path().join(n), "").unwrap();
    }
    let out = check_in(&p, &url, tmp.path());
    assert_no_difference(&out);
    assert!(
        out.stderr.contains(&format!(
            "prismig: dropped the temporary shadow database {}",
            tmp.path().join(&names[0].0).display()
        )),
        "{out:#?}"
    );
    for (n, kept) in &names {
        assert_eq!(tmp.path().join(n).exists(), *kept, "{n}");
    }
    // The run's own file is gone.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 5);
}

// The project's own database is checked when it can be reached; when it cannot, no
// connection through its URL can be emptied, and a diff that does not read it goes on.
#[test]
fn an_unreachable_project_database_does_not_stop_a_diff_that_does_not_read_it() {
    let shadow = TestDb::new("shadow_unreachable");
    let p = project::<Postgres>();
    let nowhere = "postgresql://postgres@127.0.0.1:1/none";
    let out = diff(
        &p,
        nowhere,
        &[
            "--from-migrations",
            "prisma/migrations",
            "--to-empty",
            "--shadow-database-url",
            &shadow.url(),
        ],
    );
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(
        out.stdout.starts_with("\n[-] Removed enums\n  - Role\n"),
        "{out:#?}"
    );
}

// SQLite: a run killed mid-replay leaves its temporary file; once old, the next run
// removes it (the killed run's lock died with it).
#[test]
fn sqlite_a_killed_runs_temporary_file_is_removed_later() {
    let db = Sqlite::create("shadow_sqlite_kill");
    let url = db.url();
    let p = deployed::<Sqlite>(&url);
    p.migration(
        SLOW,
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT count(*) FROM c;\n",
    );
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = diff_command(&p, &url);
    cmd.env("TMPDIR", tmp.path());
    let file = kill_mid_replay(cmd, &|| {
        let n = std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.ends_with(".db"))?;
        // The slow migration runs once the history table is there.
        let written = std::fs::metadata(tmp.path().join(&n)).is_ok_and(|m| m.len() > 0);
        written.then(|| {
            std::thread::sleep(Duration::from_millis(300));
            n
        })
    });
    let stem = file.trim_end_matches(".db");
    assert!(shadow_shape(stem), "{file}");
    assert!(tmp.path().join(&file).exists());
    // A young orphan stays; aged by eleven minutes, it goes.
    p.remove_migration(SLOW);
    let out = check_in(&p, &url, tmp.path());
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{out:#?}");
    assert!(tmp.path().join(&file).exists());
    let old = format!("{}.db", aged(660, &stem[stem.len() - 12..]));
    std::fs::rename(tmp.path().join(&file), tmp.path().join(&old)).unwrap();
    let out = check_in(&p, &url, tmp.path());
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(out.stderr.contains(&old), "{out:#?}");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}
