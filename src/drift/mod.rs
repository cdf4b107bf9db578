//! Schema drift: a database schema as plain data (`Schema`, filled by `db::introspect`), the
//! steps that lead from one schema to another (`diff`), and Prisma's summary of them
//! (`render`, byte for byte the schema engine's `drift_summary`, §9.7). Pure: no database.

mod defaults;
mod diff;
mod mysql_types;
mod render;
#[cfg(test)]
mod tests;

pub use diff::{diff, sqlite_family, Step};
pub use render::render;

use serde::Serialize;

/// Which rules the comparison follows: each engine flavour diffs a little differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavour {
    Postgres,
    Sqlite,
    Mysql,
    /// MariaDB cannot rename an index: the engine redefines it.
    #[cfg_attr(
        not(feature = "mysql"),
        allow(dead_code, reason = "only a MySQL connection finds a MariaDB server")
    )]
    Mariadb,
}

/// One database's schema, as far as Prisma's summary looks at it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Schema {
    /// Sorted by name.
    pub tables: Vec<Table>,
    /// PostgreSQL enum types, sorted by name.
    pub enums: Vec<Enum>,
    /// A MySQL server with `lower_case_table_names = 1`: the engine then matches table
    /// names without regard to ASCII case.
    #[serde(skip)]
    pub lower_cases_table_names: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub name: String,
    /// In column order.
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    /// Secondary indexes and unique constraints, sorted by name.
    pub indexes: Vec<Index>,
    /// Sorted by name, then columns.
    pub foreign_keys: Vec<ForeignKey>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub name: String,
    /// The full type as the server spells it (`integer`, `character varying(191)`,
    /// `numeric(10,2)`, `int(11) unsigned`); arrays without their `[]`.
    pub data_type: String,
    /// The enum the column holds (PostgreSQL type name; MySQL: the inline values).
    pub enum_type: Option<String>,
    pub arity: Arity,
    pub default: Option<DefaultKind>,
    pub autoincrement: bool,
}

/// Prisma's names: they appear in "changed from Required to Nullable".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Arity {
    Required,
    Nullable,
    List,
}

/// A column default as the engine classifies it. The `Debug` form is what the summary
/// prints (`Some(Value(Int(0)))`), so names follow the engine's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum DefaultKind {
    Value(PrismaValue),
    Now,
    DbGenerated(Option<String>),
    Sequence(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PrismaValue {
    String(String),
    Boolean(bool),
    Enum(String),
    Int(i64),
    BigInt(i64),
    Float(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrimaryKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Index {
    pub name: String,
    pub unique: bool,
    pub columns: Vec<IndexColumn>,
    /// Access method (`btree`, `gin`, `BTREE`, `FULLTEXT`…), `None` where not known.
    pub method: Option<String>,
    /// The `WHERE` of a partial index.
    pub predicate: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexColumn {
    pub name: String,
    pub descending: bool,
    /// MySQL prefix length.
    pub length: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForeignKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub referenced_table: String,
    pub referenced_columns: Vec<String>,
    pub on_delete: Action,
    pub on_update: Action,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[expect(clippy::enum_variant_names, reason = "SQL's names: NO ACTION")]
pub enum Action {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Enum {
    pub name: String,
    pub values: Vec<String>,
}

impl Schema {
    /// Puts tables, enums, indexes and foreign keys in the order the summary lists them.
    pub fn normalize(&mut self) {
        self.tables.sort_by(|a, b| a.name.cmp(&b.name));
        self.enums.sort_by(|a, b| a.name.cmp(&b.name));
        for t in &mut self.tables {
            t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
            t.foreign_keys.sort_by(|a, b| {
                (a.name.as_deref(), &a.columns).cmp(&(b.name.as_deref(), &b.columns))
            });
        }
    }
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}
