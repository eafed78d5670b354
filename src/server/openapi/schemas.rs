//! The component schemas of the seed API (configs, tests, instances,
//! providers, audit, errors), merged with the extension routes' own
//! (parity, fleet, rotation). Kept apart from the document assembly in
//! [`super`]: this file states what each body looks like, that one which
//! route answers with which; the test here checks every schema's properties
//! against the serialized domain type.

use serde_json::{Map, Value, json};

use super::fields::{
    BodyKind, api_key, body_properties, body_rules, nullable, reference, rekey_rules, string, time,
    view_properties,
};
use crate::domain::{FIELDS, Presence};

/// The component schemas, by name.
pub fn schemas() -> Map<String, Value> {
    let mut view = view_properties();
    view.extend([
        (
            "id".to_string(),
            json!({"type": "string", "format": "uuid"}),
        ),
        ("api_key_masked".to_string(), string()),
        ("instance_id".to_string(), nullable("string")),
        ("created_at".to_string(), time()),
        ("updated_at".to_string(), time()),
    ]);
    let view_required: Vec<&String> = view.keys().collect();
    let config_view = json!({"type": "object", "required": view_required, "properties": view});
    let test_result = json!({
        "type": "object",
        "required": ["success", "provider", "model", "message", "status", "latency_ms", "checked_at"],
        "properties": {
            "success": {"type": "boolean"}, "provider": string(), "model": string(),
            "message": string(),
            "status": {"type": "string", "enum": [
                "ok", "invalid_key", "permission_denied", "model_not_found", "quota",
                "rate_limited", "overloaded", "unreachable", "timeout", "unexpected_response", "blocked",
                "blocked_key"]},
            "latency_ms": {"type": "integer", "minimum": 0},
            "checked_at": time(),
            "lifecycle": reference("Lifecycle"),
        },
    });
    let summary = json!({
        "type": "object",
        "required": ["instance_id", "name", "config", "last_test"],
        "properties": {
            "instance_id": nullable("string"), "name": nullable("string"),
            "config": {"oneOf": [reference("ConfigView"), {"type": "null"}]},
            "last_test": {"oneOf": [reference("TestResult"), {"type": "null"}]},
        },
    });
    let audit = json!({
        "type": "object",
        "required": ["id", "at", "actor", "instance_id", "action", "fields", "key_fingerprint", "detail"],
        "properties": {
            "id": {"type": "integer"}, "at": time(), "actor": string(),
            "instance_id": nullable("string"), "action": string(),
            "fields": {"type": "array", "items": string()},
            "key_fingerprint": nullable("string"), "detail": nullable("string"),
        },
    });
    let provider = json!({
        "type": "object",
        "required": ["id", "name", "base_url", "base_url_rule", "auth", "key_prefixes", "models", "probe"],
        "properties": {
            "id": string(), "name": string(), "base_url": string(),
            "base_url_rule": string(), "auth": string(),
            "key_prefixes": {"type": "array", "items": string()},
            "models": {"type": "array", "items": string()},
            "probe": {"type": "object"},
        },
    });
    let required: Vec<&str> = FIELDS
        .iter()
        .filter(|f| f.presence == Presence::Required)
        .map(|f| f.name)
        .chain(["api_key"])
        .collect();
    let new_config = json!({
        "type": "object", "additionalProperties": false,
        "required": required,
        "properties": body_properties(&[("api_key", api_key())]),
        "allOf": body_rules(BodyKind::Whole),
    });
    let patch = json!({
        "type": "object", "additionalProperties": false, "minProperties": 1,
        "description": "A new provider or base_url must come with a new api_key; \
                        null or blank clears an optional field",
        "properties": body_properties(&[("api_key", api_key())]),
        "dependentRequired": rekey_rules(),
        "allOf": body_rules(BodyKind::Patch),
    });
    let error = json!({
        "type": "object", "required": ["detail"],
        "properties": {"detail": string()},
    });
    let mut m = Map::new();
    m.insert("ConfigView".into(), config_view);
    m.insert(
        "ConfigViewOrNull".into(),
        json!({"oneOf": [reference("ConfigView"), {"type": "null"}]}),
    );
    m.insert("NewConfig".into(), new_config);
    m.insert("ConfigPatch".into(), patch);
    m.insert("TestResult".into(), test_result);
    m.insert("InstanceSummary".into(), summary);
    m.insert(
        "InstanceList".into(),
        json!({"type": "array", "items": reference("InstanceSummary")}),
    );
    m.insert("ProviderSpec".into(), provider);
    m.insert(
        "ProviderList".into(),
        json!({"type": "array", "items": reference("ProviderSpec")}),
    );
    m.insert("AuditEntry".into(), audit);
    m.insert(
        "AuditList".into(),
        json!({"type": "array", "items": reference("AuditEntry")}),
    );
    m.insert("Error".into(), error);
    m.extend(super::lifecycle::schemas());
    m.extend(crate::server::parity::schemas());
    m.extend(crate::server::fleet::schemas());
    m.extend(crate::server::rotation::schemas());
    m.extend(crate::server::jobs::schemas());
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        AuditEntry, Catalog, ConfigFields, ConfigView, Credit, FactSource, InstanceSummary,
        Lifecycle, Retirement, TestResult, TestStatus, ViewRecord,
    };

    fn keys(v: &Value) -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    }

    fn schema_keys(name: &str) -> Vec<String> {
        keys(&schemas()[name]["properties"])
    }

    #[test]
    fn schemas_match_the_serialized_types() {
        let now = time::OffsetDateTime::now_utc();
        let view = ConfigView::new(
            ViewRecord {
                id: uuid::Uuid::nil().into(),
                api_key_masked: "********".into(),
                instance_id: None,
                created_at: now,
                updated_at: now,
            },
            ConfigFields::new("p", "m"),
        );
        let lifecycle = Lifecycle {
            retirement: Some(Retirement::new("m", now.date(), FactSource::Api).with_successor("n")),
            credit: Some(Credit {
                limit: Some(10.0),
                remaining: Some(1.0),
                usage: Some(9.0),
                currency: Some("USD".into()),
            }),
            key_expires_at: Some(now),
        };
        let test = TestResult::new("p", "m", TestStatus::Ok, "Connection successful", 1, now)
            .with_lifecycle(lifecycle.clone());
        let summary = InstanceSummary {
            instance_id: None,
            name: None,
            config: Some(view.clone()),
            last_test: Some(test.clone()),
        };
        let audit = AuditEntry {
            id: 1,
            at: now,
            actor: "a".into(),
            instance_id: None,
            action: "create".into(),
            fields: vec![],
            key_fingerprint: None,
            detail: None,
        };
        let provider = Catalog::builtin().providers()[0].clone();
        for (name, value) in [
            ("ConfigView", serde_json::to_value(&view).unwrap()),
            ("TestResult", serde_json::to_value(&test).unwrap()),
            ("InstanceSummary", serde_json::to_value(&summary).unwrap()),
            ("AuditEntry", serde_json::to_value(&audit).unwrap()),
            ("ProviderSpec", serde_json::to_value(&provider).unwrap()),
            ("Lifecycle", serde_json::to_value(&lifecycle).unwrap()),
            (
                "Retirement",
                serde_json::to_value(&lifecycle.retirement).unwrap(),
            ),
            ("Credit", serde_json::to_value(&lifecycle.credit).unwrap()),
        ] {
            assert_eq!(schema_keys(name), keys(&value), "{name}");
        }
        let statuses = schemas()["TestResult"]["properties"]["status"]["enum"].clone();
        assert_eq!(statuses.as_array().unwrap().len(), 12);
        for s in statuses.as_array().unwrap() {
            assert!(TestStatus::parse(s.as_str().unwrap()).is_some(), "{s}");
        }
    }
}
