//! The lifecycle alerts a store remembers sending: a mark is claimed once
//! per scope (a second claim, from this store or any other on the same
//! database, gets nothing back), and a forgotten mark can be claimed again.

use llmcfg::domain::{AlertMark, Scope};
use llmcfg::store::Store;

fn mark(scope: &Scope, text: &str) -> AlertMark {
    AlertMark {
        scope: scope.clone(),
        mark: text.to_string(),
    }
}

pub async fn lifecycle_alerts(store: &Store) {
    let acme = super::tenant("acme");
    let first = vec![
        mark(&acme, "retirement gpt-4o 2027-03-01 90d"),
        mark(&acme, "credit 10%"),
        mark(&Scope::Global, "retirement gpt-4o 2027-03-01 90d"),
    ];
    let claimed = store.settle_alerts(first.clone(), vec![]).await.unwrap();
    assert_eq!(claimed, first, "every new mark is claimed");
    let again = store
        .settle_alerts(
            vec![
                first[0].clone(),
                mark(&acme, "retirement gpt-4o 2027-03-01 30d"),
            ],
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        again,
        [mark(&acme, "retirement gpt-4o 2027-03-01 30d")],
        "a mark already claimed is not claimed twice"
    );
    // Forgotten and claimed in one call: the fact went back and crossed again.
    let rearmed = store
        .settle_alerts(vec![first[1].clone()], vec![first[1].clone()])
        .await
        .unwrap();
    assert_eq!(rearmed, [first[1].clone()]);
    // Forgetting one scope's mark leaves another scope's alone.
    store
        .settle_alerts(vec![], vec![first[0].clone()])
        .await
        .unwrap();
    assert!(
        store
            .settle_alerts(vec![first[2].clone()], vec![])
            .await
            .unwrap()
            .is_empty()
    );
}
