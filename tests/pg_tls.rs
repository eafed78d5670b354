//! TLS to PostgreSQL against a real server that lets TCP clients in over
//! TLS only (tests/pg_tls_support): the right CA connects and the store
//! works (CA from `config.toml` or from the URL); a wrong CA, a certificate
//! for another host name and `sslmode=disable` are refused with exit 7 and
//! a message naming the cause, never the password or the master key;
//! `require` without a CA encrypts.

#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;
#[path = "support/pg_cluster.rs"]
mod pg_cluster;
mod pg_tls_support;

use llmcfg::store::{PgConnectOptions, PgSettings};
use pg_tls_support::PASSWORD;
use pg_tls_support::cli::{config_file, create_and_get, llmcfg, text};
use pg_tls_support::server::{fixture, in_a_pool_session, root, url};

#[test]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
fn the_right_ca_from_config_toml_connects_and_the_store_works() {
    let f = fixture();
    let home = tempfile::tempdir().unwrap();
    let config = config_file(home.path());
    std::fs::write(
        &config,
        format!(
            "[store]\nurl = \"{}\"\nsslmode = \"verify-full\"\nca_file = \"{}\"\n",
            url(""),
            f.ca.display()
        ),
    )
    .unwrap();
    create_and_get(home.path(), None);
}

#[test]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
fn the_right_ca_from_the_url_connects_and_the_store_works() {
    let f = fixture();
    let home = tempfile::tempdir().unwrap();
    let u = url(&format!("sslmode=verify-full&sslrootcert={}", root(&f.ca)));
    create_and_get(home.path(), Some(&u));
}

#[test]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
fn a_wrong_ca_is_refused_with_exit_7_naming_the_tls_failure() {
    let f = fixture();
    let home = tempfile::tempdir().unwrap();
    let u = url(&format!(
        "sslmode=verify-full&sslrootcert={}",
        root(&f.wrong_ca)
    ));
    let out = llmcfg(home.path(), Some(&u), &["--json", "get"], "");
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("TLS handshake"), "{err}");
    assert!(err.contains("invalid peer certificate"), "{err}");
    assert!(err.contains("UnknownIssuer"), "{err}");
    // Which rules were applied, so the operator knows what to fix.
    assert!(err.contains("sslmode=verify-full"), "{err}");
    assert!(err.contains("wrong-ca.pem"), "{err}");
    assert!(out.stdout.is_empty());
    // `require` with a CA checks the chain too, as in libpq.
    let u = url(&format!(
        "sslmode=require&sslrootcert={}",
        root(&f.wrong_ca)
    ));
    let out = llmcfg(home.path(), Some(&u), &["--json", "get"], "");
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    assert!(text(&out).contains("UnknownIssuer"), "{}", text(&out));
    // The system's trust store does not know the test CA either.
    let out = llmcfg(
        home.path(),
        Some(&url("sslmode=verify-full&sslrootcert=system")),
        &["--json", "get"],
        "",
    );
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    assert!(text(&out).contains("the system's CAs"), "{}", text(&out));
}

#[test]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
fn verify_full_checks_the_host_name_and_verify_ca_does_not() {
    let f = fixture();
    let home = tempfile::tempdir().unwrap();
    // The certificate names db.llmcfg.test, not 127.0.0.1.
    let by_ip = |mode: &str| {
        format!(
            "postgres://postgres:{PASSWORD}@127.0.0.1:{}/{}?sslmode={mode}&sslrootcert={}",
            f.cluster.port,
            f.cluster.create_db(),
            root(&f.ca)
        )
    };
    let out = llmcfg(home.path(), Some(&by_ip("verify-full")), &["get"], "");
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    assert!(text(&out).contains("not valid for name"), "{}", text(&out));
    let out = llmcfg(home.path(), Some(&by_ip("verify-ca")), &["get"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
fn require_without_a_ca_connects_over_tls() {
    let home = tempfile::tempdir().unwrap();
    // The server refuses plaintext TCP, so a working store proves TLS.
    create_and_get(home.path(), Some(&url("sslmode=require")));
    // And so does libpq's default, `prefer`, when the server offers TLS.
    let out = llmcfg(home.path(), Some(&url("")), &["get"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
fn require_encrypts_the_session_the_pool_would_open() {
    // What the pool is handed: the parsed config and the connector.
    let options = PgConnectOptions::parse(&url("sslmode=require"), &PgSettings::default()).unwrap();
    let ssl: bool = in_a_pool_session(
        &options,
        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    );
    assert!(ssl);
}

#[test]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
fn disable_against_a_tls_only_server_fails_clearly() {
    let home = tempfile::tempdir().unwrap();
    let out = llmcfg(home.path(), Some(&url("sslmode=disable")), &["get"], "");
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no pg_hba.conf entry"), "{err}");
    assert!(err.contains("no encryption"), "{err}");
    assert!(err.contains("sslmode=disable"), "{err}");
}
