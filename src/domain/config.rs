//! Configuration shapes: what a create carries, what a patch may change, and
//! the view every reader gets (with the stored mask, never the key). Also the
//! rules that tie them together, such as "a new destination needs a new key".

use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;

use super::mask::OPAQUE_MASK;
use super::provider_rule::ProviderRule;
use super::validation::{validate_base_url, validate_model};
use super::{ApiKey, BaseUrlRule, ProviderSpec, RecordId, TestResult, ValidationError};

/// The body of a create (`POST /llm-config/`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewConfig {
    /// Catalog id of the provider.
    pub provider: String,
    /// Model name.
    pub model: String,
    /// The API key.
    pub api_key: ApiKey,
    /// Optional base-URL override.
    #[serde(default)]
    pub base_url: Option<String>,
}

impl NewConfig {
    /// A config of `provider` and `model` with `api_key` and the provider's
    /// default base URL. Tests and benches build configs with this, so a new
    /// optional field does not break their literals.
    pub fn new(provider: &str, model: &str, api_key: ApiKey) -> NewConfig {
        NewConfig {
            provider: provider.to_string(),
            model: model.to_string(),
            api_key,
            base_url: None,
        }
    }

    /// This config with a base-URL override.
    pub fn with_base_url(mut self, base_url: &str) -> NewConfig {
        self.base_url = Some(base_url.to_string());
        self
    }

    /// The non-secret fields of this config.
    pub fn fields(&self) -> ConfigFields {
        ConfigFields {
            provider: self.provider.clone(),
            model: self.model.clone(),
            base_url: self.base_url.clone(),
        }
    }

    /// Checks every field against design §2 and returns the normalised config
    /// (trimmed key and model, base URL without a trailing slash); the
    /// provider is checked against `rule` (a catalog, or the identifier rule).
    pub fn validate<'a>(
        &self,
        rule: impl Into<ProviderRule<'a>>,
    ) -> Result<NewConfig, ValidationError> {
        let provider = rule.into().check(&self.provider)?;
        let model = validate_model(&self.model)?;
        let api_key = self.api_key.validated()?;
        let base_url = normalise_base_url(provider.spec, self.base_url.as_deref())?;
        Ok(NewConfig {
            provider: provider.id,
            model,
            api_key,
            base_url,
        })
    }
}

/// The body of a partial update (`PATCH /llm-config/`): every field optional.
/// `base_url: null` clears an override.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigPatch {
    /// New provider; needs a new key. `null` is refused (only `base_url`
    /// has a meaning for null).
    #[serde(default, deserialize_with = "present")]
    pub provider: Option<String>,
    /// New model.
    #[serde(default, deserialize_with = "present")]
    pub model: Option<String>,
    /// New API key.
    #[serde(default, deserialize_with = "present")]
    pub api_key: Option<ApiKey>,
    /// `Some(Some(url))` sets, `Some(None)` clears, `None` keeps the override.
    #[serde(default, deserialize_with = "double_option")]
    pub base_url: Option<Option<String>>,
}

/// A field that, when sent, must hold a value (`null` is a type error).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

fn double_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// The non-secret fields of a config: the one list of them that the patch
/// merge, the stored row and the row update all carry. The wire types
/// ([`NewConfig`], [`ConfigPatch`], [`ConfigView`]) keep their own flat
/// fields, since they reject unknown JSON fields and serde cannot do that
/// through `flatten`.
///
/// Adding a config field end to end: this struct and [`ConfigPatch::merge`];
/// the wire types `NewConfig`, `ConfigPatch`, `ConfigView` (and the OpenAPI
/// schema in `server/openapi.rs`); the store's `CONFIG_COLUMNS`,
/// `ConfigRow::from_columns`, one migration and the `INSERT`/`UPDATE` per
/// engine (`store/{sqlite,postgres}/configs.rs`); the CLI flag and the TUI
/// form field; and the constructors tests and benches use
/// ([`NewConfig::new`]), so their literals do not change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFields {
    /// Provider id.
    pub provider: String,
    /// Model.
    pub model: String,
    /// Base-URL override.
    pub base_url: Option<String>,
}

/// The fields a patch is applied to (the name the TUI form uses).
pub type CurrentFields = ConfigFields;

/// The outcome of applying a patch: the new fields and what changed.
#[derive(Debug, Clone)]
pub struct MergedPatch {
    /// The fields after the patch.
    pub fields: ConfigFields,
    /// The new key, validated, when the patch carries one.
    pub api_key: Option<ApiKey>,
    /// Names of the fields whose value changed (`api_key` when a key was given).
    pub changed: Vec<&'static str>,
}

impl ConfigPatch {
    /// True when the patch names no field at all.
    pub fn is_empty(&self) -> bool {
        self.provider.is_none()
            && self.model.is_none()
            && self.api_key.is_none()
            && self.base_url.is_none()
    }

    /// Applies the patch to `current`, enforcing that a key never follows its
    /// config to a new destination: a new provider or base URL needs a new key.
    pub fn merge<'a>(
        &self,
        current: &ConfigFields,
        rule: impl Into<ProviderRule<'a>>,
    ) -> Result<MergedPatch, ValidationError> {
        if self.is_empty() {
            return Err(ValidationError::new(
                "body",
                "nothing to update: give at least one of provider, model, api_key, base_url",
            ));
        }
        let provider = match &self.provider {
            Some(p) => rule.into().check(p)?,
            // The stored provider is not re-judged: a catalog that lost it
            // must not block a model-only change.
            None => match rule.into().check(&current.provider) {
                Ok(checked) => checked,
                Err(_) => super::provider_rule::CheckedProvider {
                    id: current.provider.clone(),
                    spec: None,
                },
            },
        };
        let spec = provider.spec;
        let provider_changed = provider.id != current.provider;
        let model = match &self.model {
            Some(m) => validate_model(m)?,
            None => current.model.clone(),
        };
        let base_url = match &self.base_url {
            Some(requested) => {
                normalise_base_url(spec, requested.as_deref()).map_err(|e| {
                    // Clearing the override of the stored provider: valid
                    // alone, refused only because of what is stored.
                    let clears = requested.as_deref().is_none_or(|u| u.trim().is_empty());
                    if self.provider.is_none() && clears {
                        e.against_stored()
                    } else {
                        e
                    }
                })?
            }
            // A different provider starts from its own default rather than
            // inheriting the old provider's gateway.
            None if provider_changed => normalise_base_url(spec, None)?,
            None => current.base_url.clone(),
        };
        let base_url_changed = base_url != current.base_url;
        let api_key = match &self.api_key {
            Some(k) => Some(k.validated()?),
            None => None,
        };
        // Naming the destination at all needs the key, changed or not: the
        // rule then depends on the request alone, so the OpenAPI document
        // can state it exactly (`dependentRequired`).
        let names_destination = self.provider.is_some() || self.base_url.is_some();
        if (provider_changed || base_url_changed || names_destination) && api_key.is_none() {
            return Err(ValidationError::new(
                "api_key",
                "a new key is required when provider or base_url changes \
                 (a stored key is only ever sent to the destination it was entered for)",
            ));
        }
        let mut changed = Vec::new();
        if provider_changed {
            changed.push("provider");
        }
        if model != current.model {
            changed.push("model");
        }
        if api_key.is_some() {
            changed.push("api_key");
        }
        if base_url_changed {
            changed.push("base_url");
        }
        Ok(MergedPatch {
            fields: ConfigFields {
                provider: provider.id,
                model,
                base_url,
            },
            api_key,
            changed,
        })
    }
}

fn normalise_base_url(
    spec: Option<&ProviderSpec>,
    base_url: Option<&str>,
) -> Result<Option<String>, ValidationError> {
    match (base_url.map(str::trim), spec) {
        (Some(url), _) if !url.is_empty() => Ok(Some(validate_base_url(url)?)),
        (_, Some(spec)) if spec.base_url_rule == BaseUrlRule::Required => Err(
            ValidationError::new("base_url", format!("is required for provider {}", spec.id)),
        ),
        _ => Ok(None),
    }
}

fn hidden_mask() -> String {
    OPAQUE_MASK.to_string()
}

/// A configuration as every reader sees it: the mask, never the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigView {
    /// Record id (a UUID here; a remote server may number its rows).
    pub id: RecordId,
    /// Provider id.
    pub provider: String,
    /// Model.
    pub model: String,
    /// The mask computed when the key was written; a server that sends none
    /// is shown as fully hidden.
    #[serde(default = "hidden_mask")]
    pub api_key_masked: String,
    /// Tenant instance id; `null` for the control plane.
    pub instance_id: Option<String>,
    /// Base-URL override, if any.
    pub base_url: Option<String>,
    /// Creation time (RFC 3339, UTC).
    #[serde(with = "super::timestamp")]
    pub created_at: OffsetDateTime,
    /// Last change time (RFC 3339, UTC).
    #[serde(with = "super::timestamp")]
    pub updated_at: OffsetDateTime,
}

/// One scope in the instance list, with its config and last test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceSummary {
    /// Instance id; `null` for the control plane.
    pub instance_id: Option<String>,
    /// Optional display name.
    pub name: Option<String>,
    /// The stored config, if any.
    pub config: Option<ConfigView>,
    /// The last connection test, if any.
    pub last_test: Option<TestResult>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Catalog;

    fn cat() -> &'static Catalog {
        Catalog::builtin()
    }

    fn current() -> ConfigFields {
        ConfigFields {
            provider: "openai".into(),
            model: "gpt-4o".into(),
            base_url: None,
        }
    }

    #[test]
    fn new_config_rules() {
        let ok = NewConfig {
            provider: "anthropic".into(),
            model: " claude ".into(),
            api_key: ApiKey::new(" sk-ant-x "),
            base_url: None,
        }
        .validate(cat())
        .unwrap();
        assert_eq!(ok.model, "claude");
        assert_eq!(ok.api_key.expose(), "sk-ant-x");

        let e = NewConfig {
            provider: "nope".into(),
            model: "m".into(),
            api_key: ApiKey::new("k"),
            base_url: None,
        }
        .validate(cat())
        .unwrap_err();
        assert_eq!(e.field, "provider");
        assert!(e.reason.contains("must be one of"));

        let e = NewConfig {
            provider: "azure-openai".into(),
            model: "dep".into(),
            api_key: ApiKey::new("k"),
            base_url: None,
        }
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
}
