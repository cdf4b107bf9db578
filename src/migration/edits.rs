//! How an applied migration's file changed since it was applied. The database keeps only a
//! checksum, so the applied text is looked for in the file's git history (the newest
//! version whose checksum matches), then compared line by line with the file on disk.

use super::checksum::script_matches_checksum;
use similar::{ChangeTag, TextDiff};
use std::path::Path;
use std::process::Command;

/// How many commits of one file are searched, newest first.
const MAX_VERSIONS: usize = 200;
/// How many changed lines a summary shows.
const MAX_LINES: usize = 8;

/// What differs between the applied script and the file now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditSummary {
    /// `<short hash> <date>` of the commit holding the applied text, when git has it.
    pub applied_version: Option<String>,
    pub lines_added: usize,
    pub lines_removed: usize,
    /// Only whitespace or only `--` comments changed: the database saw the same statements.
    pub cosmetic: Option<&'static str>,
    /// Up to eight changed lines, `+ …` or `- …`.
    pub excerpt: Vec<String>,
}

impl EditSummary {
    /// The summary as lines for a report.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        match &self.applied_version {
            Some(v) => out.push(format!(
                "applied text found in git at {v}; since then +{} -{} line(s){}",
                self.lines_added,
                self.lines_removed,
                self.cosmetic.map(|c| format!(", {c} only")).unwrap_or_default()
            )),
            None => out.push(
                "the applied text is not in this checkout's git history, so the change cannot be shown"
                    .to_owned(),
            ),
        }
        out.extend(self.excerpt.iter().cloned());
        out
    }
}

/// Compares `applied` with `current`.
pub fn summarize(applied: &str, current: &str, version: Option<String>) -> EditSummary {
    let diff = TextDiff::from_lines(applied, current);
    let (mut added, mut removed, mut excerpt) = (0, 0, Vec::new());
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            ChangeTag::Equal => continue,
            ChangeTag::Insert => {
                added += 1;
                '+'
            }
            ChangeTag::Delete => {
                removed += 1;
                '-'
            }
        };
        if excerpt.len() < MAX_LINES {
            let line = change.value().trim_end_matches(['\n', '\r']);
            let line: String = line.chars().take(120).collect();
            excerpt.push(format!("{sign} {line}"));
        }
    }
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    let code = |s: &str| {
        s.lines()
            .map(|l| l.split_once("--").map_or(l, |(code, _)| code))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let cosmetic = if squeeze(applied) == squeeze(current) {
        Some("whitespace")
    } else if squeeze(&code(applied)) == squeeze(&code(current)) {
        Some("comments")
    } else {
        None
    };
    EditSummary {
        applied_version: version,
        lines_added: added,
        lines_removed: removed,
        cosmetic,
        excerpt,
    }
}

/// The newest committed version of `file` whose checksum is `stored`: `(<hash> <date>,
/// text)`. `None` when git is missing, the file is not tracked, or no version matches.
pub fn applied_version(file: &Path, stored: &str) -> Option<(String, String)> {
    let dir = file.parent()?;
    let name = file.file_name()?.to_str()?;
    let log = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["log", "--format=%h %cs", "-n"])
        .arg(MAX_VERSIONS.to_string())
        .args(["--", name])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let log = String::from_utf8_lossy(&log.stdout).into_owned();
    for line in log.lines() {
        let hash = line.split(' ').next()?;
        let shown = Command::new("git")
            .arg("-C")
            .arg(dir)
            .arg("show")
            .arg(format!("{hash}:./{name}"))
            .output()
            .ok()
            .filter(|o| o.status.success());
        let Some(shown) = shown else { continue };
        let text = String::from_utf8_lossy(&shown.stdout).into_owned();
        if script_matches_checksum(&text, stored) {
            return Some((line.to_owned(), text));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_shows_changed_lines() {
        let s = summarize(
            "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n",
            "CREATE TABLE a (id int);\nCREATE TABLE b (id bigint);\nCREATE TABLE c (id int);\n",
            Some("abc1234 2024-01-01".into()),
        );
        assert_eq!((s.lines_added, s.lines_removed), (2, 1));
        assert_eq!(s.cosmetic, None);
        assert_eq!(
            s.excerpt,
            [
                "- CREATE TABLE b (id int);",
                "+ CREATE TABLE b (id bigint);",
                "+ CREATE TABLE c (id int);"
            ]
        );
        assert!(s.lines()[0].contains("abc1234 2024-01-01; since then +2 -1"));
    }

    #[test]
    fn cosmetic_changes_are_named() {
        let a = "CREATE TABLE a (id int);\n";
        assert_eq!(
            summarize(a, "CREATE TABLE a  (id int);\n\n", None).cosmetic,
            Some("whitespace")
        );
        assert_eq!(
            summarize(a, "-- why\nCREATE TABLE a (id int); -- note\n", None).cosmetic,
            Some("comments")
        );
        assert!(summarize(a, "x", None).lines()[0].contains("not in this checkout's git history"));
    }
}
