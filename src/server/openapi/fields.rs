//! The field schemas the component schemas are built from — an instance
//! id, a provider id, a model, an API key, a base URL — with the patterns
//! and bounds the validators enforce. They are shared by the seed schemas
//! ([`super::schemas`]) and the extension routes' schemas (parity, fleet,
//! rotation), so each rule is written once; kept apart from the document
//! assembly, which only walks the route table.

use serde_json::{Map, Value, json};

use crate::domain::scope::INSTANCE_ID_MAX_LEN;
use crate::domain::secret::API_KEY_MAX_LEN;
use crate::domain::{Catalog, FIELDS, FieldRule, FieldSpec, Presence, Rekey, TOKEN_PATTERN};

/// An instance id (design §2): `[A-Za-z0-9._:-]`, not starting with `.` or `-`.
pub(super) const INSTANCE_ID_PATTERN: &str = "^[A-Za-z0-9_:][A-Za-z0-9._:-]*$";
/// Most characters of a model name.
const MODEL_MAX_LEN: usize = 256;
/// A model name: trimmed text as [`TRIMMED_TEXT_PATTERN`], but not `.` or
/// `..` (the validator refuses those dot segments). Written as the cases by
/// length, because JSON Schema's regex dialect has no portable lookahead:
/// one character that is not a dot; two that are not both dots; or three
/// and more.
const MODEL_PATTERN: &str = "^([^\\s.\\u0000-\\u001f\\u007f-\\u009f]\
|[^\\s.\\u0000-\\u001f\\u007f-\\u009f][^\\s\\u0000-\\u001f\\u007f-\\u009f]\
|\\.[^\\s.\\u0000-\\u001f\\u007f-\\u009f]\
|[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]+[^\\s\\u0000-\\u001f\\u007f-\\u009f])$";
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

/// Hosts [`BASE_URL_PATTERN`] allows but the validator refuses, which the
/// document leaves out with a `not`. Exactly those, because a fuzzer also
/// sends what a `not` names and expects a refusal:
/// - a label that starts `xn--` (any case): an internationalised name;
/// - a last label `0x` and hex digits: the URL parser reads it as a number,
///   so the host as an IPv4 address not written as four decimal numbers, or
///   as no address at all.
const REFUSED_HOST_PATTERN: &str =
    "^https?://([^/]*\\.)?[xX][nN]--|^https?://([^/:]*\\.)?0[xX][0-9A-Fa-f]*([:/]|$)";

/// The `X-Instance-Id` rule of design §2.
pub(in crate::server) fn instance_id() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": INSTANCE_ID_MAX_LEN,
           "pattern": INSTANCE_ID_PATTERN})
}

/// `provider`: one of the catalog's ids.
pub(in crate::server) fn provider_id() -> Value {
    let ids: Vec<&str> = Catalog::builtin()
        .providers()
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    json!({"type": "string", "enum": ids})
}

pub(super) fn model() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": MODEL_MAX_LEN,
           "pattern": MODEL_PATTERN})
}

pub(in crate::server) fn api_key() -> Value {
    json!({"type": "string", "writeOnly": true, "minLength": 1, "maxLength": API_KEY_MAX_LEN,
           "pattern": TRIMMED_TEXT_PATTERN})
}

pub(in crate::server) fn base_url() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": 2048, "pattern": BASE_URL_PATTERN,
           "not": {"pattern": REFUSED_HOST_PATTERN},
           "description": "https, or http only to a loopback host; no user info, query or fragment"})
}

/// Whitespace as the server trims it (Unicode White_Space, Rust's
/// `char::is_whitespace`), spelt out: Python's `\s`, which generators of
/// test data use, also takes U+001C–U+001F, control characters the server
/// refuses.
const BLANK_PATTERN: &str = "^[\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$";

/// A blank base URL: no override (the provider's default).
pub(in crate::server) fn blank() -> Value {
    json!({"type": "string", "pattern": BLANK_PATTERN, "description": "blank: the provider's default"})
}

/// Providers that have no default base URL, so a create must carry one.
pub(in crate::server) fn base_url_required() -> Vec<String> {
    Catalog::builtin()
        .providers()
        .iter()
        .filter(|p| p.base_url_rule == crate::domain::BaseUrlRule::Required)
        .map(|p| p.id.clone())
        .collect()
}

pub(in crate::server) fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

pub(in crate::server) fn string() -> Value {
    json!({"type": "string"})
}

pub(in crate::server) fn nullable(ty: &str) -> Value {
    json!({"type": [ty, "null"]})
}

pub(super) fn time() -> Value {
    json!({"type": "string", "format": "date-time"})
}

/// The schema of a value of the field `f`, from its rule.
pub(in crate::server) fn field_value(f: &FieldSpec) -> Value {
    let mut schema = match f.rule {
        FieldRule::Provider => provider_id(),
        FieldRule::Model => model(),
        FieldRule::BaseUrl => base_url(),
        FieldRule::Token { max_len } => json!({"type": "string", "minLength": 1,
            "maxLength": max_len, "pattern": TOKEN_PATTERN}),
    };
    if !f.providers.is_empty() {
        schema["description"] = json!(format!(
            "{}; only for provider {}",
            f.help,
            f.providers.join(", ")
        ));
    }
    schema
}

/// What a create or patch body may send for `f`: its value, or for an
/// optional field blank or `null` (unset).
pub(in crate::server) fn field_sent(f: &FieldSpec) -> Value {
    match f.presence {
        Presence::Required => field_value(f),
        Presence::Optional => json!({"anyOf": [field_value(f), blank(), {"type": "null"}]}),
    }
}

/// The `properties` of a body that carries the config fields, plus `extra`.
pub(in crate::server) fn body_properties(extra: &[(&str, Value)]) -> Map<String, Value> {
    let mut props: Map<String, Value> = FIELDS
        .iter()
        .map(|f| (f.name.to_string(), field_sent(f)))
        .collect();
    for (name, schema) in extra {
        props.insert(name.to_string(), schema.clone());
    }
    props
}

/// What a body describes, which decides the rules between its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::server) enum BodyKind {
    /// A whole configuration (a create, an unsaved config to list models).
    Whole,
    /// A patch merged over the stored configuration: whether a provider
    /// with no default base URL needs one in the body depends on what is
    /// stored (the same provider keeps its URL), so the server answers 409
    /// and the document cannot state the rule.
    Patch,
}

/// The rules between a body's fields, as `allOf` members: a provider that
/// has no default base URL needs one (in a whole configuration), and a
/// field only some providers use is blank or absent for the others.
pub(in crate::server) fn body_rules(kind: BodyKind) -> Vec<Value> {
    let mut rules = Vec::new();
    for f in FIELDS {
        if f.rule == FieldRule::BaseUrl {
            // Sent, it must be a URL (not blank) in either kind of body.
            let mut then = json!({"properties": {f.name: field_value(f)}});
            if kind == BodyKind::Whole {
                then["required"] = json!([f.name]);
            }
            rules.push(json!({
                "if": {"required": ["provider"], "properties": {"provider": {"enum": base_url_required()}}},
                "then": then,
            }));
        }
        if !f.providers.is_empty() {
            rules.push(json!({
                "if": {"required": ["provider"],
                       "properties": {"provider": {"not": {"enum": f.providers}}}},
                "then": {"properties": {f.name: {"anyOf": [blank(), {"type": "null"}]}}},
            }));
        }
    }
    rules
}

/// The fields a patch can only name with a new key (`dependentRequired`).
pub(in crate::server) fn rekey_rules() -> Value {
    let rules: Map<String, Value> = FIELDS
        .iter()
        .filter(|f| f.rekey == Rekey::NewKey)
        .map(|f| (f.name.to_string(), json!(["api_key"])))
        .collect();
    Value::Object(rules)
}

/// The config fields as a view shows them: each required field a string,
/// each optional one a string or `null`.
pub(in crate::server) fn view_properties() -> Map<String, Value> {
    FIELDS
        .iter()
        .map(|f| {
            let schema = match f.presence {
                Presence::Required => string(),
                Presence::Optional => nullable("string"),
            };
            (f.name.to_string(), schema)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ApiKey;
    use crate::domain::scope::InstanceId;
    use crate::domain::validation::{validate_base_url, validate_model};

    /// Text that sits on the edges of the rules: dots, whitespace at either
    /// end, control characters, non-ASCII.
    const EDGES: &[&str] = &[
        ".",
        "..",
        "...",
        ".a",
        "a.",
        "a",
        "ab",
        "a b",
        "gpt-4o",
        "x..y",
        "..a",
        "a..",
        "-a",
        "_a",
        ":a",
        "a:b",
        "a\u{7}",
        "\u{85}a",
        "é",
        "a\tb",
        "models/gemini-2.0",
        " a",
        "a ",
    ];

    /// Asserts that `schema`'s pattern accepts exactly the text `canonical`
    /// accepts: text the document allows but the server refuses fails every
    /// client generated from the document (and schemathesis' ST202).
    fn agrees(schema: &Value, canonical: impl Fn(&str) -> bool) {
        let pattern = regex::Regex::new(schema["pattern"].as_str().unwrap()).unwrap();
        for text in EDGES {
            assert_eq!(pattern.is_match(text), canonical(text), "{text:?}");
        }
    }

    // The schema states the canonical form only: a value the server would
    // trim is outside it, though the server accepts it.
    #[test]
    fn the_model_pattern_agrees_with_the_validator() {
        agrees(&model(), |t| validate_model(t).is_ok_and(|m| m == t));
    }

    #[test]
    fn the_api_key_pattern_agrees_with_the_validator() {
        agrees(&api_key(), |t| {
            ApiKey::new(t).validated().is_ok_and(|k| k.expose() == t)
        });
    }

    /// Every base URL the document allows is accepted, and every one its
    /// `not` names is refused. Elsewhere the document is stricter than the
    /// server (no trailing `/`, no label ending in `-`).
    #[test]
    fn the_base_url_schema_agrees_with_the_validator() {
        let schema = base_url();
        let pattern = regex::Regex::new(schema["pattern"].as_str().unwrap()).unwrap();
        let excluded = regex::Regex::new(schema["not"]["pattern"].as_str().unwrap()).unwrap();
        let urls = [
            "https://xn--a.com",
            "https://a.XN--9",
            "https://Xn--Zz.b/xn--q",
            "https://a.0x",
            "https://a.0xff",
            "https://0x1ffffffff",
            "https://a.0Xf:99/v1",
            "https://0x1.com",
            "https://a.0xg",
            "https://0xB9",
            "https://1.0xff",
            "https://xn--nxasmq6b.com",
            "https://ab--c.com",
            "https://9xn--a.com",
            "https://xn-a.com",
            "https://a.com/xn--q",
            "https://0a",
            "https://1.2.3.4:9999/v1",
            "http://localhost:8080",
            "http://[::1]/v1",
        ];
        let mut allowed = 0;
        for url in urls {
            if pattern.is_match(url) && !excluded.is_match(url) {
                allowed += 1;
                assert!(validate_base_url(url).is_ok(), "{url:?}");
            }
            // What the `not` names is refused, or a fuzzer's negative case
            // would be accepted.
            if excluded.is_match(url) {
                assert!(validate_base_url(url).is_err(), "{url:?}");
            }
        }
        // Most samples are allowed: the check is not vacuous.
        assert!(allowed >= 9, "{allowed}");
    }

    /// Blank is exactly what the server trims away, character by character.
    #[test]
    fn blank_is_the_whitespace_the_server_trims() {
        let text = blank()["pattern"].as_str().unwrap().to_string();
        // `\s` means one set in Rust and another in Python: spelt out, the
        // class below holds in every engine.
        assert!(!text.contains("\\s"), "{text}");
        let pattern = regex::Regex::new(&text).unwrap();
        for c in ('\0'..='\u{3100}').chain(['\u{feff}', '\u{10ffff}']) {
            let text = c.to_string();
            assert_eq!(pattern.is_match(&text), text.trim().is_empty(), "{c:?}");
        }
    }

    #[test]
    fn the_instance_id_pattern_agrees_with_the_validator() {
        agrees(&instance_id(), |t| InstanceId::parse(t).is_ok());
    }
}
