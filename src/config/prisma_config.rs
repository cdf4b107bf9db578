//! `prisma.config.*` read without a JavaScript runtime: the file is parsed as TypeScript
//! (oxc) and its default export evaluated by a small static evaluator that knows the forms
//! people write (`defineConfig({...})`, `const` bindings, `path.join(__dirname, …)`,
//! `env("X")`, `process.env.X ?? "…"`, dotenv). Whatever it cannot decide is refused with
//! the file, line, column and expression: prismig never falls back to another source.

use super::env::Env;
use super::relative;
use crate::error::{Error, Result};
use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, ArrayExpressionElement, BindingPatternKind, Declaration, Expression,
    ImportDeclarationSpecifier, LogicalOperator, ModuleExportName, ObjectPropertyKind, Program,
    PropertyKey, Statement, UnaryOperator, VariableDeclaration,
};
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType, Span};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

const NAMES: &[&str] = &[
    "prisma.config.ts",
    "prisma.config.mts",
    "prisma.config.cts",
    "prisma.config.js",
    "prisma.config.mjs",
    "prisma.config.cjs",
];

/// The config file Prisma finds without `--config`: `prisma.config.*` in the working
/// directory, else `.config/prisma.*`.
pub fn default_path(cwd: &Path) -> Option<PathBuf> {
    let dirs = [cwd.to_owned(), cwd.join(".config")];
    dirs.iter().find_map(|d| {
        NAMES
            .iter()
            .map(|n| {
                if d.ends_with(".config") {
                    d.join(n.replace("prisma.config", "prisma"))
                } else {
                    d.join(n)
                }
            })
            .find(|p| p.is_file())
    })
}

/// A field of the config: absent, a value, or refused (raised only when the field is
/// needed, so that `--url` or `--schema` can stand in for an undecidable one).
#[derive(Debug, Clone)]
pub enum Field {
    Absent,
    Value(String),
    Refused(Refusal),
}

impl Field {
    pub fn get(&self) -> Result<Option<String>> {
        match self {
            Field::Absent => Ok(None),
            Field::Value(s) => Ok(Some(s.clone())),
            Field::Refused(r) => Err(r.to_error()),
        }
    }
}

/// Why a value could not be known. Cloned freely; becomes an [`Error`] when raised.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// Our code; `None` for Prisma's own failure (an unset `env()` variable), printed as
    /// Prisma prints it.
    code: Option<&'static str>,
    message: String,
}

impl Refusal {
    fn to_error(&self) -> Error {
        match self.code {
            Some(code) => Error::own(code, self.message.clone()),
            None => Error::Cli(self.message.clone()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    /// Where relative paths of the config are resolved (the project root).
    pub dir: PathBuf,
    pub schema: Field,
    pub migrations: Field,
    pub url: Field,
    pub shadow_url: Field,
    /// `.env` files the file loads through dotenv, as printed.
    pub env_files: Vec<String>,
}

impl ConfigFile {
    /// Finds the config file (`--config`, or the default names in the working directory
    /// and `.config/`), evaluates it and loads the `.env` files it loads into `env`.
    pub fn find(cwd: &Path, explicit: Option<&Path>, env: &mut Env) -> Result<Option<ConfigFile>> {
        let path = match explicit {
            Some(p) => {
                let p = if p.is_absolute() {
                    p.to_owned()
                } else {
                    cwd.join(p)
                };
                if !p.is_file() {
                    return Err(Error::Cli(format!(
                        "Config file not found at \"{}\"",
                        p.display()
                    )));
                }
                p
            }
            None => match default_path(cwd) {
                Some(p) => p,
                None => return Ok(None),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::Cli(format!(
                "Failed to load config file \"{}\" as a TypeScript/JavaScript module. Error: {e}",
                path.display()
            ))
        })?;
        let file_dir = path.parent().map(Path::to_owned).unwrap_or_default();
        let dir = if file_dir.ends_with(".config") {
            file_dir
                .parent()
                .map(Path::to_owned)
                .unwrap_or(file_dir.clone())
        } else {
            file_dir.clone()
        };
        let display = relative(&path, cwd);
        let evaluated = evaluate(&text, &path, &display, cwd, &file_dir, env)?;
        let resolve = |f: Field| match f {
            Field::Value(s) => Field::Value(lexical_join(&dir, &s).display().to_string()),
            other => other,
        };
        Ok(Some(ConfigFile {
            schema: resolve(evaluated.schema),
            migrations: resolve(evaluated.migrations),
            url: evaluated.url,
            shadow_url: evaluated.shadow_url,
            env_files: evaluated.env_files,
            path,
            dir,
        }))
    }
}

/// The four fields prismig reads, from the text of a config file. Public for the fuzz tests.
#[derive(Debug, Clone)]
pub struct Evaluated {
    pub schema: Field,
    pub migrations: Field,
    pub url: Field,
    pub shadow_url: Field,
    pub env_files: Vec<String>,
}

/// Evaluates a config file's text. `path` is the file (for `__dirname`), `display` how it is
/// named in messages. Errors are refusals of the whole file; a refused field is returned
/// as `Field::Refused`.
pub fn evaluate(
    text: &str,
    path: &Path,
    display: &str,
    cwd: &Path,
    file_dir: &Path,
    env: &mut Env,
) -> Result<Evaluated> {
    let allocator = Allocator::default();
    let source_type = SourceType::from_path(path)
        .unwrap_or_else(|_| SourceType::ts())
        .with_typescript(true)
        .with_module(true);
    let parsed = Parser::new(&allocator, text, source_type).parse();
    if parsed.panicked || !parsed.errors.is_empty() {
        let at = parsed
            .errors
            .first()
            .and_then(|e| e.labels.as_ref())
            .and_then(|l| l.first())
            .map(|l| l.offset())
            .unwrap_or(0);
        let what = parsed
            .errors
            .first()
            .map(|e| e.message.to_string())
            .unwrap_or_else(|| "syntax error".to_owned());
        return Err(syntax_error(text, display, at as u32, &what));
    }
    let mut ev = Evaluator {
        text,
        display,
        cwd,
        file_dir,
        file: path,
        env,
        bindings: HashMap::new(),
        env_files: Vec::new(),
        default: None,
        default_at: 0,
    };
    ev.program(&parsed.program)?;
    let Some(default) = ev.default.take() else {
        return Err(Error::own(
            "PM1021",
            format!(
                "{display}: the config file has no default export prismig can find (`export default defineConfig({{...}})` or `module.exports = {{...}}`); pass --config with such a file"
            ),
        ));
    };
    let default = default.map_err(|r| r.to_error())?;
    let JsVal::Object(top) = &default else {
        return Err(Error::own(
            "PM1021",
            format!(
                "{}: the default export is {}, not an object; Prisma needs `defineConfig({{...}})` or an object",
                location(text, display, ev.default_at),
                default.kind()
            ),
        ));
    };
    let field = |obj: &[(String, Slot)], key: &str, name: &str, way_out: &str| -> Field {
        match obj.iter().rev().find(|(k, _)| k == key) {
            None => Field::Absent,
            Some((_, Err(r))) => Field::Refused(with_way_out(r, way_out)),
            Some((_, Ok((JsVal::Undefined, _)))) => Field::Absent,
            Some((_, Ok((JsVal::Str(s), _)))) => Field::Value(s.clone()),
            Some((_, Ok((v, span)))) => Field::Refused(Refusal {
                code: Some("PM1022"),
                message: format!(
                    "{}: `{name}` is {}, not a string (`{}`); Prisma rejects such a config; {way_out}",
                    location(text, display, span.start),
                    v.kind(),
                    excerpt(text, *span)
                ),
            }),
        }
    };
    let sub = |key: &str| -> std::result::Result<Option<Vec<(String, Slot)>>, Refusal> {
        match top.iter().rev().find(|(k, _)| k == key) {
            None | Some((_, Ok((JsVal::Undefined, _)))) => Ok(None),
            Some((_, Ok((JsVal::Object(o), _)))) => Ok(Some(o.clone())),
            Some((_, Ok((v, span)))) => Err(Refusal {
                code: Some("PM1022"),
                message: format!(
                    "{}: `{key}` is {}, not an object (`{}`); Prisma rejects such a config",
                    location(text, display, span.start),
                    v.kind(),
                    excerpt(text, *span)
                ),
            }),
            Some((_, Err(r))) => Err(r.clone()),
        }
    };
    const URL_WAY_OUT: &str = "pass the URL with --url";
    const SCHEMA_WAY_OUT: &str = "pass the schema with --schema";
    const MIGRATIONS_WAY_OUT: &str =
        "write `migrations.path` as a string literal or path.join(__dirname, \"…\")";
    let (url, shadow_url) = match sub("datasource") {
        Ok(None) => (Field::Absent, Field::Absent),
        Ok(Some(ds)) => (
            field(&ds, "url", "datasource.url", URL_WAY_OUT),
            field(
                &ds,
                "shadowDatabaseUrl",
                "datasource.shadowDatabaseUrl",
                URL_WAY_OUT,
            ),
        ),
        Err(r) => (
            Field::Refused(with_way_out(&r, URL_WAY_OUT)),
            Field::Refused(with_way_out(&r, URL_WAY_OUT)),
        ),
    };
    let migrations = match sub("migrations") {
        Ok(None) => Field::Absent,
        Ok(Some(m)) => field(&m, "path", "migrations.path", MIGRATIONS_WAY_OUT),
        Err(r) => Field::Refused(with_way_out(&r, MIGRATIONS_WAY_OUT)),
    };
    Ok(Evaluated {
        schema: field(top, "schema", "schema", SCHEMA_WAY_OUT),
        migrations,
        url,
        shadow_url,
        env_files: ev.env_files,
    })
}

fn with_way_out(r: &Refusal, way_out: &str) -> Refusal {
    let mut r = r.clone();
    if r.code.is_some() {
        r.message = format!("{}; {way_out}", r.message);
    }
    r
}

/// `file:line:column` of a byte offset, 1-based as editors show it.
fn location(text: &str, display: &str, offset: u32) -> String {
    let offset = (offset as usize).min(text.len());
    let offset = (0..=offset)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{display}:{line}:{column}")
}

/// The source of a span on one line, shortened.
fn excerpt(text: &str, span: Span) -> String {
    let s = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or("");
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 80 {
        format!("{}…", one_line.chars().take(79).collect::<String>())
    } else {
        one_line
    }
}

/// What a name or expression stands for.
#[derive(Debug, Clone)]
enum JsVal {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Object(Vec<(String, Slot)>),
    Array(Vec<JsVal>),
    /// A module or function the evaluator knows.
    Known(Known),
    /// A function of the file (not called while it loads).
    Function,
}

/// A property value with the span it came from, or why it is unknown.
type Slot = std::result::Result<(JsVal, Span), Refusal>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    PathModule,
    PathJoin,
    PathResolve,
    PathDirname,
    PrismaConfigModule,
    DefineConfig,
    EnvFn,
    DotenvModule,
    DotenvConfig,
    Require,
}

impl JsVal {
    fn kind(&self) -> &'static str {
        match self {
            JsVal::Undefined => "undefined",
            JsVal::Null => "null",
            JsVal::Bool(_) => "a boolean",
            JsVal::Num(_) => "a number",
            JsVal::Str(_) => "a string",
            JsVal::Object(_) => "an object",
            JsVal::Array(_) => "an array",
            JsVal::Known(_) | JsVal::Function => "a function",
        }
    }

    fn truthy(&self) -> bool {
        match self {
            JsVal::Undefined | JsVal::Null => false,
            JsVal::Bool(b) => *b,
            JsVal::Num(n) => *n != 0.0 && !n.is_nan(),
            JsVal::Str(s) => !s.is_empty(),
            JsVal::Object(_) | JsVal::Array(_) | JsVal::Known(_) | JsVal::Function => true,
        }
    }
}

type Eval = std::result::Result<JsVal, Refusal>;

struct Evaluator<'t, 'e> {
    text: &'t str,
    display: &'t str,
    cwd: &'t Path,
    file_dir: &'t Path,
    file: &'t Path,
    env: &'e mut Env,
    /// Top-level bindings: a value, or why it is unknown (raised only when used).
    bindings: HashMap<String, Eval>,
    env_files: Vec<String>,
    default: Option<Eval>,
    /// Where the default export is, for messages.
    default_at: u32,
}

/// PM1020: the file does not load in Node (a SyntaxError), so Prisma refuses it too.
fn syntax_error(text: &str, display: &str, at: u32, what: &str) -> Error {
    Error::own(
        "PM1020",
        format!(
            "{}: cannot parse the config file: {what}. prismig reads it as TypeScript; fix the syntax (`npx prisma validate` shows the same)",
            location(text, display, at)
        ),
    )
}

fn module_value(source: &str) -> Option<JsVal> {
    Some(JsVal::Known(match source {
        "path" | "node:path" | "path/posix" | "node:path/posix" => Known::PathModule,
        "prisma/config" | "@prisma/config" => Known::PrismaConfigModule,
        "dotenv" => Known::DotenvModule,
        _ => return None,
    }))
}

fn member_of(module: Known, name: &str) -> Option<Known> {
    Some(match (module, name) {
        (Known::PathModule, "join") => Known::PathJoin,
        (Known::PathModule, "resolve") => Known::PathResolve,
        (Known::PathModule, "dirname") => Known::PathDirname,
        (Known::PrismaConfigModule, "defineConfig") => Known::DefineConfig,
        (Known::PrismaConfigModule, "env") => Known::EnvFn,
        (Known::DotenvModule, "config") => Known::DotenvConfig,
        _ => return None,
    })
}

impl Evaluator<'_, '_> {
    fn refuse(&self, span: Span, why: &str) -> Refusal {
        Refusal {
            code: Some("PM1016"),
            message: format!(
                "cannot evaluate `{}` at {}: {why}. prismig reads the config file without running it and does not guess",
                excerpt(self.text, span),
                location(self.text, self.display, span.start)
            ),
        }
    }

    /// Node refuses a module with two default exports (SyntaxError: Duplicate export of
    /// 'default'): the second one is PM1020, never "the last one wins".
    fn set_default(&mut self, v: Eval, span: Span) -> Result<()> {
        if self.default.is_some() {
            return Err(syntax_error(
                self.text,
                self.display,
                span.start,
                "Duplicate export of 'default'",
            ));
        }
        self.default = Some(v);
        self.default_at = span.start;
        Ok(())
    }

    fn whole_file(&self, r: Refusal) -> Error {
        let Some(code) = r.code else {
            return r.to_error();
        };
        Error::own(
            code,
            format!(
                "{}; simplify the config file (literals, env(), process.env, path.join) or pass --config with one prismig can read",
                r.message
            ),
        )
    }

    fn program(&mut self, program: &Program<'_>) -> Result<()> {
        // Imports are hoisted: they run (and `dotenv/config` loads `.env`) before any
        // statement of the file.
        for stmt in &program.body {
            if let Statement::ImportDeclaration(import) = stmt {
                if import.import_kind.is_type() {
                    continue;
                }
                let source = import.source.value.as_str();
                let module = module_value(source);
                match &import.specifiers {
                    None => {
                        match source {
                            "dotenv/config" => self.dotenv_config_import(),
                            _ if module.is_some() => {}
                            _ => return Err(self.whole_file(self.refuse(
                                import.span,
                                "an import of another file or package may change the environment",
                            ))),
                        }
                    }
                    Some(specifiers) => {
                        for s in specifiers {
                            let (local, value) = match s {
                                ImportDeclarationSpecifier::ImportSpecifier(s) => {
                                    if s.import_kind.is_type() {
                                        continue;
                                    }
                                    let name = match &s.imported {
                                        ModuleExportName::IdentifierName(n) => n.name.as_str(),
                                        ModuleExportName::IdentifierReference(n) => n.name.as_str(),
                                        ModuleExportName::StringLiteral(n) => n.value.as_str(),
                                    };
                                    let value = match module {
                                        Some(JsVal::Known(m)) => {
                                            member_of(m, name).map(JsVal::Known).ok_or_else(|| {
                                                self.refuse(
                                                    s.span,
                                                    &format!("`{name}` of `{source}` is not known"),
                                                )
                                            })
                                        }
                                        _ => Err(self.refuse(
                                            s.span,
                                            &format!(
                                                "`{source}` is another file or an unknown package"
                                            ),
                                        )),
                                    };
                                    (s.local.name.to_string(), value)
                                }
                                ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => (
                                    s.local.name.to_string(),
                                    module.clone().ok_or_else(|| {
                                        self.refuse(
                                            s.span,
                                            &format!(
                                                "`{source}` is another file or an unknown package"
                                            ),
                                        )
                                    }),
                                ),
                                ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => (
                                    s.local.name.to_string(),
                                    module.clone().ok_or_else(|| {
                                        self.refuse(
                                            s.span,
                                            &format!(
                                                "`{source}` is another file or an unknown package"
                                            ),
                                        )
                                    }),
                                ),
                            };
                            self.bindings.insert(local, value);
                        }
                        if module.is_none() && (source.starts_with('.') || source.starts_with('/'))
                        {
                            // Importing a file runs it: it may set variables of the
                            // environment that the values below read.
                            return Err(self.whole_file(self.refuse(
                                import.span,
                                "an import of another file runs code prismig cannot see",
                            )));
                        }
                    }
                }
            }
        }
        for stmt in &program.body {
            self.statement(stmt)?;
        }
        Ok(())
    }

    fn statement(&mut self, stmt: &Statement<'_>) -> Result<()> {
        match stmt {
            Statement::ImportDeclaration(_)
            | Statement::EmptyStatement(_)
            | Statement::TSTypeAliasDeclaration(_)
            | Statement::TSInterfaceDeclaration(_) => Ok(()),
            Statement::VariableDeclaration(decl) => {
                self.declaration(decl);
                Ok(())
            }
            Statement::FunctionDeclaration(f) => {
                if let Some(id) = &f.id {
                    let r = self.refuse(f.span, "a function of the file is not evaluated");
                    self.bindings.insert(id.name.to_string(), Err(r));
                }
                Ok(())
            }
            Statement::ExportNamedDeclaration(export) => {
                if let Some(Declaration::VariableDeclaration(decl)) = &export.declaration {
                    self.declaration(decl);
                    return Ok(());
                }
                if export.declaration.is_some() {
                    // Types and functions: nothing a value here depends on.
                    return Ok(());
                }
                if export.source.is_some() {
                    return Err(
                        self.whole_file(self.refuse(export.span, "a re-export from another file"))
                    );
                }
                for s in &export.specifiers {
                    let exported = match &s.exported {
                        ModuleExportName::IdentifierName(n) => n.name.as_str(),
                        ModuleExportName::IdentifierReference(n) => n.name.as_str(),
                        ModuleExportName::StringLiteral(n) => n.value.as_str(),
                    };
                    if exported == "default" {
                        let local = match &s.local {
                            ModuleExportName::IdentifierName(n) => n.name.as_str(),
                            ModuleExportName::IdentifierReference(n) => n.name.as_str(),
                            ModuleExportName::StringLiteral(n) => n.value.as_str(),
                        };
                        let v = self.identifier(local, s.span);
                        self.set_default(v, s.span)?;
                    }
                }
                Ok(())
            }
            Statement::ExportDefaultDeclaration(export) => {
                let v = match export.declaration.as_expression() {
                    Some(e) => self.expr(e),
                    None => Err(self.refuse(
                        export.span,
                        "the default export is a function or a class, not a config object",
                    )),
                };
                self.set_default(v, export.span)
            }
            Statement::TSExportAssignment(export) => {
                let v = self.expr(&export.expression);
                self.set_default(v, export.span)
            }
            Statement::ExpressionStatement(s) => self.expression_statement(&s.expression),
            Statement::IfStatement(s) => {
                // `if (!process.env.X) throw new Error(…)`: the file fails to load when the
                // test holds.
                let test = self.expr(&s.test).map_err(|r| self.whole_file(r))?;
                let branch = if test.truthy() {
                    Some(&s.consequent)
                } else {
                    s.alternate.as_ref()
                };
                match branch {
                    None => Ok(()),
                    Some(Statement::ThrowStatement(t)) => Err(self.thrown(t.span)),
                    Some(Statement::BlockStatement(b))
                        if b.body.len() == 1
                            && matches!(b.body[0], Statement::ThrowStatement(_)) =>
                    {
                        Err(self.thrown(b.body[0].span()))
                    }
                    Some(other) => Err(self.whole_file(
                        self.refuse(other.span(), "only `throw` is understood in an `if`"),
                    )),
                }
            }
            other => Err(self.whole_file(self.refuse(
                other.span(),
                "this statement is not one the evaluator understands",
            ))),
        }
    }

    fn thrown(&self, span: Span) -> Error {
        Error::own(
            "PM1023",
            format!(
                "{}: the config file throws (`{}`), so Prisma cannot load it either; set what it checks",
                location(self.text, self.display, span.start),
                excerpt(self.text, span)
            ),
        )
    }

    fn declaration(&mut self, decl: &VariableDeclaration<'_>) {
        for d in &decl.declarations {
            let value = match &d.init {
                Some(init) => self.expr(init),
                None => Ok(JsVal::Undefined),
            };
            match &d.id.kind {
                BindingPatternKind::BindingIdentifier(id) => {
                    self.bindings.insert(id.name.to_string(), value);
                }
                BindingPatternKind::ObjectPattern(pattern) => {
                    for p in &pattern.properties {
                        let BindingPatternKind::BindingIdentifier(local) = &p.value.kind else {
                            continue;
                        };
                        let v = match (&value, p.key.static_name()) {
                            (Err(r), _) => Err(r.clone()),
                            (Ok(_), None) | (Ok(_), Some(_)) if p.computed => {
                                Err(self.refuse(p.span, "a computed key"))
                            }
                            (Ok(obj), Some(name)) => self.member(obj, &name, p.span),
                            (Ok(_), None) => Err(self.refuse(p.span, "a key that is not a name")),
                        };
                        self.bindings.insert(local.name.to_string(), v);
                    }
                    if let Some(rest) = &pattern.rest {
                        if let BindingPatternKind::BindingIdentifier(local) = &rest.argument.kind {
                            let r = self.refuse(rest.span, "a rest pattern");
                            self.bindings.insert(local.name.to_string(), Err(r));
                        }
                    }
                }
                _ => {
                    for id in d.id.get_binding_identifiers() {
                        let r = self.refuse(d.span, "an array pattern");
                        self.bindings.insert(id.name.to_string(), Err(r));
                    }
                }
            }
        }
    }

    fn expression_statement(&mut self, e: &Expression<'_>) -> Result<()> {
        let e = e.get_inner_expression();
        match e {
            Expression::CallExpression(call) => {
                let callee = self.expr(&call.callee).map_err(|r| self.whole_file(r))?;
                match callee {
                    JsVal::Known(Known::DotenvConfig) => {
                        let options = match call.arguments.first() {
                            None => None,
                            Some(a) => match a.as_expression() {
                                Some(e) => Some(self.expr(e).map_err(|r| self.whole_file(r))?),
                                None => {
                                    return Err(self
                                        .whole_file(self.refuse(call.span, "a spread argument")))
                                }
                            },
                        };
                        self.dotenv_config(options, call.span)
                    }
                    // `require("dotenv/config")`
                    JsVal::Known(Known::Require) => {
                        match call.arguments.first().and_then(|a| a.as_expression()) {
                            Some(Expression::StringLiteral(s)) if s.value == "dotenv/config" => {
                                self.dotenv_config_import();
                                Ok(())
                            }
                            Some(Expression::StringLiteral(s))
                                if module_value(s.value.as_str()).is_some() =>
                            {
                                Ok(())
                            }
                            _ => Err(self.whole_file(self.refuse(
                                call.span,
                                "requiring another file or package may change the environment",
                            ))),
                        }
                    }
                    _ => {
                        Err(self
                            .whole_file(self.refuse(call.span, "a call whose effect is unknown")))
                    }
                }
            }
            Expression::AssignmentExpression(a) => {
                let target = a.left.span();
                let target_text = self
                    .text
                    .get(target.start as usize..target.end as usize)
                    .unwrap_or("");
                if matches!(target_text, "module.exports" | "exports.default") {
                    let v = self.expr(&a.right);
                    self.default = Some(v);
                    self.default_at = a.span.start;
                    return Ok(());
                }
                Err(self.whole_file(self.refuse(
                    a.span,
                    "an assignment (to a variable or to process.env) changes what the config reads",
                )))
            }
            Expression::StringLiteral(_) => Ok(()), // "use strict"
            other => {
                Err(self
                    .whole_file(self.refuse(other.span(), "a statement whose effect is unknown")))
            }
        }
    }

    /// `import "dotenv/config"`: `.env` of the working directory, or `DOTENV_CONFIG_PATH`.
    fn dotenv_config_import(&mut self) {
        let path = match self.env.get("DOTENV_CONFIG_PATH") {
            Some(p) if !p.is_empty() => lexical_join(self.cwd, p),
            _ => self.cwd.join(".env"),
        };
        self.load_env(&path, false);
    }

    fn load_env(&mut self, path: &Path, overriding: bool) {
        // dotenv ignores a missing or unreadable file.
        if !path.is_file() {
            return;
        }
        if let Ok(vars) = Env::parse_file(path) {
            for (k, v) in vars {
                if overriding || self.env.get(&k).is_none() {
                    self.env.set(&k, &v);
                }
            }
            let shown = relative(path, self.cwd);
            if !self.env_files.contains(&shown) {
                self.env_files.push(shown);
            }
        }
    }

    /// `dotenv.config(options?)`: `path` (a string or a list), `override`.
    fn dotenv_config(&mut self, options: Option<JsVal>, span: Span) -> Result<()> {
        let mut paths = vec![self.cwd.join(".env")];
        let mut overriding = false;
        match options {
            None | Some(JsVal::Undefined) => {}
            Some(JsVal::Object(props)) => {
                for (key, value) in props {
                    let (value, vspan) = value.map_err(|r| self.whole_file(r))?;
                    match (key.as_str(), value) {
                        ("path", JsVal::Str(p)) => paths = vec![lexical_join(self.cwd, &p)],
                        ("path", JsVal::Array(list)) => {
                            paths = Vec::new();
                            for p in list {
                                match p {
                                    JsVal::Str(p) => paths.push(lexical_join(self.cwd, &p)),
                                    _ => {
                                        return Err(self.whole_file(
                                            self.refuse(vspan, "a path that is not a string"),
                                        ))
                                    }
                                }
                            }
                        }
                        ("path", JsVal::Undefined) => {}
                        ("override", v) => overriding = v.truthy(),
                        ("quiet" | "debug" | "encoding", _) => {}
                        _ => {
                            return Err(self.whole_file(
                                self.refuse(vspan, "a dotenv option the evaluator does not know"),
                            ))
                        }
                    }
                }
            }
            Some(_) => {
                return Err(
                    self.whole_file(self.refuse(span, "dotenv options that are not an object"))
                )
            }
        }
        for p in paths {
            self.load_env(&p, overriding);
        }
        Ok(())
    }

    fn identifier(&self, name: &str, span: Span) -> Eval {
        match name {
            "undefined" => return Ok(JsVal::Undefined),
            "__dirname" => return Ok(JsVal::Str(self.file_dir.display().to_string())),
            "__filename" => return Ok(JsVal::Str(self.file.display().to_string())),
            _ => {}
        }
        match self.bindings.get(name) {
            Some(v) => v.clone(),
            None if name == "require" => Ok(JsVal::Known(Known::Require)),
            None => Err(self.refuse(span, &format!("`{name}` is not defined in this file"))),
        }
    }

    fn member(&self, object: &JsVal, name: &str, span: Span) -> Eval {
        match object {
            JsVal::Known(m) => member_of(*m, name)
                .map(JsVal::Known)
                .ok_or_else(|| self.refuse(span, &format!("`{name}` is not known"))),
            JsVal::Object(props) => match props.iter().rev().find(|(k, _)| k == name) {
                Some((_, Ok((v, _)))) => Ok(v.clone()),
                Some((_, Err(r))) => Err(r.clone()),
                None => Ok(JsVal::Undefined),
            },
            JsVal::Str(s) if name == "length" => Ok(JsVal::Num(s.chars().count() as f64)),
            _ => Err(self.refuse(span, &format!("`.{name}` of {}", object.kind()))),
        }
    }

    /// `process.env.X` / `process.env["X"]`, when `e` is one.
    fn process_env(&self, e: &Expression<'_>) -> Option<std::result::Result<String, Refusal>> {
        let member = e.as_member_expression()?;
        if !member
            .object()
            .without_parentheses()
            .is_specific_member_access("process", "env")
        {
            return None;
        }
        Some(match member.static_property_name() {
            Some(name) => Ok(name.to_string()),
            None => Err(self.refuse(e.span(), "a computed variable name")),
        })
    }

    fn args(&self, args: &[Argument<'_>], span: Span) -> std::result::Result<Vec<JsVal>, Refusal> {
        args.iter()
            .map(|a| match a.as_expression() {
                Some(e) => self.expr(e),
                None => Err(self.refuse(span, "a spread argument")),
            })
            .collect()
    }

    fn strings(&self, args: Vec<JsVal>, span: Span) -> std::result::Result<Vec<String>, Refusal> {
        args.into_iter()
            .map(|a| match a {
                JsVal::Str(s) => Ok(s),
                other => Err(self.refuse(span, &format!("a path argument is {}", other.kind()))),
            })
            .collect()
    }

    fn expr(&self, e: &Expression<'_>) -> Eval {
        if let Some(var) = self.process_env(e) {
            let var = var?;
            return Ok(match self.env.get(&var) {
                Some(v) => JsVal::Str(v.to_owned()),
                None => JsVal::Undefined,
            });
        }
        match e {
            Expression::StringLiteral(s) => Ok(JsVal::Str(s.value.to_string())),
            Expression::NumericLiteral(n) => Ok(JsVal::Num(n.value)),
            Expression::BooleanLiteral(b) => Ok(JsVal::Bool(b.value)),
            Expression::NullLiteral(_) => Ok(JsVal::Null),
            Expression::ParenthesizedExpression(p) => self.expr(&p.expression),
            Expression::TSAsExpression(x) => self.expr(&x.expression),
            Expression::TSSatisfiesExpression(x) => self.expr(&x.expression),
            Expression::TSTypeAssertion(x) => self.expr(&x.expression),
            Expression::TSNonNullExpression(x) => self.expr(&x.expression),
            Expression::Identifier(id) => self.identifier(id.name.as_str(), id.span),
            Expression::TemplateLiteral(t) => {
                let mut out = String::new();
                for (i, q) in t.quasis.iter().enumerate() {
                    match &q.value.cooked {
                        Some(c) => out.push_str(c),
                        None => return Err(self.refuse(t.span, "an invalid escape")),
                    }
                    if let Some(x) = t.expressions.get(i) {
                        match self.expr(x)? {
                            JsVal::Str(s) => out.push_str(&s),
                            JsVal::Num(n) => out.push_str(&number(n)),
                            JsVal::Bool(b) => out.push_str(if b { "true" } else { "false" }),
                            other => {
                                // JavaScript would write "undefined" into the value: a
                                // URL or path nobody meant.
                                return Err(self.refuse(
                                    x.span(),
                                    &format!("it is {} (an unset variable?)", other.kind()),
                                ));
                            }
                        }
                    }
                }
                Ok(JsVal::Str(out))
            }
            Expression::BinaryExpression(b)
                if b.operator == oxc_ast::ast::BinaryOperator::Addition =>
            {
                match (self.expr(&b.left)?, self.expr(&b.right)?) {
                    (JsVal::Str(l), JsVal::Str(r)) => Ok(JsVal::Str(l + &r)),
                    (JsVal::Str(l), JsVal::Num(r)) => Ok(JsVal::Str(l + &number(r))),
                    (JsVal::Num(l), JsVal::Str(r)) => Ok(JsVal::Str(number(l) + &r)),
                    (JsVal::Num(l), JsVal::Num(r)) => Ok(JsVal::Num(l + r)),
                    (l, r) => {
                        Err(self.refuse(b.span, &format!("`+` of {} and {}", l.kind(), r.kind())))
                    }
                }
            }
            Expression::LogicalExpression(l) => {
                let left = self.expr(&l.left)?;
                let take_left = match l.operator {
                    LogicalOperator::Coalesce => !matches!(left, JsVal::Undefined | JsVal::Null),
                    LogicalOperator::Or => left.truthy(),
                    LogicalOperator::And => !left.truthy(),
                };
                if take_left {
                    Ok(left)
                } else {
                    self.expr(&l.right)
                }
            }
            Expression::ConditionalExpression(c) => {
                if self.expr(&c.test)?.truthy() {
                    self.expr(&c.consequent)
                } else {
                    self.expr(&c.alternate)
                }
            }
            Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
                Ok(JsVal::Bool(!self.expr(&u.argument)?.truthy()))
            }
            Expression::ObjectExpression(o) => {
                let mut props: Vec<(String, Slot)> = Vec::new();
                for p in &o.properties {
                    match p {
                        ObjectPropertyKind::ObjectProperty(p) => {
                            let key = match (&p.key, p.computed) {
                                (PropertyKey::StaticIdentifier(id), false) => id.name.to_string(),
                                (PropertyKey::StringLiteral(s), _) => s.value.to_string(),
                                (PropertyKey::NumericLiteral(n), false) => number(n.value),
                                _ => {
                                    return Err(self.refuse(
                                        p.span,
                                        "a computed key: which field it sets is unknown",
                                    ))
                                }
                            };
                            let value = if p.method {
                                Ok((JsVal::Undefined, p.value.span()))
                            } else {
                                self.expr(&p.value).map(|v| (v, p.value.span()))
                            };
                            props.push((key, value));
                        }
                        ObjectPropertyKind::SpreadProperty(s) => match self.expr(&s.argument)? {
                            JsVal::Object(inner) => props.extend(inner),
                            JsVal::Undefined | JsVal::Null => {}
                            other => {
                                return Err(
                                    self.refuse(s.span, &format!("a spread of {}", other.kind()))
                                )
                            }
                        },
                    }
                }
                Ok(JsVal::Object(props))
            }
            Expression::ArrayExpression(a) => {
                let mut items = Vec::new();
                for el in &a.elements {
                    match el {
                        ArrayExpressionElement::SpreadElement(s) => {
                            return Err(self.refuse(s.span, "a spread element"))
                        }
                        ArrayExpressionElement::Elision(_) => items.push(JsVal::Undefined),
                        other => match other.as_expression() {
                            Some(x) => items.push(self.expr(x)?),
                            None => return Err(self.refuse(a.span, "an array element")),
                        },
                    }
                }
                Ok(JsVal::Array(items))
            }
            // Functions are values that are not called while the file loads (the
            // `adapter` of Prisma 6's `migrate`, a seed script...).
            Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_) => {
                Ok(JsVal::Function)
            }
            Expression::MetaProperty(m) => {
                Err(self.refuse(m.span, "`import.meta` alone is not a value prismig knows"))
            }
            Expression::CallExpression(call) => self.call(call),
            _ => {
                if let Some(member) = e.as_member_expression() {
                    // `import.meta.dirname` / `import.meta.filename`
                    if let Expression::MetaProperty(m) = member.object().without_parentheses() {
                        if m.meta.name == "import" && m.property.name == "meta" {
                            return match member.static_property_name() {
                                Some("dirname") => {
                                    Ok(JsVal::Str(self.file_dir.display().to_string()))
                                }
                                Some("filename") => Ok(JsVal::Str(self.file.display().to_string())),
                                _ => Err(self.refuse(
                                    e.span(),
                                    "only import.meta.dirname and import.meta.filename are known",
                                )),
                            };
                        }
                    }
                    if member.optional() {
                        let object = self.expr(member.object())?;
                        if matches!(object, JsVal::Undefined | JsVal::Null) {
                            return Ok(JsVal::Undefined);
                        }
                    }
                    let object = self.expr(member.object())?;
                    return match member.static_property_name() {
                        Some(name) => self.member(&object, name, e.span()),
                        None => Err(self.refuse(e.span(), "a computed member")),
                    };
                }
                if let Expression::ChainExpression(c) = e {
                    if let Some(m) = c.expression.as_member_expression() {
                        let object = self.expr(m.object())?;
                        if matches!(object, JsVal::Undefined | JsVal::Null) {
                            return Ok(JsVal::Undefined);
                        }
                        return match m.static_property_name() {
                            Some(name) => self.member(&object, name, e.span()),
                            None => Err(self.refuse(e.span(), "a computed member")),
                        };
                    }
                }
                Err(self.refuse(e.span(), "an expression the evaluator does not know"))
            }
        }
    }

    fn call(&self, call: &oxc_ast::ast::CallExpression<'_>) -> Eval {
        // `process.cwd()`
        if call.callee.is_specific_member_access("process", "cwd") && call.arguments.is_empty() {
            return Ok(JsVal::Str(self.cwd.display().to_string()));
        }
        const UNKNOWN: &str = "a call of a function the evaluator does not know (it knows defineConfig, env, path.join, path.resolve, path.dirname, require)";
        let Ok(JsVal::Known(f)) = self.expr(&call.callee) else {
            return Err(self.refuse(call.span, UNKNOWN));
        };
        match f {
            Known::DefineConfig => {
                let mut args = self.args(&call.arguments, call.span)?;
                match args.len() {
                    1 => Ok(args.remove(0)),
                    _ => Err(self.refuse(call.span, "defineConfig takes one object")),
                }
            }
            Known::EnvFn => {
                let args = self.args(&call.arguments, call.span)?;
                let Some(JsVal::Str(var)) = args.first() else {
                    return Err(self.refuse(call.span, "env() of something that is not a string"));
                };
                match self.env.get(var) {
                    Some(v) if !v.is_empty() => Ok(JsVal::Str(v.to_owned())),
                    // Prisma's `env()` throws while the file loads.
                    _ => Err(Refusal {
                        code: None,
                        message: format!(
                            "Failed to load config file \"{}\" as a TypeScript/JavaScript module. Error: PrismaConfigEnvError: Cannot resolve environment variable: {var}.",
                            self.file.display()
                        ),
                    }),
                }
            }
            Known::PathJoin => {
                let parts = self.strings(self.args(&call.arguments, call.span)?, call.span)?;
                Ok(JsVal::Str(path_join(&parts)))
            }
            Known::PathResolve => {
                let parts = self.strings(self.args(&call.arguments, call.span)?, call.span)?;
                let mut acc = self.cwd.to_path_buf();
                for p in parts {
                    if !p.is_empty() {
                        acc = lexical_join(&acc, &p);
                    }
                }
                Ok(JsVal::Str(normalize(&acc).display().to_string()))
            }
            Known::PathDirname => {
                let parts = self.strings(self.args(&call.arguments, call.span)?, call.span)?;
                match parts.as_slice() {
                    [p] => Ok(JsVal::Str(
                        Path::new(p)
                            .parent()
                            .map(|d| d.display().to_string())
                            .filter(|d| !d.is_empty())
                            .unwrap_or_else(|| ".".to_owned()),
                    )),
                    _ => Err(self.refuse(call.span, "path.dirname takes one path")),
                }
            }
            Known::Require => match call.arguments.first().and_then(|a| a.as_expression()) {
                Some(Expression::StringLiteral(s)) => {
                    module_value(s.value.as_str()).ok_or_else(|| {
                        self.refuse(call.span, "a require of another file or an unknown package")
                    })
                }
                _ => Err(self.refuse(call.span, "a require of a computed name")),
            },
            Known::DotenvConfig => Err(self.refuse(
                call.span,
                "dotenv.config() inside an expression (call it as a statement)",
            )),
            Known::PathModule | Known::PrismaConfigModule | Known::DotenvModule => {
                Err(self.refuse(call.span, "a module is not a function"))
            }
        }
    }
}

/// JavaScript's `String(n)` for the numbers a config holds.
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// `path.join`: the segments joined with `/` and normalised (`.` if empty).
fn path_join(parts: &[String]) -> String {
    let joined = parts
        .iter()
        .filter(|p| !p.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join("/");
    if joined.is_empty() {
        return ".".to_owned();
    }
    let n = normalize(Path::new(&joined)).display().to_string();
    if n.is_empty() {
        ".".to_owned()
    } else {
        n
    }
}

/// `base` joined with `p` (`p` wins when absolute), `.` and `..` resolved lexically.
pub fn lexical_join(base: &Path, p: &str) -> PathBuf {
    normalize(&base.join(p))
}

fn normalize(p: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests;
