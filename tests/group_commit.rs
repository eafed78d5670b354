//! Group commit in the SQLite writer, through the service on a real file:
//! many concurrent writes all succeed and are all there after reopening;
//! a failing write among them gets its own error and rolls back nothing
//! else; a SIGKILL mid-stream loses no acknowledged write; and two
//! processes writing one file at once still serialise.
//!
//! The child processes are this test binary re-run on one test,
//! `acked_writer`, with `LLMCFG_GC_CHILD` naming the store: it writes until
//! killed and prints `ack N` only after write N returned.

#[path = "support/local_service.rs"]
mod local_service;
#[path = "support/sigkill.rs"]
mod sigkill;

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use llmcfg::domain::{ApiKey, ConfigPatch, InstanceId, NewConfig, Scope};
use llmcfg::service::{ServiceError, ServiceHandle};
use local_service::{TEST_MASTER_HEX, open_sqlite};
use sigkill::sigkill_group;

const KEY: &str = "sk-ant-api03-groupcommitgroupcommitgroupXXXX";
const CHILD: &str = "LLMCFG_GC_CHILD";

fn scope(prefix: &str, i: usize) -> Scope {
    Scope::Instance(InstanceId::parse(&format!("{prefix}-{i:05}")).unwrap())
}

fn config(model: &str) -> NewConfig {
    NewConfig::new("anthropic", model, ApiKey::new(KEY))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The model stored for `scope`, read through a fresh open of the file.
async fn model(handle: &ServiceHandle, scope: &Scope) -> Option<String> {
    handle.get(scope).await.unwrap().map(|v| v.model)
}

#[test]
fn many_concurrent_writes_all_succeed_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("llmcfg.db");
    let rt = runtime();
    rt.block_on(async {
        let handle = open_sqlite(&store, TEST_MASTER_HEX).await;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..400 {
            let h = handle.clone();
            tasks.spawn(async move { h.create(&scope("c", i), config(&format!("m{i}"))).await });
        }
        while let Some(result) = tasks.join_next().await {
            result.unwrap().unwrap();
        }
        // Then concurrent updates of the same scopes.
        for i in 0..400 {
            let h = handle.clone();
            tasks.spawn(async move {
                let patch = ConfigPatch {
                    model: Some(format!("u{i}")),
                    ..Default::default()
                };
                h.update(&scope("c", i), patch).await
            });
        }
        while let Some(result) = tasks.join_next().await {
            result.unwrap().unwrap();
        }
    });
    drop(rt);
    runtime().block_on(async {
        let handle = open_sqlite(&store, TEST_MASTER_HEX).await;
        for i in 0..400 {
            assert_eq!(
                model(&handle, &scope("c", i)).await.as_deref(),
                Some(format!("u{i}").as_str()),
                "write {i} lost"
            );
        }
    });
}

#[test]
fn a_failing_write_among_concurrent_ones_gets_its_own_error_and_rolls_back_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("llmcfg.db");
    runtime().block_on(async {
        let handle = open_sqlite(&store, TEST_MASTER_HEX).await;
        for i in (0..300).step_by(3) {
            handle.create(&scope("f", i), config("old")).await.unwrap();
        }
        // Every third create collides with an existing scope (AlreadyExists
        // inside the group); the others are new and must all commit.
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..300 {
            let h = handle.clone();
            tasks.spawn(async move { (i, h.create(&scope("f", i), config("new")).await) });
        }
        while let Some(joined) = tasks.join_next().await {
            let (i, result) = joined.unwrap();
            if i % 3 == 0 {
                assert!(
                    matches!(result, Err(ServiceError::AlreadyExists { .. })),
                    "create {i}: {result:?}"
                );
            } else {
                result.unwrap_or_else(|e| panic!("create {i}: {e}"));
            }
        }
    });
    runtime().block_on(async {
        let handle = open_sqlite(&store, TEST_MASTER_HEX).await;
        for i in 0..300 {
            let want = if i % 3 == 0 { "old" } else { "new" };
            assert_eq!(
                model(&handle, &scope("f", i)).await.as_deref(),
                Some(want),
                "scope {i}"
            );
        }
    });
}

/// Writes `limit` creates, 32 at a time, through one store, printing
/// `ack N` after each returned. In a child (`LLMCFG_GC_CHILD` set) it writes
/// until killed; run as a test it writes a few hundred and checks them.
#[test]
fn acked_writer() {
    let (store, prefix, limit, _dir) = match std::env::var_os(CHILD) {
        Some(path) => (
            PathBuf::from(path),
            std::env::var("LLMCFG_GC_PREFIX").unwrap(),
            usize::MAX,
            None,
        ),
        None => {
            let dir = tempfile::tempdir().unwrap();
            (
                dir.path().join("llmcfg.db"),
                "a".to_string(),
                300,
                Some(dir),
            )
        }
    };
    let acked = runtime().block_on(write_acked(&store, &prefix, limit));
    runtime().block_on(async {
        let handle = open_sqlite(&store, TEST_MASTER_HEX).await;
        for n in acked {
            assert_eq!(
                model(&handle, &scope(&prefix, n)).await.as_deref(),
                Some(format!("m{n}").as_str())
            );
        }
    });
}

async fn write_acked(store: &Path, prefix: &str, limit: usize) -> Vec<usize> {
    use std::io::Write;
    let handle = open_sqlite(store, TEST_MASTER_HEX).await;
    let mut tasks = tokio::task::JoinSet::new();
    let mut acked = Vec::new();
    let mut next = 0;
    loop {
        while tasks.len() < 32 && next < limit {
            let (h, s, n) = (handle.clone(), scope(prefix, next), next);
            tasks.spawn(async move { h.create(&s, config(&format!("m{n}"))).await.map(|_| n) });
            next += 1;
        }
        let Some(joined) = tasks.join_next().await else {
            return acked;
        };
        let n = joined.unwrap().unwrap();
        // Printed only once the write returned, i.e. after its group's COMMIT.
        let mut out = std::io::stdout().lock();
        writeln!(out, "ack {n}").unwrap();
        out.flush().unwrap();
        acked.push(n);
    }
}

fn spawn_writer(store: &Path, prefix: &str) -> Child {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "acked_writer", "--nocapture", "--test-threads=1"])
        .env(CHILD, store)
        .env("LLMCFG_GC_PREFIX", prefix)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap()
}

/// Reads `ack N` lines until `enough` or the deadline, then SIGKILLs the
/// child and drains what it printed before dying.
fn acks_until_killed(mut child: Child, enough: usize) -> Vec<usize> {
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let parse = |line: String| {
        line.strip_prefix("ack ")
            .map(|n| n.parse::<usize>().unwrap())
    };
    let mut acked = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while acked.len() < enough && Instant::now() < deadline {
        let line = lines.next().expect("writer ended early").unwrap();
        acked.extend(parse(line));
    }
    sigkill_group(&mut child);
    acked.extend(lines.map_while(Result::ok).filter_map(parse));
    acked
}

fn check_acked(store: &Path, prefix: &str, acked: &[usize]) {
    let conn = rusqlite::Connection::open(store).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);
    runtime().block_on(async {
        let handle = open_sqlite(store, TEST_MASTER_HEX).await;
        for n in acked {
            assert_eq!(
                model(&handle, &scope(prefix, *n)).await.as_deref(),
                Some(format!("m{n}").as_str()),
                "acknowledged write {prefix}-{n} lost"
            );
        }
    });
}

#[test]
fn sigkill_mid_stream_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("llmcfg.db");
    let acked = acks_until_killed(spawn_writer(&store, "k"), 300);
    assert!(
        acked.len() >= 300,
        "only {} writes acknowledged",
        acked.len()
    );
    check_acked(&store, "k", &acked);
}

#[test]
fn two_processes_writing_one_file_at_once_serialise() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("llmcfg.db");
    // Create the store (and its master-key check) before they race.
    runtime().block_on(open_sqlite(&store, TEST_MASTER_HEX));
    let one = spawn_writer(&store, "p");
    let two = spawn_writer(&store, "q");
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| acks_until_killed(one, 200));
        let b = s.spawn(|| acks_until_killed(two, 200));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(
        a.len() >= 200 && b.len() >= 200,
        "acks: {} and {}",
        a.len(),
        b.len()
    );
    check_acked(&store, "p", &a);
    check_acked(&store, "q", &b);
}
