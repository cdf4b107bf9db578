//! SQLite's schema into `drift::Schema` through `sqlite_master` and the table-valued
//! pragmas. Foreign keys have no names there (the engine ignores them too).

use super::introspect::{generated, is_now, literal, Family};
use crate::drift::{
    Action, Arity, Column, ForeignKey, Index, IndexColumn, PrimaryKey, Schema, Table,
};
use crate::error::{Error, Result};
use diesel::sql_types::{Integer, Nullable, Text};
use diesel::sqlite::SqliteConnection;
use diesel::{QueryableByName, RunQueryDsl};

#[derive(QueryableByName)]
struct TableRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    sql: Option<String>,
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
    #[diesel(sql_type = Nullable<Text>)]
    default_expr: Option<String>,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Integer)]
    is_unique: i32,
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Nullable<Text>)]
    sql: Option<String>,
}

#[derive(QueryableByName)]
struct IndexColumnRow {
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
    #[diesel(sql_type = Integer)]
    descending: i32,
}

#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    referenced_table: String,
    #[diesel(sql_type = Text)]
    column: String,
    #[diesel(sql_type = Nullable<Text>)]
    referenced_column: Option<String>,
    #[diesel(sql_type = Text)]
    on_update: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

fn action(rule: &str) -> Action {
    match rule.to_ascii_uppercase().as_str() {
        "RESTRICT" => Action::Restrict,
        "CASCADE" => Action::Cascade,
        "SET NULL" => Action::SetNull,
        "SET DEFAULT" => Action::SetDefault,
        _ => Action::NoAction,
    }
}

fn family(declared: &str) -> Family {
    match crate::drift::sqlite_family(declared).as_str() {
        "int" => Family::Int,
        "bigint" => Family::BigInt,
        "float" | "decimal" => Family::Float,
        "boolean" => Family::Boolean,
        "string" => Family::String,
        _ => Family::Other,
    }
}

/// The `WHERE` of a partial index, from its `CREATE INDEX` text.
fn predicate(sql: Option<&str>) -> Option<String> {
    let sql = sql?;
    let upper = sql.to_ascii_uppercase();
    upper
        .rfind(" WHERE ")
        .map(|i| sql[i + 7..].trim().to_owned())
}

pub fn describe(conn: &mut SqliteConnection) -> Result<Schema> {
    let tables = diesel::sql_query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations' ORDER BY name",
    )
    .load::<TableRow>(conn)
    .map_err(Error::from)?;
    let mut out = Vec::new();
    for t in tables {
        let autoincrement_table = t
            .sql
            .as_deref()
            .is_some_and(|s| s.to_ascii_uppercase().contains("AUTOINCREMENT"));
        let cols = diesel::sql_query(
            "SELECT name, type AS data_type, \"notnull\" AS not_null, dflt_value AS default_expr, pk \
             FROM pragma_table_info(?) ORDER BY cid",
        )
        .bind::<Text, _>(&t.name)
        .load::<ColumnRow>(conn)
        .map_err(Error::from)?;
        let mut pk: Vec<(i32, String)> = cols
            .iter()
            .filter(|c| c.pk > 0)
            .map(|c| (c.pk, c.name.clone()))
            .collect();
        pk.sort();
        let single_int_pk = pk.len() == 1;
        let columns = cols
            .into_iter()
            .map(|c| {
                let fam = family(&c.data_type);
                let default = c.default_expr.as_deref().map(|e| {
                    if is_now(e) {
                        crate::drift::DefaultKind::Now
                    } else {
                        literal(e, fam).unwrap_or_else(|| generated(e))
                    }
                });
                Column {
                    autoincrement: autoincrement_table
                        && single_int_pk
                        && c.pk == 1
                        && c.data_type.eq_ignore_ascii_case("integer"),
                    name: c.name,
                    data_type: c.data_type,
                    enum_type: None,
                    arity: if c.not_null != 0 || c.pk > 0 {
                        Arity::Required
                    } else {
                        Arity::Nullable
                    },
                    default,
                }
            })
            .collect();
        let mut indexes = Vec::new();
        for i in diesel::sql_query(
            "SELECT l.name, l.\"unique\" AS is_unique, l.origin, m.sql FROM pragma_index_list(?) l \
             LEFT JOIN sqlite_master m ON m.type = 'index' AND m.name = l.name",
        )
        .bind::<Text, _>(&t.name)
        .load::<IndexRow>(conn)
        .map_err(Error::from)?
        {
            if i.origin == "pk" {
                continue;
            }
            let columns = diesel::sql_query(
                "SELECT name, \"desc\" AS descending FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno",
            )
            .bind::<Text, _>(&i.name)
            .load::<IndexColumnRow>(conn)
            .map_err(Error::from)?
            .into_iter()
            .map(|c| IndexColumn {
                name: c.name.unwrap_or_default(),
                descending: c.descending != 0,
                length: None,
            })
            .collect();
            indexes.push(Index {
                predicate: predicate(i.sql.as_deref()),
                name: i.name,
                unique: i.is_unique != 0,
                columns,
                method: None,
            });
        }
        let mut foreign_keys: Vec<(i32, ForeignKey)> = Vec::new();
        for f in diesel::sql_query(
            "SELECT id, \"table\" AS referenced_table, \"from\" AS \"column\", \"to\" AS referenced_column, \
             on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq",
        )
        .bind::<Text, _>(&t.name)
        .load::<ForeignKeyRow>(conn)
        .map_err(Error::from)?
        {
            if foreign_keys.last().map(|(id, _)| *id) != Some(f.id) {
                foreign_keys.push((
                    f.id,
                    ForeignKey {
                        name: None,
                        columns: Vec::new(),
                        referenced_table: f.referenced_table.clone(),
                        referenced_columns: Vec::new(),
                        on_delete: action(&f.on_delete),
                        on_update: action(&f.on_update),
                    },
                ));
            }
            let (_, fk) = foreign_keys.last_mut().expect("pushed above");
            fk.columns.push(f.column);
            fk.referenced_columns
                .push(f.referenced_column.unwrap_or_default());
        }
        out.push(Table {
            name: t.name,
            columns,
            primary_key: (!pk.is_empty()).then(|| PrimaryKey {
                name: None,
                columns: pk.into_iter().map(|(_, n)| n).collect(),
            }),
            indexes,
            foreign_keys: foreign_keys.into_iter().map(|(_, f)| f).collect(),
        });
    }
    let mut schema = Schema {
        tables: out,
        enums: Vec::new(),
        lower_cases_table_names: false,
    };
    schema.normalize();
    Ok(schema)
}
