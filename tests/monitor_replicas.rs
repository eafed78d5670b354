//! Leadership among replicas: two real `llmcfg serve` processes with
//! `[monitor] enabled = true` on one PostgreSQL database and a fake
//! provider. Exactly one runs monitor rounds; when it is killed with
//! SIGKILL, the other takes the lease over within one lease period and runs
//! the next round; no round ever runs twice, so no scope is tested twice in
//! one interval.

#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;
#[path = "support/local_service.rs"]
mod local_service;
#[path = "support/pg_cluster.rs"]
mod pg_cluster;

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use fake_provider::{FakeProvider, Flavor};
use llmcfg::store::SampleQuery;
use llmcfg_process::Replica;
use local_service::{create_openai, open_local, tenant};

const MASTER_HEX: &str = "3333333333333333333333333333333333333333333333333333333333333333";
const KEY: &str = "sk-proj-replica-0123456789abcdefghijklmnopq";
/// The lease period of the replicas, seconds.
const LEASE_SECS: f64 = 3.0;

/// A replica with the monitor on, allowed to test the fake provider.
fn replica(db_url: &str) -> Replica {
    let config = format!(
        "[server]\nallowed_targets = [\"127.0.0.1\"]\n\n[monitor]\nenabled = true\n\
         interval_secs = 2.0\nlease_secs = {LEASE_SECS}\n"
    );
    Replica::start(db_url, MASTER_HEX, &config)
}

/// The rounds `replica` started, from its log.
fn rounds(replica: &Replica) -> Vec<i64> {
    std::fs::read_to_string(replica.log())
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("monitor round starts"))
        .filter_map(|l| {
            l.split_whitespace()
                .find_map(|w| w.strip_prefix("round="))
                .and_then(|n| n.parse().ok())
        })
        .collect()
}

async fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
async fn one_leader_and_a_takeover_without_a_repeated_round() {
    let db = pg_cluster::fresh_db();
    let fake = FakeProvider::start(Flavor::OpenAi, &[KEY], &["gpt-4o"]).await;
    let home = tempfile::tempdir().unwrap();
    let handle = open_local(
        PathBuf::from(&db.url),
        home.path().join("master.key"),
        MASTER_HEX,
    )
    .await;
    let watched = tenant("watched");
    for id in ["watched", "other1", "other2"] {
        create_openai(&handle, &tenant(id), KEY, fake.base_url()).await;
    }

    let mut a = replica(&db.url);
    let mut b = replica(&db.url);
    // Let several rounds run: exactly one replica runs them.
    wait_for("three rounds", Duration::from_secs(60), || {
        rounds(&a).len() + rounds(&b).len() >= 3
    })
    .await;
    let (ra, rb) = (rounds(&a), rounds(&b));
    assert!(
        ra.is_empty() != rb.is_empty(),
        "exactly one leader: a ran {ra:?}, b ran {rb:?}"
    );
    let (leader, follower) = if rb.is_empty() {
        (&mut a, &mut b)
    } else {
        (&mut b, &mut a)
    };

    // Kill the leader outright: no lease release, no goodbye.
    leader.serve.child.kill().unwrap();
    leader.serve.child.wait().unwrap();
    let last = *rounds(leader).iter().max().unwrap();
    // The follower runs a later round within one lease period plus one
    // interval (it may have to wait for the next round to begin).
    let took = wait_for(
        "the follower to run the next round",
        Duration::from_secs(60),
        || rounds(follower).iter().any(|r| *r > last),
    )
    .await;
    eprintln!("takeover after {took:?}");
    wait_for(
        "another round on the follower",
        Duration::from_secs(60),
        || rounds(follower).len() >= 2,
    )
    .await;

    // No round ran twice, across both replicas.
    let mut all = rounds(leader);
    all.extend(rounds(follower));
    let distinct: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(distinct.len(), all.len(), "a round ran twice: {all:?}");
    assert!(
        rounds(follower).iter().all(|r| *r > last),
        "the follower never ran a round while the leader lived"
    );

    // Each round tested the watched scope at most once.
    let _ = follower.serve.child.kill();
    let _ = follower.serve.child.wait();
    let results = handle
        .admin()
        .unwrap()
        .health()
        .samples(SampleQuery::Newest {
            scope: watched,
            limit: 1000,
        })
        .await
        .unwrap();
    assert!(!results.is_empty());
    assert!(
        results.len() <= distinct.len(),
        "{} results of one scope in {} rounds",
        results.len(),
        distinct.len()
    );
}
