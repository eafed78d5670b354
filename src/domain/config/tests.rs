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

/// The wire forms the field list writes are the ones the API had before it:
/// the same keys, the same refusals, the same messages.
#[test]
fn bodies_refuse_what_they_refused_with_the_same_messages() {
    let err = |json: &str| {
        serde_json::from_str::<NewConfig>(json)
            .unwrap_err()
            .to_string()
    };
    let unknown = err(r#"{"provider":"openai","model":"m","api_key":"k","colour":"red"}"#);
    assert!(
        unknown
            .starts_with("unknown field `colour`, expected one of `provider`, `model`, `base_url`"),
        "{unknown}"
    );
    assert!(unknown.contains("`api_key`"), "{unknown}");
    assert!(err(r#"{"provider":"openai","api_key":"k"}"#).starts_with("missing field `model`"));
    assert!(
        err(r#"{"provider":"openai","model":5,"api_key":"k"}"#)
            .starts_with("invalid type: integer `5`, expected a string")
    );
    let c: NewConfig =
        serde_json::from_str(r#"{"provider":"openai","model":"m","api_key":"k"}"#).unwrap();
    assert_eq!(c.fields(), ConfigFields::new("openai", "m"));

    let patch_err = |json: &str| {
        serde_json::from_str::<ConfigPatch>(json)
            .unwrap_err()
            .to_string()
    };
    assert!(patch_err(r#"{"bogus": 1}"#).starts_with("unknown field `bogus`"));
    // Only an optional field has a meaning for null.
    assert!(patch_err(r#"{"model": null}"#).starts_with("invalid type: null, expected a string"));
    assert!(patch_err(r#"{"provider": null}"#).starts_with("invalid type: null"));
    assert!(patch_err(r#"{"api_key": null}"#).starts_with("invalid type: null"));
}

#[test]
fn a_view_serialises_every_key_it_had() {
    let t = time::macros::datetime!(2026-01-01 00:00 UTC);
    let view = ConfigView::new(
        ViewRecord {
            id: RecordId::Integer(1),
            api_key_masked: "sk-...abcd".into(),
            instance_id: None,
            created_at: t,
            updated_at: t,
        },
        ConfigFields::new("openai", "gpt-4o"),
    );
    let out = serde_json::to_value(&view).unwrap();
    let mut keys: Vec<&str> = out
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut expected: Vec<&str> = [
        "api_key_masked",
        "created_at",
        "id",
        "instance_id",
        "updated_at",
    ]
    .into_iter()
    .chain(ConfigFields::NAMES.iter().copied())
    .collect();
    expected.sort_unstable();
    assert_eq!(keys, expected);
    // The fields the API had before the list was written once keep their
    // names and order; a new field only ever appends.
    assert_eq!(ConfigFields::NAMES[..3], ["provider", "model", "base_url"]);
    assert_eq!(
        out["base_url"],
        serde_json::Value::Null,
        "an unset override is null"
    );
    assert_eq!(view.fields(), ConfigFields::new("openai", "gpt-4o"));
}

#[test]
fn fields_round_trip_through_their_stored_text() {
    let fields = ConfigFields {
        base_url: Some("https://gw.example/v1".into()),
        ..ConfigFields::new("openai", "gpt-4o")
    };
    let texts = fields.texts();
    let names: Vec<&str> = texts.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ConfigFields::NAMES);
    let read = ConfigFields::from_texts(
        |name| {
            Ok::<_, String>(
                texts
                    .iter()
                    .find(|(n, _)| *n == name)
                    .and_then(|(_, v)| v.map(str::to_string)),
            )
        },
        |name| name.to_string(),
    )
    .unwrap();
    assert_eq!(read, fields);
    // A required field stored as NULL is named.
    let missing = ConfigFields::from_texts(
        |name| Ok::<_, String>((name != "model").then(|| "x".to_string())),
        |name| format!("{name} is NULL"),
    )
    .unwrap_err();
    assert_eq!(missing, "model is NULL");
}

#[test]
fn a_checked_patch_sends_what_was_named_and_what_the_merge_reset() {
    let current = ConfigFields {
        base_url: Some("https://gw.example/v1".into()),
        ..ConfigFields::new("openai", "gpt-4o")
    };
    let patch = ConfigPatch {
        provider: Some("anthropic".into()),
        api_key: Some(ApiKey::new(" sk-ant-x ")),
        ..Default::default()
    };
    let sent = patch.checked(patch.merge(&current, cat()).unwrap());
    assert_eq!(sent.provider.as_deref(), Some("anthropic"));
    assert_eq!(
        sent.model, None,
        "the model was not named and did not change"
    );
    assert_eq!(
        sent.base_url,
        Some(None),
        "a new provider drops the old gateway"
    );
    assert_eq!(sent.api_key.as_ref().unwrap().expose(), "sk-ant-x");
    // Both sent fields differ from what was stored, and each is named.
    let differing: Vec<&str> = sent
        .sets()
        .differing(&current, |_, a, b| a == b)
        .iter()
        .map(|d| d.field)
        .collect();
    assert_eq!(differing, ["provider", "base_url"]);
}
