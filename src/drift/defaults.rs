//! How the schema engine compares literal defaults where text comparison would be wrong:
//! numbers by value (its `BigDecimal`), JSON by parsed value, and date/time literals not
//! at all ("can't diff these in at present", its differ says).

/// `s` as a decimal number in one canonical spelling (sign, digits without leading or
/// trailing zeros, exponent), so that `1.5`, `1.50`, `+01.5` and `15e-1` are one value.
/// `None` when `s` is not a decimal number.
pub(super) fn canonical_decimal(s: &str) -> Option<(bool, String, i64)> {
    let s = s.trim();
    let (negative, s) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i64>().ok()?),
        None => (s, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{int}{frac}");
    let mut exp = exponent - i64::try_from(frac.len()).ok()?;
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() {
        return Some((false, "0".to_owned(), 0));
    }
    let without_trailing = trimmed.trim_end_matches('0');
    exp += i64::try_from(trimmed.len() - without_trailing.len()).ok()?;
    Some((negative, without_trailing.to_owned(), exp))
}

/// Two numeric defaults as the engine compares them: by value; by text when either is
/// not a plain number (`NaN`, `Infinity`).
pub(super) fn numbers_match(a: &str, b: &str) -> bool {
    match (canonical_decimal(a), canonical_decimal(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Two JSON defaults as the engine compares them: parsed; when either does not parse,
/// they match (its `json_defaults_match`).
pub(super) fn json_match(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => true,
    }
}

/// A JSON column (PostgreSQL `json`/`jsonb`, SQLite `JSON`); MySQL's JSON defaults are
/// ignored altogether.
pub(super) fn is_json_type(data_type: &str) -> bool {
    let t = data_type.trim().to_ascii_lowercase();
    t == "json" || t == "jsonb"
}

/// A date or time column, whose literal defaults the engine reads as date-time values
/// and does not compare.
pub(super) fn is_datetime_type(data_type: &str) -> bool {
    let t = data_type.trim().to_ascii_lowercase();
    t.starts_with("timestamp") || t.starts_with("date") || t.starts_with("time")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_by_value() {
        for (a, b, same) in [
            ("1.5", "1.50", true),
            ("1.5", "+01.5", true),
            ("15e-1", "1.5", true),
            ("1", "1.0", true),
            ("0", "-0.00", true),
            ("100", "1e2", true),
            ("-2.5", "-2.50", true),
            ("1.5", "1.05", false),
            ("-1.5", "1.5", false),
            ("10", "1", false),
            (
                "123456789012345678901234567890.1",
                "123456789012345678901234567890.10",
                true,
            ),
            (
                "123456789012345678901234567890.1",
                "123456789012345678901234567890.2",
                false,
            ),
            ("NaN", "NaN", true),
            ("NaN", "1", false),
        ] {
            assert_eq!(numbers_match(a, b), same, "{a} {b}");
        }
        assert_eq!(canonical_decimal("."), None);
        assert_eq!(canonical_decimal("1.2.3"), None);
        assert_eq!(canonical_decimal("0x10"), None);
    }

    #[test]
    fn json_compares_parsed() {
        assert!(json_match(r#"{"a": 1, "b": [2]}"#, r#"{"b":[2],"a":1}"#));
        assert!(!json_match(r#"{"a": 1}"#, r#"{"a": 2}"#));
        assert!(!json_match("[]", "{}"));
        // Unparseable: the engine takes them as matching.
        assert!(json_match("{", "{}"));
    }

    #[test]
    fn types() {
        for (t, json, datetime) in [
            ("jsonb", true, false),
            ("JSON", true, false),
            ("text", false, false),
            ("timestamp(3) without time zone", false, true),
            ("time with time zone", false, true),
            ("date", false, true),
            ("datetime(3)", false, true),
            ("DATETIME", false, true),
            ("integer", false, false),
        ] {
            assert_eq!(
                (is_json_type(t), is_datetime_type(t)),
                (json, datetime),
                "{t}"
            );
        }
    }
}
