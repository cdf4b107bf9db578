//! One test database per provider, behind one trait.

use crate::support::db::{Row, TestDb};
use crate::support::location;
use diesel::connection::SimpleConnection;
use diesel::sql_types::BigInt;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl};

pub trait Backend: Sized {
    /// `provider` in the schema and in `migration_lock.toml`.
    const PROVIDER: &'static str;
    /// Another provider, for the lockfile mismatch.
    const OTHER: &'static str;
    /// A new, empty database.
    fn create(tag: &str) -> Self;
    /// A database that does not exist yet.
    fn absent(tag: &str) -> Self;
    fn url(&self) -> String;
    /// The `Datasource` header line.
    fn datasource(&self) -> String;
    /// What `Database `…` does not exist` names.
    fn missing_name(&self) -> String;
    /// `deploy`'s creation message.
    fn created(&self) -> String;
    fn rows(&self) -> Vec<Row>;
    fn exec(&self, sql: &str);
    fn column_exists(&self, table: &str, column: &str) -> bool;
    fn table_exists(&self, table: &str) -> bool;
    /// The error code and the first line of the database error for `FAILING`.
    fn failure(&self) -> (&'static str, String);
    /// Whether a failed script's earlier statements stay (PostgreSQL: no, one implicit
    /// transaction; SQLite and MySQL: yes, §4.6).
    const ATOMIC: bool;
    /// The scenarios' migrations, in the provider's SQL.
    const INIT: &'static str = "CREATE TABLE \"User\" (\"id\" TEXT NOT NULL, \"name\" TEXT NOT NULL, CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\"));\n";
    const ADD_POST: &'static str =
        "CREATE TABLE \"Post\" (\"id\" INTEGER NOT NULL PRIMARY KEY, \"title\" TEXT NOT NULL);\n";
    const ADD_EMAIL: &'static str = "ALTER TABLE \"User\" ADD COLUMN \"email\" TEXT;\n";
    /// Fails on its second statement; the first adds a column.
    const FAILING: &'static str =
        "ALTER TABLE \"User\" ADD COLUMN \"email\" TEXT;\nCREATE TABLE \"User\" (\"id\" TEXT);\n";
    /// A table that is not a migration's, for P3005.
    const FOREIGN_TABLE: &'static str = "CREATE TABLE existing (id INTEGER);";
}

pub struct Postgres(pub TestDb);

impl Backend for Postgres {
    const PROVIDER: &'static str = "postgresql";
    const OTHER: &'static str = "mysql";
    const ATOMIC: bool = true;
    fn create(tag: &str) -> Self {
        Postgres(TestDb::new(tag))
    }
    fn absent(tag: &str) -> Self {
        Postgres(TestDb::unique_name(tag))
    }
    fn url(&self) -> String {
        self.0.url()
    }
    fn datasource(&self) -> String {
        format!(
            "Datasource \"db\": PostgreSQL database \"{}\", schema \"public\" at \"{}\"\n",
            self.0.name,
            location(&self.0)
        )
    }
    fn missing_name(&self) -> String {
        self.0.name.clone()
    }
    fn created(&self) -> String {
        format!(
            "PostgreSQL database {} created at {}",
            self.0.name,
            location(&self.0)
        )
    }
    fn rows(&self) -> Vec<Row> {
        self.0.rows()
    }
    fn exec(&self, sql: &str) {
        self.0.exec(sql);
    }
    fn column_exists(&self, table: &str, column: &str) -> bool {
        self.0.count(&format!("SELECT count(*) AS n FROM information_schema.columns WHERE table_name = '{table}' AND column_name = '{column}'")) == 1
    }
    fn table_exists(&self, table: &str) -> bool {
        self.0.count(&format!(
            "SELECT count(*) AS n FROM pg_tables WHERE tablename = '{table}'"
        )) == 1
    }
    fn failure(&self) -> (&'static str, String) {
        (
            "42P07",
            "ERROR: relation \"User\" already exists".to_owned(),
        )
    }
}

pub struct Sqlite {
    dir: tempfile::TempDir,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

impl Sqlite {
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("data/test.db")
    }
    pub fn conn(&self) -> SqliteConnection {
        SqliteConnection::establish(&self.path().to_string_lossy()).unwrap()
    }
    pub fn count(&self, sql: &str) -> i64 {
        diesel::sql_query(sql)
            .get_result::<Count>(&mut self.conn())
            .unwrap()
            .n
    }
}

impl Backend for Sqlite {
    const PROVIDER: &'static str = "sqlite";
    const OTHER: &'static str = "postgresql";
    const ATOMIC: bool = false;
    fn create(_tag: &str) -> Self {
        let db = Sqlite::absent("");
        std::fs::create_dir_all(db.path().parent().unwrap()).unwrap();
        drop(db.conn());
        db
    }
    fn absent(_tag: &str) -> Self {
        Sqlite {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn url(&self) -> String {
        format!("file:{}", self.path().display())
    }
    fn datasource(&self) -> String {
        format!(
            "Datasource \"db\": SQLite database \"test.db\" at \"{}\"\n",
            self.url()
        )
    }
    fn missing_name(&self) -> String {
        "test.db".to_owned()
    }
    fn created(&self) -> String {
        format!("SQLite database test.db created at {}", self.url())
    }
    fn rows(&self) -> Vec<Row> {
        diesel::sql_query(
            "SELECT id, checksum, finished_at IS NOT NULL AS finished, migration_name, logs, \
             rolled_back_at IS NOT NULL AS rolled_back, applied_steps_count, \
             coalesce(started_at = finished_at, 0) AS started_equals_finished \
             FROM _prisma_migrations ORDER BY started_at",
        )
        .load::<Row>(&mut self.conn())
        .unwrap()
    }
    fn exec(&self, sql: &str) {
        self.conn().batch_execute(sql).unwrap();
    }
    fn column_exists(&self, table: &str, column: &str) -> bool {
        self.count(&format!(
            "SELECT count(*) AS n FROM pragma_table_info('{table}') WHERE name = '{column}'"
        )) == 1
    }
    fn table_exists(&self, table: &str) -> bool {
        self.count(&format!(
            "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
        )) == 1
    }
    fn failure(&self) -> (&'static str, String) {
        ("1", "table \"User\" already exists in \nCREATE TABLE \"User\" (\"id\" TEXT);\n at offset 14".to_owned())
    }
}
