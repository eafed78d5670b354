//! `/openapi.json`: an OpenAPI 3.1 document assembled from the route table
//! ([`ROUTES`]) and the component schemas ([`schemas`], built from the field
//! schemas in `fields`). Paths, methods, statuses and the auth requirement
//! come from the same table the router is built from; the tests here check
//! that every route is documented with its errors and the enforced bounds.

use serde_json::{Map, Value, json};

mod fields;
mod lifecycle;
mod schemas;

use self::fields::INSTANCE_ID_PATTERN;
pub(super) use self::fields::{
    BodyKind, api_key, blank, body_properties, body_rules, instance_id, reference, view_properties,
};
pub use self::schemas::schemas;
use super::routes::{ROUTES, Route};
use crate::api::{AUDIT_MAX_LIMIT, INSTANCE_HEADER, MAX_BODY_BYTES};
use crate::domain::scope::INSTANCE_ID_MAX_LEN;

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
            "name": name, "in": "query", "required": query_required(name), "description": text,
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

/// A query parameter's schema with the bounds the handler enforces.
/// Whether a route cannot do without the query parameter: only a job's id
/// (follow, cancel); every other parameter has a default.
fn query_required(name: &str) -> bool {
    name == "id"
}

fn query_schema(name: &str, ty: &str) -> Value {
    match name {
        // A job id and a row count: whole numbers the server parses exactly.
        "id" | "after" => json!({"type": "integer", "minimum": 0, "maximum": u32::MAX}),
        "limit" => json!({"type": "integer", "minimum": 1, "maximum": AUDIT_MAX_LIMIT}),
        // Empty selects the control plane, else an instance id.
        "instance" => json!({"type": "string", "maxLength": INSTANCE_ID_MAX_LEN,
            // One anchored group, not `^$|…`: under a top-level alternation
            // a Python-regex generator may append the newline `$` allows.
            "pattern": format!("^({})?$", INSTANCE_ID_PATTERN.trim_start_matches('^')
                .trim_end_matches('$'))}),
        _ => json!({"type": ty}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Catalog;

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
