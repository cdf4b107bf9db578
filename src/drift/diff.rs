//! The steps from one schema to another, in the schema engine's order (its
//! `SqlMigrationStep` variant order, then object order), with its pairing rules: tables,
//! columns and enums by name; indexes by columns, kind and method; foreign keys by what
//! they reference and their actions; names only decide renames.

use super::{Arity, Column, DefaultKind, Flavour, ForeignKey, Index, PrismaValue, Schema, Table};
use serde::Serialize;

/// One change. The variant order is the engine's step order: do not reorder.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Step {
    CreateEnum {
        name: String,
    },
    AlterEnum {
        name: String,
        added_variants: Vec<String>,
        removed_variants: Vec<String>,
    },
    DropForeignKey {
        table: String,
        columns: Vec<String>,
    },
    DropIndex {
        table: String,
        unique: bool,
        columns: Vec<String>,
    },
    AlterTable {
        table: String,
        changes: Vec<TableChange>,
    },
    DropTable {
        name: String,
    },
    DropEnum {
        name: String,
    },
    CreateTable {
        name: String,
    },
    /// SQLite rebuilds a table for most changes; the summary names it only.
    RedefineTable {
        name: String,
    },
    CreateIndex {
        table: String,
        unique: bool,
        columns: Vec<String>,
    },
    RenameForeignKey {
        table: String,
        from: String,
        to: String,
    },
    AddForeignKey {
        table: String,
        columns: Vec<String>,
    },
    RenameIndex {
        table: String,
        from: String,
        to: String,
    },
    RedefineIndex {
        table: String,
        name: String,
    },
}

/// A change inside `AlterTable`, in the engine's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum TableChange {
    DropPrimaryKey {
        columns: Vec<String>,
    },
    RenamePrimaryKey {
        columns: Vec<String>,
    },
    DropColumn {
        column: String,
    },
    AddColumn {
        column: String,
    },
    AlterColumn {
        column: String,
        changes: Vec<String>,
    },
    DropAndRecreateColumn {
        column: String,
        changes: Vec<String>,
    },
    AddPrimaryKey {
        columns: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TypeChange {
    Cast,
    NotCastable,
}

/// The changes between two columns, as the engine words them (arity, default, type,
/// autoincrement: its flag order), and whether the type cannot be cast.
fn column_changes(
    prev: &Column,
    next: &Column,
    flavour: Flavour,
) -> (Vec<String>, Option<TypeChange>) {
    let type_change = type_change(prev, next, flavour);
    let mut out = Vec::new();
    if prev.arity != next.arity {
        out.push(format!("changed from {:?} to {:?}", prev.arity, next.arity));
    }
    if !defaults_match(prev, next, flavour) {
        out.push(format!(
            "default changed from `{:?}` to `{:?}`",
            prev.default, next.default
        ));
    }
    if type_change.is_some() {
        out.push("type changed".to_owned());
    }
    if flavour != Flavour::Sqlite && prev.autoincrement != next.autoincrement {
        out.push(if prev.autoincrement {
            "column is no longer autoincrementing".to_owned()
        } else {
            "column became autoincrementing".to_owned()
        });
    }
    (out, type_change)
}

fn type_change(prev: &Column, next: &Column, flavour: Flavour) -> Option<TypeChange> {
    match flavour {
        Flavour::Postgres => {
            match (&prev.enum_type, &next.enum_type) {
                (Some(a), Some(b)) if a == b && prev.arity == next.arity => return None,
                (Some(_), _) | (_, Some(_)) => return Some(TypeChange::NotCastable),
                (None, None) => {}
            }
            let prev_list = prev.arity == Arity::List;
            let next_list = next.arity == Arity::List;
            if prev_list && !next_list {
                let to_text = next.data_type == "text"
                    || next.data_type.starts_with("character varying")
                    || next.data_type.starts_with("character(");
                return Some(if to_text {
                    TypeChange::Cast
                } else {
                    TypeChange::NotCastable
                });
            }
            if next_list && !prev_list {
                return Some(TypeChange::NotCastable);
            }
            if prev.data_type == next.data_type {
                return None;
            }
            pg_type_change(&prev.data_type, &next.data_type)
        }
        Flavour::Mysql | Flavour::Mariadb => {
            if prev.enum_type.is_some() || next.enum_type.is_some() {
                return (prev.enum_type != next.enum_type).then_some(TypeChange::Cast);
            }
            match super::mysql_types::not_castable(
                &prev.data_type,
                &next.data_type,
                flavour == Flavour::Mariadb,
            ) {
                Some(None) => None,
                Some(Some(true)) => Some(TypeChange::NotCastable),
                Some(Some(false)) => Some(TypeChange::Cast),
                // A type outside the table: a different spelling is a change.
                None => (prev.data_type != next.data_type).then_some(TypeChange::Cast),
            }
        }
        Flavour::Sqlite => (sqlite_family(&prev.data_type) != sqlite_family(&next.data_type))
            .then_some(TypeChange::Cast),
    }
}

/// A PostgreSQL type as `format_type` spells it: the engine's native type name and its
/// precision, where it has one.
fn pg_kind(t: &str) -> (&'static str, Option<u32>) {
    let precision = t
        .split_once('(')
        .and_then(|(_, rest)| rest.split([')', ',']).next())
        .and_then(|n| n.trim().parse().ok());
    let with_tz = t.ends_with("with time zone") && !t.ends_with("without time zone");
    let kind = if t.starts_with("character varying") {
        "varchar"
    } else if t.starts_with("character") || t.starts_with("bpchar") {
        "char"
    } else if t.starts_with("timestamp") {
        if with_tz {
            "timestamptz"
        } else {
            "timestamp"
        }
    } else if t.starts_with("time") {
        if with_tz {
            "timetz"
        } else {
            "time"
        }
    } else if t.starts_with("numeric") {
        "numeric"
    } else if t.starts_with("bit varying") {
        "varbit"
    } else if t.starts_with("bit") {
        "bit"
    } else {
        match t {
            "smallint" => "smallint",
            "integer" => "integer",
            "bigint" => "bigint",
            "real" => "real",
            "double precision" => "double",
            "text" => "text",
            "bytea" => "bytea",
            "date" => "date",
            "boolean" => "boolean",
            "uuid" => "uuid",
            "xml" => "xml",
            "json" => "json",
            "jsonb" => "jsonb",
            "inet" => "inet",
            "money" => "money",
            "citext" => "citext",
            "oid" => "oid",
            _ => "other",
        }
    };
    (kind, precision)
}

/// The engine's castability of one PostgreSQL type into another (only "not castable"
/// shows in the summary: the column "would be dropped and recreated").
fn pg_type_change(prev: &str, next: &str) -> Option<TypeChange> {
    let (a, pa) = pg_kind(prev);
    let (b, pb) = pg_kind(next);
    // Time types: a precision given on one side only, or the same, is no change.
    if a == b
        && matches!(a, "timestamp" | "timestamptz" | "time" | "timetz")
        && (pa.is_none() || pb.is_none() || pa == pb)
    {
        return None;
    }
    let strings = ["text", "varchar", "char"];
    let castable: &[&str] = match a {
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double" => &[
            "smallint", "integer", "bigint", "numeric", "real", "double", "text", "varchar", "char",
        ],
        "varchar" | "char" => &["text", "varchar", "char"],
        "text" => &["text", "varchar", "char", "citext"],
        "bytea" | "boolean" | "uuid" | "xml" => &strings,
        "timestamp" | "timestamptz" => &[
            "text",
            "varchar",
            "char",
            "timestamp",
            "timestamptz",
            "date",
            "time",
            "timetz",
        ],
        "date" => &["text", "varchar", "char", "timestamp", "timestamptz"],
        "time" => &["text", "varchar", "char", "timetz", "time"],
        "timetz" => &["text", "varchar", "char", "timetz", "time"],
        "json" => &["text", "varchar", "char", "jsonb"],
        "jsonb" => &["text", "varchar", "char", "json"],
        "inet" => &["citext", "text", "varchar"],
        "oid" => &["text", "varchar", "bigint", "integer"],
        "bit" | "varbit" => &["text", "varchar", "char", "varbit", "bit"],
        // Money, citext and types the engine does not know: castable, at a risk.
        _ => return Some(TypeChange::Cast),
    };
    if b == "other" || castable.contains(&b) {
        Some(TypeChange::Cast)
    } else {
        Some(TypeChange::NotCastable)
    }
}

/// The engine's type family of a declared SQLite type: only a change of family is a change.
pub fn sqlite_family(declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    let base = t.split('(').next().unwrap_or("").trim();
    match base {
        "int" | "integer" | "mediumint" | "smallint" | "tinyint" | "int2" | "int4" => "int",
        "bigint" | "int8" | "unsigned big int" => "bigint",
        "real" | "float" | "double" | "double precision" => "float",
        "decimal" | "numeric" => "decimal",
        "boolean" | "bool" => "boolean",
        "text" | "varchar" | "char" | "character" | "varying character" | "nchar"
        | "native character" | "nvarchar" | "clob" | "string" => "string",
        "datetime" | "date" | "timestamp" => "datetime",
        "blob" | "binary" => "binary",
        "jsonb" | "json" => "json",
        other => return format!("unsupported:{other}"),
    }
    .to_owned()
}

/// The engine's `defaults_match`, without the SQL Server constraint names.
fn defaults_match(prev: &Column, next: &Column, flavour: Flavour) -> bool {
    use super::defaults::{is_datetime_type, is_json_type, json_match, numbers_match};
    use DefaultKind as D;
    use PrismaValue as V;
    let is_json = |c: &Column| c.data_type.eq_ignore_ascii_case("json");
    if matches!(flavour, Flavour::Mysql | Flavour::Mariadb) && (is_json(prev) || is_json(next)) {
        return true;
    }
    let datetime_value =
        |c: &Column| is_datetime_type(&c.data_type) && matches!(c.default, Some(D::Value(_)));
    if prev.default.is_some()
        && next.default.is_some()
        && (datetime_value(prev) || datetime_value(next))
    {
        return true;
    }
    let json_column = is_json_type(&prev.data_type) || is_json_type(&next.data_type);
    match (&prev.default, &next.default) {
        (Some(D::Value(V::String(a))), Some(D::Value(V::String(b)))) if json_column => {
            json_match(a, b)
        }
        (Some(D::Value(V::Float(a))), Some(D::Value(V::Float(b)))) => numbers_match(a, b),
        (Some(D::Value(V::Int(i))), Some(D::Value(V::BigInt(j))))
        | (Some(D::Value(V::BigInt(i))), Some(D::Value(V::Int(j)))) => i == j,
        (Some(D::Value(V::Enum(a) | V::String(a))), Some(D::Value(V::String(b) | V::Enum(b)))) => {
            a == b
        }
        (Some(D::Value(a)), Some(D::Value(b))) => a == b,
        (Some(D::Value(_)), Some(D::Now)) | (Some(D::Value(_)), None) => false,
        (Some(D::Now), Some(D::Now)) => true,
        (Some(D::Now), None) | (Some(D::Now), Some(D::Value(_))) => false,
        (Some(D::DbGenerated(_)), Some(D::Value(_)))
        | (Some(D::DbGenerated(_)), Some(D::Now))
        | (Some(D::DbGenerated(_)), None) => false,
        (_, Some(D::DbGenerated(None))) => true,
        (Some(D::Sequence(_)), None) => true,
        (Some(D::Sequence(_)), Some(D::Value(_))) | (Some(D::Sequence(_)), Some(D::Now)) => false,
        (None, None) => true,
        (None, Some(D::Value(_))) | (None, Some(D::Now)) => false,
        (Some(D::DbGenerated(Some(a))), Some(D::DbGenerated(Some(b)))) => a.eq_ignore_ascii_case(b),
        (_, Some(D::DbGenerated(_))) => false,
        (_, Some(D::Sequence(_))) => true,
    }
}

fn index_columns(i: &Index) -> Vec<String> {
    i.columns.iter().map(|c| c.name.clone()).collect()
}

fn indexes_match(a: &Index, b: &Index) -> bool {
    a.unique == b.unique
        && a.columns == b.columns
        && a.method == b.method
        && a.predicate == b.predicate
}

struct TablePair<'a> {
    prev: &'a Table,
    next: &'a Table,
}

impl<'a> TablePair<'a> {
    fn column_pairs(&self) -> impl Iterator<Item = (&'a Column, &'a Column)> + '_ {
        self.prev
            .columns
            .iter()
            .filter_map(|p| self.next.column(&p.name).map(|n| (p, n)))
    }

    fn dropped_columns(&self) -> impl Iterator<Item = &'a Column> + '_ {
        self.prev
            .columns
            .iter()
            .filter(|p| self.next.column(&p.name).is_none())
    }

    fn added_columns(&self) -> impl Iterator<Item = &'a Column> + '_ {
        self.next
            .columns
            .iter()
            .filter(|n| self.prev.column(&n.name).is_none())
    }

    /// Indexes of `prev` paired with their counterpart: only those with no identical twin
    /// in `prev`, as the engine does.
    fn index_pairs(&self) -> Vec<(&'a Index, &'a Index)> {
        self.prev
            .indexes
            .iter()
            .filter(|p| {
                self.prev
                    .indexes
                    .iter()
                    .filter(|q| indexes_match(p, q))
                    .count()
                    == 1
            })
            .filter_map(|p| {
                self.next
                    .indexes
                    .iter()
                    .find(|n| indexes_match(p, n))
                    .map(|n| (p, n))
            })
            .collect()
    }

    fn created_indexes(&self) -> Vec<&'a Index> {
        let pairs = self.index_pairs();
        self.next
            .indexes
            .iter()
            .filter(|n| !pairs.iter().any(|(_, m)| std::ptr::eq(*m, *n)))
            .collect()
    }

    fn dropped_indexes(&self) -> Vec<&'a Index> {
        let pairs = self.index_pairs();
        self.prev
            .indexes
            .iter()
            .filter(|p| !pairs.iter().any(|(q, _)| std::ptr::eq(*q, *p)))
            .collect()
    }

    fn fks_match(&self, a: &ForeignKey, b: &ForeignKey, flavour: Flavour) -> bool {
        let same_table = if flavour.is_mysql() {
            a.referenced_table.eq_ignore_ascii_case(&b.referenced_table)
        } else {
            a.referenced_table == b.referenced_table
        };
        let same_columns = a.columns.len() == b.columns.len()
            && a.columns.iter().zip(&b.columns).all(|(x, y)| {
                if x != y {
                    return false;
                }
                let (Some(cp), Some(cn)) = (self.prev.column(x), self.next.column(y)) else {
                    return true;
                };
                let arities_ok = !flavour.is_mysql()
                    || cp.arity == cn.arity
                    || (cp.arity == Arity::Required && cn.arity == Arity::Nullable);
                type_change(cp, cn, flavour).is_none() && arities_ok
            });
        same_table
            && same_columns
            && a.referenced_columns == b.referenced_columns
            && a.on_delete == b.on_delete
            && a.on_update == b.on_update
    }

    fn fk_pairs(&self, flavour: Flavour) -> Vec<(&'a ForeignKey, &'a ForeignKey)> {
        let mut used = vec![false; self.next.foreign_keys.len()];
        let mut out = Vec::new();
        for p in &self.prev.foreign_keys {
            if let Some(i) = self
                .next
                .foreign_keys
                .iter()
                .enumerate()
                .position(|(i, n)| !used[i] && self.fks_match(p, n, flavour))
            {
                used[i] = true;
                out.push((p, &self.next.foreign_keys[i]));
            }
        }
        out
    }

    fn created_fks(&self, flavour: Flavour) -> Vec<&'a ForeignKey> {
        let pairs = self.fk_pairs(flavour);
        self.next
            .foreign_keys
            .iter()
            .filter(|n| !pairs.iter().any(|(_, m)| std::ptr::eq(*m, *n)))
            .collect()
    }

    fn dropped_fks(&self, flavour: Flavour) -> Vec<&'a ForeignKey> {
        let pairs = self.fk_pairs(flavour);
        self.prev
            .foreign_keys
            .iter()
            .filter(|p| !pairs.iter().any(|(q, _)| std::ptr::eq(*q, *p)))
            .collect()
    }

    fn primary_key_changed(&self, flavour: Flavour) -> bool {
        match (&self.prev.primary_key, &self.next.primary_key) {
            (Some(p), Some(n)) => {
                p.columns != n.columns
                    || p.columns
                        .iter()
                        .any(|c| match (self.prev.column(c), self.next.column(c)) {
                            (Some(a), Some(b)) => type_change(a, b, flavour).is_some(),
                            _ => false,
                        })
            }
            _ => false,
        }
    }

    fn any_column_changed(&self, flavour: Flavour) -> bool {
        self.column_pairs()
            .any(|(p, n)| !column_changes(p, n, flavour).0.is_empty())
    }

    fn redefine_on_sqlite(&self, flavour: Flavour) -> bool {
        self.prev.primary_key.is_some() != self.next.primary_key.is_some()
            || self.primary_key_changed(flavour)
            || self.dropped_columns().next().is_some()
            || self.added_columns().any(|c| c.arity == Arity::Required)
            || self.any_column_changed(flavour)
            || !self.created_fks(flavour).is_empty()
            || !self.dropped_fks(flavour).is_empty()
    }
}

impl Flavour {
    pub fn is_mysql(self) -> bool {
        matches!(self, Flavour::Mysql | Flavour::Mariadb)
    }
}

/// The steps that turn `from` into `to`, sorted as the engine sorts them.
pub fn diff(from: &Schema, to: &Schema, flavour: Flavour) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let lower_cases =
        flavour.is_mysql() && (from.lower_cases_table_names || to.lower_cases_table_names);
    let names_match = |a: &str, b: &str| super::mysql_types::table_names_match(a, b, lower_cases);
    let find =
        |s: &'_ Schema, name: &str| -> bool { s.tables.iter().any(|t| names_match(&t.name, name)) };
    let created: Vec<&Table> = to.tables.iter().filter(|t| !find(from, &t.name)).collect();
    let dropped: Vec<&Table> = from.tables.iter().filter(|t| !find(to, &t.name)).collect();
    let pairs: Vec<TablePair<'_>> = from
        .tables
        .iter()
        .filter_map(|p| {
            to.tables
                .iter()
                .find(|n| names_match(&p.name, &n.name))
                .map(|n| TablePair { prev: p, next: n })
        })
        .collect();

    for t in &created {
        steps.push(Step::CreateTable {
            name: t.name.clone(),
        });
        if flavour != Flavour::Sqlite {
            for fk in &t.foreign_keys {
                steps.push(Step::AddForeignKey {
                    table: t.name.clone(),
                    columns: fk.columns.clone(),
                });
            }
        }
        if !flavour.is_mysql() {
            for i in &t.indexes {
                steps.push(Step::CreateIndex {
                    table: t.name.clone(),
                    unique: i.unique,
                    columns: index_columns(i),
                });
            }
        }
    }
    for t in &dropped {
        steps.push(Step::DropTable {
            name: t.name.clone(),
        });
        if flavour != Flavour::Sqlite {
            for fk in &t.foreign_keys {
                steps.push(Step::DropForeignKey {
                    table: t.name.clone(),
                    columns: fk.columns.clone(),
                });
            }
        }
    }

    let redefined: Vec<bool> = pairs
        .iter()
        .map(|p| flavour == Flavour::Sqlite && p.redefine_on_sqlite(flavour))
        .collect();
    let any_redefined = redefined.iter().any(|r| *r);

    // Dropped indexes.
    for (pair, _) in pairs.iter().zip(&redefined).filter(|(_, r)| !**r) {
        for i in pair.dropped_indexes() {
            // MySQL: the index a foreign key needs goes with the foreign key.
            if flavour.is_mysql() && covers_fk(pair.prev, i) {
                continue;
            }
            steps.push(Step::DropIndex {
                table: pair.prev.name.clone(),
                unique: i.unique,
                columns: index_columns(i),
            });
        }
    }
    if any_redefined && flavour == Flavour::Sqlite {
        for t in &dropped {
            for i in &t.indexes {
                steps.push(Step::DropIndex {
                    table: t.name.clone(),
                    unique: i.unique,
                    columns: index_columns(i),
                });
            }
        }
    }

    // Created indexes, and PostgreSQL's indexes on columns dropped and recreated.
    for (pair, _) in pairs.iter().zip(&redefined).filter(|(_, r)| !**r) {
        for i in pair.created_indexes() {
            steps.push(Step::CreateIndex {
                table: pair.next.name.clone(),
                unique: i.unique,
                columns: index_columns(i),
            });
        }
        if flavour == Flavour::Postgres {
            let recreated: Vec<&str> = pair
                .column_pairs()
                .filter(|(p, n)| type_change(p, n, flavour) == Some(TypeChange::NotCastable))
                .map(|(_, n)| n.name.as_str())
                .collect();
            for (_, n) in pair.index_pairs() {
                if n.columns
                    .iter()
                    .any(|c| recreated.contains(&c.name.as_str()))
                {
                    steps.push(Step::CreateIndex {
                        table: pair.next.name.clone(),
                        unique: n.unique,
                        columns: index_columns(n),
                    });
                }
            }
        }
    }

    // Altered tables.
    for (pair, _) in pairs.iter().zip(&redefined).filter(|(_, r)| !**r) {
        let table = pair.prev.name.clone();
        for fk in pair.created_fks(flavour) {
            steps.push(Step::AddForeignKey {
                table: pair.next.name.clone(),
                columns: fk.columns.clone(),
            });
        }
        for fk in pair.dropped_fks(flavour) {
            steps.push(Step::DropForeignKey {
                table: table.clone(),
                columns: fk.columns.clone(),
            });
        }
        if flavour != Flavour::Sqlite {
            for (p, n) in pair.fk_pairs(flavour) {
                if p.name == n.name || is_implicit_m2m(pair.prev) && is_implicit_m2m(pair.next) {
                    continue;
                }
                match flavour {
                    Flavour::Postgres => steps.push(Step::RenameForeignKey {
                        table: pair.next.name.clone(),
                        from: p.name.clone().unwrap_or_default(),
                        to: n.name.clone().unwrap_or_default(),
                    }),
                    _ => {
                        steps.push(Step::AddForeignKey {
                            table: pair.next.name.clone(),
                            columns: n.columns.clone(),
                        });
                        steps.push(Step::DropForeignKey {
                            table: table.clone(),
                            columns: p.columns.clone(),
                        });
                    }
                }
            }
        }
        for (p, n) in pair.index_pairs() {
            if p.name != n.name {
                steps.push(match flavour {
                    Flavour::Postgres | Flavour::Mysql => Step::RenameIndex {
                        table: table.clone(),
                        from: p.name.clone(),
                        to: n.name.clone(),
                    },
                    Flavour::Mariadb | Flavour::Sqlite => Step::RedefineIndex {
                        table: table.clone(),
                        name: p.name.clone(),
                    },
                });
            }
        }

        let mut changes = Vec::new();
        let pk_changed = pair.primary_key_changed(flavour);
        let prev_pk: Vec<String> = pair
            .prev
            .primary_key
            .as_ref()
            .map(|k| k.columns.clone())
            .unwrap_or_default();
        let next_pk: Vec<String> = pair
            .next
            .primary_key
            .as_ref()
            .map(|k| k.columns.clone())
            .unwrap_or_default();
        if (pair.prev.primary_key.is_some() && pair.next.primary_key.is_none()) || pk_changed {
            changes.push(TableChange::DropPrimaryKey {
                columns: prev_pk.clone(),
            });
        }
        if let (Some(p), Some(n)) = (&pair.prev.primary_key, &pair.next.primary_key) {
            if p.name != n.name {
                changes.push(TableChange::RenamePrimaryKey {
                    columns: prev_pk.clone(),
                });
            }
        }
        for c in pair.dropped_columns() {
            changes.push(TableChange::DropColumn {
                column: c.name.clone(),
            });
        }
        for c in pair.added_columns() {
            changes.push(TableChange::AddColumn {
                column: c.name.clone(),
            });
        }
        for (p, n) in pair.column_pairs() {
            let (list, tc) = column_changes(p, n, flavour);
            if list.is_empty() {
                continue;
            }
            changes.push(if tc == Some(TypeChange::NotCastable) {
                TableChange::DropAndRecreateColumn {
                    column: n.name.clone(),
                    changes: list,
                }
            } else {
                TableChange::AlterColumn {
                    column: n.name.clone(),
                    changes: list,
                }
            });
        }
        if (pair.prev.primary_key.is_none() && pair.next.primary_key.is_some()) || pk_changed {
            changes.push(TableChange::AddPrimaryKey { columns: next_pk });
        }
        if !changes.is_empty() {
            steps.push(Step::AlterTable { table, changes });
        }
    }
    for (pair, _) in pairs.iter().zip(&redefined).filter(|(_, r)| **r) {
        steps.push(Step::RedefineTable {
            name: pair.prev.name.clone(),
        });
    }

    // Enums: PostgreSQL only (MySQL's are column types).
    if flavour == Flavour::Postgres {
        for e in &from.enums {
            if let Some(n) = to.enums.iter().find(|n| n.name == e.name) {
                let added: Vec<String> = n
                    .values
                    .iter()
                    .filter(|v| !e.values.contains(v))
                    .cloned()
                    .collect();
                let removed: Vec<String> = e
                    .values
                    .iter()
                    .filter(|v| !n.values.contains(v))
                    .cloned()
                    .collect();
                if !added.is_empty() || !removed.is_empty() {
                    steps.push(Step::AlterEnum {
                        name: e.name.clone(),
                        added_variants: added,
                        removed_variants: removed,
                    });
                }
            }
        }
        for e in to
            .enums
            .iter()
            .filter(|e| !from.enums.iter().any(|p| p.name == e.name))
        {
            steps.push(Step::CreateEnum {
                name: e.name.clone(),
            });
        }
        for e in from
            .enums
            .iter()
            .filter(|e| !to.enums.iter().any(|n| n.name == e.name))
        {
            steps.push(Step::DropEnum {
                name: e.name.clone(),
            });
        }
    }

    // The engine sorts by variant, then by object ids (which follow name order here).
    steps.sort_by_key(variant_rank);
    steps
}

fn variant_rank(s: &Step) -> u8 {
    match s {
        Step::CreateEnum { .. } => 0,
        Step::AlterEnum { .. } => 1,
        Step::DropForeignKey { .. } => 2,
        Step::DropIndex { .. } => 3,
        Step::AlterTable { .. } => 4,
        Step::DropTable { .. } => 5,
        Step::DropEnum { .. } => 6,
        Step::CreateTable { .. } => 7,
        Step::RedefineTable { .. } => 8,
        Step::CreateIndex { .. } => 9,
        Step::RenameForeignKey { .. } => 10,
        Step::AddForeignKey { .. } => 11,
        Step::RenameIndex { .. } => 12,
        Step::RedefineIndex { .. } => 13,
    }
}

/// MySQL: an index whose leading columns are a foreign key's (the one the server made or
/// uses for it).
fn covers_fk(table: &Table, index: &Index) -> bool {
    table.foreign_keys.iter().any(|fk| {
        fk.columns.len() <= index.columns.len()
            && fk
                .columns
                .iter()
                .zip(&index.columns)
                .all(|(a, b)| *a == b.name)
    })
}

fn is_implicit_m2m(t: &Table) -> bool {
    t.columns.len() == 2 && t.column("A").is_some() && t.column("B").is_some()
}

/// `Some(castable)` when the type changed on PostgreSQL (tests).
#[cfg(test)]
pub(super) fn type_change_for_tests(a: &Column, b: &Column) -> Option<bool> {
    type_change(a, b, Flavour::Postgres).map(|c| c == TypeChange::Cast)
}
