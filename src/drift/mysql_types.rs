//! The schema engine's MySQL cast table (its MySQL differ's `native_type_change`), as far
//! as the drift summary shows it: a type change the engine cannot cast is "would be
//! dropped and recreated", any other (safe or risky) is "Altered column (type changed)".

/// A MySQL native type as `information_schema.COLUMNS.COLUMN_TYPE` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum My {
    BigInt,
    Int,
    MediumInt,
    SmallInt,
    TinyInt,
    UBigInt,
    UInt,
    UMediumInt,
    USmallInt,
    UTinyInt,
    Decimal(Option<(u32, u32)>),
    Float,
    Double,
    Bit(u32),
    Binary(u32),
    VarBinary(u32),
    Char(u32),
    VarChar(u32),
    TinyText,
    Text,
    MediumText,
    LongText,
    TinyBlob,
    Blob,
    MediumBlob,
    LongBlob,
    Date,
    /// Time, DateTime and Timestamp carry their fractional-second precision (0 when none).
    Time(u32),
    DateTime(u32),
    Timestamp(u32),
    Year,
    Json,
}

fn parse(column_type: &str) -> Option<My> {
    let t = column_type.trim().to_ascii_lowercase();
    let unsigned = t.contains(" unsigned");
    let (base, args) = match t.split_once('(') {
        Some((b, rest)) => (b.trim(), rest.split(')').next().unwrap_or("")),
        None => (t.split(' ').next().unwrap_or(""), ""),
    };
    let nums: Vec<u32> = args
        .split(',')
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    let first = nums.first().copied();
    let int = |signed: My, unsigned_kind: My| if unsigned { unsigned_kind } else { signed };
    Some(match base {
        "bigint" => int(My::BigInt, My::UBigInt),
        "int" | "integer" => int(My::Int, My::UInt),
        "mediumint" => int(My::MediumInt, My::UMediumInt),
        "smallint" => int(My::SmallInt, My::USmallInt),
        "tinyint" => int(My::TinyInt, My::UTinyInt),
        "decimal" | "numeric" => My::Decimal(match nums.as_slice() {
            [p, s] => Some((*p, *s)),
            [p] => Some((*p, 0)),
            _ => None,
        }),
        "float" => My::Float,
        "double" | "real" => My::Double,
        "bit" => My::Bit(first.unwrap_or(1)),
        "binary" => My::Binary(first.unwrap_or(1)),
        "varbinary" => My::VarBinary(first?),
        "char" => My::Char(first.unwrap_or(1)),
        "varchar" => My::VarChar(first?),
        "tinytext" => My::TinyText,
        "text" => My::Text,
        "mediumtext" => My::MediumText,
        "longtext" => My::LongText,
        "tinyblob" => My::TinyBlob,
        "blob" => My::Blob,
        "mediumblob" => My::MediumBlob,
        "longblob" => My::LongBlob,
        "date" => My::Date,
        "time" => My::Time(first.unwrap_or(0)),
        "datetime" => My::DateTime(first.unwrap_or(0)),
        "timestamp" => My::Timestamp(first.unwrap_or(0)),
        "year" => My::Year,
        "json" => My::Json,
        _ => return None,
    })
}

fn is_numeric(t: My) -> bool {
    use My::*;
    matches!(
        t,
        BigInt
            | Int
            | MediumInt
            | SmallInt
            | TinyInt
            | UBigInt
            | UInt
            | UMediumInt
            | USmallInt
            | UTinyInt
            | Decimal(_)
            | Float
            | Double
    )
}

fn is_temporal(t: My) -> bool {
    matches!(
        t,
        My::Date | My::Time(_) | My::DateTime(_) | My::Timestamp(_)
    )
}

/// `None`: no type change; `Some(true)`: the engine cannot cast it; `Some(false)`: it can,
/// safely or at a risk. `None` too when a side is a type the table does not know (the
/// caller decides by the spelling then).
pub(super) fn not_castable(prev: &str, next: &str, mariadb: bool) -> Option<Option<bool>> {
    use My::*;
    let a = parse(prev)?;
    let b = parse(next)?;
    // On MariaDB JSON is LONGTEXT.
    if mariadb && a == LongText && b == Json {
        return Some(None);
    }
    let same = match (a, b) {
        (Time(n), Time(m)) | (DateTime(n), DateTime(m)) | (Timestamp(n), Timestamp(m)) => n == m,
        _ => a == b,
    };
    if same {
        return Some(None);
    }
    let no = match a {
        BigInt => match b {
            Decimal(Some((n, m))) if n.saturating_sub(m) >= 20 => false,
            Decimal(_) | Date | DateTime(_) | Timestamp(_) | Json => true,
            _ => false,
        },
        Binary(_) => matches!(b, Date | DateTime(_) | Json | Timestamp(_)),
        Bit(n) => match b {
            Binary(m) => n < 8 * m,
            _ => matches!(b, Date | DateTime(_) | Time(_) | Timestamp(_) | Json),
        },
        Blob | TinyBlob | MediumBlob | LongBlob | VarBinary(_) => {
            is_numeric(b) || is_temporal(b) || matches!(b, Json | Year)
        }
        Char(_) | VarChar(_) | TinyText | Text | MediumText | LongText => false,
        Date => matches!(
            b,
            TinyInt
                | UTinyInt
                | Year
                | SmallInt
                | MediumInt
                | Time(_)
                | Timestamp(_)
                | Json
                | UMediumInt
                | USmallInt
        ),
        DateTime(_) | Timestamp(_) => match b {
            Bit(64) | BigInt | UBigInt => false,
            Bit(_) | Json | Year => true,
            _ => is_numeric(b),
        },
        Decimal(_) => matches!(b, DateTime(_) | Timestamp(_) | Date),
        Double | Float => {
            let bits = if a == Double { 64 } else { 32 };
            match b {
                Bit(n) => n < bits,
                Binary(n) | Char(n) | VarBinary(n) | VarChar(n) => n < 32,
                _ => matches!(b, Timestamp(_) | DateTime(_) | Date),
            }
        }
        Int | MediumInt => matches!(b, Date | DateTime(_) | Timestamp(_) | Time(_) | Json),
        SmallInt | TinyInt | UBigInt | UInt | UMediumInt | USmallInt | UTinyInt => {
            matches!(b, Decimal(_) | Date | DateTime(_) | Timestamp(_) | Json)
        }
        Json => {
            is_numeric(b)
                || matches!(
                    b,
                    Bit(_) | Time(_) | Date | DateTime(_) | Year | Timestamp(_)
                )
        }
        Time(_) => matches!(b, Json | Year),
        Year => matches!(
            b,
            Date | DateTime(_) | Time(_) | TinyInt | Timestamp(_) | UTinyInt
        ),
    };
    Some(Some(no))
}

/// The engine's MySQL `table_names_match`: with `lower_case_table_names = 1` the server
/// folds names to lower case, and the engine compares them without regard to ASCII case.
pub(super) fn table_names_match(a: &str, b: &str, lower_cases: bool) -> bool {
    if lower_cases {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

#[cfg(test)]
mod tests {
    use super::{not_castable, table_names_match};

    #[test]
    fn table_names_under_lower_case_table_names() {
        for (a, b, lower, same) in [
            ("User", "User", false, true),
            ("User", "user", false, false),
            ("User", "user", true, true),
            ("USER_posts", "user_POSTS", true, true),
            ("User", "Users", true, false),
            // ASCII only, as the engine folds.
            ("Ärger", "ärger", true, false),
        ] {
            assert_eq!(table_names_match(a, b, lower), same, "{a} {b} {lower}");
        }
    }

    // Two schemas whose tables differ only in case: one table under the setting, an added
    // and a removed one without it.
    #[test]
    fn the_diff_follows_the_setting() {
        use crate::drift::{diff, Flavour, Schema, Table};
        let schema = |name: &str, lower: bool| Schema {
            tables: vec![Table {
                name: name.to_owned(),
                columns: Vec::new(),
                primary_key: None,
                indexes: Vec::new(),
                foreign_keys: Vec::new(),
            }],
            enums: Vec::new(),
            lower_cases_table_names: lower,
        };
        assert!(diff(
            &schema("User", true),
            &schema("user", true),
            Flavour::Mariadb
        )
        .is_empty());
        assert_eq!(
            diff(
                &schema("User", false),
                &schema("user", false),
                Flavour::Mysql
            )
            .len(),
            2
        );
        // PostgreSQL names are never folded this way.
        assert_eq!(
            diff(
                &schema("User", true),
                &schema("user", true),
                Flavour::Postgres
            )
            .len(),
            2
        );
    }

    // Rows of the engine's table: (from, to, expected) with None no change, Some(true)
    // "dropped and recreated", Some(false) "type changed".
    #[test]
    fn the_engines_mysql_cast_table() {
        for (a, b, want) in [
            ("int(11)", "int", None),
            ("int", "bigint", Some(false)),
            ("bigint", "int", Some(false)),
            ("int", "datetime(3)", Some(true)),
            ("int", "json", Some(true)),
            ("int(10) unsigned", "int", Some(false)),
            ("int unsigned", "decimal(10,2)", Some(true)),
            ("bigint", "decimal(30,2)", Some(false)),
            ("bigint", "decimal(10,2)", Some(true)),
            ("varchar(191)", "varchar(191)", None),
            ("varchar(191)", "varchar(255)", Some(false)),
            ("varchar(191)", "int", Some(false)),
            ("varchar(191)", "datetime(3)", Some(false)),
            ("text", "int", Some(false)),
            ("blob", "int", Some(true)),
            ("varbinary(16)", "datetime", Some(true)),
            ("datetime(3)", "datetime(3)", None),
            ("datetime", "datetime(0)", None),
            ("datetime(3)", "datetime(6)", Some(false)),
            ("datetime(3)", "int", Some(true)),
            ("datetime(3)", "bigint", Some(false)),
            ("datetime(3)", "varchar(191)", Some(false)),
            ("timestamp(3)", "year", Some(true)),
            ("date", "time", Some(true)),
            ("date", "datetime(3)", Some(false)),
            ("decimal(65,30)", "decimal(10,2)", Some(false)),
            ("decimal(10,2)", "date", Some(true)),
            ("double", "varchar(16)", Some(true)),
            ("double", "varchar(64)", Some(false)),
            ("float", "bit(16)", Some(true)),
            ("double", "bit(64)", Some(false)),
            ("bit(8)", "binary(1)", Some(false)),
            ("bit(7)", "binary(1)", Some(true)),
            ("json", "int", Some(true)),
            ("json", "longtext", Some(false)),
            ("year", "tinyint", Some(true)),
            ("time", "json", Some(true)),
            ("tinyint(1)", "decimal(3,0)", Some(true)),
            ("smallint", "int", Some(false)),
        ] {
            assert_eq!(
                not_castable(a, b, false),
                Some(want),
                "{a} -> {b}: {:?}",
                not_castable(a, b, false)
            );
        }
        assert_eq!(not_castable("longtext", "json", true), Some(None));
        assert_eq!(not_castable("longtext", "json", false), Some(Some(false)));
        assert_eq!(not_castable("geometry", "int", false), None);
    }
}
