//! The fleet library through a real local store: the shipped example file
//! resolves, the domain's "a new destination needs a new key" rule refuses a
//! plan, and a plan applied through the handle converges.

mod cli_env;
#[path = "support/local_service.rs"]
mod local_service;

use llmcfg::domain::{ApiKey, Catalog, InstanceId, NewConfig, Scope};
use llmcfg::fleet::apply::{ApplyOptions, apply};
use llmcfg::fleet::plan::{KeyCheck, compute};
use llmcfg::fleet::{FleetError, FleetFile, KeyRef, PlanOptions, SourceFile, current, resolve};
use local_service::open_in_dir;

fn file(text: &str) -> FleetFile {
    FleetFile::parse(SourceFile::new("fleet.toml".as_ref(), text.into())).unwrap()
}

const RESOLVE: PlanOptions = PlanOptions {
    prune: false,
    keys: KeyCheck::Resolve,
};

#[test]
fn the_shipped_example_parses_and_resolves() {
    let text = std::fs::read_to_string("assets/fleet.example.toml").unwrap();
    let f = file(&text);
    let d = resolve::resolve(&f, Catalog::builtin()).unwrap();
    let by = |id: Option<&str>| d.iter().find(|d| d.scope.instance_id() == id).unwrap();
    let cp = by(None);
    assert_eq!(
        (cp.fields.provider.as_str(), cp.fields.model.as_str()),
        ("anthropic", "claude-opus-4-1")
    );
    assert_eq!(
        cp.key.get_ref(),
        &KeyRef::File("secrets/anthropic.key".into())
    );
    assert_eq!(by(Some("globex")).fields.model, "gpt-4.1");
    assert_eq!(by(Some("globex")).key.get_ref(), &KeyRef::Keep);
    let gw = by(Some("initech:eu"));
    assert_eq!(
        gw.fields.base_url.as_deref(),
        Some("https://llm-gateway.example.com/v1")
    );
    assert_eq!(d.len(), 4);
}

#[tokio::test]
async fn a_new_provider_with_a_kept_key_is_refused_at_plan_time() {
    let dir = tempfile::tempdir().unwrap();
    let handle = open_in_dir(dir.path()).await;
    let acme = Scope::Instance(InstanceId::parse("acme").unwrap());
    handle
        .create(
            &acme,
            NewConfig::new("openai", "gpt-4o", ApiKey::new(cli_env::KEY2)),
        )
        .await
        .unwrap();
    let f =
        file("[instances.acme]\nprovider = \"anthropic\"\nmodel = \"claude\"\nkeep_key = true\n");
    let desired = resolve::resolve(&f, Catalog::builtin()).unwrap();
    let state = current::read(&handle).await.unwrap();
    let Err(FleetError::Invalid(d)) =
        compute(&handle, &f, &desired, &state, Catalog::builtin(), RESOLVE).await
    else {
        panic!("a kept key must not follow its config to a new provider")
    };
    let text = d.to_string();
    assert!(
        text.contains("fleet.toml:4:12: instances.acme: api_key: a new key is required"),
        "{text}"
    );
}

#[tokio::test]
async fn applying_a_plan_converges() {
    let dir = tempfile::tempdir().unwrap();
    let handle = open_in_dir(dir.path()).await;
    let key_path = dir.path().join("k");
    std::fs::write(&key_path, cli_env::KEY).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut text = String::from(
        "[defaults]\nprovider = \"anthropic\"\nmodel = \"claude\"\napi_key_file = \"k\"\n",
    );
    // More scopes than apply keeps in flight: the report must still follow
    // the plan, not the order the writes completed in.
    for i in 0..100 {
        text.push_str(&format!("[instances.t{:02}]\n", i * 37 % 100));
    }
    let source = SourceFile::new(&dir.path().join("fleet.toml"), text);
    let f = FleetFile::parse(source).unwrap();
    let desired = resolve::resolve(&f, Catalog::builtin()).unwrap();
    let state = current::read(&handle).await.unwrap();
    let plan = compute(&handle, &f, &desired, &state, Catalog::builtin(), RESOLVE)
        .await
        .unwrap();
    assert_eq!(plan.summary.create, 100);
    let planned: Vec<Option<String>> = plan.scopes.iter().map(|s| s.instance_id.clone()).collect();
    let report = apply(&handle, plan, &f.source, ApplyOptions::default())
        .await
        .unwrap();
    assert_eq!((report.applied, report.failed), (100, 0));
    let reported: Vec<Option<String>> = report
        .scopes
        .iter()
        .map(|s| s.instance_id.clone())
        .collect();
    assert_eq!(reported, planned, "the report keeps the plan's order");
    let state = current::read(&handle).await.unwrap();
    let plan = compute(&handle, &f, &desired, &state, Catalog::builtin(), RESOLVE)
        .await
        .unwrap();
    assert!(!plan.has_changes(), "{:?}", plan.summary);
    assert_eq!(plan.summary.unchanged, 100);
}
