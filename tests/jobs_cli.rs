//! `test --all` as a job, through the real binary: SIGINT (what Ctrl-c
//! sends) cancels it cleanly. The tests under way finish and are reported,
//! no new test starts after the cancel, the partial report is printed and
//! the exit code is 130. The scopes point at a fake provider on loopback
//! that answers slowly, so two tests are surely under way at the signal.

#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/local_service.rs"]
mod local_service;

use std::process::Stdio;
use std::time::Duration;

use fake_provider::{FakeProvider, Flavor};
use llmcfg::domain::{ApiKey, NewConfig};
use local_service::{TEST_MASTER_HEX, open_sqlite, tenant};

const GOOD: &str = "sk-proj-good-0123456789abcdefghijklmnopqrstu";

/// Scopes configured; at most [`CONCURRENCY`] are tested at once.
const SCOPES: usize = 6;
const CONCURRENCY: usize = 2;

/// How long the fake takes to answer: the tests under way are still under
/// way when the signal comes (this bounds nothing the test asserts).
const ANSWER_DELAY: Duration = Duration::from_secs(4);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_cancels_test_all_with_a_partial_report_and_no_new_test() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["gpt-4o"]).await;
    fake.configure(|c| c.delay = ANSWER_DELAY);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("llmcfg.db");
    {
        let handle = open_sqlite(&store, TEST_MASTER_HEX).await;
        for i in 0..SCOPES {
            let config = NewConfig::new("openai", "gpt-4o", ApiKey::new(GOOD))
                .with_base_url(&fake.base_url());
            handle
                .create(&tenant(&format!("t-{i}")), config)
                .await
                .unwrap();
        }
    }

    let concurrency = CONCURRENCY.to_string();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_llmcfg"))
        .args(["test", "--all", "--concurrency", &concurrency, "--store"])
        .arg(&store)
        .env("LLMCFG_MASTER_KEY", TEST_MASTER_HEX)
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env_remove("LLMCFG_CONFIG")
        .env_remove("LLMCFG_REMOTE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while fake.requests() < CONCURRENCY {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // SAFETY: kill(2) on the pid of a child we spawned and have not reaped.
    unsafe {
        libc::kill(child.id().unwrap() as libc::pid_t, libc::SIGINT);
    }
    let out = child.wait_with_output().await.unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("{CONCURRENCY} tested, {CONCURRENCY} ok, 0 failed")),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!(
            "cancelled: {CONCURRENCY} of {SCOPES} scopes tested; no test started after the cancel"
        )),
        "{stderr}"
    );
    // The report lists exactly the tests that ran, and nothing else ran.
    assert_eq!(stdout.matches("✓ ok").count(), CONCURRENCY, "{stdout}");
    assert_eq!(fake.requests(), CONCURRENCY);
}
