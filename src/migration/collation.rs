//! Ordering of migration folders as Prisma ≥ 6.6 sorts them: JavaScript
//! `localeCompare`, i.e. ICU root collation (§3.2 step 5), not byte order.
//!
//! This implements the part of the root collation that migration names use: ASCII
//! punctuation and symbols in ICU's order, then digits, then letters compared without case
//! first (lowercase before uppercase as a tie-break); other characters follow by code point.

use std::cmp::Ordering;

/// ICU root order of ASCII punctuation and symbols (all sort before digits).
const PUNCTUATION: &str = "\t\n\u{b}\u{c}\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$";

fn primary(c: char) -> (u8, u32) {
    if let Some(i) = PUNCTUATION.find(c) {
        // find() returns a byte index; all entries are single-byte.
        (0, i as u32)
    } else if c.is_ascii_digit() {
        (1, c as u32)
    } else if c.is_ascii_alphabetic() {
        (2, c.to_ascii_lowercase() as u32)
    } else if c.is_control() {
        (0, 0)
    } else {
        (3, c.to_lowercase().next().unwrap_or(c) as u32)
    }
}

/// Tertiary weight: lowercase before uppercase.
fn tertiary(c: char) -> u8 {
    u8::from(c.is_uppercase())
}

/// A precomputed collation key: comparing keys bytewise orders names as `locale_compare`
/// does (with the name itself as the last tie-break), at one pass per name instead of one
/// per comparison. Each character's primary weight takes 2 bytes (5 beyond ASCII), then one
/// tertiary byte per character.
pub fn sort_key(s: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(s.len() * 3 + 1);
    for c in s.chars() {
        let (class, value) = primary(c);
        // Classes start at 1: 0 ends the primary part, so that a prefix sorts first.
        key.push(class + 1);
        match class {
            // ASCII weights fit in a byte; other characters take four.
            0..=2 => key.push(u8::try_from(value).unwrap_or(u8::MAX)),
            _ => key.extend_from_slice(&value.to_be_bytes()),
        }
    }
    key.push(0);
    key.extend(s.chars().map(tertiary));
    key
}

pub fn locale_compare(a: &str, b: &str) -> Ordering {
    let pa = a.chars().map(primary);
    let pb = b.chars().map(primary);
    pa.cmp(pb)
        .then_with(|| a.chars().map(tertiary).cmp(b.chars().map(tertiary)))
        .then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut v: Vec<&str>) -> Vec<&str> {
        let mut by_key = v.clone();
        v.sort_by(|a, b| locale_compare(a, b));
        by_key.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)).then_with(|| a.cmp(b)));
        assert_eq!(v, by_key, "keys order as the comparison does");
        v
    }

    // §3.2: `…_add_user` sorts before `…_add1` under ICU, after it bytewise.
    #[test]
    fn underscore_sorts_before_digits() {
        let v = sorted(vec!["20240101000000_add1", "20240101000000_add_user"]);
        assert_eq!(v, ["20240101000000_add_user", "20240101000000_add1"]);
        // prismig's order, not byte order (where `1` < `_`)
        assert_eq!(
            locale_compare("20240101000000_add_user", "20240101000000_add1"),
            Ordering::Less
        );
        assert_eq!(
            locale_compare("20240101000000_add1", "20240101000000_add_user"),
            Ordering::Greater
        );
    }

    #[test]
    fn prefixes_sort_first() {
        assert_eq!(sorted(vec!["a_", "a", "ab", "a1"]), ["a", "a_", "a1", "ab"]);
        assert_eq!(
            sorted(vec!["20240101000000_x_y", "20240101000000_x"]),
            ["20240101000000_x", "20240101000000_x_y"]
        );
        assert_eq!(sorted(vec!["éa", "e", "ea", "z"]), ["e", "ea", "z", "éa"]);
    }

    #[test]
    fn case_insensitive_with_lowercase_first() {
        assert_eq!(
            sorted(vec!["Init", "init", "B", "a"]),
            ["a", "B", "init", "Init"]
        );
    }

    #[test]
    fn dash_after_underscore_and_digits_before_letters() {
        assert_eq!(
            sorted(vec!["a1", "a-", "a_", "ab"]),
            ["a_", "a-", "a1", "ab"]
        );
    }

    #[test]
    fn timestamps_order_as_numbers_of_equal_width() {
        assert_eq!(
            sorted(vec![
                "20240102000000_b",
                "20240101000000_z",
                "20231231235959_a"
            ]),
            ["20231231235959_a", "20240101000000_z", "20240102000000_b"]
        );
    }

    // One row per rule of the ICU root order (§3.2 step 5) that migration names meet; each
    // pair is (earlier, later), checked by the comparison and by the keys.
    #[test]
    fn root_collation_rules() {
        for (earlier, later, rule) in [
            ("a", "a_", "a prefix sorts first"),
            ("a_", "a-", "punctuation in ICU's order: `_` before `-`"),
            ("a-", "a,", "`-` before `,`"),
            ("a ", "a_", "space before `_`"),
            ("a~", "a$", "`$` is the last ASCII symbol"),
            ("a$", "a0", "punctuation and symbols before digits"),
            ("a0", "a9", "digits by value"),
            ("a9", "aa", "digits before letters"),
            ("ab", "aC", "letters without case first"),
            ("aC", "ad", "letters without case first"),
            ("ab", "aB", "lowercase before uppercase as the tie-break"),
            ("A", "a\t", "primary difference beats a case difference"),
            ("ab", "Ac", "primary difference beats a case difference"),
            ("az", "aé", "beyond ASCII: after the ASCII letters"),
            ("aé", "aÉ", "beyond ASCII: lowercase first"),
            ("aÉa", "aéb", "beyond ASCII: compared without case"),
            ("aé", "aż", "beyond ASCII: by code point"),
        ] {
            assert_eq!(
                locale_compare(earlier, later),
                Ordering::Less,
                "{earlier:?} < {later:?}: {rule}"
            );
            assert_eq!(
                locale_compare(later, earlier),
                Ordering::Greater,
                "{later:?} > {earlier:?}: {rule}"
            );
            assert!(
                sort_key(earlier) < sort_key(later),
                "keys {earlier:?} < {later:?}: {rule}"
            );
        }
        assert_eq!(locale_compare("init", "init"), Ordering::Equal);
    }

    // The keys stay compact (BENCHMARKS.md: status at N = 10 000 holds one per folder): two
    // bytes per ASCII character, five beyond, one end byte, one tertiary byte per character.
    #[test]
    fn keys_are_compact() {
        assert_eq!(sort_key(""), [0]);
        assert_eq!(sort_key("a_1").len(), 3 * 2 + 1 + 3);
        assert_eq!(sort_key("é").len(), 5 + 1 + 1);
        assert_eq!(sort_key("Ab"), [3, b'a', 3, b'b', 0, 1, 0]);
    }

    // ICU root order of the ASCII punctuation and symbols (CLDR root collation: white
    // space, then punctuation, then symbols, currency last), written out here rather than
    // read from the constant, so that a character moved or dropped there fails.
    #[test]
    fn ascii_punctuation_in_icu_order() {
        let order = [
            '\t', '\n', '\u{b}', '\u{c}', '\r', ' ', '_', '-', ',', ';', ':', '!', '?', '.', '\'',
            '"', '(', ')', '[', ']', '{', '}', '@', '*', '/', '\\', '&', '#', '%', '`', '^', '+',
            '<', '=', '>', '|', '~', '$',
        ];
        for pair in order.windows(2) {
            let (a, b) = (format!("m{}", pair[0]), format!("m{}", pair[1]));
            assert_eq!(locale_compare(&a, &b), Ordering::Less, "{a:?} < {b:?}");
            assert!(sort_key(&a) < sort_key(&b), "keys {a:?} < {b:?}");
        }
        assert_eq!(
            locale_compare("m$", "m0"),
            Ordering::Less,
            "symbols before digits"
        );
    }
}
