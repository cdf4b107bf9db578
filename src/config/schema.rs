//! The Prisma schema language, as far as prismig needs it: a parser that follows Prisma's
//! PEG grammar (`psl/schema-ast/src/parser/datamodel.pest`) line for line, so that what
//! Prisma accepts is accepted and what it rejects is rejected with its P1012 texts; and the
//! datasource checks of Prisma's loader (`psl-core/src/validate/datasource_loader.rs`).
//! Models, enums and types are recognised and skipped.

/// A datasource attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Literal(String),
    Env(String),
    List(Vec<String>),
    Other(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub value: Value,
    /// 1-based line of the attribute in its file.
    pub line: usize,
    /// Byte span of the value, for P1012 excerpts.
    pub span: (usize, usize),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Datasource {
    pub name: String,
    /// Byte span of the whole block.
    pub span: (usize, usize),
    pub provider: Option<Attribute>,
    pub url: Option<Attribute>,
    pub direct_url: Option<Attribute>,
    pub shadow_database_url: Option<Attribute>,
    pub schemas: Option<Attribute>,
}

/// An error of Prisma's schema validation: its message and byte span in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub message: String,
    pub span: (usize, usize),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String, (usize, usize)),
    Num(String, (usize, usize)),
    Const(String, (usize, usize)),
    Func(String, Vec<Expr>, (usize, usize)),
    Array(Vec<Expr>, (usize, usize)),
}

impl Expr {
    fn span(&self) -> (usize, usize) {
        match self {
            Expr::Str(_, s)
            | Expr::Num(_, s)
            | Expr::Const(_, s)
            | Expr::Func(_, _, s)
            | Expr::Array(_, s) => *s,
        }
    }

    fn text(&self, src: &str) -> String {
        let (a, b) = self.span();
        src.get(a..b).unwrap_or("").to_owned()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub name: String,
    pub span: (usize, usize),
    pub value: Option<Expr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Datasource,
    Generator,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConfigBlock {
    pub kind: BlockKind,
    pub name: String,
    pub span: (usize, usize),
    pub properties: Vec<Property>,
}

/// One parsed schema file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    pub blocks: Vec<ConfigBlock>,
    pub diagnostics: Vec<Diagnostic>,
}

struct P<'a> {
    s: &'a [u8],
    src: &'a str,
    pos: usize,
    diagnostics: Vec<Diagnostic>,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

impl<'a> P<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn eof(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn starts(&self, lit: &str) -> bool {
        self.s[self.pos..].starts_with(lit.as_bytes())
    }

    /// `WHITESPACE`: Unicode space separators and tabs (never newlines).
    fn ws(&mut self) {
        while let Some(c) = self.src[self.pos..].chars().next() {
            if c == '\t'
                || (c.is_whitespace()
                    && !matches!(
                        c,
                        '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
                    ))
            {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
    }

    fn newline(&mut self) -> bool {
        if self.starts("\r\n") {
            self.pos += 2;
            true
        } else if matches!(self.peek(), Some(b'\n' | b'\r')) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// `(!NEWLINE ~ ANY)*`
    fn rest_of_line(&mut self) {
        while let Some(c) = self.peek() {
            if c == b'\n' || c == b'\r' {
                break;
            }
            self.pos += 1;
        }
    }

    fn identifier(&mut self) -> Option<String> {
        let start = self.pos;
        if !self.peek().is_some_and(is_ident_start) {
            return None;
        }
        while self.peek().is_some_and(is_ident) {
            self.pos += 1;
        }
        Some(self.src[start..self.pos].to_owned())
    }

    /// `path = @{ identifier ~ ("." ~ path?)* }`
    fn path(&mut self) -> Option<String> {
        let start = self.pos;
        self.identifier()?;
        while self.peek() == Some(b'.') {
            self.pos += 1;
            let save = self.pos;
            if self.identifier().is_none() {
                self.pos = save;
            }
        }
        Some(self.src[start..self.pos].to_owned())
    }

    /// `empty_lines = @{ (WHITESPACE* ~ NEWLINE)+ }`
    fn empty_lines(&mut self) -> bool {
        let mut any = false;
        loop {
            let save = self.pos;
            self.ws();
            if self.newline() {
                any = true;
            } else {
                self.pos = save;
                return any;
            }
        }
    }

    /// `comment_block = ${ ((doc_comment | comment) ~ NEWLINE?)+ }`
    fn comment_block(&mut self) -> bool {
        let mut any = false;
        loop {
            let save = self.pos;
            self.ws();
            if self.starts("//") {
                self.rest_of_line();
                self.newline();
                any = true;
            } else {
                self.pos = save;
                return any;
            }
        }
    }

    /// `trailing_comment`, optional.
    fn trailing_comment(&mut self) {
        let save = self.pos;
        self.ws();
        if self.starts("//") {
            self.rest_of_line();
        } else {
            self.pos = save;
        }
    }

    /// `BLOCK_OPEN = { "{" ~ (!NEWLINE ~ ANY)* ~ NEWLINE }`
    fn block_open(&mut self) -> bool {
        if self.peek() != Some(b'{') {
            return false;
        }
        self.pos += 1;
        self.rest_of_line();
        self.newline()
    }

    /// A `string_literal`, unescaped as Prisma does (JSON escapes).
    fn string(&mut self) -> Option<Expr> {
        let start = self.pos;
        if self.peek() != Some(b'"') {
            return None;
        }
        self.pos += 1;
        let content_start = self.pos;
        loop {
            match self.peek() {
                None => {
                    self.pos = start;
                    return None;
                }
                Some(b'"') => break,
                Some(b'\\') => {
                    self.pos += 1;
                    match self.src[self.pos..].chars().next() {
                        Some(c) => self.pos += c.len_utf8(),
                        None => {
                            self.pos = start;
                            return None;
                        }
                    }
                }
                Some(c) if c < 0x20 => {
                    self.pos = start;
                    return None;
                }
                Some(_) => {
                    let c = self.src[self.pos..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8);
                    self.pos += c;
                }
            }
        }
        let content = &self.src[content_start..self.pos];
        self.pos += 1;
        let value = self.unescape(content, content_start);
        Some(Expr::Str(value, (start, self.pos)))
    }

    fn unescape(&mut self, content: &str, offset: usize) -> String {
        let mut out = String::with_capacity(content.len());
        let mut chars = content.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some((_, e)) = chars.next() else { break };
            match e {
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                '/' => out.push('/'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'u' => {
                    let hex = |s: &str| -> Option<u16> {
                        let h = s.get(..4)?;
                        h.chars()
                            .all(|c| c.is_ascii_hexdigit())
                            .then(|| u16::from_str_radix(h, 16).ok())?
                    };
                    let first = hex(&content[i + 2..]);
                    let mut units = Vec::new();
                    if let Some(u) = first {
                        units.push(u);
                        if char::from_u32(u.into()).is_none()
                            && content[i + 6..].starts_with("\\u")
                        {
                            if let Some(u2) = hex(&content[i + 8..]) {
                                units.push(u2);
                            }
                        }
                    }
                    match char::decode_utf16(units.iter().copied()).next() {
                        Some(Ok(ch)) if !units.is_empty() => {
                            out.push(ch);
                            for _ in 0..(units.len() * 6 - 2) {
                                chars.next();
                            }
                        }
                        _ => {
                            let mut end = (i + 6).min(content.len());
                            while !content.is_char_boundary(end) {
                                end -= 1;
                            }
                            self.diagnostics.push(Diagnostic {
                                message: "Invalid unicode escape sequence.".to_owned(),
                                span: (offset + i, offset + end),
                            })
                        }
                    }
                }
                other => self.diagnostics.push(Diagnostic {
                    message: r"Unknown escape sequence. If the value is a windows-style path, `\` must be escaped as `\\`.".to_owned(),
                    span: (offset + i, offset + i + 1 + other.len_utf8()),
                }),
            }
        }
        out
    }

    /// `numeric_literal = @{ ("-")? ~ ASCII_DIGIT+ ~ ("." ~ ASCII_DIGIT+)? }`
    fn number(&mut self) -> Option<Expr> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.pos += 1;
            }
            p.pos > s
        };
        if !digits(self) {
            self.pos = start;
            return None;
        }
        let save = self.pos;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                self.pos = save;
            }
        }
        Some(Expr::Num(
            self.src[start..self.pos].to_owned(),
            (start, self.pos),
        ))
    }

    /// `expression = { function_call | array_expression | numeric_literal | string_literal | path }`
    fn expression(&mut self) -> Option<Expr> {
        let start = self.pos;
        if let Some(name) = self.path() {
            self.ws();
            if let Some(args) = self.arguments() {
                return Some(Expr::Func(name, args, (start, self.pos)));
            }
            self.pos = start;
        }
        if let Some(a) = self.array() {
            return Some(a);
        }
        if let Some(n) = self.number() {
            return Some(n);
        }
        if let Some(s) = self.string() {
            return Some(s);
        }
        let name = self.path()?;
        Some(Expr::Const(name, (start, self.pos)))
    }

    /// `item ~ ("," ~ item)*`, or nothing: the items of an argument list or an array. A comma
    /// not followed by an item is left for the caller (a trailing comma).
    fn separated(&mut self, mut item: impl FnMut(&mut Self) -> Option<Expr>) -> Vec<Expr> {
        let mut items = Vec::new();
        let Some(first) = item(self) else {
            return items;
        };
        items.push(first);
        loop {
            let save = self.pos;
            self.ws();
            if self.peek() != Some(b',') {
                self.pos = save;
                break;
            }
            self.pos += 1;
            self.ws();
            match item(self) {
                Some(next) => items.push(next),
                None => {
                    self.pos = save;
                    break;
                }
            }
        }
        items
    }

    /// `arguments_list = { "(" ~ (argument ~ ("," ~ argument)*)? ~ trailing_comma? ~ ")" }`
    fn arguments(&mut self) -> Option<Vec<Expr>> {
        let start = self.pos;
        if self.peek() != Some(b'(') {
            return None;
        }
        self.pos += 1;
        self.ws();
        let args = self.separated(Self::argument);
        self.ws();
        if self.peek() == Some(b',') {
            self.pos += 1;
            self.ws();
        }
        if self.peek() != Some(b')') {
            self.pos = start;
            return None;
        }
        self.pos += 1;
        Some(args)
    }

    /// `argument = _{ named_argument | empty_argument | expression }`
    fn argument(&mut self) -> Option<Expr> {
        let start = self.pos;
        if self.identifier().is_some() {
            self.ws();
            if self.peek() == Some(b':') {
                self.pos += 1;
                let after = self.pos;
                self.ws();
                if let Some(e) = self.expression() {
                    return Some(e);
                }
                self.pos = after;
                return Some(Expr::Const(String::new(), (start, after)));
            }
        }
        self.pos = start;
        self.expression()
    }

    /// `array_expression = { "[" ~ (expression ~ ( "," ~ expression )*)? ~ "]" }`
    fn array(&mut self) -> Option<Expr> {
        let start = self.pos;
        if self.peek() != Some(b'[') {
            return None;
        }
        self.pos += 1;
        self.ws();
        let items = self.separated(Self::expression);
        self.ws();
        if self.peek() != Some(b']') {
            self.pos = start;
            return None;
        }
        self.pos += 1;
        Some(Expr::Array(items, (start, self.pos)))
    }

    /// `key_value = { identifier ~ "=" ~ expression? ~ trailing_comment? ~ NEWLINE }`
    fn key_value(&mut self) -> Option<Property> {
        let start = self.pos;
        let name = self.identifier()?;
        self.ws();
        if self.peek() != Some(b'=') {
            self.pos = start;
            return None;
        }
        self.pos += 1;
        self.ws();
        let value = self.expression();
        let end = self.pos;
        self.trailing_comment();
        self.ws();
        if !self.newline() {
            self.pos = start;
            return None;
        }
        Some(Property {
            name,
            span: (start, end),
            value,
        })
    }

    /// `BLOCK_LEVEL_CATCH_ALL = { !BLOCK_CLOSE ~ CATCH_ALL }`; returns its span.
    fn block_catch_all(&mut self) -> Option<(usize, usize)> {
        if self.peek() == Some(b'}') {
            return None;
        }
        self.catch_all()
    }

    /// `CATCH_ALL = { (!NEWLINE ~ ANY)+ ~ NEWLINE? }`; returns its span.
    fn catch_all(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        self.rest_of_line();
        if self.pos == start {
            return None;
        }
        self.newline();
        Some((start, self.pos))
    }

    /// `config_block`: keyword, name, `{`, properties, `}`. Backtracks (returns `None`)
    /// when the block is never closed, as the PEG does.
    fn config_block(&mut self) -> Option<(ConfigBlock, Vec<Diagnostic>)> {
        let start = self.pos;
        let kind = if self.starts("datasource") {
            self.pos += "datasource".len();
            BlockKind::Datasource
        } else if self.starts("generator") {
            self.pos += "generator".len();
            BlockKind::Generator
        } else {
            return None;
        };
        let fail = |p: &mut Self| {
            p.pos = start;
            None
        };
        self.ws();
        let Some(name) = self.identifier() else {
            return fail(self);
        };
        self.ws();
        if !self.block_open() {
            return fail(self);
        }
        let mut properties = Vec::new();
        let mut errors = Vec::new();
        let what = match kind {
            BlockKind::Datasource => "datasource",
            BlockKind::Generator => "generator",
        };
        loop {
            self.ws();
            if let Some(kv) = self.key_value() {
                properties.push(kv);
            } else if self.comment_block() || self.empty_lines() {
            } else if let Some(span) = self.block_catch_all() {
                errors.push(Diagnostic {
                    message: format!(
                        "Error validating: This line is not a valid definition within a {what}."
                    ),
                    span,
                });
            } else {
                break;
            }
        }
        if self.peek() != Some(b'}') {
            return fail(self);
        }
        self.pos += 1;
        Some((
            ConfigBlock {
                kind,
                name,
                span: (start, self.pos),
                properties,
            },
            errors,
        ))
    }

    /// `model`, `view`, `type` (composite) and `enum` blocks: every line up to a line that
    /// starts with `}` belongs to them.
    fn other_block(&mut self) -> bool {
        let start = self.pos;
        let keyword = ["model", "type", "view", "enum"]
            .into_iter()
            .find(|k| self.starts(k));
        let Some(k) = keyword else { return false };
        self.pos += k.len();
        self.ws();
        if self.identifier().is_none() {
            self.pos = start;
            return false;
        }
        self.ws();
        if !self.block_open() {
            self.pos = start;
            return false;
        }
        loop {
            self.ws();
            if self.peek() == Some(b'}') {
                self.pos += 1;
                return true;
            }
            if self.empty_lines() {
                continue;
            }
            if self.catch_all().is_none() {
                // End of file inside the block: the PEG backtracks.
                self.pos = start;
                return false;
            }
        }
    }

    /// `type_alias = { TYPE_KEYWORD ~ identifier ~ "=" ~ base_type ~ field_attribute* }`
    fn type_alias(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        if !self.starts("type") {
            return None;
        }
        self.pos += 4;
        self.ws();
        if self.identifier().is_none() {
            self.pos = start;
            return None;
        }
        self.ws();
        if self.peek() != Some(b'=') {
            self.pos = start;
            return None;
        }
        self.pos += 1;
        self.rest_of_line();
        Some((start, self.pos))
    }

    /// `arbitrary_block = { identifier ~ BLOCK_OPEN ~ ((!BLOCK_CLOSE ~ ANY) | NEWLINE)* ~ BLOCK_CLOSE }`
    fn arbitrary_block(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        self.identifier()?;
        self.ws();
        if !self.block_open() {
            self.pos = start;
            return None;
        }
        match self.src[self.pos..].find('}') {
            Some(i) => {
                self.pos += i + 1;
                Some((start, self.pos))
            }
            None => {
                self.pos = start;
                None
            }
        }
    }
}

/// Parses one schema file.
pub fn parse(src: &str) -> Parsed {
    let mut p = P {
        s: src.as_bytes(),
        src,
        pos: 0,
        diagnostics: Vec::new(),
    };
    let mut out = Parsed::default();
    loop {
        p.ws();
        if p.eof() {
            break;
        }
        if let Some((block, errors)) = p.config_block() {
            out.blocks.push(block);
            out.diagnostics.extend(errors);
            continue;
        }
        if p.other_block() {
            continue;
        }
        if let Some(span) = p.type_alias() {
            out.diagnostics.push(Diagnostic {
                message: "Error validating: Invalid type definition. Please check the documentation in https://pris.ly/d/composite-types".to_owned(),
                span,
            });
            continue;
        }
        if let Some(span) = p.arbitrary_block() {
            out.diagnostics.push(Diagnostic {
                message: "Error validating: This block is invalid. It does not start with any known Prisma schema keyword. Valid keywords include 'model', 'enum', 'type', 'datasource' and 'generator'.".to_owned(),
                span,
            });
            continue;
        }
        if p.comment_block() || p.empty_lines() {
            continue;
        }
        match p.catch_all() {
            Some(span) => out.diagnostics.push(Diagnostic {
                message: "Error validating: This line is invalid. It does not start with any known Prisma schema keyword.".to_owned(),
                span,
            }),
            None => break,
        }
    }
    // Escape errors are found while the strings are read: they come after the parse's.
    out.diagnostics.append(&mut p.diagnostics);
    out
}

fn line_of(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())].matches('\n').count() + 1
}

fn attribute(src: &str, e: &Expr) -> Attribute {
    let value = match e {
        Expr::Str(s, _) => Value::Literal(s.clone()),
        Expr::Func(name, args, _) if name == "env" => match args.as_slice() {
            [Expr::Str(var, _)] => Value::Env(var.clone()),
            _ => Value::Other(e.text(src)),
        },
        Expr::Array(items, _) => Value::List(
            items
                .iter()
                .filter_map(|i| match i {
                    Expr::Str(s, _) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
        ),
        other => Value::Other(other.text(src)),
    };
    Attribute {
        value,
        line: line_of(src, e.span().0),
        span: e.span(),
    }
}

/// The providers Prisma knows (`psl` connectors), including those prismig does not run.
const KNOWN_PROVIDERS: &[&str] = &[
    "postgresql",
    "postgres",
    "mysql",
    "sqlite",
    "sqlserver",
    "mongodb",
    "cockroachdb",
];

/// The datasource of a parsed file, with the loader's errors (provider missing, not a
/// string, unknown, a property without a value). `None` when the block is unusable.
pub fn lift_datasource(
    src: &str,
    block: &ConfigBlock,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Datasource> {
    let mut ds = Datasource {
        name: block.name.clone(),
        span: block.span,
        ..Default::default()
    };
    for p in &block.properties {
        if p.value.is_none() {
            diagnostics.push(Diagnostic {
                message: format!(
                    "Property {} in datasource {} needs to be assigned a value",
                    p.name, block.name
                ),
                span: block.span,
            });
            return None;
        }
    }
    let get = |key: &str| {
        block
            .properties
            .iter()
            .rev()
            .find(|p| p.name == key)
            .and_then(|p| p.value.as_ref())
    };
    match get("provider") {
        None => {
            diagnostics.push(Diagnostic {
                message: format!(
                    "Argument \"provider\" is missing in data source block \"{}\".",
                    block.name
                ),
                span: block.span,
            });
            return None;
        }
        Some(Expr::Func(name, _, _)) if name == "env" => {
            diagnostics.push(Diagnostic {
                message: "A datasource must not use the env() function in the provider argument."
                    .to_owned(),
                span: block.span,
            });
            return None;
        }
        Some(Expr::Str(p, span)) if p.is_empty() => {
            diagnostics.push(Diagnostic {
                message: format!(
                    "Error validating datasource `{}`: The provider argument in a datasource must not be empty",
                    block.name
                ),
                span: *span,
            });
            return None;
        }
        Some(Expr::Str(p, span)) => {
            if !KNOWN_PROVIDERS.contains(&p.as_str()) {
                diagnostics.push(Diagnostic {
                    message: format!("Datasource provider not known: \"{p}\"."),
                    span: *span,
                });
                return None;
            }
            ds.provider = Some(attribute(src, &Expr::Str(p.clone(), *span)));
        }
        Some(other) => {
            diagnostics.push(Diagnostic {
                message: format!(
                    "Error validating datasource `{}`: The provider argument in a datasource must be a string literal",
                    block.name
                ),
                span: other.span(),
            });
            return None;
        }
    }
    ds.url = get("url").map(|e| attribute(src, e));
    ds.direct_url = get("directUrl").map(|e| attribute(src, e));
    ds.shadow_database_url = get("shadowDatabaseUrl").map(|e| attribute(src, e));
    ds.schemas = get("schemas").map(|e| attribute(src, e));
    Some(ds)
}

/// The first `datasource` block of `text`, if any (no validation).
#[cfg(test)]
pub fn parse_datasource(text: &str) -> Option<Datasource> {
    let parsed = parse(text);
    let block = parsed
        .blocks
        .iter()
        .find(|b| b.kind == BlockKind::Datasource)?;
    lift_datasource(text, block, &mut Vec::new())
}

/// Prisma's excerpt of a span (`psl/diagnostics/src/pretty_print.rs`, colours off).
pub fn pretty(file_display: &str, text: &str, span: (usize, usize), message: &str) -> String {
    let floor = |i: usize| {
        (0..=i.min(text.len()))
            .rev()
            .find(|&j| text.is_char_boundary(j))
            .unwrap_or(0)
    };
    let (start, end) = (floor(span.0), floor(span.1));
    let start_line = text[..start].matches('\n').count();
    let end_line = text[..end].matches('\n').count();
    let lines: Vec<&str> = text.split('\n').collect();
    let number = |n: usize| {
        if n > 0 {
            format!("{n:2} | ")
        } else {
            "   | ".to_owned()
        }
    };
    let with_line = |n: usize| {
        if n > 0 && n <= lines.len() {
            format!("{}{}", number(n), lines[n - 1])
        } else {
            number(n)
        }
    };
    let mut out = format!(
        "error: {message}\n  -->  {file_display}:{}\n{}\n",
        start_line + 1,
        number(0)
    );
    out.push_str(&with_line(start_line));
    out.push('\n');
    out.push_str(&with_line(start_line + 1));
    out.push('\n');
    if start == end {
        let before: usize = lines[..start_line].iter().map(|l| l.len() + 1).sum();
        out.push_str(&format!(
            "{}{}^ Unexpected token.\n",
            number(0),
            " ".repeat(start - before)
        ));
    }
    for n in start_line + 2..end_line + 2 {
        out.push_str(&with_line(n));
        out.push('\n');
    }
    out.push_str(&number(0));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests;
