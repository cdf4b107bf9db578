//! MySQL/MariaDB's `information_schema` into `drift::Schema`. Enums are column types there
//! (`enum('a','b')`), compared as such, as the engine does.

use super::introspect::{generated, is_now, literal, unquote, Family};
use crate::drift::{
    Action, Arity, Column, ForeignKey, Index, IndexColumn, PrimaryKey, Schema, Table,
};
use crate::error::{Error, Result};
use diesel::mysql::MysqlConnection;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use std::collections::BTreeMap;

#[derive(QueryableByName)]
struct TableRow {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    column_type: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
    #[diesel(sql_type = Nullable<Text>)]
    column_default: Option<String>,
    #[diesel(sql_type = Text)]
    extra: String,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    non_unique: i64,
    #[diesel(sql_type = Nullable<Text>)]
    column_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    collation: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    sub_part: Option<i64>,
    #[diesel(sql_type = Text)]
    index_type: String,
}

#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    referenced_table: String,
    #[diesel(sql_type = Text)]
    referenced_column: String,
    #[diesel(sql_type = Text)]
    delete_rule: String,
    #[diesel(sql_type = Text)]
    update_rule: String,
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    version: String,
}

fn action(rule: &str) -> Action {
    match rule {
        "RESTRICT" => Action::Restrict,
        "CASCADE" => Action::Cascade,
        "SET NULL" => Action::SetNull,
        "SET DEFAULT" => Action::SetDefault,
        _ => Action::NoAction,
    }
}

fn family(data_type: &str) -> Family {
    match data_type {
        "tinyint" | "smallint" | "mediumint" | "int" | "year" => Family::Int,
        "bigint" => Family::BigInt,
        "float" | "double" | "decimal" => Family::Float,
        "enum" => Family::Enum,
        "char" | "varchar" | "text" | "tinytext" | "mediumtext" | "longtext" => Family::String,
        _ => Family::Other,
    }
}

/// MariaDB shows literal defaults quoted and NULL as `NULL`; MySQL shows them bare.
fn default_kind(raw: &str, data_type: &str, extra: &str) -> Option<crate::drift::DefaultKind> {
    if raw.eq_ignore_ascii_case("NULL") {
        return None;
    }
    if is_now(raw) {
        return Some(crate::drift::DefaultKind::Now);
    }
    let fam = family(data_type);
    if extra.contains("DEFAULT_GENERATED") {
        return Some(generated(raw));
    }
    if let Some(k) = literal(raw, fam) {
        return Some(k);
    }
    if unquote(raw).is_none() {
        // MySQL: a bare literal.
        let quoted = format!("'{}'", raw.replace('\'', "''"));
        if let Some(k) = literal(&quoted, fam) {
            return Some(k);
        }
    }
    Some(generated(raw))
}

pub fn is_mariadb(conn: &mut MysqlConnection) -> Result<bool> {
    let v = diesel::sql_query("SELECT CAST(VERSION() AS CHAR) AS version")
        .get_result::<Version>(conn)
        .map_err(Error::from)?;
    Ok(v.version.to_ascii_lowercase().contains("mariadb"))
}

pub fn describe(conn: &mut MysqlConnection, database: &str) -> Result<Schema> {
    let tables = diesel::sql_query(
        "SELECT CAST(TABLE_NAME AS CHAR) AS name FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'",
    )
    .bind::<Text, _>(database)
    .load::<TableRow>(conn)
    .map_err(Error::from)?;
    let mut by_name: BTreeMap<String, Table> = tables
        .into_iter()
        .filter(|t| t.name != "_prisma_migrations")
        .map(|t| {
            (
                t.name.clone(),
                Table {
                    name: t.name,
                    columns: Vec::new(),
                    primary_key: None,
                    indexes: Vec::new(),
                    foreign_keys: Vec::new(),
                },
            )
        })
        .collect();
    for c in diesel::sql_query(
        "SELECT CAST(TABLE_NAME AS CHAR) AS table_name, CAST(COLUMN_NAME AS CHAR) AS name, \
         CAST(COLUMN_TYPE AS CHAR) AS column_type, CAST(DATA_TYPE AS CHAR) AS data_type, \
         CAST(IS_NULLABLE AS CHAR) AS is_nullable, CAST(COLUMN_DEFAULT AS CHAR) AS column_default, \
         CAST(EXTRA AS CHAR) AS extra FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? \
         ORDER BY TABLE_NAME, ORDINAL_POSITION",
    )
    .bind::<Text, _>(database)
    .load::<ColumnRow>(conn)
    .map_err(Error::from)?
    {
        let Some(t) = by_name.get_mut(&c.table_name) else {
            continue;
        };
        let data_type = c.data_type.to_ascii_lowercase();
        let column_type = c.column_type.to_ascii_lowercase();
        t.columns.push(Column {
            default: c
                .column_default
                .as_deref()
                .and_then(|d| default_kind(d, &data_type, &c.extra)),
            autoincrement: c.extra.to_ascii_lowercase().contains("auto_increment"),
            enum_type: (data_type == "enum").then(|| c.column_type.clone()),
            arity: if c.is_nullable == "YES" {
                Arity::Nullable
            } else {
                Arity::Required
            },
            data_type: column_type,
            name: c.name,
        });
    }
    let mut indexes: BTreeMap<(String, String), Index> = BTreeMap::new();
    for i in diesel::sql_query(
        "SELECT CAST(TABLE_NAME AS CHAR) AS table_name, CAST(INDEX_NAME AS CHAR) AS name, \
         CAST(NON_UNIQUE AS SIGNED) AS non_unique, CAST(COLUMN_NAME AS CHAR) AS column_name, \
         CAST(COLLATION AS CHAR) AS collation, CAST(SUB_PART AS SIGNED) AS sub_part, \
         CAST(INDEX_TYPE AS CHAR) AS index_type FROM information_schema.STATISTICS \
         WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
    )
    .bind::<Text, _>(database)
    .load::<IndexRow>(conn)
    .map_err(Error::from)?
    {
        let entry = indexes
            .entry((i.table_name, i.name.clone()))
            .or_insert_with(|| Index {
                name: i.name,
                unique: i.non_unique == 0,
                columns: Vec::new(),
                method: Some(i.index_type),
                predicate: None,
            });
        entry.columns.push(IndexColumn {
            name: i.column_name.unwrap_or_default(),
            descending: i.collation.as_deref() == Some("D"),
            length: i.sub_part.map(|n| n as u32),
        });
    }
    for ((table, _), index) in indexes {
        let Some(t) = by_name.get_mut(&table) else {
            continue;
        };
        if index.name == "PRIMARY" {
            t.primary_key = Some(PrimaryKey {
                name: Some(index.name),
                columns: index.columns.into_iter().map(|c| c.name).collect(),
            });
        } else {
            t.indexes.push(index);
        }
    }
    let mut fks: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
    for f in diesel::sql_query(
        "SELECT CAST(k.TABLE_NAME AS CHAR) AS table_name, CAST(k.CONSTRAINT_NAME AS CHAR) AS name, \
         CAST(k.COLUMN_NAME AS CHAR) AS column_name, \
         CAST(k.REFERENCED_TABLE_NAME AS CHAR) AS referenced_table, \
         CAST(k.REFERENCED_COLUMN_NAME AS CHAR) AS referenced_column, \
         CAST(r.DELETE_RULE AS CHAR) AS delete_rule, CAST(r.UPDATE_RULE AS CHAR) AS update_rule \
         FROM information_schema.KEY_COLUMN_USAGE k \
         JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
           ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
           AND r.TABLE_NAME = k.TABLE_NAME \
         WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL \
         ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
    )
    .bind::<Text, _>(database)
    .load::<ForeignKeyRow>(conn)
    .map_err(Error::from)?
    {
        let fk = fks
            .entry((f.table_name, f.name.clone()))
            .or_insert_with(|| ForeignKey {
                name: Some(f.name),
                columns: Vec::new(),
                referenced_table: f.referenced_table,
                referenced_columns: Vec::new(),
                on_delete: action(&f.delete_rule),
                on_update: action(&f.update_rule),
            });
        fk.columns.push(f.column_name);
        fk.referenced_columns.push(f.referenced_column);
    }
    for ((table, _), fk) in fks {
        if let Some(t) = by_name.get_mut(&table) {
            t.foreign_keys.push(fk);
        }
    }
    #[derive(QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        value: i64,
    }
    let lower = diesel::sql_query("SELECT CAST(@@lower_case_table_names AS SIGNED) AS value")
        .get_result::<Setting>(conn)
        .map_err(Error::from)?;
    let mut schema = Schema {
        tables: by_name.into_values().collect(),
        enums: Vec::new(),
        lower_cases_table_names: lower.value == 1,
    };
    schema.normalize();
    Ok(schema)
}
