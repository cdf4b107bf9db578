use super::*;

fn env(name: &str) -> Option<String> {
    match name {
        "TENANT_A" => Some("postgresql://u:secret@h/a".to_owned()),
        "EMPTY" => Some("  ".to_owned()),
        _ => None,
    }
}

#[test]
fn targets_files_read_urls_variables_comments_and_blank_lines() {
    let text = "# tenants\n\npostgresql://u:pw@h/one   # the first\n$TENANT_A\n${TENANT_A}\n\tmysql://root@h/two\n";
    let t = parse_targets("t.txt", text, &env).unwrap();
    let urls: Vec<&str> = t.iter().map(|t| t.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "postgresql://u:pw@h/one",
            "postgresql://u:secret@h/a",
            "postgresql://u:secret@h/a",
            "mysql://root@h/two"
        ]
    );
    assert_eq!(t[0].label, "postgresql://u:****@h/one");
    assert_eq!(t[1].label, "postgresql://u:****@h/a");
}

#[test]
fn targets_file_errors_have_their_codes() {
    let cases: &[(&str, &str, &str)] = &[
        ("postgresql://u:pw@h/a b\n", "PM8001", "line 1"),
        ("# c\nnot-a-url\n", "PM8001", "line 2"),
        ("$1BAD\n", "PM8001", "letters, digits"),
        ("$NOPE\n", "PM8002", "`NOPE`"),
        ("$EMPTY\n", "PM8002", "`EMPTY`"),
        ("# only\n\n", "PM8003", "lists no database"),
        ("", "PM8003", "lists no database"),
    ];
    for (text, code, part) in cases {
        let e = parse_targets("t.txt", text, &env).unwrap_err();
        assert_eq!(e.code(), *code, "{text:?}");
        assert!(e.to_string().contains(part), "{text:?}: {e}");
        assert!(!e.hint().is_empty());
    }
    // The password of a bad line is not printed.
    let e = parse_targets("t.txt", "postgresql://u:hunter2@h/a x\n", &env).unwrap_err();
    assert!(!e.to_string().contains("hunter2"), "{e}");
}

#[test]
fn globs() {
    let cases = [
        ("tenant_*", "tenant_1", true),
        ("tenant_*", "tenant_", true),
        ("tenant_*", "tenants", false),
        ("tenant_*", "Tenant_1", false),
        ("t?_x", "t1_x", true),
        ("t?_x", "t12_x", false),
        ("*", "public", true),
        ("*_a*b", "x_aab", true),
        ("*_a*b", "x_aac", false),
        ("exact", "exact", true),
        ("exact", "exactly", false),
    ];
    for (p, n, want) in cases {
        assert_eq!(glob_match(p, n), want, "{p} vs {n}");
    }
}

#[test]
fn schema_urls_replace_the_schema_and_keep_the_rest() {
    assert_eq!(
        schema_url(
            "postgresql://u:p@h:5432/db?schema=public&sslmode=disable",
            "t_1"
        )
        .unwrap(),
        "postgresql://u:p@h:5432/db?sslmode=disable&schema=t_1"
    );
    assert_eq!(
        schema_url("postgresql://h/db", "a b").unwrap(),
        "postgresql://h/db?schema=a+b"
    );
    assert_eq!(
        database_url("mysql://root@h:3306/x?connect_timeout=5", "t 1").unwrap(),
        "mysql://root@h:3306/t%201?connect_timeout=5"
    );
}

#[test]
fn jobs_are_capped_by_targets_and_servers() {
    assert_eq!(default_jobs(2), 8);
    assert_eq!(default_jobs(64), 32);
    assert_eq!(cap_jobs(None, 2, 100, &[]), 8);
    assert_eq!(cap_jobs(Some(50), 2, 100, &[]), 50);
    assert_eq!(cap_jobs(Some(50), 2, 10, &[]), 10);
    // 21 free connections: 10 targets at 2 each.
    assert_eq!(cap_jobs(Some(50), 2, 100, &[90, 21]), 10);
    assert_eq!(cap_jobs(Some(50), 2, 100, &[0]), 1);
}

#[test]
fn lock_keys_and_names() {
    assert_eq!(schema_lock_key("db", "t_1"), schema_lock_key("db", "t_1"));
    assert_ne!(schema_lock_key("db", "t_1"), schema_lock_key("db", "t_2"));
    assert_ne!(schema_lock_key("dbt", "_1"), schema_lock_key("db", "t_1"));
    assert_eq!(mysql_lock_name("shop"), "prisma_migrate:shop");
    let long = "x".repeat(60);
    let name = mysql_lock_name(&long);
    assert!(
        name.len() <= 64 && name.starts_with("prisma_migrate:"),
        "{name}"
    );
}

#[test]
fn exit_codes() {
    let r = |outcome| TargetReport {
        index: 0,
        label: String::new(),
        outcome,
        applied: Vec::new(),
        duration: Duration::ZERO,
    };
    assert_eq!(
        exit_code(&[r(Outcome::Applied), r(Outcome::UpToDate)], None),
        0
    );
    assert_eq!(
        exit_code(
            &[r(Outcome::Applied), r(Outcome::Behind { pending: 1 })],
            None
        ),
        1
    );
    assert_eq!(exit_code(&[r(Outcome::NotStarted)], None), 1);
    assert_eq!(exit_code(&[r(Outcome::Applied)], Some(libc::SIGINT)), 130);
    assert_eq!(exit_code(&[r(Outcome::Applied)], Some(libc::SIGTERM)), 143);
}

#[test]
fn labels_never_show_a_password() {
    assert_eq!(label("postgresql://u:pw@h/db"), "postgresql://u:****@h/db");
    assert_eq!(label("postgresql://u@h/db"), "postgresql://u@h/db");
    assert_eq!(label("mysql://root@h:3306/db?x=a@b"), "mysql://****@b");
    // A bare `#` in the password: the parser sees host `u`, port 1 and no password.
    assert_eq!(
        label("postgresql://u:1#secret@h/db"),
        "postgresql://****@h/db"
    );
    assert_eq!(
        label("postgresql://u:p#w @x@h/db"),
        "postgresql://****@h/db"
    );
    let t = parse_targets("t.txt", "postgresql://u:1#secret@h/db\n", &env).unwrap();
    assert_eq!(t[0].label, "postgresql://****@h/db");
    let e = parse_targets("t.txt", "postgresql://u:1#secret@h/db x\n", &env).unwrap_err();
    assert!(!e.to_string().contains("secret"), "{e}");
}
