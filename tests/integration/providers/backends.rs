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
    /// `SELECT count(*) AS n …`.
    fn count(&self, sql: &str) -> i64;
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
    /// Undoes `FAILING`'s first statement by hand.
    const DROP_EMAIL: &'static str = "ALTER TABLE \"User\" DROP COLUMN \"email\"";
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
    fn count(&self, sql: &str) -> i64 {
        self.0.count(sql)
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
    fn count(&self, sql: &str) -> i64 {
        Sqlite::count(self, sql)
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

#[cfg(feature = "mysql")]
pub use self::mysql::{admin as mysql_admin, Mysql};

#[cfg(feature = "mysql")]
mod mysql {
    use super::Backend;
    use crate::support::db::Row;
    use diesel::connection::SimpleConnection;
    use diesel::mysql::MysqlConnection;
    use diesel::sql_types::{BigInt, Nullable, Text};
    use diesel::{Connection, QueryableByName, RunQueryDsl};
    use std::sync::atomic::{AtomicUsize, Ordering};

    static COUNTER: AtomicUsize = AtomicUsize::new(0);

    pub fn admin_url() -> String {
        std::env::var("TEST_MYSQL_URL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/mysql".to_owned())
    }

    /// The admin URL pointed at another database.
    pub fn url_for(db: &str) -> String {
        let mut u = url::Url::parse(&admin_url()).expect("TEST_MYSQL_URL parses");
        u.set_path(&format!("/{db}"));
        u.to_string()
    }

    pub fn admin() -> MysqlConnection {
        MysqlConnection::establish(&admin_url()).unwrap_or_else(|e| {
            panic!("cannot connect to the test MySQL/MariaDB server at TEST_MYSQL_URL ({e}); run the tests through scripts/test.sh, which provides one")
        })
    }

    pub struct Mysql {
        pub name: String,
    }

    #[derive(QueryableByName)]
    struct MyRow {
        #[diesel(sql_type = Text)]
        id: String,
        #[diesel(sql_type = Text)]
        checksum: String,
        #[diesel(sql_type = BigInt)]
        finished: i64,
        #[diesel(sql_type = Text)]
        migration_name: String,
        #[diesel(sql_type = Nullable<Text>)]
        logs: Option<String>,
        #[diesel(sql_type = BigInt)]
        rolled_back: i64,
        #[diesel(sql_type = BigInt)]
        applied_steps_count: i64,
        #[diesel(sql_type = BigInt)]
        started_equals_finished: i64,
    }

    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    impl Mysql {
        pub fn conn(&self) -> MysqlConnection {
            MysqlConnection::establish(&self.url()).unwrap()
        }
        pub fn count(&self, sql: &str) -> i64 {
            diesel::sql_query(sql)
                .get_result::<Count>(&mut self.conn())
                .unwrap()
                .n
        }
        pub fn location(&self) -> String {
            let u = url::Url::parse(&admin_url()).unwrap();
            match u.port() {
                Some(p) => format!("{}:{p}", u.host_str().unwrap_or("")),
                None => u.host_str().unwrap_or("").to_owned(),
            }
        }
    }

    impl Mysql {
        /// The history rows, or `None` when there is no table.
        pub fn rows_if_any(&self) -> Option<Vec<Row>> {
            self.table_exists("_prisma_migrations").then(|| self.rows())
        }
    }

    impl Backend for Mysql {
        const PROVIDER: &'static str = "mysql";
        const OTHER: &'static str = "postgresql";
        const ATOMIC: bool = false;
        const INIT: &'static str = "CREATE TABLE `User` (`id` VARCHAR(191) NOT NULL, `name` VARCHAR(191) NOT NULL, PRIMARY KEY (`id`)) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n";
        const ADD_POST: &'static str = "CREATE TABLE `Post` (`id` INTEGER NOT NULL, `title` VARCHAR(191) NOT NULL, PRIMARY KEY (`id`));\n";
        const ADD_EMAIL: &'static str =
            "ALTER TABLE `User` ADD COLUMN `email` VARCHAR(191) NULL;\n";
        const FAILING: &'static str = "ALTER TABLE `User` ADD COLUMN `email` VARCHAR(191) NULL;\nCREATE TABLE `User` (`id` INTEGER);\n";
        const DROP_EMAIL: &'static str = "ALTER TABLE `User` DROP COLUMN `email`";

        fn create(tag: &str) -> Self {
            let db = Mysql::absent(tag);
            admin()
                .batch_execute(&format!("CREATE DATABASE `{}`", db.name))
                .unwrap();
            db
        }
        fn absent(tag: &str) -> Self {
            let n = COUNTER.fetch_add(1, Ordering::SeqCst);
            let tag: String = tag
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(30)
                .collect();
            Mysql {
                name: format!("prismig_{}_{n}_{tag}", std::process::id()),
            }
        }
        fn url(&self) -> String {
            url_for(&self.name)
        }
        fn datasource(&self) -> String {
            format!(
                "Datasource \"db\": MySQL database \"{}\" at \"{}\"\n",
                self.name,
                self.location()
            )
        }
        fn missing_name(&self) -> String {
            self.name.clone()
        }
        fn created(&self) -> String {
            format!(
                "MySQL database {} created at {}",
                self.name,
                self.location()
            )
        }
        fn rows(&self) -> Vec<Row> {
            diesel::sql_query(
                "SELECT id, checksum, CAST(finished_at IS NOT NULL AS SIGNED) AS finished, migration_name, logs, \
                 CAST(rolled_back_at IS NOT NULL AS SIGNED) AS rolled_back, CAST(applied_steps_count AS SIGNED) AS applied_steps_count, \
                 CAST(coalesce(started_at = finished_at, 0) AS SIGNED) AS started_equals_finished \
                 FROM _prisma_migrations ORDER BY started_at",
            )
            .load::<MyRow>(&mut self.conn())
            .unwrap()
            .into_iter()
            .map(|r| Row {
                id: r.id,
                checksum: r.checksum,
                finished: r.finished == 1,
                migration_name: r.migration_name,
                logs: r.logs,
                rolled_back: r.rolled_back == 1,
                applied_steps_count: i32::try_from(r.applied_steps_count).unwrap(),
                started_equals_finished: r.started_equals_finished == 1,
            })
            .collect()
        }
        fn exec(&self, sql: &str) {
            self.conn().batch_execute(sql).unwrap();
        }
        fn count(&self, sql: &str) -> i64 {
            Mysql::count(self, sql)
        }
        fn column_exists(&self, table: &str, column: &str) -> bool {
            self.count(&format!("SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_schema = '{}' AND table_name = '{table}' AND column_name = '{column}'", self.name)) == 1
        }
        fn table_exists(&self, table: &str) -> bool {
            self.count(&format!("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = '{}' AND table_name = '{table}'", self.name)) == 1
        }
        fn failure(&self) -> (&'static str, String) {
            ("1050", "Table 'User' already exists\n\nPlease check the query number 2 from the migration file.".to_owned())
        }
    }

    impl Drop for Mysql {
        fn drop(&mut self) {
            if !std::thread::panicking() {
                let _ = admin().batch_execute(&format!("DROP DATABASE IF EXISTS `{}`", self.name));
            }
        }
    }
}
