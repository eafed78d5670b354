//! TLS to PostgreSQL against a real server: a cluster of its own started with
//! `ssl=on`, a test CA and server certificate made here with rcgen, and a
//! `pg_hba.conf` that lets TCP clients in over TLS only. The right CA
//! connects and the store works (CA from `config.toml` or from the URL); a
//! wrong CA, a certificate for another host name and `sslmode=disable` are
//! refused with exit 7 and a message naming the cause, never the password
//! or the master key; `require` without a CA encrypts. Also here, because
//! they need the same server: the statement timeout cancels a statement
//! that waits too long, and bad `[store]` settings are refused with exit 2.

#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;
#[path = "support/pg_cluster.rs"]
mod pg_cluster;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use llmcfg::domain::Scope;
use llmcfg::store::{PgConnectOptions, PgSettings, Store, StoreError, StoreLocation};
use llmcfg_process::llmcfg_command;
use pg_cluster::{ServerTls, TlsCluster};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};

const MASTER_HEX: &str = "3333333333333333333333333333333333333333333333333333333333333333";
const KEY: &str = "sk-ant-api03-TLSSECRET-Zq8vN2xKp4Lm7Rt1Yw9B";
/// In every URL: it must never be printed. (The test server trusts
/// loopback clients, so it is never checked either.)
const PASSWORD: &str = "pw-Hy7Tn3Mw8Qa2";
/// The only name in the server's certificate; URLs reach it at 127.0.0.1
/// through `hostaddr`, so no resolver is involved.
const SERVER_NAME: &str = "db.llmcfg.test";

/// The TLS server and the CA files of these tests.
struct Fixture {
    cluster: TlsCluster,
    /// The CA that signed the server's certificate.
    ca: PathBuf,
    /// A CA that did not.
    wrong_ca: PathBuf,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let ca = test_ca("llmcfg test CA");
        let wrong = test_ca("some other CA");
        let server_key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![SERVER_NAME.to_string()]).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, SERVER_NAME);
        let server_cert = params.signed_by(&server_key, &ca).unwrap();
        let cluster = pg_cluster::start_tls_cluster(&ServerTls {
            cert_pem: server_cert.pem(),
            key_pem: server_key.serialize_pem(),
        });
        let write = |name: &str, pem: String| {
            let path = cluster.dir().join(name);
            std::fs::write(&path, pem).unwrap();
            path
        };
        Fixture {
            ca: write("ca.pem", ca.pem()),
            wrong_ca: write("wrong-ca.pem", wrong.pem()),
            cluster,
        }
    })
}

/// A self-signed CA that may sign server certificates.
fn test_ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// A URL to a fresh database through the server's certificate name, with
/// `query` (sslmode, sslrootcert) appended.
fn url(query: &str) -> String {
    let f = fixture();
    let db = f.cluster.create_db();
    format!(
        "postgres://postgres:{PASSWORD}@{SERVER_NAME}:{}/{db}?hostaddr=127.0.0.1&{query}",
        f.cluster.port
    )
}

fn root(path: &Path) -> String {
    url::form_urlencoded::byte_serialize(path.to_str().unwrap().as_bytes()).collect()
}

/// `llmcfg ARGS` in a clean home on `store_url` (none: from config.toml).
fn llmcfg(home: &Path, store_url: Option<&str>, args: &[&str], stdin: &str) -> Output {
    let mut c = llmcfg_command(home, MASTER_HEX);
    c.env("USER", "tester").env("LLMCFG_LOG", "trace");
    if let Some(u) = store_url {
        c.env("LLMCFG_STORE", u);
    }
    let mut child = c
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    // A statement stuck on a lock must not hang the suite: past a generous
    // bound the child is killed, and its missing exit code fails the test.
    let pid = child.id() as i32;
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if finished.recv_timeout(Duration::from_secs(120)).is_err() {
            // SAFETY: kill(2) on our own child's pid, which is not yet
            // reaped (wait_with_output below still holds it).
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    });
    let out = child.wait_with_output().unwrap();
    let _ = done.send(());
    watchdog.join().unwrap();
    assert_no_secret(home, &out);
    out
}

/// Neither the password, the master key nor the API key in the output or
/// in any file llmcfg wrote (its log included).
fn assert_no_secret(home: &Path, out: &Output) {
    let mut texts = vec![
        ("stdout".to_string(), out.stdout.clone()),
        ("stderr".to_string(), out.stderr.clone()),
    ];
    let mut dirs = vec![home.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if !path.ends_with("config.toml") {
                texts.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    for (name, bytes) in texts {
        let text = String::from_utf8_lossy(&bytes);
        for secret in [PASSWORD, MASTER_HEX, &KEY[14..]] {
            assert!(!text.contains(secret), "a secret in {name}: {text}");
        }
    }
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `config.toml` in `home`, its directory created.
fn config_file(home: &Path) -> PathBuf {
    let config = home.join("config/llmcfg/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    config
}

/// A session on the database of `store_url`, over the cluster's socket,
/// that holds the configs table locked for as long as it lives: its
/// transaction never ends.
async fn lock_configs(f: &Fixture, store_url: &str) -> tokio_postgres::Client {
    let db = store_url
        .split('/')
        .nth(3)
        .unwrap()
        .split('?')
        .next()
        .unwrap();
    let (client, conn) = tokio_postgres::connect(&f.cluster.socket_url(db), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
        .batch_execute("BEGIN; LOCK TABLE configs IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    client
}

/// Creates a config and reads it back: the store works end to end.
fn create_and_get(home: &Path, store_url: Option<&str>) {
    let out = llmcfg(
        home,
        store_url,
        &[
            "create",
            "--provider",
            "anthropic",
            "--model",
            "claude-sonnet-4-5",
        ],
        &format!("{KEY}\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = llmcfg(home, store_url, &["--json", "get"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(view["model"], "claude-sonnet-4-5");
}

#[test]
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
fn the_right_ca_from_the_url_connects_and_the_store_works() {
    let f = fixture();
    let home = tempfile::tempdir().unwrap();
    let u = url(&format!("sslmode=verify-full&sslrootcert={}", root(&f.ca)));
    create_and_get(home.path(), Some(&u));
}

#[test]
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
fn require_without_a_ca_connects_over_tls() {
    let home = tempfile::tempdir().unwrap();
    // The server refuses plaintext TCP, so a working store proves TLS.
    create_and_get(home.path(), Some(&url("sslmode=require")));
    // And so does libpq's default, `prefer`, when the server offers TLS.
    let out = llmcfg(home.path(), Some(&url("")), &["get"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn require_encrypts_the_session_the_pool_would_open() {
    // What the pool is handed: the parsed config and the connector.
    let options = PgConnectOptions::parse(&url("sslmode=require"), &PgSettings::default()).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ssl: bool = rt.block_on(async {
        let (client, conn) = options
            .pg_config()
            .connect(options.tls_connector().unwrap())
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .unwrap()
            .get(0)
    });
    assert!(ssl);
}

#[test]
fn disable_against_a_tls_only_server_fails_clearly() {
    let home = tempfile::tempdir().unwrap();
    let out = llmcfg(home.path(), Some(&url("sslmode=disable")), &["get"], "");
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no pg_hba.conf entry"), "{err}");
    assert!(err.contains("no encryption"), "{err}");
    assert!(err.contains("sslmode=disable"), "{err}");
}

#[test]
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
    let shown: String = rt.block_on(async {
        let (client, conn) = options
            .pg_config()
            .connect(options.tls_connector().unwrap())
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .query_one("SHOW statement_timeout", &[])
            .await
            .unwrap()
            .get(0)
    });
    assert_eq!(shown, "300ms");
}

#[test]
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
