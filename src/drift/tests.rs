//! The §9.7 cases (prisma-transcripts.md) on the schema model: each change made to the
//! twin's schema, diffed from the history's schema, must print Prisma's bytes.

use super::diff::type_change_for_tests;
use super::*;

fn col(name: &str, ty: &str, arity: Arity, default: Option<DefaultKind>) -> Column {
    Column {
        name: name.to_owned(),
        data_type: ty.to_owned(),
        enum_type: None,
        arity,
        default,
        autoincrement: false,
    }
}

fn serial(name: &str, table: &str) -> Column {
    Column {
        autoincrement: true,
        ..col(
            name,
            "integer",
            Arity::Required,
            Some(DefaultKind::Sequence(format!("{table}_{name}_seq"))),
        )
    }
}

fn index(name: &str, unique: bool, cols: &[&str]) -> Index {
    Index {
        name: name.to_owned(),
        unique,
        columns: cols
            .iter()
            .map(|c| IndexColumn {
                name: (*c).to_owned(),
                descending: false,
                length: None,
            })
            .collect(),
        method: Some("btree".to_owned()),
        predicate: None,
    }
}

fn pk(table: &str, cols: &[&str]) -> Option<PrimaryKey> {
    Some(PrimaryKey {
        name: Some(format!("{table}_pkey")),
        columns: cols.iter().map(|c| (*c).to_owned()).collect(),
    })
}

fn fk(name: &str, cols: &[&str], to: &str, on_delete: Action) -> ForeignKey {
    ForeignKey {
        name: Some(name.to_owned()),
        columns: cols.iter().map(|c| (*c).to_owned()).collect(),
        referenced_table: to.to_owned(),
        referenced_columns: vec!["id".to_owned()],
        on_delete,
        on_update: Action::Cascade,
    }
}

/// The history of §9.7, as PostgreSQL describes it.
fn twin() -> Schema {
    let role = Column {
        enum_type: Some("Role".to_owned()),
        ..col(
            "role",
            "\"Role\"",
            Arity::Required,
            Some(DefaultKind::Value(PrismaValue::Enum("USER".to_owned()))),
        )
    };
    let mut s = Schema {
        tables: vec![
            Table {
                name: "User".to_owned(),
                columns: vec![
                    serial("id", "User"),
                    col("email", "text", Arity::Required, None),
                    col("name", "text", Arity::Required, None),
                    col(
                        "age",
                        "integer",
                        Arity::Required,
                        Some(DefaultKind::Value(PrismaValue::Int(0))),
                    ),
                    role,
                ],
                primary_key: pk("User", &["id"]),
                indexes: vec![index("User_email_key", true, &["email"])],
                foreign_keys: vec![],
            },
            Table {
                name: "Post".to_owned(),
                columns: vec![
                    serial("id", "Post"),
                    col("title", "text", Arity::Required, None),
                    col("authorId", "integer", Arity::Required, None),
                    col("reviewerId", "integer", Arity::Nullable, None),
                ],
                primary_key: pk("Post", &["id"]),
                indexes: vec![index("Post_title_idx", false, &["title"])],
                foreign_keys: vec![fk(
                    "Post_authorId_fkey",
                    &["authorId"],
                    "User",
                    Action::Restrict,
                )],
            },
        ],
        enums: vec![Enum {
            name: "Role".to_owned(),
            values: vec!["USER".to_owned(), "ADMIN".to_owned()],
        }],
        ..Schema::default()
    };
    s.normalize();
    s
}

fn table<'a>(s: &'a mut Schema, name: &str) -> &'a mut Table {
    s.tables.iter_mut().find(|t| t.name == name).unwrap()
}

fn tag() -> Table {
    Table {
        name: "Tag".to_owned(),
        columns: vec![col("id", "integer", Arity::Required, None)],
        primary_key: pk("Tag", &["id"]),
        indexes: vec![],
        foreign_keys: vec![],
    }
}

fn summary(change: impl Fn(&mut Schema)) -> String {
    let from = twin();
    let mut to = twin();
    change(&mut to);
    to.normalize();
    render(&diff(&from, &to, Flavour::Postgres))
}

#[test]
fn prisma_summaries_of_each_change_kind() {
    type Change = fn(&mut Schema);
    let cases: Vec<(&str, Change, &str)> = vec![
        ("no difference", |_| {}, "No difference detected."),
        (
            "add table",
            |s| s.tables.push(tag()),
            "\n[+] Added tables\n  - Tag\n",
        ),
        (
            "drop table",
            |s| s.tables.retain(|t| t.name != "Post"),
            "\n[-] Removed tables\n  - Post\n\n[*] Changed the `Post` table\n  [-] Removed foreign key on columns (authorId)\n",
        ),
        (
            "add column",
            |s| table(s, "User").columns.push(col("bio", "text", Arity::Nullable, None)),
            "\n[*] Changed the `User` table\n  [+] Added column `bio`\n",
        ),
        (
            "drop column",
            |s| table(s, "User").columns.retain(|c| c.name != "age"),
            "\n[*] Changed the `User` table\n  [-] Removed column `age`\n",
        ),
        (
            "change column type",
            |s| table(s, "User").columns[3].data_type = "bigint".to_owned(),
            "\n[*] Changed the `User` table\n  [*] Altered column `age` (type changed)\n",
        ),
        (
            "make a column nullable",
            |s| table(s, "User").columns[2].arity = Arity::Nullable,
            "\n[*] Changed the `User` table\n  [*] Altered column `name` (changed from Required to Nullable)\n",
        ),
        (
            "change a default",
            |s| {
                table(s, "User").columns[3].default =
                    Some(DefaultKind::Value(PrismaValue::Int(18)))
            },
            "\n[*] Changed the `User` table\n  [*] Altered column `age` (default changed from `Some(Value(Int(0)))` to `Some(Value(Int(18)))`)\n",
        ),
        (
            "add index",
            |s| table(s, "User").indexes.push(index("User_name_idx", false, &["name"])),
            "\n[*] Changed the `User` table\n  [+] Added index on columns (name)\n",
        ),
        (
            "drop index",
            |s| table(s, "Post").indexes.clear(),
            "\n[*] Changed the `Post` table\n  [-] Removed index on columns (title)\n",
        ),
        (
            "add unique constraint",
            |s| table(s, "Post").indexes.push(index("Post_title_key", true, &["title"])),
            "\n[*] Changed the `Post` table\n  [+] Added unique index on columns (title)\n",
        ),
        (
            "add foreign key",
            |s| {
                table(s, "Post").foreign_keys.push(fk(
                    "Post_reviewerId_fkey",
                    &["reviewerId"],
                    "User",
                    Action::SetNull,
                ))
            },
            "\n[*] Changed the `Post` table\n  [+] Added foreign key on columns (reviewerId)\n",
        ),
        (
            "drop foreign key",
            |s| table(s, "Post").foreign_keys.clear(),
            "\n[*] Changed the `Post` table\n  [-] Removed foreign key on columns (authorId)\n",
        ),
        (
            "add enum",
            |s| {
                s.enums.push(Enum {
                    name: "Status".to_owned(),
                    values: vec!["DRAFT".to_owned(), "PUBLISHED".to_owned()],
                })
            },
            "\n[+] Added enums\n  - Status\n",
        ),
        (
            "add an enum value",
            |s| s.enums[0].values.push("GUEST".to_owned()),
            "\n[*] Changed the `Role` enum\n  [+] Added variant `GUEST`\n",
        ),
        (
            "change primary key",
            |s| table(s, "Post").primary_key = pk("Post", &["id", "authorId"]),
            "\n[*] Changed the `Post` table\n  [-] Dropped the primary key on columns (id)\n  [+] Added primary key on columns (id, authorId)\n)\n",
        ),
        (
            "several changes at once",
            |s| {
                s.tables.retain(|t| t.name != "Post");
                s.tables.push(tag());
                s.enums = vec![Enum {
                    name: "Status".to_owned(),
                    values: vec!["DRAFT".to_owned()],
                }];
                let user = table(s, "User");
                user.columns.retain(|c| c.name != "role");
                user.columns.push(col("bio", "text", Arity::Nullable, None));
                user.columns.push(Column {
                    enum_type: Some("Status".to_owned()),
                    ..col("status", "\"Status\"", Arity::Nullable, None)
                });
                user.columns[2].arity = Arity::Nullable;
                user.indexes.push(index("User_name_idx", false, &["name"]));
            },
            "\n[+] Added enums\n  - Status\n\n[+] Added tables\n  - Tag\n\n[-] Removed enums\n  - Role\n\n[-] Removed tables\n  - Post\n\n[*] Changed the `Post` table\n  [-] Removed foreign key on columns (authorId)\n\n[*] Changed the `User` table\n  [-] Removed column `role`\n  [+] Added column `bio`\n  [+] Added column `status`\n  [*] Altered column `name` (changed from Required to Nullable)\n  [+] Added index on columns (name)\n",
        ),
        (
            "with a changed enum",
            |s| {
                s.enums[0].values.push("GUEST".to_owned());
                s.enums.push(Enum {
                    name: "Status".to_owned(),
                    values: vec!["DRAFT".to_owned()],
                });
                s.tables.push(tag());
                table(s, "User").columns.push(col("bio", "text", Arity::Nullable, None));
                table(s, "Post").indexes.clear();
            },
            "\n[+] Added enums\n  - Status\n\n[+] Added tables\n  - Tag\n\n[*] Changed the `Role` enum\n  [+] Added variant `GUEST`\n\n[*] Changed the `Post` table\n  [-] Removed index on columns (title)\n\n[*] Changed the `User` table\n  [+] Added column `bio`\n",
        ),
    ];
    for (name, change, expected) in cases {
        assert_eq!(summary(change), expected, "case {name}");
    }
}

#[test]
fn from_empty_lists_indexes_and_foreign_keys_of_created_tables() {
    let out = render(&diff(&Schema::default(), &twin(), Flavour::Postgres));
    assert_eq!(
        out,
        "\n[+] Added enums\n  - Role\n\n[+] Added tables\n  - Post\n  - User\n\n[*] Changed the `Post` table\n  [+] Added index on columns (title)\n  [+] Added foreign key on columns (authorId)\n\n[*] Changed the `User` table\n  [+] Added unique index on columns (email)\n"
    );
    assert_eq!(
        render(&diff(&twin(), &twin(), Flavour::Postgres)),
        "No difference detected."
    );
}

#[test]
fn the_reverse_direction_mirrors_each_change() {
    let from = twin();
    let mut to = twin();
    to.tables.push(tag());
    to.enums[0].values.push("GUEST".to_owned());
    table(&mut to, "User").columns[3].default = None;
    to.normalize();
    assert_eq!(
        render(&diff(&to, &from, Flavour::Postgres)),
        "\n[-] Removed tables\n  - Tag\n\n[*] Changed the `Role` enum\n  [-] Removed variant `GUEST`\n\n[*] Changed the `User` table\n  [*] Altered column `age` (default changed from `None` to `Some(Value(Int(0)))`)\n"
    );
}

#[test]
fn enum_column_changes_are_drop_and_recreate_on_postgres() {
    let out = summary(|s| {
        let c = &mut table(s, "User").columns[4];
        c.enum_type = None;
        c.data_type = "text".to_owned();
        c.default = Some(DefaultKind::Value(PrismaValue::String("USER".to_owned())));
    });
    assert_eq!(
        out,
        "\n[*] Changed the `User` table\n  [*] Column `role` would be dropped and recreated (type changed)\n"
    );
}

#[test]
fn sqlite_redefines_tables_and_ignores_foreign_key_names() {
    let from = twin();
    let mut to = twin();
    table(&mut to, "User").columns[2].arity = Arity::Nullable;
    table(&mut to, "Post")
        .columns
        .push(col("bio", "TEXT", Arity::Nullable, None));
    table(&mut to, "Post").foreign_keys[0].name = None;
    to.normalize();
    assert_eq!(
        render(&diff(&from, &to, Flavour::Sqlite)),
        "\n[*] Redefined table `User`\n\n[*] Changed the `Post` table\n  [+] Added column `bio`\n"
    );
    // Only the family of a declared type counts.
    assert_eq!(
        diff::sqlite_family("VARCHAR(10)"),
        diff::sqlite_family("TEXT")
    );
}

#[test]
fn mysql_keeps_indexes_of_created_tables_and_foreign_key_indexes_out() {
    let mut to = twin();
    to.enums.clear();
    let mut from = to.clone();
    from.tables.retain(|t| t.name != "Post");
    let post = table(&mut to, "Post");
    post.indexes
        .push(index("Post_authorId_fkey", false, &["authorId"]));
    assert_eq!(
        render(&diff(&from, &to, Flavour::Mysql)),
        "\n[+] Added tables\n  - Post\n\n[*] Changed the `Post` table\n  [+] Added foreign key on columns (authorId)\n"
    );
    // Dropping the foreign key drops its index with it: not listed.
    let mut without = to.clone();
    table(&mut without, "Post").foreign_keys.clear();
    table(&mut without, "Post")
        .indexes
        .retain(|i| i.name != "Post_authorId_fkey");
    assert_eq!(
        render(&diff(&to, &without, Flavour::Mysql)),
        "\n[*] Changed the `Post` table\n  [-] Removed foreign key on columns (authorId)\n"
    );
}

#[test]
fn postgres_types_that_cannot_be_cast_are_dropped_and_recreated() {
    let change = |from: &str, to: &str| {
        summary(|s| table(s, "User").columns[2].data_type = to.to_owned()).replace(from, "")
    };
    // `name` is text in the twin.
    assert_eq!(
        change("", "integer"),
        "\n[*] Changed the `User` table\n  [*] Column `name` would be dropped and recreated (type changed)\n"
    );
    assert_eq!(
        change("", "character varying(191)"),
        "\n[*] Changed the `User` table\n  [*] Altered column `name` (type changed)\n"
    );
    let from = |t: &str| Column {
        data_type: t.to_owned(),
        ..col("c", t, Arity::Required, None)
    };
    let d = |a: &str, b: &str| type_change_for_tests(&from(a), &from(b));
    assert_eq!(
        d(
            "timestamp(3) without time zone",
            "timestamp without time zone"
        ),
        None
    );
    assert_eq!(
        d(
            "timestamp(3) without time zone",
            "timestamp(6) without time zone"
        ),
        Some(true)
    );
    assert_eq!(d("boolean", "date"), Some(false));
    assert_eq!(d("integer", "bigint"), Some(true));
}
