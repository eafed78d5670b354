//! `apply --atomic` and the stale-plan check, through a real SQLite store:
//! an atomic run with one failing scope writes nothing (a scope-by-scope run
//! writes the others), a plan whose scope another writer changed is refused
//! with nothing written, and the store's batch re-checks each scope's stamp
//! inside its transaction. The failing scope is made by a trigger in the
//! store file itself, so the failure comes from SQLite, not from our code.

mod cli_env;
#[path = "support/local_service.rs"]
mod local_service;

use llmcfg::domain::{ApiKey, Catalog, ConfigPatch, InstanceId, NewConfig, Scope, StateStamp};
use llmcfg::fleet::apply::{ApplyOptions, Outcome, apply};
use llmcfg::fleet::plan::{KeyCheck, compute};
use llmcfg::fleet::{FleetError, FleetFile, Plan, PlanOptions, SourceFile, current, resolve};
use llmcfg::service::{BatchItem, ScopeWrite, ServiceError, ServiceHandle};
use local_service::open_in_dir;

const TENANTS: usize = 3;

struct Fleet {
    dir: tempfile::TempDir,
    handle: ServiceHandle,
    file: FleetFile,
}

fn tenant(i: usize) -> Scope {
    Scope::Instance(InstanceId::parse(&format!("t{i}")).unwrap())
}

/// Three tenants on model "old"; a fleet file that moves them all to "new".
async fn fleet() -> Fleet {
    let dir = tempfile::tempdir().unwrap();
    let handle = open_in_dir(dir.path()).await;
    for i in 0..TENANTS {
        handle
            .create(
                &tenant(i),
                NewConfig::new("anthropic", "old", ApiKey::new(cli_env::KEY)),
            )
            .await
            .unwrap();
    }
    let mut text =
        String::from("[defaults]\nprovider = \"anthropic\"\nmodel = \"new\"\nkeep_key = true\n");
    for i in 0..TENANTS {
        text.push_str(&format!("[instances.t{i}]\n"));
    }
    let file = FleetFile::parse(SourceFile::new(&dir.path().join("fleet.toml"), text)).unwrap();
    Fleet { dir, handle, file }
}

impl Fleet {
    async fn plan(&self) -> Plan {
        let desired = resolve::resolve(&self.file, Catalog::builtin()).unwrap();
        let state = current::read(&self.handle).await.unwrap();
        let options = PlanOptions {
            prune: false,
            keys: KeyCheck::Resolve,
        };
        compute(
            &self.handle,
            &self.file,
            &desired,
            &state,
            Catalog::builtin(),
            options,
        )
        .await
        .unwrap()
    }

    async fn models(&self) -> Vec<String> {
        let mut out = Vec::new();
        for i in 0..TENANTS {
            out.push(self.handle.get(&tenant(i)).await.unwrap().unwrap().model);
        }
        out
    }

    /// Makes every write to `t1` fail inside SQLite.
    fn break_t1(&self) {
        let db = rusqlite::Connection::open(self.dir.path().join("llmcfg.db")).unwrap();
        db.execute_batch(
            "CREATE TRIGGER break_t1 BEFORE UPDATE ON configs WHEN NEW.scope = 't1'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    }

    async fn fleet_audit_entries(&self) -> usize {
        let all = self.handle.audit(None, usize::MAX).await.unwrap();
        all.iter().filter(|e| e.actor.starts_with("fleet:")).count()
    }
}

const ATOMIC: ApplyOptions = ApplyOptions {
    test: false,
    atomic: true,
};

#[tokio::test]
async fn an_atomic_apply_with_one_failing_scope_writes_nothing() {
    let f = fleet().await;
    f.break_t1();
    let plan = f.plan().await;
    assert_eq!(plan.summary.update, TENANTS);
    let report = apply(&f.handle, plan, &f.file.source, ATOMIC)
        .await
        .unwrap();
    assert_eq!(
        (report.applied, report.failed, report.rolled_back),
        (0, 1, 2),
        "{report:#?}"
    );
    let failed = &report.scopes[1];
    assert_eq!(failed.instance_id.as_deref(), Some("t1"));
    assert!(
        matches!(&failed.outcome, Outcome::Failed { error } if error.contains("injected failure")),
        "{failed:?}"
    );
    let Outcome::RolledBack { reason } = &report.scopes[0].outcome else {
        panic!("{report:#?}")
    };
    assert!(
        reason.contains("tenant: t1"),
        "the report says why: {reason}"
    );
    assert_eq!(f.models().await, ["old", "old", "old"]);
    assert_eq!(f.fleet_audit_entries().await, 0, "no audit entry either");
    let text = llmcfg::fleet::render::report(&report);
    assert!(
        text.contains("Atomic apply: nothing was written."),
        "{text}"
    );
}

#[tokio::test]
async fn without_atomic_the_other_scopes_are_written() {
    let f = fleet().await;
    f.break_t1();
    let plan = f.plan().await;
    let report = apply(&f.handle, plan, &f.file.source, ApplyOptions::default())
        .await
        .unwrap();
    assert_eq!((report.applied, report.failed), (2, 1), "{report:#?}");
    assert_eq!(f.models().await, ["new", "old", "new"]);
    assert_eq!(f.fleet_audit_entries().await, 2);
}

#[tokio::test]
async fn an_atomic_apply_writes_every_scope_in_one_go_and_audits_the_file() {
    let f = fleet().await;
    let plan = f.plan().await;
    let report = apply(&f.handle, plan, &f.file.source, ATOMIC)
        .await
        .unwrap();
    assert_eq!(report.applied, TENANTS, "{report:#?}");
    assert_eq!(f.models().await, ["new", "new", "new"]);
    let hash = f.file.source.sha256();
    let all = f.handle.audit(None, usize::MAX).await.unwrap();
    let actor = format!("fleet:fleet.toml@{} (local:test)", &hash[..12]);
    assert_eq!(all.iter().filter(|e| e.actor == actor).count(), TENANTS);
    assert!(!f.plan().await.has_changes());
}

#[tokio::test]
async fn a_plan_made_before_another_write_is_refused_with_nothing_written() {
    for options in [ApplyOptions::default(), ATOMIC] {
        let f = fleet().await;
        let plan = f.plan().await;
        // Another writer changes t2 between the plan and the apply (the
        // confirm prompt, or a saved plan).
        f.handle
            .with_caller("local:someone-else")
            .update(
                &tenant(2),
                ConfigPatch {
                    model: Some("theirs".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let err = apply(&f.handle, plan, &f.file.source, options)
            .await
            .unwrap_err();
        let FleetError::Stale { scopes } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(scopes, &["tenant: t2"]);
        assert!(err.to_string().contains("nothing was written"), "{err}");
        assert_eq!(f.models().await, ["old", "old", "theirs"], "{options:?}");
        assert_eq!(f.fleet_audit_entries().await, 0);
    }
}

#[tokio::test]
async fn the_batch_rechecks_each_stamp_inside_its_transaction() {
    let f = fleet().await;
    let admin = f.handle.admin().unwrap();
    let seen = |view| StateStamp::of(Some(&view));
    let t0 = seen(f.handle.get(&tenant(0)).await.unwrap().unwrap());
    let stale = seen(f.handle.get(&tenant(1)).await.unwrap().unwrap());
    // Changed after its stamp was taken: what a write between the
    // pre-check and the transaction would look like.
    f.handle
        .update(
            &tenant(1),
            ConfigPatch {
                model: Some("theirs".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let item = |i: usize, expected: StateStamp| BatchItem {
        scope: tenant(i),
        write: ScopeWrite::Update(ConfigPatch {
            model: Some("new".into()),
            ..Default::default()
        }),
        expected: Some(expected),
    };
    let failure = admin
        .write_batch(vec![item(0, t0), item(1, stale)])
        .await
        .unwrap_err();
    assert_eq!(failure.scope, Some(tenant(1)));
    assert!(
        matches!(&failure.error, ServiceError::Changed { scope } if *scope == tenant(1)),
        "{:?}",
        failure.error
    );
    assert_eq!(f.models().await, ["old", "theirs", "old"]);
}
