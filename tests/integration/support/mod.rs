pub mod cluster;
pub mod cmd;
pub mod db;
pub mod json;
#[cfg(feature = "mysql")]
pub mod mariadb;
pub mod mount;
pub mod project;
pub mod proxy;
pub mod wait;

pub use db::TestDb;
pub use project::Project;

/// The file `name` in the first of PATH's folders, then of `dirs`, that holds it: the server
/// binaries of tests that start a database of their own.
pub fn find_bin(name: &str, dirs: &[std::path::PathBuf]) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    path.iter()
        .chain(dirs)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Prisma's init migration of the transcripts' example project.
pub const INIT: &str = "CREATE TABLE \"User\" (\"id\" TEXT NOT NULL, \"name\" TEXT NOT NULL, CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\"));\n";
pub const ADD_POST: &str = "-- CreateTable\nCREATE TABLE \"Post\" (\n    \"id\" SERIAL NOT NULL,\n    \"title\" TEXT NOT NULL,\n    \"authorId\" TEXT NOT NULL,\n\n    CONSTRAINT \"Post_pkey\" PRIMARY KEY (\"id\")\n);\n\n-- AddForeignKey\nALTER TABLE \"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"User\"(\"id\") ON DELETE RESTRICT ON UPDATE CASCADE;\n";
pub const ADD_EMAIL: &str = "-- AlterTable\nALTER TABLE \"User\" ADD COLUMN \"email\" TEXT;\n";
/// Scenario D of the transcripts: the seed's `ADD CONSTRAINT IF NOT EXISTS`, which
/// PostgreSQL rejects, on the second statement.
pub const BAD: &str = "-- AlterTable\nALTER TABLE \"User\" ADD COLUMN \"email\" TEXT;\nALTER TABLE \"User\" ADD CONSTRAINT IF NOT EXISTS \"x\" UNIQUE (\"name\");\nCREATE INDEX \"User_email_idx\" ON \"User\"(\"email\");\n";

/// The stdout header of a Prisma 6 layout project (§8.4), for a database of the test server.
pub fn header(db: &TestDb) -> String {
    header_schema(db, "public")
}

pub fn header_schema(db: &TestDb, schema: &str) -> String {
    let url = prismig::__internal::dburl::PgUrl::parse(&db.url()).expect("test URL parses");
    format!(
        "Prisma schema loaded from prisma/schema.prisma\nDatasource \"db\": PostgreSQL database \"{}\", schema \"{schema}\" at \"{}\"\n",
        db.name,
        url.header_location()
    )
}

pub fn location(db: &TestDb) -> String {
    prismig::__internal::dburl::PgUrl::parse(&db.url())
        .expect("test URL parses")
        .header_location()
}

/// The summary tree of §4.9 in the Prisma 6.19 form (6-space blank line).
pub fn applied_summary(names: &[&str]) -> String {
    let mut s = String::from("\nThe following migration(s) have been applied:\n\nmigrations/\n");
    for n in names {
        s.push_str(&format!("  └─ {n}/\n    └─ migration.sql\n"));
    }
    s.push_str("      \nAll migrations have been successfully applied.\n");
    s
}

/// The steps of a repair's `--json` document, as `(action, name)`.
pub fn json_steps(stdout: &str) -> Vec<(String, String)> {
    let doc: serde_json::Value =
        serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    doc["repair"]["steps"]
        .as_array()
        .expect("repair steps")
        .iter()
        .map(|s| {
            (
                s["action"].as_str().unwrap_or_default().to_owned(),
                s["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// `(action, name)` pairs, to compare with `json_steps`.
pub fn steps(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, n)| ((*a).to_owned(), (*n).to_owned()))
        .collect()
}
