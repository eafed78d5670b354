//! Helpers for the prober tests: a prober with test bounds, and probing a
//! catalog provider whose base URL points at a fake provider.
#![allow(dead_code)]

use std::time::Duration;

use super::fake_provider::FakeProvider;
use llmcfg::domain::ConfigFields;
use llmcfg::domain::{ApiKey, Catalog, TestStatus};
use llmcfg::prober::{ProbeOutcome, ProbeSettings, ProbeTarget, Prober};

pub const GOOD: &str = "sk-test-good-0123456789abcdefghijklmnop";
pub const BAD: &str = "sk-test-bad-zyxwvutsrqponmlkjihgfedcba98";

pub fn prober() -> Prober {
    Prober::new(ProbeSettings {
        total_timeout: Duration::from_secs(10),
        ..ProbeSettings::default()
    })
}

/// Base URL a provider is configured with when it points at `fake`.
pub fn base_for(provider: &str, fake: &FakeProvider) -> String {
    match provider {
        "openai-compatible" => format!("{}/v1", fake.base_url()),
        "openrouter" => format!("{}/api", fake.base_url()),
        _ => fake.base_url(),
    }
}

pub async fn probe_with(
    p: &Prober,
    provider: &str,
    fake: &FakeProvider,
    model: &str,
    key: &str,
) -> ProbeOutcome {
    let spec = Catalog::builtin()
        .get(provider)
        .expect("provider in catalog");
    let base = base_for(provider, fake);
    let key = ApiKey::new(key);
    p.test(ProbeTarget::new(
        spec,
        &ConfigFields::new(&spec.id, model).with("base_url", &base),
        &key,
    ))
    .await
}

pub async fn probe(provider: &str, fake: &FakeProvider, model: &str, key: &str) -> ProbeOutcome {
    probe_with(&prober(), provider, fake, model, key).await
}

pub async fn list(
    provider: &str,
    fake: &FakeProvider,
    key: &str,
) -> Result<Vec<String>, ProbeOutcome> {
    let spec = Catalog::builtin().get(provider).unwrap();
    let base = base_for(provider, fake);
    let key = ApiKey::new(key);
    prober()
        .list_models(ProbeTarget::new(
            spec,
            &ConfigFields::new(&spec.id, "").with("base_url", &base),
            &key,
        ))
        .await
}

pub fn assert_status(o: &ProbeOutcome, want: TestStatus, case: &str) {
    assert_eq!(o.status, want, "{case}: {}", o.message);
    if want == TestStatus::Ok {
        return;
    }
    assert!(!o.message.is_empty(), "{case}");
}

/// The HTTP status must be named in the message.
pub fn assert_names(o: &ProbeOutcome, code: u16, case: &str) {
    assert!(
        o.message.contains(&format!("HTTP {code}")),
        "{case}: {}",
        o.message
    );
}

pub fn assert_no_fragment(text: &str, key: &str) {
    let chars: Vec<char> = key.chars().collect();
    for w in chars.windows(8) {
        let frag: String = w.iter().collect();
        assert!(
            !text.contains(&frag),
            "fragment {frag:?} leaked into {text:?}"
        );
    }
}

pub async fn closed_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().port()
}
