//! `llmcfg monitor` run on its own, as the built binary: it
//! applies the same SSRF guard and `[server] allowed_targets` as `serve`
//! before it sends a stored key to a stored base URL, and its `[monitor]
//! command` hook runs without any `LLMCFG_*` secret in its environment.
//!
//! The fake provider on 127.0.0.1 counts the requests it gets; the hook
//! writes the event from its stdin and its whole environment to files, so
//! the test waits for the hook rather than for a time.

#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;
#[path = "support/local_service.rs"]
mod local_service;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use fake_provider::{FakeProvider, Flavor};
use llmcfg_process::llmcfg_command;
use local_service::{create_openai, open_sqlite, tenant};
use serde_json::Value;

const MASTER_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const KEY: &str = "sk-proj-alone-0123456789abcdefghijklmnopqrs";
const TOKEN: &str = "llmcfg_tok_must-not-reach-a-child";
/// Generous: the test waits for the hook, this only bounds a hang.
const PATIENCE: Duration = Duration::from_secs(60);

/// A `llmcfg monitor` process, killed on drop.
struct Monitor(Child);

impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What the hook saw of the first event.
struct Hooked {
    event: Value,
    env: String,
}

/// Runs `llmcfg monitor` over one scope whose base URL is `fake`, with
/// `server_section` as `[server]`, until the hook has run once.
async fn monitor_once(dir: &Path, fake: &FakeProvider, server_section: &str) -> Hooked {
    let store = dir.join("data/llmcfg/llmcfg.db");
    std::fs::create_dir_all(store.parent().unwrap()).unwrap();
    {
        let handle = open_sqlite(&store, MASTER_HEX).await;
        create_openai(&handle, &tenant("acme"), KEY, fake.base_url()).await;
    }
    let event_file = dir.join("event.json");
    let env_file = dir.join("env.txt");
    let hook = format!(
        "sh -c 'cat > {e}.tmp; env > {v}.tmp; mv {e}.tmp {e}; mv {v}.tmp {v}'",
        e = event_file.display(),
        v = env_file.display()
    );
    std::fs::create_dir_all(dir.join("config/llmcfg")).unwrap();
    std::fs::write(
        dir.join("config/llmcfg/config.toml"),
        format!(
            "[server]\n{server_section}\n\n[monitor]\nenabled = true\ninterval_secs = 0.5\n\
             fail_after = 1\nlease_secs = 3.0\ncommand = \"{}\"\n",
            hook.replace('\\', "\\\\").replace('"', "\\\"")
        ),
    )
    .unwrap();
    let mut cmd = llmcfg_command(dir, MASTER_HEX);
    cmd.env("LLMCFG_TOKEN", TOKEN)
        .env("LLMCFG_STORE", &store)
        .arg("monitor")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _monitor = Monitor(cmd.spawn().unwrap());
    let deadline = Instant::now() + PATIENCE;
    while !env_file.exists() {
        assert!(Instant::now() < deadline, "the hook never ran");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Hooked {
        event: serde_json::from_str(&std::fs::read_to_string(&event_file).unwrap()).unwrap(),
        env: std::fs::read_to_string(&env_file).unwrap(),
    }
}

fn home() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    (dir, path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitor_alone_refuses_a_loopback_base_url_like_serve() {
    let (_keep, dir) = home();
    let fake = FakeProvider::start(Flavor::OpenAi, &[KEY], &["gpt-4o"]).await;
    let hooked = monitor_once(&dir, &fake, "").await;
    assert_eq!(
        fake.requests(),
        0,
        "the stored key was sent to 127.0.0.1: {}",
        hooked.event
    );
    assert_eq!(hooked.event["outcome"], "blocked", "{}", hooked.event);
    assert_eq!(hooked.event["new_state"], "failing", "{}", hooked.event);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitor_alone_reaches_what_allowed_targets_lists() {
    let (_keep, dir) = home();
    // The provider knows no key, so the first test fails (only a change to
    // or from failing alerts) — after reaching it.
    let fake = FakeProvider::start(Flavor::OpenAi, &[], &["gpt-4o"]).await;
    let hooked = monitor_once(&dir, &fake, "allowed_targets = [\"127.0.0.1\"]").await;
    assert!(fake.requests() > 0);
    assert_eq!(hooked.event["outcome"], "invalid_key", "{}", hooked.event);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_hook_gets_no_llmcfg_secret_in_its_environment() {
    let (_keep, dir) = home();
    let fake = FakeProvider::start(Flavor::OpenAi, &[KEY], &["gpt-4o"]).await;
    // The refused probe is the quickest way to a failing scope and its hook.
    let hooked = monitor_once(&dir, &fake, "").await;
    // The hook did get an environment: ours minus the secrets.
    assert!(
        hooked.env.lines().any(|l| l.starts_with("PATH=")),
        "{}",
        hooked.env
    );
    for secret in [MASTER_HEX, TOKEN] {
        assert!(!hooked.env.contains(secret), "{}", hooked.env);
    }
    for name in ["LLMCFG_MASTER_KEY=", "LLMCFG_TOKEN=", "LLMCFG_STORE="] {
        assert!(
            !hooked.env.lines().any(|l| l.starts_with(name)),
            "{name} reached the hook:\n{}",
            hooked.env
        );
    }
}
