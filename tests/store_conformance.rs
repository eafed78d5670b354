//! The store conformance suite: one function that states what every store
//! must do, run on SQLite and on PostgreSQL. Create/get/update/delete, the
//! AlreadyExists/NotFound rules, tenant isolation, the audit log, the
//! instance list and its first rows, the last test, tokens (and a token
//! read together with a config), re-sealing, and the concurrency guarantees
//! (exactly one of many concurrent creates wins; concurrent updates of
//! different fields through separate stores on one database lose nothing),
//! the all-or-nothing batch, including a delete its check refuses, and the
//! lifecycle alerts sent, each claimed once.
//! File-level checks (WAL, permissions) stay in the SQLite-only suites; the
//! concurrency and batch cases are in `store_conformance/`.

#[path = "store_conformance/batch.rs"]
mod batch;
#[path = "store_conformance/concurrency.rs"]
mod concurrency;
#[path = "store_conformance/lifecycle_alerts.rs"]
mod lifecycle_alerts;
#[path = "support/pg_cluster.rs"]
mod pg_cluster;

use std::path::{Path, PathBuf};

use llmcfg::crypto::MasterKey;
use llmcfg::domain::token::token_hash;
use llmcfg::domain::{
    ApiKey, ConfigFields, Credit, FactSource, InstanceId, Lifecycle, Retirement, Role, Scope,
    TestResult, TestStatus, TokenInfo,
};
use llmcfg::store::{AuditRecord, ConfigRow, RowUpdate, Store, StoreError, rows_now};
use time::macros::{date, datetime};

const KEY: &str = "sk-ant-api03-Zq8vN2xKp4Lm7Rt1Yw9Bc3Df6Gh0Jk5QsUe";
/// Tasks racing to create one scope.
const CREATORS: usize = 8;
/// Updates each of the two updating tasks makes.
const UPDATES: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_store_conforms() {
    let dir = tempfile::tempdir().unwrap();
    conformance(dir.path().join("llmcfg.db")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
async fn postgres_store_conforms() {
    let db = pg_cluster::fresh_db();
    conformance(PathBuf::from(&db.url)).await;
}

async fn open(location: &Path) -> Store {
    Store::open(location).await.unwrap()
}

fn tenant(id: &str) -> Scope {
    Scope::Instance(InstanceId::parse(id).unwrap())
}

fn audit(scope: &Scope, action: &str) -> AuditRecord {
    let mut rec = AuditRecord::new("local:suite", scope, action.into());
    rec.fields = vec!["model".into()];
    rec
}

fn sealed_row(master: &MasterKey, scope: &Scope, model: &str) -> ConfigRow {
    ConfigRow::seal_new(
        scope,
        ConfigFields::new("anthropic", model),
        &ApiKey::new(KEY),
        master,
        &llmcfg::crypto::Fingerprinter::generate(),
    )
}

fn opens_with(master: &MasterKey, row: &ConfigRow) -> bool {
    row.open_key(master)
        .map(|k| k.expose() == KEY)
        .unwrap_or(false)
}

fn set_model(row: &ConfigRow, model: &str) -> RowUpdate {
    RowUpdate {
        fields: ConfigFields {
            model: model.into(),
            ..row.fields.clone()
        },
        new_key: None,
        audit: audit(&row.scope, "update"),
    }
}

/// Everything a store must do; `location` opens more stores on the same data.
async fn conformance(location: PathBuf) {
    let master = MasterKey::generate();
    let store = open(&location).await;
    key_check(&store).await;
    crud_and_isolation(&store, &master).await;
    audit_log(&store).await;
    instances_and_last_test(&store, &master).await;
    reseal(&store, &master).await;
    tokens(&store).await;
    lifecycle_alerts::lifecycle_alerts(&store).await;
    concurrency::concurrent_creates(&location, &master).await;
    concurrency::concurrent_updates(&location, &master).await;
    batch::batch(&store, &master).await;
    batch::batch_delete_refused(&store, &master).await;
}

async fn key_check(store: &Store) {
    assert!(store.is_fresh().await.unwrap());
    assert_eq!(store.key_check_value().await.unwrap(), None);
    assert_eq!(store.init_key_check_value("kcv-1").await.unwrap(), "kcv-1");
    // The first recorded value wins; a second replica gets it back.
    assert_eq!(store.init_key_check_value("kcv-2").await.unwrap(), "kcv-1");
    assert_eq!(
        store.key_check_value().await.unwrap().as_deref(),
        Some("kcv-1")
    );
    assert!(!store.is_fresh().await.unwrap());
}

async fn crud_and_isolation(store: &Store, master: &MasterKey) {
    let acme = tenant("acme");
    assert!(store.get(&Scope::Global).await.unwrap().is_none());
    let global = sealed_row(master, &Scope::Global, "claude-global");
    store
        .insert(global.clone(), audit(&Scope::Global, "create"))
        .await
        .unwrap();
    // The control plane is one scope: a second global config is refused.
    let again = sealed_row(master, &Scope::Global, "other");
    assert!(matches!(
        store.insert(again, audit(&Scope::Global, "create")).await,
        Err(StoreError::AlreadyExists)
    ));
    let read = store.get(&Scope::Global).await.unwrap().unwrap();
    assert_eq!(read.id, global.id);
    assert_eq!(read.fields.model, "claude-global");
    assert_eq!(read.sealed_key().as_bytes(), global.sealed_key().as_bytes());
    assert_eq!(read.created_at, global.created_at);
    assert!(opens_with(master, &read));

    // A tenant never sees the control plane's config, and vice versa.
    assert!(store.get(&acme).await.unwrap().is_none());
    store
        .insert(
            sealed_row(master, &acme, "claude-acme"),
            audit(&acme, "create"),
        )
        .await
        .unwrap();
    assert_eq!(
        store.get(&acme).await.unwrap().unwrap().fields.model,
        "claude-acme"
    );
    assert_eq!(
        store
            .get(&Scope::Global)
            .await
            .unwrap()
            .unwrap()
            .fields
            .model,
        "claude-global"
    );

    let missing = tenant("missing");
    let err = store
        .update(&missing, |r| Ok::<_, StoreError>(set_model(r, "x")))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound));
    assert!(matches!(
        store.delete(&missing, audit(&missing, "delete")).await,
        Err(StoreError::NotFound)
    ));

    let updated = store
        .update(&acme, |r| Ok::<_, StoreError>(set_model(r, "claude-2")))
        .await
        .unwrap();
    assert_eq!(updated.fields.model, "claude-2");
    assert_eq!(
        store.get(&acme).await.unwrap().unwrap().fields.model,
        "claude-2"
    );
    assert!(opens_with(
        master,
        &store.get(&acme).await.unwrap().unwrap()
    ));

    // A change the closure refuses writes nothing and releases the row.
    let refused = store
        .update(&acme, |_| {
            Err::<RowUpdate, _>(StoreError::Corrupt("no".into()))
        })
        .await;
    assert!(matches!(refused, Err(StoreError::Corrupt(_))));
    assert_eq!(
        store.get(&acme).await.unwrap().unwrap().fields.model,
        "claude-2"
    );
    store
        .update(&acme, |r| Ok::<_, StoreError>(set_model(r, "claude-3")))
        .await
        .unwrap();

    let gone = store.delete(&acme, audit(&acme, "delete")).await.unwrap();
    assert_eq!(gone.fields.model, "claude-3");
    assert!(store.get(&acme).await.unwrap().is_none());
    assert_eq!(store.all_configs().await.unwrap().len(), 1);
}

async fn audit_log(store: &Store) {
    let acme = tenant("acme");
    let all = store.audit(None, 100).await.unwrap();
    let actions: Vec<&str> = all.iter().map(|e| e.action.as_str()).collect();
    // Newest first; refused writes left no entry.
    assert_eq!(
        actions,
        ["delete", "update", "update", "create", "create"],
        "{all:?}"
    );
    assert!(all.windows(2).all(|w| w[0].id > w[1].id));
    let acme_only = store.audit(Some(&acme), 100).await.unwrap();
    assert_eq!(acme_only.len(), 4);
    assert!(
        acme_only
            .iter()
            .all(|e| e.instance_id.as_deref() == Some("acme"))
    );
    // The delete records the fingerprint of the key it removed, never the key.
    assert!(acme_only[0].key_fingerprint.is_some());
    assert_eq!(acme_only[0].fields, ["model"]);
    assert_eq!(store.audit(None, 2).await.unwrap().len(), 2);
    let global = store.audit(Some(&Scope::Global), 100).await.unwrap();
    assert_eq!(global.len(), 1);
    assert_eq!(global[0].instance_id, None);
    assert_eq!(global[0].actor, "local:suite");
    // The change mark the TUI polls is the newest audit id: it moves with
    // every entry, and only then.
    let before = store.change_mark().await.unwrap();
    assert_eq!(before, all[0].id);
    assert_eq!(store.change_mark().await.unwrap(), before);
    store
        .append_audit(audit(&Scope::Global, "login"))
        .await
        .unwrap();
    assert_eq!(store.audit(None, 1).await.unwrap()[0].action, "login");
    assert!(store.change_mark().await.unwrap() > before);
}

async fn instances_and_last_test(store: &Store, master: &MasterKey) {
    let beta = InstanceId::parse("beta").unwrap();
    let upper = InstanceId::parse("Zeta").unwrap();
    assert!(
        store
            .add_instance(
                &beta,
                Some("Beta".into()),
                audit(&tenant("beta"), "add_instance")
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .add_instance(&beta, None, audit(&tenant("beta"), "add_instance"))
            .await
            .unwrap()
    );
    assert!(
        store
            .add_instance(&upper, None, audit(&tenant("Zeta"), "add_instance"))
            .await
            .unwrap()
    );
    let gamma = tenant("gamma");
    store
        .insert(sealed_row(master, &gamma, "m"), audit(&gamma, "create"))
        .await
        .unwrap();

    // The lifecycle facts ride on the last test and come back with it.
    let lifecycle = Lifecycle {
        retirement: Some(
            Retirement::new("m", date!(2027 - 03 - 01), FactSource::Api).with_successor("m2"),
        ),
        credit: Some(Credit {
            limit: Some(25.0),
            remaining: Some(1.0),
            ..Credit::default()
        }),
        key_expires_at: Some(datetime!(2027-01-02 0:00 UTC)),
    };
    let result = TestResult::new(
        "anthropic",
        "m",
        TestStatus::InvalidKey,
        "the provider refused the key (HTTP 401)",
        42,
        rows_now(),
    )
    .with_lifecycle(lifecycle);
    assert!(
        store
            .record_test(&gamma, result.clone(), audit(&gamma, "test"))
            .await
            .unwrap()
    );
    // No config, no result.
    assert!(
        !store
            .record_test(
                &tenant("beta"),
                result.clone(),
                audit(&tenant("beta"), "test")
            )
            .await
            .unwrap()
    );

    let list = store.list_instances().await.unwrap();
    let ids: Vec<Option<&str>> = list.iter().map(|s| s.instance_id.as_deref()).collect();
    // The first rows (what the TUI draws before the whole fleet is read)
    // are the whole list's, whatever table each scope comes from.
    for rows in 0..=list.len() + 1 {
        let first = store.list_instances_first(rows).await.unwrap();
        assert_eq!(first, list[..rows.min(list.len())], "the first {rows} rows");
    }
    // Control plane first, then by bytes: "Zeta" sorts before "beta".
    assert_eq!(ids, [None, Some("Zeta"), Some("beta"), Some("gamma")]);
    assert_eq!(
        list[2].name.as_deref(),
        Some("Beta"),
        "a rename to nothing keeps the name"
    );
    assert!(list[0].config.is_some());
    assert!(list[2].config.is_none() && list[2].last_test.is_none());
    let g = &list[3];
    assert_eq!(g.config.as_ref().unwrap().model, "m");
    assert_eq!(
        g.config.as_ref().unwrap().instance_id.as_deref(),
        Some("gamma")
    );
    assert_eq!(g.last_test.as_ref(), Some(&result));

    // Deleting and re-creating a config forgets its old test result.
    store.delete(&gamma, audit(&gamma, "delete")).await.unwrap();
    store
        .insert(sealed_row(master, &gamma, "m2"), audit(&gamma, "create"))
        .await
        .unwrap();
    let list = store.list_instances().await.unwrap();
    assert!(list[3].last_test.is_none());
}

async fn reseal(store: &Store, master: &MasterKey) {
    let new = MasterKey::generate();
    // A failure part-way leaves every row under the old key.
    let mut seen = 0;
    let (old, sealing) = (master.clone(), new.clone());
    let failed = store
        .reseal_all(
            "kcv-new",
            move |row| {
                seen += 1;
                if seen == 2 {
                    return Err(StoreError::Corrupt("stop".into()));
                }
                Ok(row.reseal(&old, &sealing).unwrap())
            },
            new.clone(),
            audit(&Scope::Global, "rotate_master_key"),
        )
        .await;
    assert!(failed.is_err());
    assert_eq!(
        store.key_check_value().await.unwrap().as_deref(),
        Some("kcv-1")
    );
    assert!(
        store
            .all_configs()
            .await
            .unwrap()
            .iter()
            .all(|r| opens_with(master, r))
    );

    let (old, sealing) = (master.clone(), new.clone());
    let n = store
        .reseal_all(
            "kcv-new",
            move |row| {
                row.reseal(&old, &sealing)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            },
            new.clone(),
            audit(&Scope::Global, "rotate_master_key"),
        )
        .await
        .unwrap();
    let rows = store.all_configs().await.unwrap();
    assert_eq!(n, rows.len());
    assert!(
        rows.iter()
            .all(|r| opens_with(&new, r) && !opens_with(master, r))
    );
    assert_eq!(
        store.key_check_value().await.unwrap().as_deref(),
        Some("kcv-new")
    );
    // Scopes in byte order.
    let scopes: Vec<&str> = rows.iter().map(|r| r.scope.key()).collect();
    assert_eq!(scopes, ["", "gamma"]);
}

async fn tokens(store: &Store) {
    let info = TokenInfo {
        name: "ci".into(),
        role: Role::Viewer,
        created_at: rows_now(),
    };
    let rec = audit(&Scope::Global, "token_create");
    store
        .add_token(info.clone(), token_hash("secret"), rec.clone())
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_token(info.clone(), token_hash("other"), rec.clone())
            .await,
        Err(StoreError::AlreadyExists)
    ));
    assert_eq!(
        store.find_token(&token_hash("secret")).await.unwrap(),
        Some(info)
    );
    assert_eq!(store.find_token(&token_hash("nope")).await.unwrap(), None);
    // The token and a scope's config view in one read (the GET's), each
    // as the reads of its own give it.
    for (secret, scope) in [
        ("secret", Scope::Global),
        ("secret", tenant("gamma")),
        ("secret", tenant("nobody")),
        ("nope", tenant("gamma")),
    ] {
        let read = store
            .token_and_config(&token_hash(secret), &scope)
            .await
            .unwrap();
        let token = store.find_token(&token_hash(secret)).await.unwrap();
        assert_eq!(read.token, token, "{secret} for {scope}");
        let view = store.get_view(&scope).await.unwrap();
        assert_eq!(read.config, view, "{secret} for {scope}");
        assert_eq!(view.is_some(), scope != tenant("nobody"));
    }
    assert_eq!(store.tokens().await.unwrap().len(), 1);
    store.revoke_token("ci", rec.clone()).await.unwrap();
    assert_eq!(store.find_token(&token_hash("secret")).await.unwrap(), None);
    assert!(matches!(
        store.revoke_token("ci", rec).await,
        Err(StoreError::NotFound)
    ));
}
