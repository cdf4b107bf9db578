//! Commands printed for the user to paste: every argument quoted for a POSIX shell, and
//! the way this run found its project (`--schema`, `--config`, the URL's variable) kept,
//! so that the pasted command acts on the same project and database.

/// `arg` as one POSIX shell word: left bare when it holds only characters no shell
/// treats specially, else in single quotes, with each `'` written `'\''`.
pub fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./:=@%+,".contains(&b));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// How the command being run found its project; the printed commands repeat it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invocation {
    /// `--schema` as typed.
    pub schema: Option<String>,
    /// `--config` as typed.
    pub config: Option<String>,
    /// With `--url`, the variable named in the printed commands instead of the URL, which
    /// may hold a password (the datasource's variable, else `DATABASE_URL`).
    pub url_var: Option<String>,
}

impl Invocation {
    /// `prismig <args…>` with the project options of this run, each argument quoted.
    pub fn prismig(&self, args: &[&str]) -> String {
        let mut words: Vec<String> = vec!["prismig".to_owned()];
        words.extend(args.iter().map(|a| quote(a)));
        if let Some(s) = &self.schema {
            words.push("--schema".to_owned());
            words.push(quote(s));
        }
        if let Some(c) = &self.config {
            words.push("--config".to_owned());
            words.push(quote(c));
        }
        if let Some(var) = &self.url_var {
            words.push("--url".to_owned());
            // A variable name is a word of [A-Za-z0-9_]; anything else is not expanded.
            if !var.is_empty() && var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                words.push(format!("\"${var}\""));
            } else {
                words.push("\"$DATABASE_URL\"".to_owned());
            }
        }
        words.join(" ")
    }
}

/// A command of another tool (`git …`), each argument quoted.
pub fn command(args: &[&str]) -> String {
    args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// What `sh` makes of `line`: the words `printf` receives.
    fn words(line: &str) -> Vec<String> {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("printf '%s\\0' {line}"))
            .output()
            .expect("sh runs");
        assert!(out.status.success(), "{line}: {out:?}");
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .split_terminator('\0')
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn quoting_survives_the_shell() {
        let hostile = [
            "20240101000000_q'$(touch${IFS}PWNED)'",
            "a b",
            "it's",
            "''",
            "$HOME",
            "`id`",
            "line\nbreak",
            "back\\slash",
            "-rf",
            "*",
            "; rm -rf /",
            "",
            "é",
        ];
        for arg in hostile {
            assert_eq!(words(&quote(arg)), [arg], "{arg:?} -> {}", quote(arg));
        }
        assert_eq!(quote("20240101000000_init"), "20240101000000_init");
        assert_eq!(quote("prisma/migrations"), "prisma/migrations");
        assert_eq!(quote("it's"), r"'it'\''s'");
        let cmd = command(&["git", "log", "--", "m/x'$(id)'"]);
        assert_eq!(words(&cmd), ["git", "log", "--", "m/x'$(id)'"]);
    }

    #[test]
    fn the_project_options_are_kept_and_the_url_is_a_variable() {
        let inv = Invocation {
            schema: Some("db/my schema.prisma".into()),
            config: Some("cfg/prisma.config.ts".into()),
            url_var: Some("DIRECT_URL".into()),
        };
        let line = inv.prismig(&["migrate", "resolve", "--applied", "1_a'b"]);
        assert_eq!(
            line,
            r#"prismig migrate resolve --applied '1_a'\''b' --schema 'db/my schema.prisma' --config cfg/prisma.config.ts --url "$DIRECT_URL""#
        );
        assert_eq!(Invocation::default().prismig(&["fix"]), "prismig fix");
        let odd = Invocation {
            url_var: Some("$(id)".into()),
            ..Invocation::default()
        };
        assert!(odd.prismig(&["fix"]).ends_with(r#"--url "$DATABASE_URL""#));
    }
}
