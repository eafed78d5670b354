//! The service actor's life and change feed, through the handle over a real
//! SQLite file: the feed announces each committed write's scope (and
//! nothing for a refused one), every clone of a handle shares one actor and
//! one job board, and the actor stops when the last handle drops, which a
//! subscriber sees as the feed closing.

#[path = "support/local_service.rs"]
mod local_service;

use std::time::Duration;

use llmcfg::domain::{ApiKey, NewConfig};
use llmcfg::service::jobs::{JobEvent, JobKind, JobPhase, JobSpec};
use llmcfg::service::{Change, ServiceError};
use local_service::{open_in_dir, tenant};
use tokio::sync::broadcast::error::RecvError;

/// A guard against a hang, not a measurement: the actor stops as soon as
/// the last handle drops.
const NO_HANG: Duration = Duration::from_secs(30);

fn config() -> NewConfig {
    NewConfig::new(
        "openai",
        "gpt-4o",
        ApiKey::new("sk-proj-feed-0123456789abcdefghijklmnop"),
    )
}

#[tokio::test]
async fn the_feed_announces_commits_and_closes_when_the_last_handle_drops() {
    let dir = tempfile::tempdir().unwrap();
    let handle = open_in_dir(dir.path()).await;
    let mut feed = handle
        .subscribe_changes()
        .expect("a local backend has a feed");

    let acme = tenant("acme");
    handle.create(&acme, config()).await.unwrap();
    assert_eq!(feed.recv().await.unwrap(), Change::Scope(acme.clone()));
    // Refused (the scope has a config): nothing changed, nothing announced.
    let refused = handle.create(&acme, config()).await;
    assert!(matches!(refused, Err(ServiceError::AlreadyExists { .. })));
    // A clone audited under another name talks to the same actor.
    let other = handle.with_caller("local:someone-else");
    other.delete(&acme).await.unwrap();
    assert_eq!(feed.recv().await.unwrap(), Change::Scope(acme));

    drop(handle);
    drop(other);
    let closed = tokio::time::timeout(NO_HANG, feed.recv())
        .await
        .expect("the actor stopped");
    assert!(matches!(closed, Err(RecvError::Closed)), "{closed:?}");
}

#[tokio::test]
async fn every_clone_sees_the_jobs_of_the_process() {
    let dir = tempfile::tempdir().unwrap();
    let handle = open_in_dir(dir.path()).await;
    let (a, b) = (tenant("a"), tenant("b"));
    for scope in [&a, &b] {
        handle.create(scope, config()).await.unwrap();
    }
    let spec = JobSpec::Bulk {
        kind: JobKind::Delete,
        scopes: vec![a.clone(), b.clone()],
        concurrency: 1,
    };
    let mut ticket = handle
        .with_caller("local:bulk")
        .start_job(spec)
        .await
        .unwrap();
    let mut ended = None;
    while let Some(event) = ticket.events.recv().await {
        if let JobEvent::Ended(phase) = event {
            ended = Some(phase);
        }
    }
    assert_eq!(ended, Some(JobPhase::Done));
    let jobs = handle.jobs();
    assert_eq!(jobs.len(), 1);
    let report = &jobs[0];
    assert_eq!((report.id, report.label), (ticket.id, "delete"));
    assert_eq!(report.caller, "local:bulk");
    assert_eq!(
        (report.total, report.rows.len(), report.failures()),
        (2, 2, 0)
    );
    assert_eq!(handle.get(&a).await.unwrap(), None);
    assert_eq!(handle.get(&b).await.unwrap(), None);
}
