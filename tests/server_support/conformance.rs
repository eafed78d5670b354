//! The conformance suite of design §3, written once over a
//! [`ServiceHandle`]: run through the local backend, through the remote
//! backend against `llmcfg serve`, and through the remote backend against a
//! seed-only server, the seed part of the transcript must be identical. The
//! extension part (provider list, audit log) must match between the first
//! two, and be one "this server does not offer …" line each on the third.

use llmcfg::domain::{ApiKey, ConfigPatch, NewConfig, Scope};
use llmcfg::service::{ServiceError, ServiceHandle};

use super::SECRET_KEY;

fn new_config(provider: &str, model: &str, key: &str) -> NewConfig {
    NewConfig::new(provider, model, ApiKey::new(key))
}

fn outcome<T>(r: &Result<T, ServiceError>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(ServiceError::NotFound { scope }) => format!("not_found({scope})"),
        Err(ServiceError::AlreadyExists { scope }) => format!("exists({scope})"),
        Err(ServiceError::Invalid(v)) => format!("invalid({})", v.field),
        Err(other) => panic!("unexpected error: {other}"),
    }
}

/// Whether the target serves the *ext* routes of design §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extensions {
    /// `llmcfg serve` or the local backend.
    Offered,
    /// A seed-only server.
    Absent,
}

/// The two parts of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    /// The seed's semantics: identical on every target.
    pub seed: Vec<String>,
    /// The extension routes.
    pub ext: Vec<String>,
}

fn lacking<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> String {
    match r {
        Err(ServiceError::NotOffered(text)) if text.starts_with("this server does not offer") => {
            assert!(!text.contains('\n'), "one line: {text}");
            "not offered".into()
        }
        other => panic!("expected 'this server does not offer …', got {other:?}"),
    }
}

/// Runs the seed's semantics; returns a transcript whose seed part must not
/// depend on the backend.
pub async fn run(h: &ServiceHandle, extensions: Extensions) -> Transcript {
    let global = Scope::Global;
    let acme = Scope::from_optional(Some("acme")).unwrap();
    let empty = Scope::from_optional(Some("nobody")).unwrap();
    let mut t = Vec::new();
    let mut ext = Vec::new();

    // Nothing stored: GET is null for both scopes.
    assert_eq!(h.get(&global).await.unwrap(), None);
    assert_eq!(h.get(&acme).await.unwrap(), None);

    // Create → view with the mask, never the key.
    let view = h
        .create(
            &acme,
            new_config("anthropic", "claude-sonnet-4-5", SECRET_KEY),
        )
        .await
        .unwrap();
    assert_eq!(view.api_key_masked, "sk-ant-...WXYZ");
    assert_eq!(view.instance_id.as_deref(), Some("acme"));
    assert_eq!(view.provider, "anthropic");
    assert_eq!(h.get(&acme).await.unwrap(), Some(view.clone()));
    t.push(format!(
        "create acme: {} {}",
        view.provider, view.api_key_masked
    ));

    // Second create on the same scope → 409.
    let again = h
        .create(
            &acme,
            new_config("openai", "gpt-4o", "sk-proj-abcdefghijklmnopqrstuvwxyz"),
        )
        .await;
    t.push(format!("create acme again: {}", outcome(&again)));

    // A tenant never sees the global config.
    let g = h
        .create(
            &global,
            new_config("openai", "gpt-4o", "sk-proj-abcdefghijklmnopqrstuvwxyz1234"),
        )
        .await
        .unwrap();
    assert_eq!(g.instance_id, None);
    assert_eq!(h.get(&empty).await.unwrap(), None);
    t.push(format!(
        "tenant without config sees: {:?}",
        h.get(&empty).await.unwrap()
    ));

    // Partial update keeps the other fields.
    let updated = h
        .update(
            &acme,
            ConfigPatch {
                model: Some("claude-opus-4-1".into()),
                ..ConfigPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.model, "claude-opus-4-1");
    assert_eq!(updated.provider, view.provider);
    assert_eq!(updated.api_key_masked, view.api_key_masked);
    assert_eq!(updated.id, view.id);
    assert_eq!(updated.created_at, view.created_at);
    t.push(format!(
        "update model: {} {}",
        updated.model, updated.api_key_masked
    ));

    // A new provider without a new key is refused.
    let moved = h
        .update(
            &acme,
            ConfigPatch {
                provider: Some("openai".into()),
                ..ConfigPatch::default()
            },
        )
        .await;
    t.push(format!("provider change without key: {}", outcome(&moved)));
    assert!(matches!(moved, Err(ServiceError::Invalid(_))));

    // Invalid input names the field.
    let bad = h.create(&empty, new_config("nope", "m", "k")).await;
    t.push(format!("unknown provider: {}", outcome(&bad)));
    let bad = h.create(&empty, new_config("openai", " ", "k")).await;
    t.push(format!("empty model: {}", outcome(&bad)));

    // Empty scope: update, delete and test are 404.
    let r = h
        .update(
            &empty,
            ConfigPatch {
                model: Some("x".into()),
                ..ConfigPatch::default()
            },
        )
        .await;
    t.push(format!("update empty: {}", outcome(&r)));
    t.push(format!(
        "delete empty: {}",
        outcome(&h.delete(&empty).await)
    ));
    t.push(format!(
        "test empty: {}",
        outcome(&h.test_connection(&empty).await)
    ));

    // Listing: the control plane first, then acme.
    let list = h.list_instances().await.unwrap();
    let configured: Vec<Option<String>> = list
        .iter()
        .filter(|s| s.config.is_some())
        .map(|s| s.instance_id.clone())
        .collect();
    t.push(format!("configured scopes: {configured:?}"));

    // Providers are the catalog.
    match extensions {
        Extensions::Offered => {
            let providers = h.providers().await.unwrap();
            ext.push(format!("providers: {}", providers.len()));
        }
        Extensions::Absent => ext.push(format!("providers: {}", lacking(h.providers().await))),
    }

    // Delete → 204, then GET null, then 404.
    t.push(format!("delete acme: {}", outcome(&h.delete(&acme).await)));
    assert_eq!(h.get(&acme).await.unwrap(), None);
    t.push(format!(
        "delete acme again: {}",
        outcome(&h.delete(&acme).await)
    ));

    // The audit log of acme, newest first.
    match extensions {
        Extensions::Offered => {
            let actions: Vec<String> = h
                .audit(Some(&acme), 10)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.action.to_string())
                .collect();
            ext.push(format!("audit acme: {actions:?}"));
        }
        Extensions::Absent => ext.push(format!(
            "audit acme: {}",
            lacking(h.audit(Some(&acme), 10).await)
        )),
    }
    Transcript { seed: t, ext }
}
