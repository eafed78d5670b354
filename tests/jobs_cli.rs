//! The jobs of the CLI (`test --all`, `apply`, `rotate-key`), through the
//! real binary: SIGINT (what Ctrl-c sends) cancels each cleanly. The work
//! under way finishes and is reported, nothing new starts after the
//! cancel, the partial report is printed and the exit code is 130. The
//! scopes point at a fake provider on loopback that answers slowly, so the
//! first scopes are surely under way at the signal.

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

/// A store of `SCOPES` tenants, each with `GOOD` at the fake.
async fn configure_fleet(store: &std::path::Path, base_url: &str) {
    let handle = open_sqlite(store, TEST_MASTER_HEX).await;
    for i in 0..SCOPES {
        let config = NewConfig::new("openai", "gpt-4o", ApiKey::new(GOOD)).with_base_url(base_url);
        handle
            .create(&tenant(&format!("t-{i}")), config)
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_cancels_test_all_with_a_partial_report_and_no_new_test() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["gpt-4o"]).await;
    fake.configure(|c| c.delay = ANSWER_DELAY);
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("llmcfg.db");
    configure_fleet(&store, &fake.base_url()).await;

    let concurrency = CONCURRENCY.to_string();
    let child = spawn(
        dir.path(),
        &["test", "--all", "--concurrency", &concurrency],
        &[],
        "",
    );
    while fake.requests() < CONCURRENCY {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let out = interrupt(child).await;
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

/// Scopes of the apply run: more than the apply keeps in flight at once
/// (32), so some are still waiting at the signal.
const APPLY_SCOPES: usize = 40;
const APPLY_IN_FLIGHT: usize = 32;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_cancels_apply_with_a_partial_report_and_no_new_scope() {
    let (fake, dir, out) = apply_interrupted(&[]).await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    let not_started = APPLY_SCOPES - APPLY_IN_FLIGHT;
    assert!(
        stdout.contains(&format!(
            "Apply: {APPLY_IN_FLIGHT} applied, 0 skipped, 0 failed"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("Cancelled: {not_started} scope(s) not started")),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!(
            "cancelled: {APPLY_IN_FLIGHT} of {APPLY_SCOPES} scopes done, {not_started} not started"
        )),
        "{stderr}"
    );
    // The report lists exactly the scopes that ran; nothing else was
    // tested or written.
    assert_eq!(
        stdout.matches(": created").count(),
        APPLY_IN_FLIGHT,
        "{stdout}"
    );
    assert_eq!(fake.requests(), APPLY_IN_FLIGHT);
    assert_eq!(written(dir.path()).await, APPLY_IN_FLIGHT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_before_its_transaction_cancels_an_atomic_apply_with_nothing_written() {
    let (fake, dir, out) = apply_interrupted(&["--atomic"]).await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Atomic apply: nothing was written."),
        "{stdout}"
    );
    assert_eq!(
        stdout
            .matches("not written, the apply was cancelled before its transaction")
            .count(),
        APPLY_IN_FLIGHT,
        "{stdout}"
    );
    assert_eq!(fake.requests(), APPLY_IN_FLIGHT);
    assert_eq!(written(dir.path()).await, 0);
}

/// Runs `apply --yes --test` (and `extra`) over [`APPLY_SCOPES`] scopes whose
/// key tests answer slowly, and sends SIGINT once the first
/// [`APPLY_IN_FLIGHT`] are under way.
async fn apply_interrupted(
    extra: &[&str],
) -> (FakeProvider, tempfile::TempDir, std::process::Output) {
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["gpt-4o"]).await;
    fake.configure(|c| c.delay = ANSWER_DELAY);
    let dir = tempfile::tempdir().unwrap();
    let mut file = format!(
        "[defaults]\nprovider = \"openai\"\nmodel = \"gpt-4o\"\nbase_url = \"{}\"\n",
        fake.base_url()
    );
    for i in 0..APPLY_SCOPES {
        file.push_str(&format!(
            "\n[instances.t-{i:02}]\napi_key_env = \"GOOD_KEY\"\n"
        ));
    }
    let fleet = dir.path().join("fleet.toml");
    std::fs::write(&fleet, file).unwrap();
    let mut args = vec!["apply", "--yes", "--test", "-f", fleet.to_str().unwrap()];
    args.extend_from_slice(extra);
    let child = spawn(dir.path(), &args, &[("GOOD_KEY", GOOD)], "");
    while fake.requests() < APPLY_IN_FLIGHT {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let out = interrupt(child).await;
    (fake, dir, out)
}

/// How many of the apply's scopes have a config in the store in `dir`.
async fn written(dir: &std::path::Path) -> usize {
    let handle = open_sqlite(&dir.join("llmcfg.db"), TEST_MASTER_HEX).await;
    let mut written = 0;
    for i in 0..APPLY_SCOPES {
        let view = handle.get(&tenant(&format!("t-{i:02}"))).await.unwrap();
        written += usize::from(view.is_some());
    }
    written
}

const NEW: &str = "sk-proj-next-0123456789abcdefghijklmnopqrstu";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_cancels_a_rotation_before_any_new_test_or_swap() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD, NEW], &["gpt-4o"]).await;
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("llmcfg.db");
    configure_fleet(&store, &fake.base_url()).await;
    fake.configure(|c| c.delay = ANSWER_DELAY);

    let concurrency = CONCURRENCY.to_string();
    let child = spawn(
        dir.path(),
        &[
            "rotate-key",
            "--from-stdin-old",
            "--concurrency",
            &concurrency,
        ],
        &[],
        &format!("{GOOD}\n{NEW}\n"),
    );
    while fake.requests() < CONCURRENCY {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let out = interrupt(child).await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(130), "{stdout}\n{stderr}");
    // The tests under way finished and are reported; no swap started after
    // the cancel, and the scopes never tested say so. Every scope keeps the
    // old key.
    assert_eq!(
        stdout
            .matches("not swapped: the rotation was cancelled")
            .count(),
        CONCURRENCY,
        "{stdout}"
    );
    assert_eq!(
        stdout
            .matches("not tested: the rotation was cancelled")
            .count(),
        SCOPES - CONCURRENCY,
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!(
            "cancelled: {CONCURRENCY} of {SCOPES} scopes tested, 0 swapped"
        )),
        "{stderr}"
    );
    assert_eq!(fake.requests(), CONCURRENCY);
    assert!(
        !stdout.contains(NEW) && !stderr.contains(NEW),
        "{stdout}{stderr}"
    );
    let handle = open_sqlite(&store, TEST_MASTER_HEX).await;
    let (_, group) = handle.find_key(&ApiKey::new(GOOD)).await.unwrap();
    assert_eq!(group.expect("the old key is in use").scope_count, SCOPES);
}

/// Starts the binary over the store in `dir` with `stdin` as its input.
fn spawn(
    dir: &std::path::Path,
    args: &[&str],
    vars: &[(&str, &str)],
    stdin: &str,
) -> tokio::process::Child {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_llmcfg"));
    cmd.args(args)
        .arg("--store")
        .arg(dir.join("llmcfg.db"))
        .env("LLMCFG_MASTER_KEY", TEST_MASTER_HEX)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env_remove("LLMCFG_CONFIG")
        .env_remove("LLMCFG_REMOTE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_string();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let _ = input.write_all(stdin.as_bytes()).await;
    });
    child
}

/// Sends SIGINT (what Ctrl-c sends) and waits for the child's end.
async fn interrupt(child: tokio::process::Child) -> std::process::Output {
    // SAFETY: kill(2) on the pid of a child we spawned and have not reaped.
    unsafe {
        libc::kill(child.id().unwrap() as libc::pid_t, libc::SIGINT);
    }
    child.wait_with_output().await.unwrap()
}
