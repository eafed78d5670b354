//! Bad `[store]` settings of a PostgreSQL store (pool size, statement
//! timeout, sslmode, a missing CA file, an sslmode in the URL we do not
//! support) are refused with exit 2 naming the field and the rule, before
//! any connection, and never print the password in the URL.

#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;
#[path = "support/pg_cluster.rs"]
mod pg_cluster;
mod pg_tls_support;

use pg_tls_support::PASSWORD;
use pg_tls_support::cli::{config_file, llmcfg, text};

#[test]
fn bad_store_settings_exit_2_naming_the_field_and_the_rule() {
    let home = tempfile::tempdir().unwrap();
    let config = config_file(home.path());
    let u = format!("postgres://postgres:{PASSWORD}@127.0.0.1:1/db");
    for (toml, field, rule) in [
        ("pool_size = 0", "store.pool_size", "from 1 to 100"),
        (
            "statement_timeout = \"soon\"",
            "store.statement_timeout",
            "\"30s\"",
        ),
        ("sslmode = \"verify\"", "store.sslmode", "verify-full"),
        ("sslmode = \"verify-full\"", "store.ca_file", "sslrootcert="),
    ] {
        std::fs::write(&config, format!("[store]\n{toml}\n")).unwrap();
        let out = llmcfg(home.path(), Some(&u), &["get"], "");
        assert_eq!(out.status.code(), Some(2), "{toml}: {}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(field) && err.contains(rule), "{toml}: {err}");
    }
    std::fs::remove_file(&config).unwrap();
    let out = llmcfg(
        home.path(),
        Some(&format!("{u}?sslmode=allow")),
        &["get"],
        "",
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("sslmode"), "{}", text(&out));
}
