//! The create, patch and view rules, and their JSON forms.

use super::*;
use crate::domain::Catalog;

fn cat() -> &'static Catalog {
    Catalog::builtin()
}

fn current() -> ConfigFields {
    ConfigFields::new("openai", "gpt-4o")
}

#[test]
fn new_config_rules() {
    let ok = NewConfig::new("anthropic", " claude ", ApiKey::new(" sk-ant-x "))
        .validate(cat())
        .unwrap();
    assert_eq!(ok.model, "claude");
    assert_eq!(ok.api_key.expose(), "sk-ant-x");

    let e = NewConfig::new("nope", "m", ApiKey::new("k"))
        .validate(cat())
        .unwrap_err();
    assert_eq!(e.field, "provider");
    assert!(e.reason.contains("must be one of"));

    let e = NewConfig::new("azure-openai", "dep", ApiKey::new("k"))
        .validate(cat())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "base_url: is required for provider azure-openai"
    );
}

#[test]
fn provider_change_without_key_is_refused() {
    let patch = ConfigPatch {
        provider: Some("anthropic".into()),
        ..Default::default()
    };
    let e = patch.merge(&current(), cat()).unwrap_err();
    assert_eq!(e.field, "api_key");
    assert!(e.reason.contains("new key is required"));
}

#[test]
fn base_url_change_without_key_is_refused() {
    let patch = ConfigPatch {
        base_url: Some(Some("https://gw.example.com/v1".into())),
        ..Default::default()
    };
    assert_eq!(patch.merge(&current(), cat()).unwrap_err().field, "api_key");
}

#[test]
fn model_only_patch_keeps_the_rest() {
    let patch = ConfigPatch {
        model: Some("gpt-4.1".into()),
        ..Default::default()
    };
    let m = patch.merge(&current(), cat()).unwrap();
    assert_eq!(m.fields.provider, "openai");
    assert_eq!(m.fields.model, "gpt-4.1");
    assert_eq!(m.changed, vec!["model"]);
    assert!(m.api_key.is_none());
}

#[test]
fn empty_patch_is_refused() {
    let e = ConfigPatch::default().merge(&current(), cat()).unwrap_err();
    assert!(e.reason.contains("nothing to update"));
}

#[test]
fn patch_json_distinguishes_null_and_absent() {
    let p: ConfigPatch = serde_json::from_str(r#"{"base_url": null}"#).unwrap();
    assert_eq!(p.base_url, Some(None));
    let p: ConfigPatch = serde_json::from_str(r#"{"model": "x"}"#).unwrap();
    assert_eq!(p.base_url, None);
    assert!(serde_json::from_str::<ConfigPatch>(r#"{"bogus": 1}"#).is_err());
}

#[test]
fn views_read_every_seed_form() {
    let v: ConfigView = serde_json::from_str(
        r#"{"id": 42, "provider": "openai", "model": "gpt-4o", "instance_id": "acme",
            "created_at": "2026-02-27T10:00:00.123456+00:00",
            "updated_at": "2026-02-27T12:00:00+02:00", "is_active": true}"#,
    )
    .unwrap();
    assert_eq!(v.id, RecordId::Integer(42));
    assert_eq!(
        v.api_key_masked, OPAQUE_MASK,
        "an absent mask is fully hidden"
    );
    assert_eq!(v.base_url, None);
    assert_eq!(v.updated_at.offset(), time::UtcOffset::UTC);
    assert_eq!(v.updated_at.hour(), 10);
    let out = serde_json::to_value(&v).unwrap();
    assert_eq!(out["id"], 42);
    assert_eq!(out["created_at"], "2026-02-27T10:00:00.123456Z");
    assert_eq!(out["updated_at"], "2026-02-27T10:00:00Z");
}
