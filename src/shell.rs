//! Commands printed for a person to paste: every argument safe for a POSIX shell.

/// `s` as one shell word: unchanged when it holds only characters no shell treats
/// specially, else in single quotes, an embedded `'` written as `'\''`.
pub fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./:=@%+,".contains(&b));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quotes_what_a_shell_would_read() {
        assert_eq!(quote("20240101000000_init"), "20240101000000_init");
        assert_eq!(quote("prisma/schema.prisma"), "prisma/schema.prisma");
        assert_eq!(quote("my dir/x"), "'my dir/x'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("$(rm -rf ~)"), "'$(rm -rf ~)'");
        assert_eq!(quote("a`b`"), "'a`b`'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("-x;y"), "'-x;y'");
    }

    // What the shell reads back is the original string.
    #[test]
    fn round_trips_through_sh() {
        for s in [
            "it's",
            "a b\tc",
            "$HOME",
            "\\n",
            "'",
            "''",
            "x\"y",
            "ümlaut name",
        ] {
            let out = std::process::Command::new("sh")
                .args(["-c", &format!("printf %s {}", quote(s))])
                .output()
                .unwrap();
            assert_eq!(String::from_utf8(out.stdout).unwrap(), s);
        }
    }
}
