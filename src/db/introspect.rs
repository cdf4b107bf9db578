//! Catalog queries into `drift::Schema`, per provider, and the default-expression
//! classification they share (the engine's `DefaultKind`: literal values, `now()`,
//! sequences, everything else as a database expression).

use crate::drift::{DefaultKind, PrismaValue};

/// How a column's type reads a literal default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    Int,
    BigInt,
    Float,
    Boolean,
    String,
    Enum,
    Other,
}

/// Undoes SQL quoting of `'it''s'`; `None` when `s` is not one quoted literal.
pub(super) fn unquote(s: &str) -> Option<String> {
    let inner = s.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
            } else {
                return None;
            }
        } else if c == '\\' {
            // MySQL escapes in COLUMN_DEFAULT.
            match chars.next() {
                Some(n) => out.push(n),
                None => out.push('\\'),
            }
            continue;
        }
        out.push(c);
    }
    Some(out)
}

/// Classifies a literal (already without casts) for a column of `family`.
pub(super) fn literal(text: &str, family: Family) -> Option<DefaultKind> {
    let t = text.trim();
    let value = |v| Some(DefaultKind::Value(v));
    if let Some(s) = unquote(t) {
        return match family {
            Family::Enum => value(PrismaValue::Enum(s)),
            Family::Int => s.parse().ok().and_then(|i| value(PrismaValue::Int(i))),
            Family::BigInt => s.parse().ok().and_then(|i| value(PrismaValue::BigInt(i))),
            Family::Float => value(PrismaValue::Float(s)),
            Family::Boolean => match s.to_ascii_lowercase().as_str() {
                "true" | "t" | "1" => value(PrismaValue::Boolean(true)),
                "false" | "f" | "0" => value(PrismaValue::Boolean(false)),
                _ => None,
            },
            Family::String | Family::Other => value(PrismaValue::String(s)),
        };
    }
    let unparen = t.trim_start_matches('(').trim_end_matches(')');
    match family {
        Family::Int => unparen
            .parse()
            .ok()
            .and_then(|i| value(PrismaValue::Int(i))),
        Family::BigInt => unparen
            .parse()
            .ok()
            .and_then(|i| value(PrismaValue::BigInt(i))),
        Family::Float if unparen.parse::<f64>().is_ok() => {
            value(PrismaValue::Float(unparen.to_owned()))
        }
        Family::Boolean => match unparen.to_ascii_lowercase().as_str() {
            "true" | "1" => value(PrismaValue::Boolean(true)),
            "false" | "0" => value(PrismaValue::Boolean(false)),
            _ => None,
        },
        _ => None,
    }
}

/// `now()`, `CURRENT_TIMESTAMP` and their precision forms.
pub(super) fn is_now(expr: &str) -> bool {
    let e = expr.trim().to_ascii_lowercase();
    e == "now()"
        || e == "current_timestamp"
        || (e.starts_with("current_timestamp(") && e.ends_with(')'))
}

/// Anything else: the expression as the server shows it.
pub(super) fn generated(expr: &str) -> DefaultKind {
    DefaultKind::DbGenerated(Some(expr.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_follow_the_column_family() {
        let v = |t, f| literal(t, f);
        assert_eq!(
            v("0", Family::Int),
            Some(DefaultKind::Value(PrismaValue::Int(0)))
        );
        assert_eq!(
            v("(-1)", Family::Int),
            Some(DefaultKind::Value(PrismaValue::Int(-1)))
        );
        assert_eq!(
            v("'it''s'", Family::String),
            Some(DefaultKind::Value(PrismaValue::String("it's".to_owned())))
        );
        assert_eq!(
            v("'USER'", Family::Enum),
            Some(DefaultKind::Value(PrismaValue::Enum("USER".to_owned())))
        );
        assert_eq!(
            v("true", Family::Boolean),
            Some(DefaultKind::Value(PrismaValue::Boolean(true)))
        );
        assert_eq!(v("gen_random_uuid()", Family::String), None);
        assert!(is_now("CURRENT_TIMESTAMP(3)") && is_now("now()") && !is_now("today()"));
    }
}
