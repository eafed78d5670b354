//! `sslmode=verify-full` with a self-signed server certificate made exactly
//! as the PostgreSQL documentation shows (`openssl req -new -x509 …`, so
//! `CA:TRUE` and the host only in the common name), given as `sslrootcert`:
//! libpq accepts it, and so does llmcfg (it used to refuse with
//! `invalid peer certificate: CaUsedAsEndEntity`). The host name is still
//! checked.

#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;
#[path = "support/pg_cluster.rs"]
mod pg_cluster;
mod pg_tls_support;

use std::process::Command;

use pg_tls_support::cli::{create_and_get, llmcfg, text};
use pg_tls_support::server::root;
use pg_tls_support::{PASSWORD, SERVER_NAME};

#[test]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
fn a_self_signed_certificate_in_sslrootcert_connects_with_verify_full() {
    let certs = tempfile::tempdir().unwrap();
    // The command of the PostgreSQL manual, "Creating Certificates".
    let made = Command::new("openssl")
        .current_dir(certs.path())
        .args([
            "req",
            "-new",
            "-x509",
            "-days",
            "365",
            "-nodes",
            "-text",
            "-out",
            "server.crt",
            "-keyout",
            "server.key",
            "-subj",
        ])
        .arg(format!("/CN={SERVER_NAME}"))
        .output()
        .expect("openssl");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let crt = certs.path().join("server.crt");
    let cluster = pg_cluster::start_tls_cluster(&pg_cluster::ServerTls {
        cert_pem: std::fs::read_to_string(&crt).unwrap(),
        key_pem: std::fs::read_to_string(certs.path().join("server.key")).unwrap(),
    });
    let url = |host: &str| {
        format!(
            "postgres://postgres:{PASSWORD}@{host}:{}/{}?hostaddr=127.0.0.1&\
             sslmode=verify-full&sslrootcert={}",
            cluster.port,
            cluster.create_db(),
            root(&crt)
        )
    };

    let home = tempfile::tempdir().unwrap();
    create_and_get(home.path(), Some(&url(SERVER_NAME)));

    // Another host name is still refused (exit 7, naming the cause).
    let home = tempfile::tempdir().unwrap();
    let out = llmcfg(home.path(), Some(&url("other.llmcfg.test")), &["get"], "");
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    assert!(text(&out).contains("not valid for name"), "{}", text(&out));
}
