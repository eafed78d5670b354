//! The field schemas the component schemas are built from — an instance
//! id, a provider id, a model, an API key, a base URL — with the patterns
//! and bounds the validators enforce. They are shared by the seed schemas
//! ([`super::schemas`]) and the extension routes' schemas (parity, fleet,
//! rotation), so each rule is written once; kept apart from the document
//! assembly, which only walks the route table.

use serde_json::{Value, json};

use crate::domain::Catalog;
use crate::domain::scope::INSTANCE_ID_MAX_LEN;
use crate::domain::secret::API_KEY_MAX_LEN;

/// An instance id (design §2): `[A-Za-z0-9._:-]`, not starting with `.` or `-`.
pub(super) const INSTANCE_ID_PATTERN: &str = "^[A-Za-z0-9_:][A-Za-z0-9._:-]*$";
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
           "pattern": TRIMMED_TEXT_PATTERN})
}

pub(in crate::server) fn api_key() -> Value {
    json!({"type": "string", "writeOnly": true, "minLength": 1, "maxLength": API_KEY_MAX_LEN,
           "pattern": TRIMMED_TEXT_PATTERN})
}

pub(in crate::server) fn base_url() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": 2048, "pattern": BASE_URL_PATTERN,
           "description": "https, or http only to a loopback host; no user info, query or fragment"})
}

/// A blank base URL: no override (the provider's default).
pub(in crate::server) fn blank() -> Value {
    json!({"type": "string", "pattern": "^\\s*$", "description": "blank: the provider's default"})
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

pub(super) fn string() -> Value {
    json!({"type": "string"})
}

pub(super) fn nullable(ty: &str) -> Value {
    json!({"type": [ty, "null"]})
}

pub(super) fn time() -> Value {
    json!({"type": "string", "format": "date-time"})
}
