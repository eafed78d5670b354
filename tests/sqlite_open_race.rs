//! Many connections opening one fresh SQLite store at the same moment (as
//! several `llmcfg` processes started together do): every open succeeds.
//! Converting a new file to WAL needs an exclusive lock, and SQLite does not
//! run the busy handler for `PRAGMA journal_mode=WAL`, so a plain conversion
//! fails at once with "database is locked" when another opener holds it.

use std::sync::Arc;

use llmcfg::store::Store;
use tokio::sync::Barrier;

/// Openers racing on each fresh file.
const OPENERS: usize = 16;
/// Fresh files raced on.
const ROUNDS: usize = 30;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn openers_racing_on_a_fresh_store_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..ROUNDS {
        let path = dir.path().join(format!("race-{round}.db"));
        let start = Arc::new(Barrier::new(OPENERS));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..OPENERS {
            let (path, start) = (path.clone(), start.clone());
            tasks.spawn(async move {
                start.wait().await;
                Store::open(&path).await.map(|_| ())
            });
        }
        while let Some(done) = tasks.join_next().await {
            if let Err(e) = done.unwrap() {
                panic!("round {round}: an opener failed: {e}");
            }
        }
    }
}
