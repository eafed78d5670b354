//! The `[store]` statement timeout against the TLS PostgreSQL server of
//! tests/pg_tls_support: it cancels a statement that waits on a lock too
//! long (each session starts with it set), and through the CLI such a
//! statement fails with exit 7 naming the timeout.

#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;
#[path = "support/pg_cluster.rs"]
mod pg_cluster;
mod pg_tls_support;

use std::time::Duration;

use llmcfg::domain::Scope;
use llmcfg::store::{PgConnectOptions, PgSettings, Store, StoreError, StoreLocation};
use pg_tls_support::cli::{config_file, create_and_get, llmcfg, text};
use pg_tls_support::server::{fixture, in_a_pool_session, lock_configs, root, url};

#[test]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
fn the_statement_timeout_cancels_a_statement_that_waits_too_long() {
    let f = fixture();
    let settings = PgSettings {
        ca_file: Some(f.ca.clone()),
        statement_timeout: Some(Duration::from_millis(300)),
        ..PgSettings::default()
    };
    let u = url("sslmode=verify-full");
    let location = StoreLocation::Postgres(u.clone());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt.block_on(Store::open_at(&location, &settings)).unwrap();
    let scope = Scope::from_optional(None).unwrap();
    assert!(rt.block_on(store.get(&scope)).unwrap().is_none());

    // Another session holds the configs table; our read waits for it.
    let holder = rt.block_on(lock_configs(f, &u));
    match rt.block_on(store.get(&scope)) {
        Err(StoreError::Postgres(e)) => assert_eq!(
            e.code(),
            Some(&tokio_postgres::error::SqlState::QUERY_CANCELED),
            "{e:?}"
        ),
        other => panic!("expected a cancelled statement, got {other:?}"),
    }
    drop(holder);

    // Each session starts with it, as the server reports.
    let options = PgConnectOptions::parse(&u, &settings).unwrap();
    let shown: String = in_a_pool_session(&options, "SHOW statement_timeout");
    assert_eq!(shown, "300ms");
}

#[test]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
fn a_statement_past_the_timeout_fails_the_cli_with_exit_7() {
    let f = fixture();
    let home = tempfile::tempdir().unwrap();
    let config = config_file(home.path());
    let u = url(&format!("sslmode=verify-full&sslrootcert={}", root(&f.ca)));
    std::fs::write(
        &config,
        format!("[store]\nurl = \"{u}\"\nstatement_timeout = \"300ms\"\n"),
    )
    .unwrap();
    create_and_get(home.path(), None);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _holder = rt.block_on(lock_configs(f, &u));
    let out = llmcfg(home.path(), None, &["--json", "get"], "");
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    assert!(
        text(&out).contains("canceling statement due to statement timeout"),
        "{}",
        text(&out)
    );
}
