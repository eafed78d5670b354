//! The store conformance suite: one function that states what every store
//! must do, run on SQLite and on PostgreSQL. Create/get/update/delete, the
//! AlreadyExists/NotFound rules, tenant isolation, the audit log, the
//! instance list, the last test, re-sealing, and the concurrency guarantees
//! (exactly one of many concurrent creates wins; concurrent updates of
//! different fields through separate stores on one database lose nothing).
//! File-level checks (WAL, permissions) stay in the SQLite-only suites.

#[path = "support/pg_cluster.rs"]
mod pg_cluster;

use std::sync::{Arc, Barrier};

use llmcfg::crypto::{self, MasterKey, SealedKey};
use llmcfg::domain::token::token_hash;
use llmcfg::domain::{ApiKey, InstanceId, Role, Scope, TestResult, TestStatus, TokenInfo};
use llmcfg::store::{AuditRecord, ConfigRow, RowUpdate, Store, StoreError, rows_now};

const KEY: &str = "sk-ant-api03-Zq8vN2xKp4Lm7Rt1Yw9Bc3Df6Gh0Jk5QsUe";
/// Threads racing to create one scope.
const CREATORS: usize = 8;
/// Updates each of the two updating threads makes.
const UPDATES: usize = 40;

#[test]
fn sqlite_store_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("llmcfg.db");
    conformance(&move || Store::open(&path).unwrap());
}

#[test]
fn postgres_store_conforms() {
    let db = pg_cluster::fresh_db();
    let url = db.url.clone();
    conformance(&move || Store::open(std::path::Path::new(&url)).unwrap());
}

fn tenant(id: &str) -> Scope {
    Scope::Instance(InstanceId::parse(id).unwrap())
}

fn audit(scope: &Scope, action: &'static str) -> AuditRecord {
    AuditRecord {
        at: rows_now(),
        actor: "local:suite".into(),
        scope: scope.clone(),
        action,
        fields: vec!["model".into()],
        key_fingerprint: None,
        detail: None,
    }
}

fn sealed_row(master: &MasterKey, scope: &Scope, model: &str) -> ConfigRow {
    let key = ApiKey::new(KEY);
    let now = rows_now();
    let mut row = ConfigRow {
        id: uuid::Uuid::now_v7(),
        scope: scope.clone(),
        provider: "anthropic".into(),
        model: model.into(),
        base_url: None,
        sealed_key: SealedKey::from_stored(Vec::new()),
        api_key_masked: "sk-ant-...QsUe".into(),
        key_fingerprint: crypto::fingerprint(&key),
        created_at: now,
        updated_at: now,
    };
    let origin = row.origin();
    row.sealed_key = crypto::seal(master, &row.aad(&origin), &key);
    row
}

fn opens_with(master: &MasterKey, row: &ConfigRow) -> bool {
    let origin = row.origin();
    crypto::open(master, &row.aad(&origin), &row.sealed_key)
        .map(|k| k.expose() == KEY)
        .unwrap_or(false)
}

fn set_model(row: &ConfigRow, model: &str) -> RowUpdate {
    RowUpdate {
        provider: row.provider.clone(),
        model: model.into(),
        base_url: row.base_url.clone(),
        new_key: None,
        audit: audit(&row.scope, "update"),
    }
}

/// Everything a store must do; `open` opens another store on the same data.
fn conformance(open: &(dyn Fn() -> Store + Sync)) {
    let master = MasterKey::generate();
    let mut store = open();
    key_check(&mut store);
    crud_and_isolation(&mut store, &master);
    audit_log(&mut store);
    instances_and_last_test(&mut store, &master);
    reseal(&mut store, &master);
    tokens(&mut store);
    concurrent_creates(open, &master);
    concurrent_updates(open, &master);
}

fn key_check(store: &mut Store) {
    assert!(store.is_fresh().unwrap());
    assert_eq!(store.key_check_value().unwrap(), None);
    assert_eq!(store.init_key_check_value("kcv-1").unwrap(), "kcv-1");
    // The first recorded value wins; a second replica gets it back.
    assert_eq!(store.init_key_check_value("kcv-2").unwrap(), "kcv-1");
    assert_eq!(store.key_check_value().unwrap().as_deref(), Some("kcv-1"));
    assert!(!store.is_fresh().unwrap());
}

fn crud_and_isolation(store: &mut Store, master: &MasterKey) {
    let acme = tenant("acme");
    assert!(store.get(&Scope::Global).unwrap().is_none());
    let global = sealed_row(master, &Scope::Global, "claude-global");
    store
        .insert(&global, &audit(&Scope::Global, "create"))
        .unwrap();
    // The control plane is one scope: a second global config is refused.
    let again = sealed_row(master, &Scope::Global, "other");
    assert!(matches!(
        store.insert(&again, &audit(&Scope::Global, "create")),
        Err(StoreError::AlreadyExists)
    ));
    let read = store.get(&Scope::Global).unwrap().unwrap();
    assert_eq!(read.id, global.id);
    assert_eq!(read.model, "claude-global");
    assert_eq!(read.sealed_key.as_bytes(), global.sealed_key.as_bytes());
    assert_eq!(read.created_at, global.created_at);
    assert!(opens_with(master, &read));

    // A tenant never sees the control plane's config, and vice versa.
    assert!(store.get(&acme).unwrap().is_none());
    store
        .insert(
            &sealed_row(master, &acme, "claude-acme"),
            &audit(&acme, "create"),
        )
        .unwrap();
    assert_eq!(store.get(&acme).unwrap().unwrap().model, "claude-acme");
    assert_eq!(
        store.get(&Scope::Global).unwrap().unwrap().model,
        "claude-global"
    );

    let missing = tenant("missing");
    let err = store
        .update(&missing, |r| Ok::<_, StoreError>(set_model(r, "x")))
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound));
    assert!(matches!(
        store.delete(&missing, &audit(&missing, "delete")),
        Err(StoreError::NotFound)
    ));

    let updated = store
        .update(&acme, |r| Ok::<_, StoreError>(set_model(r, "claude-2")))
        .unwrap();
    assert_eq!(updated.model, "claude-2");
    assert_eq!(store.get(&acme).unwrap().unwrap().model, "claude-2");
    assert!(opens_with(master, &store.get(&acme).unwrap().unwrap()));

    // A change the closure refuses writes nothing and releases the row.
    let refused = store.update(&acme, |_| {
        Err::<RowUpdate, _>(StoreError::Corrupt("no".into()))
    });
    assert!(matches!(refused, Err(StoreError::Corrupt(_))));
    assert_eq!(store.get(&acme).unwrap().unwrap().model, "claude-2");
    store
        .update(&acme, |r| Ok::<_, StoreError>(set_model(r, "claude-3")))
        .unwrap();

    let gone = store.delete(&acme, &audit(&acme, "delete")).unwrap();
    assert_eq!(gone.model, "claude-3");
    assert!(store.get(&acme).unwrap().is_none());
    assert_eq!(store.all_configs().unwrap().len(), 1);
}

fn audit_log(store: &mut Store) {
    let acme = tenant("acme");
    let all = store.audit(None, 100).unwrap();
    let actions: Vec<&str> = all.iter().map(|e| e.action.as_str()).collect();
    // Newest first; refused writes left no entry.
    assert_eq!(
        actions,
        ["delete", "update", "update", "create", "create"],
        "{all:?}"
    );
    assert!(all.windows(2).all(|w| w[0].id > w[1].id));
    let acme_only = store.audit(Some(&acme), 100).unwrap();
    assert_eq!(acme_only.len(), 4);
    assert!(
        acme_only
            .iter()
            .all(|e| e.instance_id.as_deref() == Some("acme"))
    );
    // The delete records the fingerprint of the key it removed, never the key.
    assert!(acme_only[0].key_fingerprint.is_some());
    assert_eq!(acme_only[0].fields, ["model"]);
    assert_eq!(store.audit(None, 2).unwrap().len(), 2);
    let global = store.audit(Some(&Scope::Global), 100).unwrap();
    assert_eq!(global.len(), 1);
    assert_eq!(global[0].instance_id, None);
    assert_eq!(global[0].actor, "local:suite");
    store.append_audit(&audit(&Scope::Global, "login")).unwrap();
    assert_eq!(store.audit(None, 1).unwrap()[0].action, "login");
}

fn instances_and_last_test(store: &mut Store, master: &MasterKey) {
    let beta = InstanceId::parse("beta").unwrap();
    let upper = InstanceId::parse("Zeta").unwrap();
    assert!(
        store
            .add_instance(&beta, Some("Beta"), &audit(&tenant("beta"), "add_instance"))
            .unwrap()
    );
    assert!(
        !store
            .add_instance(&beta, None, &audit(&tenant("beta"), "add_instance"))
            .unwrap()
    );
    assert!(
        store
            .add_instance(&upper, None, &audit(&tenant("Zeta"), "add_instance"))
            .unwrap()
    );
    let gamma = tenant("gamma");
    store
        .insert(&sealed_row(master, &gamma, "m"), &audit(&gamma, "create"))
        .unwrap();

    let result = TestResult {
        success: false,
        provider: "anthropic".into(),
        model: "m".into(),
        status: TestStatus::InvalidKey,
        message: "the provider refused the key (HTTP 401)".into(),
        latency_ms: 42,
        checked_at: rows_now(),
    };
    assert!(
        store
            .record_test(&gamma, &result, &audit(&gamma, "test"))
            .unwrap()
    );
    // No config, no result.
    assert!(
        !store
            .record_test(&tenant("beta"), &result, &audit(&tenant("beta"), "test"))
            .unwrap()
    );

    let list = store.list_instances().unwrap();
    let ids: Vec<Option<&str>> = list.iter().map(|s| s.instance_id.as_deref()).collect();
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
    store.delete(&gamma, &audit(&gamma, "delete")).unwrap();
    store
        .insert(&sealed_row(master, &gamma, "m2"), &audit(&gamma, "create"))
        .unwrap();
    let list = store.list_instances().unwrap();
    assert!(list[3].last_test.is_none());
}

fn reseal(store: &mut Store, master: &MasterKey) {
    let new = MasterKey::generate();
    // A failure part-way leaves every row under the old key.
    let mut seen = 0;
    let failed = store.reseal_all(
        "kcv-new",
        |row| {
            seen += 1;
            if seen == 2 {
                return Err(StoreError::Corrupt("stop".into()));
            }
            let origin = row.origin();
            let key = crypto::open(master, &row.aad(&origin), &row.sealed_key).unwrap();
            Ok(crypto::seal(&new, &row.aad(&origin), &key))
        },
        &audit(&Scope::Global, "rotate_master_key"),
    );
    assert!(failed.is_err());
    assert_eq!(store.key_check_value().unwrap().as_deref(), Some("kcv-1"));
    assert!(
        store
            .all_configs()
            .unwrap()
            .iter()
            .all(|r| opens_with(master, r))
    );

    let n = store
        .reseal_all(
            "kcv-new",
            |row| {
                let origin = row.origin();
                let key = crypto::open(master, &row.aad(&origin), &row.sealed_key)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok::<_, StoreError>(crypto::seal(&new, &row.aad(&origin), &key))
            },
            &audit(&Scope::Global, "rotate_master_key"),
        )
        .unwrap();
    let rows = store.all_configs().unwrap();
    assert_eq!(n, rows.len());
    assert!(
        rows.iter()
            .all(|r| opens_with(&new, r) && !opens_with(master, r))
    );
    assert_eq!(store.key_check_value().unwrap().as_deref(), Some("kcv-new"));
    // Scopes in byte order.
    let scopes: Vec<&str> = rows.iter().map(|r| r.scope.key()).collect();
    assert_eq!(scopes, ["", "gamma"]);
}

fn tokens(store: &mut Store) {
    let info = TokenInfo {
        name: "ci".into(),
        role: Role::Viewer,
        created_at: rows_now(),
    };
    let rec = audit(&Scope::Global, "token_create");
    store.add_token(&info, &token_hash("secret"), &rec).unwrap();
    assert!(matches!(
        store.add_token(&info, &token_hash("other"), &rec),
        Err(StoreError::AlreadyExists)
    ));
    assert_eq!(store.find_token(&token_hash("secret")).unwrap(), Some(info));
    assert_eq!(store.find_token(&token_hash("nope")).unwrap(), None);
    assert_eq!(store.tokens().unwrap().len(), 1);
    store.revoke_token("ci", &rec).unwrap();
    assert_eq!(store.find_token(&token_hash("secret")).unwrap(), None);
    assert!(matches!(
        store.revoke_token("ci", &rec),
        Err(StoreError::NotFound)
    ));
}

fn concurrent_creates(open: &(dyn Fn() -> Store + Sync), master: &MasterKey) {
    let race = tenant("race");
    let start = Barrier::new(CREATORS);
    let results: Vec<Result<(), StoreError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..CREATORS)
            .map(|i| {
                let start = &start;
                let race = &race;
                s.spawn(move || {
                    let mut store = open();
                    let row = sealed_row(master, race, &format!("model-{i}"));
                    start.wait();
                    store.insert(&row, &audit(race, "create"))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{results:?}");
    assert!(
        results
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(StoreError::AlreadyExists))),
        "{results:?}"
    );
    let mut store = open();
    assert_eq!(store.audit(Some(&race), 100).unwrap().len(), 1);
}

fn concurrent_updates(open: &(dyn Fn() -> Store + Sync), master: &MasterKey) {
    let shared = tenant("shared");
    {
        let mut store = open();
        let mut row = sealed_row(master, &shared, "0");
        row.provider = "p0".into();
        store.insert(&row, &audit(&shared, "create")).unwrap();
    }
    // Two stores, two threads: one counts in `model`, the other in
    // `provider`. Each read-modify-write keeps the other field as it read
    // it, so a lost update would show as a count short on either side.
    let start = Arc::new(Barrier::new(2));
    std::thread::scope(|s| {
        for field in ["model", "provider"] {
            let start = start.clone();
            let shared = &shared;
            s.spawn(move || {
                let mut store = open();
                start.wait();
                for _ in 0..UPDATES {
                    store
                        .update(shared, |r| {
                            let mut u = set_model(r, &r.model);
                            if field == "model" {
                                let n: usize = r.model.parse().unwrap();
                                u.model = (n + 1).to_string();
                            } else {
                                let n: usize = r.provider[1..].parse().unwrap();
                                u.provider = format!("p{}", n + 1);
                            }
                            Ok::<_, StoreError>(u)
                        })
                        .unwrap();
                }
            });
        }
    });
    let mut store = open();
    let row = store.get(&shared).unwrap().unwrap();
    assert_eq!(row.model, UPDATES.to_string());
    assert_eq!(row.provider, format!("p{UPDATES}"));
    assert_eq!(
        store.audit(Some(&shared), 1000).unwrap().len(),
        1 + 2 * UPDATES
    );
}
