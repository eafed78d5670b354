//! Connection tests end to end: the real `llmcfg` binary (and the service
//! handle, to seed many scopes quickly) against a fake provider on loopback,
//! with a temp store, a temp XDG state dir for the log file and trace logs.

#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/local_service.rs"]
mod local_service;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use fake_provider::{FakeProvider, Flavor, errors};
use llmcfg::domain::{ApiKey, InstanceId, NewConfig, Scope};
use llmcfg::service::ServiceHandle;
use local_service::open_sqlite;
use serde_json::Value;

const MASTER_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const GOOD: &str = "sk-proj-good-0123456789abcdefghijklmnopqrstu";
const BAD: &str = "sk-proj-echoed-ZYXWVUTSRQPONMLKJIHGFEDCBA9876";

/// A temp home for one test: store, config, logs.
struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("data/llmcfg.db")
    }

    fn log_file(&self) -> PathBuf {
        self.dir.path().join("state/llmcfg/llmcfg.log")
    }

    /// Runs `llmcfg ARGS`, with `key` in `$TEST_API_KEY`.
    async fn run(&self, args: &[&str], key: Option<&str>) -> Output {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_llmcfg"));
        cmd.args(args)
            .arg("--store")
            .arg(self.store())
            .env("LLMCFG_MASTER_KEY", MASTER_HEX)
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("HOME", self.dir.path())
            .env("LLMCFG_LOG", "trace")
            .env_remove("LLMCFG_CONFIG")
            .env_remove("LLMCFG_REMOTE")
            .env_remove("LLMCFG_STORE")
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .env_remove("ALL_PROXY")
            .stdin(std::process::Stdio::null());
        if let Some(k) = key {
            cmd.env("TEST_API_KEY", k);
        }
        cmd.output().await.expect("run llmcfg")
    }

    async fn create(&self, scope: &[&str], provider: &str, model: &str, base: &str, key: &str) {
        let mut args = scope.to_vec();
        args.extend([
            "create",
            "--provider",
            provider,
            "--model",
            model,
            "--base-url",
            base,
            "--api-key-env",
            "TEST_API_KEY",
        ]);
        let out = self.run(&args, Some(key)).await;
        assert!(
            out.status.success(),
            "create failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A service handle on the same store, for seeding many scopes.
    async fn handle(&self) -> ServiceHandle {
        let store = self.store();
        std::fs::create_dir_all(store.parent().unwrap()).unwrap();
        open_sqlite(&store, MASTER_HEX).await
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

fn assert_no_fragment(text: &str, key: &str, what: &str) {
    let chars: Vec<char> = key.chars().collect();
    for w in chars.windows(8) {
        let frag: String = w.iter().collect();
        assert!(
            !text.contains(&frag),
            "{what}: key fragment {frag:?} leaked"
        );
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_test_exit_codes_and_models() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["gpt-4o", "gpt-4o-mini"]).await;
    let env = Env::new();
    env.create(&[], "openai", "gpt-4o", &fake.base_url(), GOOD)
        .await;

    let out = env.run(&["test", "--json"], None).await;
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let r = json(&out);
    assert_eq!(r["success"], true);
    assert_eq!(r["status"], "ok");
    assert_eq!(r["message"], "Connection successful");
    assert_eq!(r["provider"], "openai");

    let out = env.run(&["models"], None).await;
    assert_eq!(code(&out), 0);
    assert_eq!(
        stdout(&out).lines().collect::<Vec<_>>(),
        ["gpt-4o", "gpt-4o-mini"]
    );
    let out = env.run(&["models", "--json"], None).await;
    assert_eq!(json(&out), serde_json::json!(["gpt-4o", "gpt-4o-mini"]));

    // A tenant whose model is gone: exit 5 with the status.
    env.create(
        &["-i", "tenant-a"],
        "openai",
        "gpt-5-nope",
        &fake.base_url(),
        GOOD,
    )
    .await;
    let out = env.run(&["-i", "tenant-a", "test", "--json"], None).await;
    assert_eq!(code(&out), 5);
    assert_eq!(json(&out)["status"], "model_not_found");
    let out = env.run(&["-i", "tenant-a", "test"], None).await;
    assert_eq!(code(&out), 5);
    assert!(
        stdout(&out).contains("model_not_found") || stdout(&out).contains("not available"),
        "{}",
        stdout(&out)
    );

    // An empty scope: not found.
    let out = env.run(&["-i", "tenant-empty", "test"], None).await;
    assert_eq!(code(&out), 3, "{}", String::from_utf8_lossy(&out.stderr));
    let out = env.run(&["-i", "tenant-empty", "models"], None).await;
    assert_eq!(code(&out), 3);

    // The last result is recorded with the scope.
    let out = env.run(&["instances", "--json"], None).await;
    assert!(stdout(&out).contains("model_not_found"), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echoed_key_reaches_no_output_log_or_audit() {
    for (provider, flavor, model) in [
        ("openai", Flavor::OpenAi, "gpt-4o"),
        ("gemini", Flavor::Gemini, "gemini-2.5-pro"),
        ("xai", Flavor::XAi, "grok-4"),
    ] {
        let fake = FakeProvider::start(flavor, &[GOOD], &[model]).await;
        fake.configure(|c| c.echo_key = true);
        let env = Env::new();
        env.create(&[], provider, model, &fake.base_url(), BAD)
            .await;
        let out = env.run(&["test", "--json"], None).await;
        assert_eq!(code(&out), 5);
        assert_eq!(json(&out)["status"], "invalid_key", "{provider}");
        assert_eq!(
            fake.seen()[0].credential.as_deref(),
            Some(BAD),
            "the fake saw the key"
        );
        let text = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
        assert_no_fragment(&text, BAD, "test output");

        let out = env.run(&["audit", "--all", "--json"], None).await;
        assert_eq!(code(&out), 0);
        let audit = stdout(&out);
        assert!(
            audit.contains("invalid_key"),
            "the test is audited: {audit}"
        );
        assert_no_fragment(&audit, BAD, "audit log");

        let log = read(&env.log_file());
        assert!(
            log.contains("probe response"),
            "trace log written: {} bytes",
            log.len()
        );
        assert_no_fragment(&log, BAD, "log file");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_never_carries_the_key_to_another_port() {
    let elsewhere = FakeProvider::start(Flavor::Anthropic, &[GOOD], &["claude-sonnet-4-5"]).await;
    let fake = FakeProvider::start(Flavor::Anthropic, &[GOOD], &["claude-sonnet-4-5"]).await;
    fake.configure(|c| c.redirect_to = Some(elsewhere.base_url()));
    let env = Env::new();
    env.create(
        &[],
        "anthropic",
        "claude-sonnet-4-5",
        &fake.base_url(),
        GOOD,
    )
    .await;
    let out = env.run(&["test", "--json"], None).await;
    assert_eq!(code(&out), 5);
    let r = json(&out);
    assert_eq!(r["status"], "unexpected_response");
    assert!(r["message"].as_str().unwrap().contains("redirect"), "{r}");
    assert_eq!(elsewhere.requests(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn total_timeout_from_config_toml_bounds_a_silent_provider() {
    let fake = FakeProvider::start(Flavor::Gemini, &[GOOD], &["gemini-2.5-pro"]).await;
    fake.configure(|c| c.hang = true);
    let env = Env::new();
    let config = env.dir.path().join("config.toml");
    std::fs::write(&config, "[prober]\ntotal_timeout_secs = 0.5\n").unwrap();
    env.create(&[], "gemini", "gemini-2.5-pro", &fake.base_url(), GOOD)
        .await;
    let started = Instant::now();
    let out = env
        .run(
            &["--config", config.to_str().unwrap(), "test", "--json"],
            None,
        )
        .await;
    let took = started.elapsed();
    assert_eq!(code(&out), 5, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out)["status"], "timeout");
    // Process start-up included; the 0.5 s bound plus generous slack.
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_all_over_200_scopes_gives_each_its_own_result() {
    const SCOPES: usize = 200;
    const CONCURRENCY: usize = 8;
    let fake = FakeProvider::start(Flavor::OpenAi, &[], &["gpt-4o"]).await;
    fake.configure(|c| c.delay = Duration::from_millis(20));
    let env = Env::new();
    let handle = env.handle().await;
    let mut expected = std::collections::HashMap::new();
    for i in 0..SCOPES {
        let id = format!("tenant-{i:03}");
        let key = format!("sk-proj-scope-{i:03}-abcdefghijklmnopqrstuvwxyz");
        let (model, status) = match i % 5 {
            0 => ("gpt-4o".to_string(), "ok"),
            1 => ("gpt-4o".to_string(), "invalid_key"),
            2 => (format!("missing-{i}"), "model_not_found"),
            3 => ("gpt-4o".to_string(), "quota"),
            _ => ("gpt-4o".to_string(), "rate_limited"),
        };
        fake.configure(|c| match i % 5 {
            1 => {}
            3 => {
                c.valid_keys.push(key.clone());
                c.per_key.insert(key.clone(), errors::payment_required());
            }
            4 => {
                c.valid_keys.push(key.clone());
                c.per_key
                    .insert(key.clone(), errors::rate_limited(Flavor::OpenAi));
            }
            _ => c.valid_keys.push(key.clone()),
        });
        let scope = Scope::Instance(InstanceId::parse(&id).unwrap());
        handle
            .create(
                &scope,
                NewConfig::new("openai", &model, ApiKey::new(key)).with_base_url(&fake.base_url()),
            )
            .await
            .expect("create");
        expected.insert(id, (status, model));
    }
    drop(handle);

    let out = env
        .run(
            &[
                "test",
                "--all",
                "--concurrency",
                &CONCURRENCY.to_string(),
                "--json",
            ],
            None,
        )
        .await;
    assert_eq!(
        code(&out),
        5,
        "some scopes fail: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    assert_eq!(report["total"], SCOPES);
    assert_eq!(report["failed"], SCOPES - SCOPES / 5);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), SCOPES);
    for r in results {
        let id = r["instance_id"].as_str().unwrap();
        let (status, model) = &expected[id];
        assert_eq!(r["result"]["status"], *status, "{id}: {r}");
        assert_eq!(r["result"]["model"], model.as_str(), "{id}");
    }
    assert!(
        fake.max_in_flight() <= CONCURRENCY,
        "max in flight {}",
        fake.max_in_flight()
    );
    assert!(
        fake.max_in_flight() >= 2,
        "tests ran in parallel: {}",
        fake.max_in_flight()
    );

    // Each scope's last result is stored with it.
    let out = env.run(&["-i", "tenant-003", "get", "--json"], None).await;
    assert_eq!(code(&out), 0);
    let out = env.run(&["instances", "--json"], None).await;
    let list = json(&out);
    let t3 = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["instance_id"] == "tenant-003")
        .unwrap();
    assert_eq!(t3["last_test"]["status"], "quota");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_list_models_for_an_unsaved_key() {
    let fake = FakeProvider::start(
        Flavor::Anthropic,
        &[GOOD],
        &["claude-a", "claude-b", "claude-c"],
    )
    .await;
    fake.configure(|c| c.page_size = 2);
    let env = Env::new();
    let handle = env.handle().await;
    let models = handle
        .list_models_for(
            NewConfig::new("anthropic", "", ApiKey::new(GOOD)).with_base_url(&fake.base_url()),
        )
        .await
        .unwrap();
    assert_eq!(models, ["claude-a", "claude-b", "claude-c"]);
    let err = handle
        .list_models_for(
            NewConfig::new("anthropic", "", ApiKey::new(BAD)).with_base_url(&fake.base_url()),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("invalid_key"), "{err}");
}
