//! Wire types of the `/llm-config` HTTP API (design §3), shared by the server
//! and the remote client so both sides agree on paths, headers and bodies.
//!
//! Request bodies the server reads are the domain types themselves
//! ([`NewConfig`](crate::domain::NewConfig), [`ConfigPatch`](crate::domain::ConfigPatch),
//! which refuse unknown fields); the client writes them with the mirrors
//! below, because the domain's secret type is never `Serialize`: the config
//! fields flattened from the domain's one field list, and the key borrowed.

pub mod rotation;
mod wire;

pub use wire::{
    KeyFingerprint, KeyFingerprintBody, KeyFingerprintRequest, ModelsForRequest,
    RegisterInstanceBody, TestAnswer,
};

use serde::{Deserialize, Serialize};

use crate::domain::ConfigFields;
use crate::domain::config::FieldChanges;

/// The config resource.
pub const CONFIG_PATH: &str = "/llm-config/";
/// Connection test of the selected scope.
pub const TEST_PATH: &str = "/llm-config/test-connection";
/// Extension: every scope with its view and last test (`GET`); register an
/// instance id (`POST`).
pub const INSTANCES_PATH: &str = "/llm-config/instances";
/// Extension: the provider catalog.
pub const PROVIDERS_PATH: &str = "/llm-config/providers";
/// Extension: the audit log.
pub const AUDIT_PATH: &str = "/llm-config/audit";
/// Extension: live model ids of the scope's stored config (`GET`), or of
/// an unsaved provider/key/base URL sent in the body (`POST`; the key never
/// travels in a URL).
pub const MODELS_PATH: &str = "/llm-config/models";
/// Extension: the store's keyed fingerprint of a key sent in the body
/// (`POST`; fingerprints are keyed by the server's fingerprint key, so a
/// client cannot compute them).
pub const KEY_FINGERPRINT_PATH: &str = "/llm-config/key-fingerprint";
/// Extension: the kept versions of the scope (`GET`, `?limit=`).
pub const VERSIONS_PATH: &str = "/llm-config/versions";
/// Extension: make a kept version of the scope current (`POST`).
pub const RESTORE_PATH: &str = "/llm-config/restore";
/// Extension: the key-usage map (`GET`).
pub const KEYS_PATH: &str = "/llm-config/keys";
/// The OpenAPI document (no auth).
pub const OPENAPI_PATH: &str = "/openapi.json";
/// Liveness probe (no auth).
pub const HEALTH_PATH: &str = "/healthz";

/// Header selecting the tenant scope; absent means the control plane.
pub const INSTANCE_HEADER: &str = "x-instance-id";

/// Largest request body the server reads, in bytes (64 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Default and largest page of `GET /llm-config/audit`.
pub const AUDIT_DEFAULT_LIMIT: usize = 100;
/// Upper bound of `limit` in `GET /llm-config/audit`.
pub const AUDIT_MAX_LIMIT: usize = 10_000;

/// Every error body: `{"detail": "<human message>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong, for a human; never contains an API key.
    pub detail: String,
}

/// `GET /llm-config/audit` query: `instance` narrows to one tenant (empty
/// string means the control plane), absent means every scope.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Instance id; `""` selects the control plane.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Most entries to return (default 100, at most 10,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// `GET /llm-config/versions` query.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionsQuery {
    /// Most versions to return (default 100, at most 10,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// Body of `POST /llm-config/restore`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    /// The version to make current (a JSON integer; `3.0` reads as 3).
    #[serde(deserialize_with = "whole_number")]
    pub version: u64,
}

/// A non-negative whole JSON number, also when written with a zero
/// fraction (JSON Schema's `integer` admits `3.0`).
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    whole_up_to(&n, MAX_VERSION).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "version must be a whole number from 1 to {MAX_VERSION}"
        ))
    })
}

/// `n` as a whole number from 0 to `max`, with or without a zero fraction.
pub(crate) fn whole_up_to(n: &serde_json::Number, max: u64) -> Option<u64> {
    if let Some(v) = n.as_u64() {
        return (v <= max).then_some(v);
    }
    // serde_json's default float parsing may be one unit in the last place
    // off, so "whole" allows that much (at 4e15 one unit is 0.5).
    match n.as_f64() {
        Some(f) if f >= 0.0 && f <= max as f64 && (f - f.round()).abs() <= f * f64::EPSILON => {
            Some(f.round() as u64)
        }
        _ => None,
    }
}

/// Largest version number a restore takes: far beyond any history, and
/// small enough that a float spelling (`7.0`) always reads back exactly.
pub const MAX_VERSION: u64 = i32::MAX as u64;

/// Client-side body of `POST /llm-config/` (borrows the key from its secret).
#[derive(Serialize)]
pub struct CreateBody<'a> {
    /// The config fields; an unset optional one is left out.
    #[serde(flatten)]
    pub fields: ConfigFields,
    /// The key, exposed only into the request body.
    pub api_key: &'a str,
}

/// Client-side body of `PATCH /llm-config/`; absent fields are left out, and
/// a cleared optional field (`base_url: Some(None)`) is sent as `null`.
#[derive(Serialize)]
pub struct PatchBody<'a> {
    /// The fields to change.
    #[serde(flatten)]
    pub changes: FieldChanges,
    /// New key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<&'a str>,
}

/// Fields a 422 (or, for a conflict with what is stored, 409) detail may
/// name besides the config fields.
const OTHER_VALIDATION_FIELDS: &[&str] = &[
    "api_key",
    "instance_id",
    "name",
    "body",
    "limit",
    "version",
    "concurrency",
    "fingerprint",
    "new_api_key",
];

/// The field a 422 detail names, if it is one this client knows, so it can
/// rebuild the typed error.
pub fn validation_field(name: &str) -> Option<&'static str> {
    ConfigFields::NAMES
        .iter()
        .chain(OTHER_VALIDATION_FIELDS)
        .copied()
        .find(|f| *f == name)
}

/// Prefix of every 422 detail built from a validation error:
/// `invalid <field>: <reason>`.
pub const INVALID_PREFIX: &str = "invalid ";

/// Splits a 422 detail `invalid <field>: <reason>` back into field and reason.
pub fn parse_invalid_detail(detail: &str) -> Option<(&'static str, &str)> {
    let rest = detail.strip_prefix(INVALID_PREFIX)?;
    let (field, reason) = rest.split_once(": ")?;
    let field = validation_field(field)?;
    Some((field, reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_detail_round_trips() {
        assert_eq!(
            parse_invalid_detail("invalid model: must not be empty"),
            Some(("model", "must not be empty"))
        );
        assert_eq!(parse_invalid_detail("invalid thing: x"), None);
        let patch = PatchBody {
            changes: crate::domain::ConfigPatch {
                model: Some("m".into()),
                base_url: Some(None),
                ..Default::default()
            }
            .sets(),
            api_key: None,
        };
        assert_eq!(
            serde_json::to_string(&patch).unwrap(),
            r#"{"model":"m","base_url":null}"#
        );
        let create = CreateBody {
            fields: ConfigFields::new("openai", "gpt-4o"),
            api_key: "k",
        };
        assert_eq!(
            serde_json::to_string(&create).unwrap(),
            r#"{"provider":"openai","model":"gpt-4o","api_key":"k"}"#,
            "an unset base URL is left out, as before"
        );
        assert_eq!(validation_field("base_url"), Some("base_url"));
        assert_eq!(validation_field("limit"), Some("limit"));
        assert_eq!(validation_field("colour"), None);
    }
}

#[cfg(test)]
mod restore_request_tests {
    use super::*;

    #[test]
    fn a_version_reads_as_a_whole_number_with_or_without_a_zero_fraction() {
        for (text, want) in [("3", 3), ("3.0", 3), ("2147483647.0", 2_147_483_647)] {
            let r: RestoreRequest =
                serde_json::from_str(&format!("{{\"version\": {text}}}")).unwrap();
            assert_eq!(r.version, want, "{text}");
        }
        for bad in ["3.5", "-1", "1e300", "4313260481981046.0", "\"3\""] {
            assert!(
                serde_json::from_str::<RestoreRequest>(&format!("{{\"version\": {bad}}}")).is_err(),
                "{bad}"
            );
        }
    }
}

#[cfg(test)]
mod rotate_request_tests {
    use super::rotation::RotateKeyRequest;

    fn body(concurrency: &str) -> String {
        format!(
            "{{\"fingerprint\": \"hmac:00\", \"new_api_key\": \"sk-new\", \"concurrency\": {concurrency}}}"
        )
    }

    #[test]
    fn concurrency_reads_as_a_whole_number_with_or_without_a_zero_fraction() {
        // Found by schemathesis: JSON Schema's `integer` admits `217.0`.
        for (text, want) in [("8", 8), ("217.0", 217)] {
            let r: RotateKeyRequest = serde_json::from_str(&body(text)).unwrap();
            assert_eq!(r.concurrency, want, "{text}");
        }
        for bad in ["2.5", "-1", "\"8\""] {
            let err = serde_json::from_str::<RotateKeyRequest>(&body(bad)).unwrap_err();
            assert!(
                err.to_string().contains("concurrency") || bad == "\"8\"",
                "{bad}: {err}"
            );
        }
    }
}
