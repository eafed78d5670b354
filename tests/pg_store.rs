//! PostgreSQL-specific checks through the real binary and the store: no
//! plaintext key in a `pg_dump`, replicas starting at once on an empty
//! database migrate it once, a wrong master key is refused without printing
//! the database password, and the CLI works end to end on a URL.

#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;
#[path = "support/local_service.rs"]
mod local_service;
#[path = "support/pg_cluster.rs"]
mod pg_cluster;

use std::path::Path;
use std::process::{Command, Output};

use llmcfg::domain::Scope;
use llmcfg::store::Store;
use llmcfg_process::{llmcfg_command, spawn_with_stdin};
use local_service::open_local;

const MASTER_HEX: &str = "3333333333333333333333333333333333333333333333333333333333333333";
/// A key whose 8-character windows are all distinctive.
const KEY: &str = "sk-ant-api03-Zq8vN2xKp4Lm7Rt1Yw9Bc3Df6Gh0Jk5QsUe";
/// Replicas opening an empty database at the same moment.
const OPENERS: usize = 6;

fn llmcfg(home: &Path, store: &str, master: &str) -> Command {
    let mut c = llmcfg_command(home, master);
    c.env("LLMCFG_STORE", store);
    c
}

fn run(mut cmd: Command, args: &[&str], stdin: &str) -> Output {
    spawn_with_stdin(cmd.args(args), stdin)
        .wait_with_output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn with_password(url: &str, password: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    u.set_password(Some(password)).unwrap();
    u.to_string()
}

#[test]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
fn cli_on_postgres_and_no_plaintext_key_in_pg_dump() {
    let db = pg_cluster::fresh_db();
    let home = tempfile::tempdir().unwrap();
    let cmd = || llmcfg(home.path(), &db.url, MASTER_HEX);
    let create = [
        "-i",
        "acme",
        "create",
        "--provider",
        "anthropic",
        "--model",
        "claude-sonnet-4-5",
        "--api-key-stdin",
    ];
    let out = run(cmd(), &create, &format!("{KEY}\n"));
    assert!(out.status.success(), "{}", text(&out));
    let out = run(cmd(), &create, &format!("{KEY}\n"));
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    let out = run(cmd(), &["-i", "acme", "get", "--json"], "");
    assert!(out.status.success(), "{}", text(&out));
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(view["api_key_masked"], "sk-ant-...QsUe");
    let out = run(cmd(), &["-i", "acme", "--json", "audit"], "");
    assert!(text(&out).contains("create"), "{}", text(&out));
    // No master key file was written anywhere: the key came from the env.
    assert!(!home.path().join("data/llmcfg/master.key").exists());

    let dump = Command::new(pg_cluster::client_program("pg_dump"))
        .arg("--dbname")
        .arg(&db.url)
        .output()
        .unwrap();
    assert!(
        dump.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let dump = String::from_utf8_lossy(&dump.stdout);
    // The dump does hold the row (its mask and the tokens table) ...
    assert!(dump.contains("sk-ant-...QsUe"), "row missing from the dump");
    assert!(dump.contains("CREATE TABLE public.tokens"));
    // ... but no piece of the key itself.
    for window in KEY.as_bytes().windows(8).skip(2) {
        let piece = std::str::from_utf8(window).unwrap();
        assert!(!dump.contains(piece), "key fragment {piece:?} in pg_dump");
    }
}

#[test]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
fn wrong_master_key_is_refused_without_showing_the_db_password() {
    let db = pg_cluster::fresh_db();
    // Trust authentication ignores the password, so it only has to not leak.
    let url = with_password(&db.url, "hunter2-db-secret");
    let home = tempfile::tempdir().unwrap();
    let out = run(
        llmcfg(home.path(), &url, MASTER_HEX),
        &[
            "create",
            "--provider",
            "openai",
            "--model",
            "gpt-4o",
            "--api-key-stdin",
        ],
        "sk-proj-Hy7Tn3Mw8Qa2Vz5Xc1Lp6Rk9Bd4Fg0JsWu\n",
    );
    assert!(out.status.success(), "{}", text(&out));
    let other = "4444444444444444444444444444444444444444444444444444444444444444";
    let out = run(llmcfg(home.path(), &url, other), &["get"], "");
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    assert!(text(&out).contains("key check"), "{}", text(&out));
    assert!(!text(&out).contains("hunter2"), "{}", text(&out));
    let log =
        std::fs::read_to_string(home.path().join("state/llmcfg/llmcfg.log")).unwrap_or_default();
    assert!(!log.contains("hunter2"), "password in the log");
    // --help shows that LLMCFG_STORE is read, never its value.
    let out = run(llmcfg(home.path(), &url, other), &["--help"], "");
    assert!(!text(&out).contains("hunter2"), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
async fn replicas_starting_together_migrate_once() {
    let db = pg_cluster::fresh_db();
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(OPENERS));
    let mut opened = tokio::task::JoinSet::new();
    for _ in 0..OPENERS {
        let (start, url) = (start.clone(), db.url.clone());
        opened.spawn(async move {
            start.wait().await;
            Store::open(Path::new(&url)).await.map(|_| ())
        });
    }
    for o in opened.join_all().await {
        o.expect("every replica opens the store");
    }
    let store = Store::open(Path::new(&db.url)).await.unwrap();
    assert!(store.is_fresh().await.unwrap());
    assert_eq!(store.tokens().await.unwrap().len(), 0);
}

#[tokio::test]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
async fn store_url_in_config_toml_selects_postgres() {
    let db = pg_cluster::fresh_db();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/llmcfg/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, format!("[store]\nurl = \"{}\"\n", db.url)).unwrap();
    let cmd = || {
        let mut c = llmcfg(home.path(), "", MASTER_HEX);
        c.env_remove("LLMCFG_STORE");
        c
    };
    let out = run(
        cmd(),
        &["instances", "add", "from-config-url", "--name", "Via URL"],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    // The instance is in the database, not in a SQLite file.
    let store = Store::open(Path::new(&db.url)).await.unwrap();
    let listed = store.list_instances().await.unwrap();
    assert!(
        listed
            .iter()
            .any(|s| s.instance_id.as_deref() == Some("from-config-url"))
    );
    assert!(!home.path().join("data/llmcfg/llmcfg.db").exists());
}

/// The service on PostgreSQL inside a current-thread runtime, as the handle
/// tests run it: every store call awaits on this one thread (there is no
/// runtime of the store's own to block on), and dropping the last handle
/// inside async code is fine.
#[tokio::test]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
async fn service_handle_on_postgres_in_a_current_thread_runtime() {
    use llmcfg::domain::{ApiKey, ConfigPatch, InstanceId, NewConfig};
    use llmcfg::service::ServiceError;

    let db = pg_cluster::fresh_db();
    let dir = tempfile::tempdir().unwrap();
    let open = async || {
        open_local(
            db.url.clone().into(),
            dir.path().join("master.key"),
            MASTER_HEX,
        )
        .await
    };
    let (one, two) = (open().await, open().await);
    let acme = Scope::Instance(InstanceId::parse("acme").unwrap());
    let config = || {
        NewConfig::new(
            "openai",
            "gpt-4o",
            ApiKey::new("sk-proj-Hy7Tn3Mw8Qa2Vz5Xc1Lp6Rk9Bd4Fg0JsWu"),
        )
    };
    one.create(&acme, config()).await.unwrap();
    assert!(matches!(
        two.create(&acme, config()).await,
        Err(ServiceError::AlreadyExists { .. })
    ));
    two.update(
        &acme,
        ConfigPatch {
            model: Some("gpt-4.1".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(one.get(&acme).await.unwrap().unwrap().model, "gpt-4.1");
    let models = one.list_instances().await.unwrap();
    assert!(
        models
            .iter()
            .any(|s| s.instance_id.as_deref() == Some("acme"))
    );
    two.delete(&acme).await.unwrap();
    assert_eq!(one.get(&acme).await.unwrap(), None);
    assert_eq!(one.audit(Some(&acme), 10).await.unwrap().len(), 3);
    assert!(!dir.path().join("master.key").exists());
    // Opened, used and dropped right here on the runtime thread.
    let store = Store::open(Path::new(&db.url)).await.unwrap();
    assert!(store.get(&acme).await.unwrap().is_none());
    drop(store);
}

#[tokio::test]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
async fn a_store_reconnects_after_the_server_drops_its_connection() {
    let db = pg_cluster::fresh_db();
    let store = Store::open(Path::new(&db.url)).await.unwrap();
    assert!(store.is_fresh().await.unwrap());
    assert!(store.get(&Scope::Global).await.unwrap().is_none());
    pg_cluster::terminate_connections(&db);
    // The call in flight when the connection died may fail (it is never
    // retried: it might have committed); the pool then reconnects.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut failures = 0;
    loop {
        match store.is_fresh().await {
            Ok(fresh) => {
                assert!(fresh);
                break;
            }
            Err(e) => {
                failures += 1;
                assert!(
                    std::time::Instant::now() < deadline,
                    "no reconnect after {failures} failures: {e}"
                );
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
    }
    assert!(failures <= 1, "{failures} calls failed");
    // The hot read (a cached prepared statement) works on the new connection.
    assert!(store.get(&Scope::Global).await.unwrap().is_none());
}
