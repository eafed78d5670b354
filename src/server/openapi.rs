//! `/openapi.json`: an OpenAPI 3.1 document assembled from the route table
//! ([`ROUTES`]) and the schemas below. Paths, methods, statuses and the auth
//! requirement come from the same table the router is built from; the tests
//! check each schema's properties against the serialized domain types.

use serde_json::{Map, Value, json};

use super::routes::{ROUTES, Route};
use crate::api::{AUDIT_MAX_LIMIT, INSTANCE_HEADER, MAX_BODY_BYTES};
use crate::domain::Catalog;
use crate::domain::scope::INSTANCE_ID_MAX_LEN;
use crate::domain::secret::API_KEY_MAX_LEN;

/// An instance id (design §2): `[A-Za-z0-9._:-]`, not starting with `.` or `-`.
const INSTANCE_ID_PATTERN: &str = "^[A-Za-z0-9_:][A-Za-z0-9._:-]*$";
/// Most characters of a model name.
const MODEL_MAX_LEN: usize = 256;
/// Text the server accepts after trimming: no control character anywhere,
/// no surrounding whitespace (the server would trim it; the schema states
/// the canonical form).
const TRIMMED_TEXT_PATTERN: &str = "^[^\\s\\u0000-\\u001f\\u007f-\\u009f]([^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f])?$";
/// A base URL the validator accepts: https, or http to a loopback host; no
/// user info, query or fragment.
// The host's last label holds a letter, or the host is a dotted quad: a URL
// parser reads a host ending in a number (`https://0800`) as an IPv4
// address, and refuses one that is not a valid address.
const BASE_URL_PATTERN: &str = "^(https://(([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\\.)*[0-9]*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?|((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))|http://(localhost|127\\.0\\.0\\.1|\\[::1\\]))(:[0-9]{1,4})?(/[A-Za-z0-9._~-]+)*/?$";

/// Errors every authenticated route can answer.
const AUTH_ERRORS: &[(u16, &str)] = &[
    (401, "Missing, unknown or revoked bearer token"),
    (403, "The token is valid but not a superadmin token"),
];

/// Errors every route with a JSON body can answer.
const BODY_ERRORS: &[(u16, &str)] = &[
    (400, "Malformed JSON"),
    (413, "Body larger than 64 KiB"),
    (415, "Content-Type is not application/json"),
    (
        422,
        "Unknown field, missing field, wrong type or a broken rule",
    ),
];

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for route in ROUTES {
        let item = paths
            .entry(route.path.to_string())
            .or_insert_with(|| json!({}));
        item[route.method] = operation(route);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "llmcfg /llm-config API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "LLM provider configuration of a control plane and its tenant instances. \
                 Every error body is {{\"detail\": string}}. Bodies are limited to {MAX_BODY_BYTES} bytes."
            ),
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas(),
        },
    })
}

fn operation(route: &Route) -> Value {
    let mut responses = Map::new();
    let (code, text, schema) = route.success;
    let mut ok = json!({"description": text});
    if let Some(schema) = schema {
        ok["content"] = json!({"application/json": {"schema": reference(schema)}});
    } else if code == 200 {
        ok["content"] = json!({"application/json": {"schema": {"type": "object"}}});
    }
    responses.insert(code.to_string(), ok);
    let mut errors: Vec<(u16, &str)> = route.errors.to_vec();
    if route.auth {
        errors.extend_from_slice(AUTH_ERRORS);
    }
    if route.scoped {
        errors.push((400, "X-Instance-Id present but empty or invalid"));
    }
    if route.body.is_some() {
        errors.extend_from_slice(BODY_ERRORS);
    }
    if !route.query.is_empty() {
        errors.push((400, "Malformed query string or invalid instance"));
    }
    for (code, text) in errors {
        let entry = responses
            .entry(code.to_string())
            .or_insert_with(|| json!({"description": "", "content": {"application/json": {"schema": reference("Error")}}}));
        let joined = match entry["description"].as_str() {
            Some("") | None => text.to_string(),
            Some(prev) => format!("{prev}; {text}"),
        };
        entry["description"] = Value::String(joined);
    }
    let mut parameters = Vec::new();
    if route.scoped {
        parameters.push(json!({
            "name": INSTANCE_HEADER, "in": "header", "required": false,
            "description": "Tenant instance id (1-128 of [A-Za-z0-9._:-], not starting with . or -); absent selects the control plane",
            "schema": instance_id(),
        }));
    }
    for (name, ty, text) in route.query {
        parameters.push(json!({
            "name": name, "in": "query", "required": false, "description": text,
            "schema": query_schema(name, ty),
        }));
    }
    let mut op = json!({
        "summary": route.summary,
        "parameters": parameters,
        "responses": responses,
        "security": if route.auth { json!([{"bearer": []}]) } else { json!([]) },
    });
    if let Some(body) = route.body {
        op["requestBody"] = json!({
            "required": true,
            "content": {"application/json": {"schema": reference(body)}},
        });
    }
    op
}

/// The `X-Instance-Id` rule of design §2.
pub(super) fn instance_id() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": INSTANCE_ID_MAX_LEN,
           "pattern": INSTANCE_ID_PATTERN})
}

/// A query parameter's schema with the bounds the handler enforces.
fn query_schema(name: &str, ty: &str) -> Value {
    match name {
        "limit" => json!({"type": "integer", "minimum": 1, "maximum": AUDIT_MAX_LIMIT}),
        // Empty selects the control plane, else an instance id.
        "instance" => json!({"type": "string", "maxLength": INSTANCE_ID_MAX_LEN,
            "pattern": format!("^$|{INSTANCE_ID_PATTERN}")}),
        _ => json!({"type": ty}),
    }
}

/// `provider`: one of the catalog's ids.
pub(super) fn provider_id() -> Value {
    let ids: Vec<&str> = Catalog::builtin()
        .providers()
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    json!({"type": "string", "enum": ids})
}

fn model() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": MODEL_MAX_LEN,
           "pattern": TRIMMED_TEXT_PATTERN})
}

pub(super) fn api_key() -> Value {
    json!({"type": "string", "writeOnly": true, "minLength": 1, "maxLength": API_KEY_MAX_LEN,
           "pattern": TRIMMED_TEXT_PATTERN})
}

pub(super) fn base_url() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": 2048, "pattern": BASE_URL_PATTERN,
           "description": "https, or http only to a loopback host; no user info, query or fragment"})
}

/// A blank base URL: no override (the provider's default).
pub(super) fn blank() -> Value {
    json!({"type": "string", "pattern": "^\\s*$", "description": "blank: the provider's default"})
}

/// Providers that have no default base URL, so a create must carry one.
pub(super) fn base_url_required() -> Vec<String> {
    Catalog::builtin()
        .providers()
        .iter()
        .filter(|p| p.base_url_rule == crate::domain::BaseUrlRule::Required)
        .map(|p| p.id.clone())
        .collect()
}

pub(super) fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn string() -> Value {
    json!({"type": "string"})
}

fn nullable(ty: &str) -> Value {
    json!({"type": [ty, "null"]})
}

fn time() -> Value {
    json!({"type": "string", "format": "date-time"})
}

/// The component schemas, by name.
pub fn schemas() -> Map<String, Value> {
    let config_view = json!({
        "type": "object",
        "required": ["id", "provider", "model", "api_key_masked", "instance_id", "base_url", "created_at", "updated_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "provider": string(), "model": string(),
            "api_key_masked": string(),
            "instance_id": nullable("string"), "base_url": nullable("string"),
            "created_at": time(), "updated_at": time(),
        },
    });
    let test_result = json!({
        "type": "object",
        "required": ["success", "provider", "model", "message", "status", "latency_ms", "checked_at"],
        "properties": {
            "success": {"type": "boolean"}, "provider": string(), "model": string(),
            "message": string(),
            "status": {"type": "string", "enum": [
                "ok", "invalid_key", "permission_denied", "model_not_found", "quota",
                "rate_limited", "overloaded", "unreachable", "timeout", "unexpected_response", "blocked"]},
            "latency_ms": {"type": "integer", "minimum": 0},
            "checked_at": time(),
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
    let new_config = json!({
        "type": "object", "additionalProperties": false,
        "required": ["provider", "model", "api_key"],
        "properties": {
            "provider": provider_id(), "model": model(),
            "api_key": api_key(),
            "base_url": {"anyOf": [base_url(), blank(), {"type": "null"}]},
        },
        "if": {"required": ["provider"], "properties": {"provider": {"enum": base_url_required()}}},
        "then": {"required": ["base_url"], "properties": {"base_url": base_url()}},
    });
    let patch = json!({
        "type": "object", "additionalProperties": false, "minProperties": 1,
        "description": "A new provider or base_url must come with a new api_key",
        "properties": {
            "provider": provider_id(), "model": model(),
            "api_key": api_key(),
            "base_url": {"anyOf": [base_url(), blank(), {"type": "null"}],
                         "description": "null or blank clears the override"},
        },
        "dependentRequired": {"provider": ["api_key"], "base_url": ["api_key"]},
        "if": {"required": ["provider"], "properties": {"provider": {"enum": base_url_required()}}},
        "then": {"required": ["base_url"], "properties": {"base_url": base_url()}},
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
    m.extend(super::parity::schemas());
    m.extend(super::fleet::schemas());
    m.extend(super::rotation::schemas());
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        AuditEntry, Catalog, ConfigFields, ConfigView, InstanceSummary, TestResult, TestStatus,
        ViewRecord,
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
        let test = TestResult {
            success: true,
            provider: "p".into(),
            model: "m".into(),
            message: "Connection successful".into(),
            status: TestStatus::Ok,
            latency_ms: 1,
            checked_at: now,
        };
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
        ] {
            assert_eq!(schema_keys(name), keys(&value), "{name}");
        }
        let statuses = schemas()["TestResult"]["properties"]["status"]["enum"].clone();
        assert_eq!(statuses.as_array().unwrap().len(), 11);
        for s in statuses.as_array().unwrap() {
            assert!(TestStatus::parse(s.as_str().unwrap()).is_some(), "{s}");
        }
    }

    #[test]
    fn the_document_states_the_enforced_rules() {
        let s = schemas();
        let ids: Vec<String> = Catalog::builtin()
            .providers()
            .iter()
            .map(|p| p.id.clone())
            .collect();
        assert_eq!(s["NewConfig"]["properties"]["provider"]["enum"], json!(ids));
        assert_eq!(s["ConfigPatch"]["minProperties"], 1);
        assert_eq!(s["NewConfig"]["properties"]["model"]["maxLength"], 256);
        assert_eq!(s["NewConfig"]["properties"]["api_key"]["maxLength"], 4096);
        let doc = document();
        let audit = &doc["paths"]["/llm-config/audit"]["get"]["parameters"];
        let limit = audit
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "limit")
            .unwrap();
        assert_eq!(limit["schema"]["minimum"], 1);
        assert_eq!(limit["schema"]["maximum"], AUDIT_MAX_LIMIT);
        let header = doc["paths"]["/llm-config/"]["get"]["parameters"][0]["schema"].clone();
        assert_eq!(header["maxLength"], INSTANCE_ID_MAX_LEN);
        // The patterns themselves are exercised by the schemathesis step of
        // `.ci/run`: every request valid by them must be accepted.
        assert_eq!(header["pattern"], INSTANCE_ID_PATTERN);
    }

    #[test]
    fn every_route_is_documented_with_its_errors() {
        let doc = document();
        for route in ROUTES {
            let op = &doc["paths"][route.path][route.method];
            assert!(op.is_object(), "{} {}", route.method, route.path);
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key(&route.success.0.to_string()));
            if route.auth {
                assert!(responses.contains_key("401") && responses.contains_key("403"));
            }
            if route.body.is_some() {
                for code in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(code), "{} {code}", route.path);
                }
            }
        }
        for schema in doc["components"]["schemas"].as_object().unwrap().values() {
            // Every $ref points at a defined schema.
            let text = schema.to_string();
            for part in text.split("#/components/schemas/").skip(1) {
                let name = part.split('"').next().unwrap();
                assert!(doc["components"]["schemas"].get(name).is_some(), "{name}");
            }
        }
    }
}
