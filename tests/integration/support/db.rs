//! A database per test, created from `TEST_DATABASE_URL` (default: the local server) and
//! dropped afterwards unless the test failed.

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl};
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn base_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The base URL pointed at another database.
pub fn url_for(db: &str) -> String {
    let base = base_url();
    let (head, tail) = base
        .split_once('?')
        .map_or((base.as_str(), ""), |(h, t)| (h, t));
    let slash = head.rfind('/').expect("base URL has a path");
    let mut url = format!("{}/{db}", &head[..slash]);
    if !tail.is_empty() {
        url.push('?');
        url.push_str(tail);
    }
    url
}

pub fn admin() -> PgConnection {
    PgConnection::establish(&base_url()).unwrap_or_else(|e| {
        panic!(
            "cannot connect to the test PostgreSQL server at TEST_DATABASE_URL ({e}); run the tests through scripts/test.sh, which provides one"
        )
    })
}

pub struct TestDb {
    pub name: String,
}

#[derive(QueryableByName, Debug, Clone, PartialEq)]
pub struct Row {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub checksum: String,
    #[diesel(sql_type = Bool)]
    pub finished: bool,
    #[diesel(sql_type = Text)]
    pub migration_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub logs: Option<String>,
    #[diesel(sql_type = Bool)]
    pub rolled_back: bool,
    #[diesel(sql_type = Integer)]
    pub applied_steps_count: i32,
    #[diesel(sql_type = Bool)]
    pub started_equals_finished: bool,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct One {
    #[diesel(sql_type = Text)]
    v: String,
}

impl TestDb {
    /// A fresh, empty database.
    pub fn new(tag: &str) -> TestDb {
        let db = TestDb::unique_name(tag);
        admin()
            .batch_execute(&format!("CREATE DATABASE \"{}\"", db.name))
            .expect("create test database");
        db
    }

    /// A name for a database that does not exist yet (dropped at the end all the same).
    pub fn unique_name(tag: &str) -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let tag: String = tag
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(30)
            .collect();
        TestDb {
            name: format!("prismig_{}_{n}_{tag}", std::process::id()),
        }
    }

    pub fn url(&self) -> String {
        url_for(&self.name)
    }

    pub fn url_with(&self, query: &str) -> String {
        let u = self.url();
        if u.contains('?') {
            format!("{u}&{query}")
        } else {
            format!("{u}?{query}")
        }
    }

    pub fn conn(&self) -> PgConnection {
        PgConnection::establish(&self.url()).expect("connect to test database")
    }

    pub fn exec(&self, sql: &str) {
        self.conn().batch_execute(sql).expect(sql);
    }

    pub fn count(&self, sql: &str) -> i64 {
        diesel::sql_query(sql)
            .get_result::<Count>(&mut self.conn())
            .expect(sql)
            .n
    }

    pub fn text(&self, sql: &str) -> String {
        diesel::sql_query(sql)
            .get_result::<One>(&mut self.conn())
            .expect(sql)
            .v
    }

    /// `_prisma_migrations` in `started_at` order (in `schema`).
    pub fn rows_in(&self, schema: &str) -> Vec<Row> {
        diesel::sql_query(format!(
            "SELECT id, checksum, finished_at IS NOT NULL AS finished, migration_name, logs, \
             rolled_back_at IS NOT NULL AS rolled_back, applied_steps_count, \
             coalesce(started_at = finished_at, false) AS started_equals_finished \
             FROM \"{schema}\"._prisma_migrations ORDER BY started_at"
        ))
        .load::<Row>(&mut self.conn())
        .expect("read _prisma_migrations")
    }

    pub fn rows(&self) -> Vec<Row> {
        self.rows_in("public")
    }
}

impl Drop for TestDb {
    #[expect(
        clippy::print_stderr,
        reason = "tells the developer which database to inspect"
    )]
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept test database {} for inspection", self.name);
            return;
        }
        let _ = admin().batch_execute(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        ));
    }
}

/// `SELECT count(*) AS n …` on the database at `url`; `None` when it cannot be reached.
pub fn count_at(url: &str, sql: &str) -> Option<i64> {
    let mut conn = PgConnection::establish(url).ok()?;
    diesel::sql_query(sql)
        .get_result::<Count>(&mut conn)
        .ok()
        .map(|c| c.n)
}
