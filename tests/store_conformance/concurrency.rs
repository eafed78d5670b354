//! The conformance suite's concurrency guarantees: exactly one of many
//! concurrent creates of a scope wins, and concurrent updates of different
//! fields through separate stores on one database lose nothing.

use std::path::Path;
use std::sync::Arc;

use llmcfg::crypto::MasterKey;
use llmcfg::domain::{ApiKey, ConfigFields};
use llmcfg::store::{ConfigRow, StoreError};
use tokio::sync::Barrier;

use super::{CREATORS, KEY, UPDATES, audit, open, sealed_row, set_model, tenant};

pub async fn concurrent_creates(location: &Path, master: &MasterKey) {
    let race = tenant("race");
    let start = Arc::new(Barrier::new(CREATORS));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..CREATORS {
        let (start, race, location) = (start.clone(), race.clone(), location.to_path_buf());
        let row = sealed_row(master, &race, &format!("model-{i}"));
        tasks.spawn(async move {
            // A store of its own per task: separate connections, as
            // separate processes or replicas would have.
            let store = open(&location).await;
            start.wait().await;
            store.insert(row, audit(&race, "create")).await
        });
    }
    let results: Vec<Result<(), StoreError>> = tasks.join_all().await;
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{results:?}");
    assert!(
        results
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(StoreError::AlreadyExists))),
        "{results:?}"
    );
    let store = open(location).await;
    assert_eq!(store.audit(Some(&race), 100).await.unwrap().len(), 1);
}

pub async fn concurrent_updates(location: &Path, master: &MasterKey) {
    let shared = tenant("shared");
    {
        let store = open(location).await;
        let row = ConfigRow::seal_new(
            &shared,
            ConfigFields::new("p0", "0"),
            &ApiKey::new(KEY),
            master,
            &llmcfg::crypto::Fingerprinter::generate(),
        );
        store.insert(row, audit(&shared, "create")).await.unwrap();
    }
    // Two stores, two tasks: one counts in `model`, the other in
    // `provider`. Each read-modify-write keeps the other field as it read
    // it, so a lost update would show as a count short on either side.
    let start = Arc::new(Barrier::new(2));
    let mut tasks = tokio::task::JoinSet::new();
    for field in ["model", "provider"] {
        let (start, shared, location) = (start.clone(), shared.clone(), location.to_path_buf());
        tasks.spawn(async move {
            let store = open(&location).await;
            start.wait().await;
            for _ in 0..UPDATES {
                store
                    .update(&shared, move |r| {
                        let mut u = set_model(r, &r.fields.model);
                        if field == "model" {
                            let n: usize = r.fields.model.parse().unwrap();
                            u.fields.model = (n + 1).to_string();
                        } else {
                            let n: usize = r.fields.provider[1..].parse().unwrap();
                            u.fields.provider = format!("p{}", n + 1);
                        }
                        Ok::<_, StoreError>(u)
                    })
                    .await
                    .unwrap();
            }
        });
    }
    tasks.join_all().await;
    let store = open(location).await;
    let row = store.get(&shared).await.unwrap().unwrap();
    assert_eq!(row.fields.model, UPDATES.to_string());
    assert_eq!(row.fields.provider, format!("p{UPDATES}"));
    assert_eq!(
        store.audit(Some(&shared), 1000).await.unwrap().len(),
        1 + 2 * UPDATES
    );
}
