//! The `datasource` block of a Prisma schema: just enough of the language to read
//! `provider`, `url`, `directUrl`, `shadowDatabaseUrl` and `schemas`, with line numbers for
//! Prisma's P1012 excerpts.

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
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Datasource {
    pub name: String,
    pub provider: Option<Attribute>,
    pub url: Option<Attribute>,
    pub direct_url: Option<Attribute>,
    pub shadow_database_url: Option<Attribute>,
    pub schemas: Option<Attribute>,
}

/// Removes `//` comments outside strings, keeping line structure.
fn strip_comments(line: &str) -> &str {
    let mut in_string = false;
    let mut escaped = false;
    let bytes = line.as_bytes();
    for i in 0..bytes.len() {
        let c = bytes[i];
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
            }
        } else if c == b'"' {
            in_string = true;
        } else if c == b'/' && bytes.get(i + 1) == Some(&b'/') {
            return &line[..i];
        }
    }
    line
}

fn parse_string(s: &str) -> Option<String> {
    let s = s.trim();
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        serde_json::from_str::<String>(s).ok()
    } else {
        None
    }
}

fn parse_value(raw: &str) -> Value {
    let raw = raw.trim();
    if let Some(s) = parse_string(raw) {
        return Value::Literal(s);
    }
    if let Some(inner) = raw.strip_prefix("env(").and_then(|r| r.strip_suffix(')')) {
        if let Some(name) = parse_string(inner) {
            return Value::Env(name);
        }
    }
    if let Some(inner) = raw.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return Value::List(inner.split(',').filter_map(parse_string).collect());
    }
    Value::Other(raw.to_owned())
}

/// The first `datasource` block of `text`, if any.
pub fn parse_datasource(text: &str) -> Option<Datasource> {
    let mut current: Option<Datasource> = None;
    for (idx, raw_line) in text.lines().enumerate() {
        let line = strip_comments(raw_line).trim();
        match current.as_mut() {
            None => {
                let mut words = line.split_whitespace();
                if words.next() == Some("datasource") {
                    let name = words.next().unwrap_or("").trim_end_matches('{').to_owned();
                    current = Some(Datasource {
                        name,
                        ..Default::default()
                    });
                }
            }
            Some(ds) => {
                if line.starts_with('}') {
                    return current;
                }
                let Some((key, value)) = line.split_once('=') else {
                    continue;
                };
                let attr = Some(Attribute {
                    value: parse_value(value),
                    line: idx + 1,
                });
                match key.trim() {
                    "provider" => ds.provider = attr,
                    "url" => ds.url = attr,
                    "directUrl" => ds.direct_url = attr,
                    "shadowDatabaseUrl" => ds.shadow_database_url = attr,
                    "schemas" => ds.schemas = attr,
                    _ => {}
                }
            }
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_prisma6_datasource() {
        let text = "generator client {\n  provider = \"prisma-client-js\"\n}\n\n// the database\ndatasource db {\n  provider  = \"postgresql\" // pg\n  url       = env(\"DATABASE_URL\")\n  directUrl = env(\"DIRECT_URL\")\n  schemas   = [\"a\", \"b\"]\n}\n";
        let ds = parse_datasource(text).unwrap();
        assert_eq!(ds.name, "db");
        assert_eq!(
            ds.provider.unwrap().value,
            Value::Literal("postgresql".into())
        );
        let url = ds.url.unwrap();
        assert_eq!(url.value, Value::Env("DATABASE_URL".into()));
        assert_eq!(url.line, 8);
        assert_eq!(
            ds.direct_url.unwrap().value,
            Value::Env("DIRECT_URL".into())
        );
        assert_eq!(
            ds.schemas.unwrap().value,
            Value::List(vec!["a".into(), "b".into()])
        );
    }

    #[test]
    fn literal_urls_keep_slashes_inside_strings() {
        let ds = parse_datasource(
            "datasource pg {\n provider = \"postgresql\"\n url = \"postgresql://u@h/d\" // x\n}",
        )
        .unwrap();
        assert_eq!(ds.name, "pg");
        assert_eq!(
            ds.url.unwrap().value,
            Value::Literal("postgresql://u@h/d".into())
        );
    }

    #[test]
    fn no_datasource() {
        assert!(parse_datasource("model A { id Int @id }").is_none());
    }
}
