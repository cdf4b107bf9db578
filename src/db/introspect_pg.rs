//! PostgreSQL's catalog into `drift::Schema`: ordinary and partitioned tables of the
//! namespaces, their columns, indexes (method, order, predicate), primary keys, foreign
//! keys and the enum types. `_prisma_migrations` and PostGIS's tables are left out, as the
//! engine leaves them out.

use super::introspect::{generated, is_now, literal, Family};
use crate::drift::{
    Action, Arity, Column, DefaultKind, Enum, ForeignKey, Index, IndexColumn, PrimaryKey, Schema,
    Table,
};
use crate::error::{Error, Result};
use diesel::pg::PgConnection;
use diesel::sql_types::{Array, Bool, Nullable, Text};
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
    data_type: String,
    #[diesel(sql_type = Text)]
    type_name: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    #[diesel(sql_type = Bool)]
    is_array: bool,
    #[diesel(sql_type = Bool)]
    is_enum: bool,
    #[diesel(sql_type = Text)]
    identity: String,
    #[diesel(sql_type = Nullable<Text>)]
    default_expr: Option<String>,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    is_primary: bool,
    #[diesel(sql_type = Text)]
    method: String,
    #[diesel(sql_type = Nullable<Text>)]
    predicate: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    columns: Vec<String>,
    #[diesel(sql_type = Array<Bool>)]
    descending: Vec<bool>,
}

#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    referenced_table: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
    #[diesel(sql_type = Text)]
    on_update: String,
    #[diesel(sql_type = Array<Text>)]
    columns: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    referenced_columns: Vec<String>,
}

#[derive(QueryableByName)]
struct EnumRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Array<Text>)]
    labels: Vec<String>,
}

const TABLES: &str = "SELECT c.relname::text AS name FROM pg_class c \
    JOIN pg_namespace n ON n.oid = c.relnamespace \
    WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p') AND NOT c.relispartition";

const COLUMNS: &str = "SELECT c.relname::text AS table_name, a.attname::text AS name, \
    format_type(a.atttypid, a.atttypmod) AS data_type, \
    COALESCE(et.typname, t.typname)::text AS type_name, a.attnotnull AS not_null, \
    (t.typcategory = 'A') AS is_array, (COALESCE(et.typtype, t.typtype) = 'e') AS is_enum, \
    a.attidentity::text AS identity, pg_get_expr(d.adbin, d.adrelid) AS default_expr \
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
    JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid \
    LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A' \
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
    WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p') AND NOT c.relispartition \
    AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum";

const INDEXES: &str = "SELECT t.relname::text AS table_name, i.relname::text AS name, \
    ix.indisunique AS is_unique, ix.indisprimary AS is_primary, am.amname::text AS method, \
    pg_get_expr(ix.indpred, ix.indrelid) AS predicate, \
    array_agg(COALESCE(a.attname::text, pg_get_indexdef(ix.indexrelid, k.ord::int, true)) ORDER BY k.ord) AS columns, \
    array_agg((ix.indoption[(k.ord - 1)::int] & 1) = 1 ORDER BY k.ord) AS descending \
    FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid \
    JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
    JOIN pg_am am ON am.oid = i.relam \
    CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
    LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0 \
    WHERE n.nspname = ANY($1) AND t.relkind IN ('r', 'p') AND k.ord <= ix.indnkeyatts \
    GROUP BY t.relname, i.relname, ix.indisunique, ix.indisprimary, am.amname, ix.indpred, ix.indrelid";

const FOREIGN_KEYS: &str = "SELECT t.relname::text AS table_name, con.conname::text AS name, \
    rt.relname::text AS referenced_table, con.confdeltype::text AS on_delete, \
    con.confupdtype::text AS on_update, \
    ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord) \
      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns, \
    ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord) \
      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS referenced_columns \
    FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid \
    JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_class rt ON rt.oid = con.confrelid \
    WHERE con.contype = 'f' AND n.nspname = ANY($1)";

const ENUMS: &str = "SELECT t.typname::text AS name, \
    array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels \
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid \
    JOIN pg_namespace n ON n.oid = t.typnamespace \
    WHERE n.nspname = ANY($1) GROUP BY t.typname";

fn ignored(name: &str) -> bool {
    name == "_prisma_migrations" || super::pg::is_ignored_table(name)
}

fn action(code: &str) -> Action {
    match code {
        "r" => Action::Restrict,
        "c" => Action::Cascade,
        "n" => Action::SetNull,
        "d" => Action::SetDefault,
        _ => Action::NoAction,
    }
}

fn family(type_name: &str, is_enum: bool) -> Family {
    if is_enum {
        return Family::Enum;
    }
    match type_name {
        "int2" | "int4" => Family::Int,
        "int8" => Family::BigInt,
        "float4" | "float8" | "numeric" | "money" => Family::Float,
        "bool" => Family::Boolean,
        "text" | "varchar" | "bpchar" | "citext" | "name" => Family::String,
        _ => Family::Other,
    }
}

/// `'x'::text`, `'{}'::integer[]`, `(-1)`, `nextval('"a_id_seq"'::regclass)`…
fn default_kind(expr: &str, type_name: &str, is_enum: bool, is_array: bool) -> DefaultKind {
    let e = expr.trim();
    if let Some(rest) = e.strip_prefix("nextval(") {
        let name = rest
            .split('\'')
            .nth(1)
            .unwrap_or("")
            .trim_matches('"')
            .rsplit("\".\"")
            .next()
            .unwrap_or("")
            .to_owned();
        return DefaultKind::Sequence(name);
    }
    if is_now(e) {
        return DefaultKind::Now;
    }
    if is_array {
        return generated(e);
    }
    // Drop one trailing cast: `'USER'::"Role"`, `'a'::character varying`.
    let literal_part = match e.find("'::") {
        Some(i) if e.starts_with('\'') => &e[..=i],
        _ => e,
    };
    literal(literal_part, family(type_name, is_enum)).unwrap_or_else(|| generated(e))
}

/// The schema of `namespaces` (the URL's schema and the datasource's `schemas`).
pub fn describe(conn: &mut PgConnection, namespaces: &[String]) -> Result<Schema> {
    let ns = namespaces.to_vec();
    let tables = diesel::sql_query(TABLES)
        .bind::<Array<Text>, _>(&ns)
        .load::<TableRow>(conn)
        .map_err(Error::from)?;
    let mut by_name: BTreeMap<String, Table> = tables
        .into_iter()
        .filter(|t| !ignored(&t.name))
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
    for c in diesel::sql_query(COLUMNS)
        .bind::<Array<Text>, _>(&ns)
        .load::<ColumnRow>(conn)
        .map_err(Error::from)?
    {
        let Some(t) = by_name.get_mut(&c.table_name) else {
            continue;
        };
        let identity = !c.identity.is_empty();
        let default = c
            .default_expr
            .as_deref()
            .map(|e| default_kind(e, &c.type_name, c.is_enum, c.is_array));
        let autoincrement = identity || matches!(default, Some(DefaultKind::Sequence(_)));
        let data_type = if c.is_enum {
            c.type_name.clone()
        } else {
            c.data_type
                .strip_suffix("[]")
                .unwrap_or(&c.data_type)
                .to_owned()
        };
        t.columns.push(Column {
            name: c.name,
            data_type,
            enum_type: c.is_enum.then(|| c.type_name.clone()),
            arity: if c.is_array {
                Arity::List
            } else if c.not_null {
                Arity::Required
            } else {
                Arity::Nullable
            },
            default,
            autoincrement,
        });
    }
    for i in diesel::sql_query(INDEXES)
        .bind::<Array<Text>, _>(&ns)
        .load::<IndexRow>(conn)
        .map_err(Error::from)?
    {
        let Some(t) = by_name.get_mut(&i.table_name) else {
            continue;
        };
        if i.is_primary {
            t.primary_key = Some(PrimaryKey {
                name: Some(i.name),
                columns: i.columns,
            });
            continue;
        }
        t.indexes.push(Index {
            name: i.name,
            unique: i.is_unique,
            columns: i
                .columns
                .into_iter()
                .zip(i.descending.into_iter().chain(std::iter::repeat(false)))
                .map(|(name, descending)| IndexColumn {
                    name,
                    descending,
                    length: None,
                })
                .collect(),
            method: Some(i.method),
            predicate: i.predicate,
        });
    }
    for f in diesel::sql_query(FOREIGN_KEYS)
        .bind::<Array<Text>, _>(&ns)
        .load::<ForeignKeyRow>(conn)
        .map_err(Error::from)?
    {
        let Some(t) = by_name.get_mut(&f.table_name) else {
            continue;
        };
        t.foreign_keys.push(ForeignKey {
            name: Some(f.name),
            columns: f.columns,
            referenced_table: f.referenced_table,
            referenced_columns: f.referenced_columns,
            on_delete: action(&f.on_delete),
            on_update: action(&f.on_update),
        });
    }
    let enums = diesel::sql_query(ENUMS)
        .bind::<Array<Text>, _>(&ns)
        .load::<EnumRow>(conn)
        .map_err(Error::from)?
        .into_iter()
        .map(|e| Enum {
            name: e.name,
            values: e.labels,
        })
        .collect();
    let mut schema = Schema {
        tables: by_name.into_values().collect(),
        enums,
        lower_cases_table_names: false,
    };
    schema.normalize();
    Ok(schema)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::PrismaValue;

    #[test]
    fn defaults_as_the_engine_classifies_them() {
        assert_eq!(
            default_kind("nextval('\"User_id_seq\"'::regclass)", "int4", false, false),
            DefaultKind::Sequence("User_id_seq".to_owned())
        );
        assert_eq!(
            default_kind("'USER'::\"Role\"", "Role", true, false),
            DefaultKind::Value(PrismaValue::Enum("USER".to_owned()))
        );
        assert_eq!(
            default_kind("0", "int4", false, false),
            DefaultKind::Value(PrismaValue::Int(0))
        );
        assert_eq!(
            default_kind("'a''b'::character varying", "varchar", false, false),
            DefaultKind::Value(PrismaValue::String("a'b".to_owned()))
        );
        assert_eq!(
            default_kind("CURRENT_TIMESTAMP", "timestamp", false, false),
            DefaultKind::Now
        );
        assert_eq!(
            default_kind("gen_random_uuid()", "uuid", false, false),
            DefaultKind::DbGenerated(Some("gen_random_uuid()".to_owned()))
        );
    }
}
