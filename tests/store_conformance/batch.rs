//! The conformance suite's all-or-nothing batch: a refused change, an
//! insert that meets an existing config, or a delete its check refuses
//! rolls back every write before it, audit entries included.

use llmcfg::crypto::MasterKey;
use llmcfg::domain::{Scope, StateStamp};
use llmcfg::store::{BatchCheck, BatchFailure, BatchWrite, ConfigRow, Store, StoreError};

use super::{audit, opens_with, sealed_row, set_model, tenant};

/// A batch writes every scope or none: a refused change, or an insert that
/// meets an existing config, rolls back the writes before it, audit
/// entries included; a batch that succeeds writes them all.
pub async fn batch(store: &Store, master: &MasterKey) {
    let (a, b, c) = (tenant("batch-a"), tenant("batch-b"), tenant("batch-c"));
    for s in [&a, &b] {
        store
            .insert(sealed_row(master, s, "old"), audit(s, "create"))
            .await
            .unwrap();
    }
    let audit_len = store.audit(None, 100_000).await.unwrap().len();
    let update = |scope: &Scope, refuse: bool| BatchWrite::Update {
        scope: scope.clone(),
        change: Box::new(move |r: &ConfigRow| {
            if refuse {
                return Err(StoreError::Corrupt("refused by the test".into()));
            }
            Ok(set_model(r, "new"))
        }),
    };
    let failed = store
        .write_batch(vec![
            update(&a, false),
            BatchWrite::Insert {
                row: Box::new(sealed_row(master, &c, "new")),
                audit: audit(&c, "create"),
            },
            update(&b, true),
        ])
        .await
        .unwrap_err();
    assert_eq!(failed.scope.as_ref(), Some(&b));
    let unchanged = |store: &Store| {
        let (a, c) = (a.clone(), c.clone());
        let store = store.clone();
        async move {
            assert_eq!(store.get(&a).await.unwrap().unwrap().fields.model, "old");
            assert!(store.get(&c).await.unwrap().is_none());
            assert_eq!(store.audit(None, 100_000).await.unwrap().len(), audit_len);
        }
    };
    unchanged(store).await;

    let BatchFailure { scope, error } = store
        .write_batch(vec![
            update(&a, false),
            BatchWrite::Insert {
                row: Box::new(sealed_row(master, &b, "new")),
                audit: audit(&b, "create"),
            },
        ])
        .await
        .unwrap_err();
    assert_eq!(scope.as_ref(), Some(&b));
    assert!(matches!(error, StoreError::AlreadyExists), "{error:?}");
    unchanged(store).await;

    let written = store
        .write_batch(vec![
            update(&a, false),
            update(&b, false),
            BatchWrite::Insert {
                row: Box::new(sealed_row(master, &c, "new")),
                audit: audit(&c, "create"),
            },
            BatchWrite::Delete {
                scope: a.clone(),
                audit: audit(&a, "delete"),
                check: Box::new(|r: &ConfigRow| {
                    assert_eq!(r.fields.model, "new", "the batch sees its own writes");
                    Ok::<_, StoreError>(())
                }),
            },
        ])
        .await
        .unwrap();
    assert_eq!(written, 4);
    assert!(store.get(&a).await.unwrap().is_none());
    assert_eq!(store.get(&b).await.unwrap().unwrap().fields.model, "new");
    let c_row = store.get(&c).await.unwrap().unwrap();
    assert!(opens_with(master, &c_row));
    assert_eq!(
        store.audit(None, 100_000).await.unwrap().len(),
        audit_len + 4
    );
}

/// The stamp a plan records of a scope (what `apply --atomic` checks).
fn stamp_of(row: &ConfigRow) -> StateStamp {
    StateStamp::of(Some(&row.to_view()))
}

/// A batch delete's check as the service builds it: the row must still
/// have the stamp the caller planned on.
fn still(planned: StateStamp) -> BatchCheck<StoreError> {
    Box::new(move |row: &ConfigRow| {
        if stamp_of(row) == planned {
            Ok(())
        } else {
            Err(StoreError::Corrupt("changed since it was planned".into()))
        }
    })
}

/// A batch delete whose check refuses the row (another writer changed the
/// scope after the plan was made) fails at that scope with the check's own
/// error and writes nothing: the accepted delete, the update and the insert
/// before it roll back with it, audit entries included. With the stamp the
/// scope now has, the same delete goes through.
pub async fn batch_delete_refused(store: &Store, master: &MasterKey) {
    let (kept, edited, stale, created) = (
        tenant("refuse-kept"),
        tenant("refuse-edited"),
        tenant("refuse-stale"),
        tenant("refuse-created"),
    );
    for s in [&kept, &edited, &stale] {
        store
            .insert(sealed_row(master, s, "old"), audit(s, "create"))
            .await
            .unwrap();
    }
    let planned = stamp_of(&store.get(&stale).await.unwrap().unwrap());
    store
        .update(&stale, |r| Ok::<_, StoreError>(set_model(r, "changed")))
        .await
        .unwrap();
    let state = |store: &Store| {
        let store = store.clone();
        let scopes = [&kept, &edited, &stale, &created].map(Scope::clone);
        async move {
            let mut stamps = Vec::new();
            for s in &scopes {
                stamps.push(store.get(s).await.unwrap().as_ref().map(stamp_of));
            }
            (stamps, store.audit(None, 100_000).await.unwrap().len())
        }
    };
    let before = state(store).await;
    let kept_stamp = before.0[0].clone().unwrap();

    let BatchFailure { scope, error } = store
        .write_batch(vec![
            BatchWrite::Delete {
                scope: kept.clone(),
                audit: audit(&kept, "delete"),
                check: still(kept_stamp),
            },
            BatchWrite::Update {
                scope: edited.clone(),
                change: Box::new(|r: &ConfigRow| Ok(set_model(r, "new"))),
            },
            BatchWrite::Insert {
                row: Box::new(sealed_row(master, &created, "new")),
                audit: audit(&created, "create"),
            },
            BatchWrite::Delete {
                scope: stale.clone(),
                audit: audit(&stale, "delete"),
                check: still(planned),
            },
        ])
        .await
        .unwrap_err();
    assert_eq!(scope.as_ref(), Some(&stale));
    assert!(
        matches!(&error, StoreError::Corrupt(m) if m == "changed since it was planned"),
        "the check's refusal, not another failure: {error:?}"
    );
    assert_eq!(state(store).await, before, "a refused batch writes nothing");
    assert!(store.get(&kept).await.unwrap().is_some());
    assert_eq!(
        store.get(&stale).await.unwrap().unwrap().fields.model,
        "changed"
    );

    let current = stamp_of(&store.get(&stale).await.unwrap().unwrap());
    let written = store
        .write_batch(vec![BatchWrite::Delete {
            scope: stale.clone(),
            audit: audit(&stale, "delete"),
            check: still(current),
        }])
        .await
        .unwrap();
    assert_eq!(written, 1);
    assert!(store.get(&stale).await.unwrap().is_none());
    assert_eq!(
        store.audit(None, 100_000).await.unwrap().len(),
        before.1 + 1
    );
}
