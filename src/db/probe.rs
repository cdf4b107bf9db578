//! Whether the objects a migration creates or drops exist, read from the catalog, for
//! `fix` to tell a failed migration that left nothing behind from one finished by hand.
//! `None`: this provider's catalog cannot tell (SQLite has no named types or constraints).

use super::Database;
use crate::migration::objects::{Ident, QualifiedName, SchemaObject};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};

#[derive(QueryableByName)]
struct Present {
    #[diesel(sql_type = Bool)]
    present: bool,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// PostgreSQL's text form of an identifier, for `to_regclass` and friends.
fn pg_ident(i: &Ident) -> String {
    if i.quoted {
        format!("\"{}\"", i.text.replace('"', "\"\""))
    } else {
        i.text.clone()
    }
}

fn pg_name(n: &QualifiedName) -> String {
    match &n.schema {
        Some(s) => format!("{}.{}", pg_ident(s), pg_ident(&n.name)),
        None => pg_ident(&n.name),
    }
}

/// The name as PostgreSQL stores it: bare names folded to lower case.
fn pg_stored(i: &Ident) -> String {
    if i.quoted {
        i.text.clone()
    } else {
        i.text.to_lowercase()
    }
}

impl Database {
    /// One answer per object, in order. A query that fails counts as "cannot tell".
    pub fn probe(&mut self, objects: &[SchemaObject]) -> Vec<Option<bool>> {
        objects.iter().map(|o| self.probe_one(o)).collect()
    }

    fn probe_one(&mut self, object: &SchemaObject) -> Option<bool> {
        match self {
            Database::Postgres(db) => {
                let conn = db.conn();
                let (sql, a, b) = match object {
                    SchemaObject::Relation(n) | SchemaObject::Index(n) => (
                        "SELECT to_regclass($1) IS NOT NULL AS present",
                        pg_name(n),
                        None,
                    ),
                    SchemaObject::Type(n) => (
                        "SELECT to_regtype($1) IS NOT NULL AS present",
                        pg_name(n),
                        None,
                    ),
                    SchemaObject::Schema(n) => (
                        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS present",
                        pg_stored(n),
                        None,
                    ),
                    SchemaObject::Column(t, c) => (
                        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND attnum > 0 AND NOT attisdropped) AS present",
                        pg_name(t),
                        Some(pg_stored(c)),
                    ),
                    SchemaObject::Constraint(t, c) => (
                        "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass($1) AND conname = $2) AS present",
                        pg_name(t),
                        Some(pg_stored(c)),
                    ),
                };
                let q = diesel::sql_query(sql).bind::<Text, _>(a);
                match b {
                    Some(b) => q.bind::<Text, _>(b).get_result::<Present>(conn),
                    None => q.get_result::<Present>(conn),
                }
                .ok()
                .map(|p| p.present)
            }
            Database::Sqlite(db) => {
                let conn = db.conn();
                let query = match object {
                    SchemaObject::Relation(n) | SchemaObject::Index(n) => diesel::sql_query(
                        "SELECT count(*) AS n FROM sqlite_master WHERE name = ? COLLATE NOCASE AND ? IS NULL",
                    )
                    .bind::<Text, _>(n.name.text.clone())
                    .bind::<Nullable<Text>, _>(None::<String>),
                    SchemaObject::Column(t, c) => diesel::sql_query(
                        "SELECT count(*) AS n FROM pragma_table_info(?) WHERE name = ? COLLATE NOCASE",
                    )
                    .bind::<Text, _>(t.name.text.clone())
                    .bind::<Nullable<Text>, _>(Some(c.text.clone())),
                    _ => return None,
                };
                query.get_result::<Count>(conn).ok().map(|c| c.n > 0)
            }
            #[cfg(feature = "mysql")]
            Database::Mysql(db) => {
                let conn = db.conn();
                let schema = |n: &QualifiedName| n.schema.as_ref().map(|s| s.text.clone());
                let (sql, s, a, b) = match object {
                    SchemaObject::Relation(n) => (
                        "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ? AND ? IS NULL",
                        schema(n),
                        n.name.text.clone(),
                        None,
                    ),
                    SchemaObject::Index(n) => (
                        "SELECT COUNT(*) AS n FROM information_schema.statistics WHERE table_schema = COALESCE(?, DATABASE()) AND index_name = ? AND ? IS NULL",
                        schema(n),
                        n.name.text.clone(),
                        None,
                    ),
                    SchemaObject::Column(t, c) => (
                        "SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ? AND column_name = ?",
                        schema(t),
                        t.name.text.clone(),
                        Some(c.text.clone()),
                    ),
                    SchemaObject::Constraint(t, c) => (
                        "SELECT COUNT(*) AS n FROM information_schema.table_constraints WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ? AND constraint_name = ?",
                        schema(t),
                        t.name.text.clone(),
                        Some(c.text.clone()),
                    ),
                    SchemaObject::Schema(n) => (
                        "SELECT COUNT(*) AS n FROM information_schema.schemata WHERE ? IS NULL AND schema_name = ? AND ? IS NULL",
                        None,
                        n.text.clone(),
                        None,
                    ),
                    SchemaObject::Type(_) => return None,
                };
                diesel::sql_query(sql)
                    .bind::<Nullable<Text>, _>(s)
                    .bind::<Text, _>(a)
                    .bind::<Nullable<Text>, _>(b)
                    .get_result::<Count>(conn)
                    .ok()
                    .map(|c| c.n > 0)
            }
        }
    }
}
