//! TLS and authentication against a cluster owned by the test (§9, §7.2: P1000, P1010,
//! P1011): require, verify-full with the right CA, verify-full with the wrong CA, a
//! PKCS#12 client identity, relative certificate paths, wrong passwords never printed.

use crate::support::cluster::{Cluster, P12_PASSWORD, PASSWORD};
use crate::support::{cmd::run, Project, INIT};

#[test]
fn tls_modes_identities_and_authentication() {
    let cluster = Cluster::start();
    let p = Project::new();
    p.migration("20240101000000_init", INIT);
    let user = format!("postgres:{PASSWORD}");

    // Wrong password: P1000 with the user, the password nowhere.
    let out = run(
        &p,
        &cluster.url("postgres:hunter2-nope", "postgres", "sslmode=require"),
        &["migrate", "status"],
    );
    out.failure();
    assert_eq!(out.stderr, "Error: P1000: Authentication failed against database server, the provided database credentials for `postgres` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at the configured address.\n");
    assert!(!out.stdout.contains("hunter2") && !out.stderr.contains("hunter2"));

    // Without TLS the server refuses (hostnossl … reject): P1010.
    let out = run(
        &p,
        &cluster.url(&user, "postgres", "sslmode=disable"),
        &["migrate", "status"],
    );
    out.failure();
    assert!(out.stderr.starts_with("Error: P1010: "), "{}", out.stderr);

    // sslmode=require: encrypted, not verified. Deploy creates the database over TLS.
    let out = run(
        &p,
        &cluster.url(&user, "tlsdb", "sslmode=require"),
        &["migrate", "deploy"],
    );
    out.success();
    assert!(
        out.stdout
            .contains("PostgreSQL database tlsdb created at localhost:"),
        "{}",
        out.stdout
    );

    // sslaccept=strict with the right CA (Prisma's sslcert is the CA): verified.
    let ca = cluster.cert_path("ca.crt");
    run(
        &p,
        &cluster.url(&user, "tlsdb", &format!("sslcert={ca}&sslaccept=strict")),
        &["migrate", "status"],
    )
    .success();

    // The same CA as a path relative to the schema's folder (Prisma 6).
    std::fs::copy(&ca, p.path().join("prisma/ca.crt")).unwrap();
    run(
        &p,
        &cluster.url(&user, "tlsdb", "sslcert=ca.crt&sslaccept=strict"),
        &["migrate", "status"],
    )
    .success();

    // The wrong CA: P1011.
    let other = cluster.cert_path("other-ca.crt");
    let out = run(
        &p,
        &cluster.url(&user, "tlsdb", &format!("sslcert={other}&sslaccept=strict")),
        &["migrate", "status"],
    );
    out.failure();
    assert!(
        out.stderr
            .starts_with("Error: P1011: Error opening a TLS connection: "),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("certificate verify failed"),
        "{}",
        out.stderr
    );

    // A PKCS#12 client identity (cert login, no password).
    let p12 = cluster.cert_path("client.p12");
    let id = format!("sslidentity={p12}&sslpassword={P12_PASSWORD}&sslcert={ca}&sslaccept=strict");
    let out = run(
        &p,
        &cluster.url("certuser", "certdb", &id),
        &["migrate", "deploy"],
    );
    out.success();
    // Its password wrong: P1011, the password nowhere.
    let bad = format!("sslidentity={p12}&sslpassword=wrong-p12&sslcert={ca}&sslaccept=strict");
    let out = run(
        &p,
        &cluster.url("certuser", "certdb", &bad),
        &["migrate", "status"],
    );
    out.failure();
    assert!(
        out.stderr.starts_with(
            "Error: P1011: Error opening a TLS connection: cannot read the PKCS#12 identity"
        ),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("wrong-p12"));
}
