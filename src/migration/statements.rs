//! A PostgreSQL statement splitter, for migrations that must run statement by statement
//! (`CREATE INDEX CONCURRENTLY` and friends cannot run in the implicit transaction of a
//! multi-statement query). It follows PostgreSQL's lexer where a `;` can hide: `--` and
//! nested `/* */` comments, standard, `E''` and `U&''` strings, quoted identifiers, dollar
//! quoting, and SQL-standard `BEGIN ATOMIC … END` bodies. Pure; fuzzed in the tests.

/// One statement: its text (with its leading comments and its `;`) and byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statement<'a> {
    pub text: &'a str,
    pub start: usize,
}

/// Why a migration runs statement by statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitReason {
    /// The first line is `-- prismig:no-transaction`.
    Directive,
    /// A statement cannot run inside a transaction block (named).
    Statement(String),
}

/// The file's first-line directive that forces statement-by-statement execution.
pub const NO_TRANSACTION_DIRECTIVE: &str = "-- prismig:no-transaction";

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident_char(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit() || c == b'$'
}

/// The end (exclusive) of a dollar-quote opening tag at `i` (`$tag$` or `$$`), if one is.
fn dollar_tag_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    if j < b.len() && b[j] == b'$' {
        return Some(j + 1);
    }
    if j < b.len() && is_ident_start(b[j]) {
        j += 1;
        while j < b.len() && (is_ident_start(b[j]) || b[j].is_ascii_digit()) {
            j += 1;
        }
        if j < b.len() && b[j] == b'$' {
            return Some(j + 1);
        }
    }
    None
}

/// The end (exclusive) of the string or quoted name opening at `i` (`'` or `"`): a doubled
/// quote stays inside, `E'…'` also takes backslash escapes, and one left open runs to the end.
fn quoted_end(b: &[u8], i: usize) -> usize {
    let quote = b[i];
    // E'…' allows backslash escapes; the E must start a token.
    let escapes = quote == b'\''
        && i >= 1
        && (b[i - 1] == b'E' || b[i - 1] == b'e')
        && (i < 2 || !is_ident_char(b[i - 2]));
    let mut j = i + 1;
    while j < b.len() {
        if escapes && b[j] == b'\\' {
            j += 2;
        } else if b[j] == quote {
            if b.get(j + 1) == Some(&quote) {
                j += 2;
            } else {
                return j + 1;
            }
        } else {
            j += 1;
        }
    }
    b.len()
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack[from.min(haystack.len())..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Splits `script` into statements. Concatenating the texts (with the whitespace between
/// them) gives the script back; fragments holding only whitespace and comments are left out.
pub fn split(script: &str) -> Vec<Statement<'_>> {
    scan(script, &mut Vec::new())
}

/// The byte ranges of `script` that are comments (`--` to the end of the line, nested
/// `/* */`), as the splitter sees them: never inside a string, quoted identifier or
/// dollar-quoted body.
pub fn comment_spans(script: &str) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    scan(script, &mut spans);
    spans
}

fn scan<'a>(script: &'a str, comments: &mut Vec<std::ops::Range<usize>>) -> Vec<Statement<'a>> {
    let b = script.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut prev_word = String::new();
    let mut atomic_depth: usize = 0;
    let mut has_code = false;
    fn push<'a>(
        out: &mut Vec<Statement<'a>>,
        script: &'a str,
        from: usize,
        to: usize,
        has_code: bool,
    ) {
        if has_code {
            out.push(Statement {
                text: &script[from..to],
                start: from,
            });
        }
    }
    while i < b.len() {
        let c = b[i];
        match c {
            b'-' if b.get(i + 1) == Some(&b'-') => {
                let from = i;
                i = find(b, i, b"\n").map_or(b.len(), |n| n + 1);
                comments.push(from..i);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let from = i;
                let mut depth = 1;
                i += 2;
                while i < b.len() && depth > 0 {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
                comments.push(from..i.min(b.len()));
            }
            b'\'' | b'"' => {
                has_code = true;
                i = quoted_end(b, i);
                prev_word.clear();
            }
            b'$' if (i == 0 || !is_ident_char(b[i - 1])) && dollar_tag_end(b, i).is_some() => {
                has_code = true;
                let tag_end = dollar_tag_end(b, i).unwrap_or(i + 1);
                let tag = &b[i..tag_end];
                i = find(b, tag_end, tag).map_or(b.len(), |p| p + tag.len());
                prev_word.clear();
            }
            b';' if atomic_depth == 0 => {
                push(&mut out, script, start, i + 1, has_code);
                i += 1;
                start = i;
                has_code = false;
                prev_word.clear();
            }
            c if is_ident_start(c) => {
                has_code = true;
                let from = i;
                while i < b.len() && is_ident_char(b[i]) {
                    i += 1;
                }
                let word = script[from..i].to_ascii_uppercase();
                // BEGIN ATOMIC opens a body; inside it CASE … END nests.
                if (word == "ATOMIC" && prev_word == "BEGIN")
                    || (atomic_depth > 0 && word == "CASE")
                {
                    atomic_depth += 1;
                } else if atomic_depth > 0 && word == "END" {
                    atomic_depth -= 1;
                }
                prev_word = word;
            }
            c => {
                if !c.is_ascii_whitespace() {
                    has_code = true;
                    prev_word.clear();
                }
                i += 1;
            }
        }
    }
    push(&mut out, script, start, b.len(), has_code);
    out
}

/// The statement's leading words, upper-cased, comments and option lists skipped; a quoted
/// name or a string is one word as written, so it never reads as a keyword.
fn words(statement: &str, n: usize) -> Vec<String> {
    let b = statement.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() && out.len() < n {
        if b[i] == b'-' && b.get(i + 1) == Some(&b'-') {
            i = find(b, i, b"\n").map_or(b.len(), |p| p + 1);
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            i = find(b, i + 2, b"*/").map_or(b.len(), |p| p + 2);
        } else if is_ident_start(b[i]) {
            let from = i;
            while i < b.len() && is_ident_char(b[i]) {
                i += 1;
            }
            out.push(statement[from..i].to_ascii_uppercase());
        } else if b[i] == b'"' || b[i] == b'\'' {
            // A quoted name or a string is one word that is never a keyword: `CREATE INDEX
            // "concurrently" ON t (a)` names an index and builds it in the transaction.
            let from = i;
            i = quoted_end(b, i);
            out.push(statement[from..i].to_owned());
        } else if b[i] == b'(' {
            // REINDEX (VERBOSE) …: options in parentheses.
            i = find(b, i, b")").map_or(b.len(), |p| p + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// The name of what makes `statement` refuse a transaction block, if anything
/// (`alter_type_add_value`: whether `ALTER TYPE … ADD VALUE` counts, i.e. PostgreSQL < 12).
pub fn needs_no_transaction(statement: &str, alter_type_add_value: bool) -> Option<&'static str> {
    let w = words(statement, 6);
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    match w.as_slice() {
        ["CREATE", "INDEX", "CONCURRENTLY", ..]
        | ["CREATE", "UNIQUE", "INDEX", "CONCURRENTLY", ..] => Some("CREATE INDEX CONCURRENTLY"),
        ["DROP", "INDEX", "CONCURRENTLY", ..] => Some("DROP INDEX CONCURRENTLY"),
        ["REINDEX", _, "CONCURRENTLY", ..] => Some("REINDEX CONCURRENTLY"),
        ["VACUUM", ..] => Some("VACUUM"),
        ["CREATE", "DATABASE", ..] => Some("CREATE DATABASE"),
        ["DROP", "DATABASE", ..] => Some("DROP DATABASE"),
        ["ALTER", "SYSTEM", ..] => Some("ALTER SYSTEM"),
        ["CREATE", "TABLESPACE", ..] => Some("CREATE TABLESPACE"),
        ["DROP", "TABLESPACE", ..] => Some("DROP TABLESPACE"),
        ["ALTER", "TYPE", ..] if alter_type_add_value => {
            let all = words(statement, 12);
            all.windows(2)
                .any(|p| p[0] == "ADD" && p[1] == "VALUE")
                .then_some("ALTER TYPE … ADD VALUE")
        }
        _ => None,
    }
}

/// Whether a statement opens, ends or marks a transaction, or may (a lone `CALL` or `DO`
/// can commit inside a procedure). A file without any runs as exactly one transaction on
/// PostgreSQL, so a failure or a cancel leaves nothing of it.
pub fn controls_transaction(statements: &[Statement<'_>]) -> bool {
    let lone = statements.len() == 1;
    statements.iter().any(|s| {
        let w = words(s.text, 2);
        match w.first().map(String::as_str) {
            Some("BEGIN" | "COMMIT" | "END" | "ROLLBACK" | "ABORT" | "SAVEPOINT" | "RELEASE") => {
                true
            }
            Some("START") => w.get(1).is_some_and(|x| x == "TRANSACTION"),
            Some("PREPARE") => w.get(1).is_some_and(|x| x == "TRANSACTION"),
            Some("CALL" | "DO") => lone,
            _ => false,
        }
    })
}

/// Whether the file means the same inside an explicit transaction block that prismig
/// opens (`BEGIN`, the file as one query, the history row, `COMMIT`) as in the implicit
/// one PostgreSQL gives a query (Prisma's way). Then the script and its history row
/// commit together, and no crash can leave one without the other.
///
/// PostgreSQL runs a query of several statements as one implicit transaction block, which
/// behaves as an explicit block except for the statements that end, open or mark a
/// transaction (refused here) and `SAVEPOINT` (refused in an implicit block). A query of
/// one statement is not a block: statements that refuse one (`CREATE INDEX
/// CONCURRENTLY`, `VACUUM`, `CREATE DATABASE`…) and procedures that may `COMMIT` (`CALL`,
/// `DO`) work there, so a lone statement is taken only from a list of statements that
/// run in a block exactly as outside one. Statements that change what the row's `INSERT`
/// may do afterwards in the same transaction (`SET LOCAL`, `SET ROLE`, `SET SESSION
/// AUTHORIZATION`, `SET TRANSACTION`, `transaction_read_only`) are refused too.
pub fn may_wrap(statements: &[Statement<'_>]) -> bool {
    let lone = statements.len() == 1;
    statements.iter().all(|s| {
        let w = words(s.text, 3);
        let word = |i: usize| w.get(i).map_or("", String::as_str);
        match word(0) {
            "BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK" | "ABORT" | "SAVEPOINT"
            | "RELEASE" | "PREPARE" => false,
            "SET" | "RESET" => {
                let name = match word(1) {
                    "LOCAL" => return false,
                    "SESSION" => word(2),
                    other => other,
                };
                !matches!(
                    name,
                    "ROLE"
                        | "AUTHORIZATION"
                        | "SESSION_AUTHORIZATION"
                        | "CHARACTERISTICS"
                        | "TRANSACTION"
                        | "TRANSACTION_READ_ONLY"
                        | "TRANSACTION_ISOLATION"
                        | "TRANSACTION_DEFERRABLE"
                )
            }
            first if lone => {
                needs_no_transaction(s.text, true).is_none()
                    && match first {
                        "CREATE" | "ALTER" | "DROP" => !matches!(
                            word(1),
                            "DATABASE" | "TABLESPACE" | "SUBSCRIPTION" | "SYSTEM"
                        ),
                        "COMMENT" | "GRANT" | "REVOKE" | "INSERT" | "UPDATE" | "DELETE"
                        | "TRUNCATE" | "MERGE" | "SELECT" | "WITH" | "VALUES" | "TABLE"
                        | "REFRESH" | "SECURITY" | "IMPORT" | "ANALYZE" | "NOTIFY" => true,
                        _ => false,
                    }
            }
            _ => true,
        }
    })
}

/// The first `COPY … FROM STDIN` or `COPY … TO STDOUT`: it needs the client's data
/// channel, which a migration does not have.
pub fn client_copy<'a>(statements: &[Statement<'a>]) -> Option<&'a str> {
    statements.iter().map(|s| s.text).find(|text| {
        let w = words(text, 64);
        w.first().is_some_and(|x| x == "COPY")
            && w.windows(2)
                .any(|p| (p[0] == "FROM" && p[1] == "STDIN") || (p[0] == "TO" && p[1] == "STDOUT"))
    })
}

/// Whether (and why) `script` must run statement by statement on PostgreSQL. A single
/// statement never needs it: one simple query with one statement is not a transaction
/// block for PostgreSQL's checks, as Prisma's users rely on.
pub fn split_reason(
    script: &str,
    statements: &[Statement<'_>],
    old_server: bool,
) -> Option<SplitReason> {
    if script
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .is_some_and(|l| l.trim_end() == NO_TRANSACTION_DIRECTIVE)
    {
        return Some(SplitReason::Directive);
    }
    if statements.len() < 2 {
        return None;
    }
    statements
        .iter()
        .find_map(|s| needs_no_transaction(s.text, old_server))
        .map(|name| SplitReason::Statement(name.to_owned()))
}

#[cfg(test)]
mod tests;
