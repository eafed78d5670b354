//! Configuration shapes: what a create carries, what a patch may change, and
//! the view every reader gets (with the stored mask, never the key). Also the
//! rules that tie them together, such as "a new destination needs a new key".
//!
//! The non-secret fields are listed once, in the `config_shapes!`
//! invocation below (the macro is in `config/shapes.rs`), which writes
//! [`ConfigFields`] and the create ([`NewConfig`]), patch ([`ConfigPatch`])
//! and view ([`ConfigView`]) types with those fields flattened into each,
//! plus what the other layers need to handle a field without naming it: the
//! names ([`ConfigFields::NAMES`]), the stored text
//! ([`ConfigFields::texts`], [`ConfigFields::from_texts`]), the client's
//! bodies and its kept-as-sent check ([`FieldChanges`]).
//!
//! A macro rather than `#[serde(flatten)]`: the request bodies refuse
//! unknown fields, which serde cannot combine with `flatten` (the outer
//! struct buffers every key for the flattened one, so none is ever
//! "unknown"), and a hand-written unknown-key check over an intermediate
//! map would replace serde's own messages (``unknown field `x`, expected
//! one of …``, `invalid type: null, expected a string`), which the API
//! returns and tests pin. The generated structs are plain derives, so the
//! JSON is what it was, and callers keep reading `view.model`.
//!
//! ## Adding a config field
//!
//! Measured by adding `api_version` (Azure) and then `organization` and
//! `project` (OpenAI) end to end, each in one commit with the whole
//! `cargo test` green. A field takes:
//!
//! 1. `domain/config.rs`: its entry in the list below, a [`FieldSpec`]:
//!    label, CLI flag and help, the form's unset text and hint, its rule
//!    ([`FieldRule`]: validation and JSON schema), whether changing it
//!    needs a new key ([`Rekey`]), whether the seed API carries it
//!    ([`Wire`]), the providers that use it, and how a connection test
//!    sends it ([`SentAs`]);
//! 2. `store/migrations.rs`: one `ALTER TABLE` step (configs and
//!    config_versions), written once for both engines;
//! 3. a test of the new behaviour (add a case to `tests/provider_fields.rs`,
//!    which runs the CLI, fleet file, HTTP API, OpenAPI, live model list,
//!    seed-only refusal and TUI form checks for every case);
//! 4. its row in the user docs' table (`docs/src/cli.md`, "Provider
//!    fields"); if the fake provider must see something new, the fake
//!    (`tests/support/fake_provider.rs`).
//!
//! Nothing else is written by hand: validation and the patch merge
//! (`config/patch.rs`: the re-key rule; a provider change clears fields the
//! new provider does not use), the store's columns and versions, history, the OpenAPI bodies and
//! views, the CLI flags (`--<flag>`, `--clear-<flag>`) and output, the TUI
//! form's row and the versions screen, the fleet file, resolve, plan and
//! export, the remote client (and its seed-only refusal of an
//! [`Wire::Extension`] field), the live model list of an unsaved config and
//! the prober's request all read the list. Tests and benches make configs,
//! views and fields with [`NewConfig::new`], [`ConfigFields::new`],
//! [`ConfigView::new`] and `ConfigPatch { .., ..Default::default() }`.

use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;

use super::mask::OPAQUE_MASK;
use super::provider_rule::ProviderRule;
use super::{ApiKey, RecordId, TestResult, ValidationError};

mod patch;
mod shapes;
mod spec;

pub use patch::MergedPatch;
pub use spec::{FieldRule, FieldSpec, Presence, Rekey, SentAs, TOKEN_PATTERN, Wire};

use shapes::config_shapes;

// The one list of config fields and what each is (`config/spec.rs`). Its
// order is the order of the JSON bodies' fields, the stored columns and the
// form's rows.
config_shapes! {
    /// Catalog id of the provider; a new provider needs a new key.
    provider: String => {
        label: "Provider",
        flag: "provider",
        value_name: "ID",
        help: "Provider id (see `llmcfg providers`); a new one needs a new key",
        unset: "",
        hint: "←/→ or a letter to change",
        rule: FieldRule::Provider,
        rekey: Rekey::NewKey,
        wire: Wire::Seed,
        providers: &[],
        sent_as: SentAs::Probe,
    },
    /// Model name.
    model: String => {
        label: "Model",
        flag: "model",
        value_name: "MODEL",
        help: "Model name",
        unset: "",
        hint: "",
        rule: FieldRule::Model,
        rekey: Rekey::KeepsKey,
        wire: Wire::Seed,
        providers: &[],
        sent_as: SentAs::Probe,
    },
    /// Base-URL override; a new one needs a new key.
    base_url: Option<String> => {
        label: "Base URL",
        flag: "base-url",
        value_name: "URL",
        help: "Base-URL override (required for azure-openai and openai-compatible); \
               a new one needs a new key",
        unset: "(provider default)",
        hint: "https, or http to a loopback host",
        rule: FieldRule::BaseUrl,
        rekey: Rekey::NewKey,
        wire: Wire::Seed,
        providers: &[],
        sent_as: SentAs::Probe,
    },
    /// Azure OpenAI's `api-version`; unset, the catalog's is sent.
    api_version: Option<String> => {
        label: "API version",
        flag: "api-version",
        value_name: "VERSION",
        help: "Azure OpenAI's api-version, such as 2024-10-21 (default: the catalog's)",
        unset: "(catalog default)",
        hint: "Azure's api-version, such as 2024-10-21; empty: the catalog's",
        rule: FieldRule::Token { max_len: 64 },
        rekey: Rekey::KeepsKey,
        wire: Wire::Extension,
        providers: &["azure-openai"],
        sent_as: SentAs::Query("api-version"),
    },
    /// OpenAI's organization id, sent as `OpenAI-Organization` when set.
    organization: Option<String> => {
        label: "Organization",
        flag: "organization",
        value_name: "ORG",
        help: "OpenAI organization id (org-…), sent as the OpenAI-Organization header",
        unset: "(the key's default)",
        hint: "org-…, sent as OpenAI-Organization; empty: the key's default",
        rule: FieldRule::Token { max_len: 64 },
        rekey: Rekey::KeepsKey,
        wire: Wire::Extension,
        providers: &["openai"],
        sent_as: SentAs::Header("OpenAI-Organization"),
    },
    /// OpenAI's project id, sent as `OpenAI-Project` when set.
    project: Option<String> => {
        label: "Project",
        flag: "project",
        value_name: "PROJECT",
        help: "OpenAI project id (proj_…), sent as the OpenAI-Project header",
        unset: "(the key's default)",
        hint: "proj_…, sent as OpenAI-Project; empty: the key's default",
        rule: FieldRule::Token { max_len: 64 },
        rekey: Rekey::KeepsKey,
        wire: Wire::Extension,
        providers: &["openai"],
        sent_as: SentAs::Header("OpenAI-Project"),
    },
}

impl ConfigFields {
    /// `provider` and `model` with every optional field unset (tests and
    /// benches build fields with this).
    pub fn new(provider: &str, model: &str) -> ConfigFields {
        let given = |name: &str| match name {
            "provider" => Some(provider.to_string()),
            "model" => Some(model.to_string()),
            _ => None,
        };
        ConfigFields::from_texts(|name| Ok::<_, ()>(given(name)), |_| ())
            .expect("provider and model are the only required fields")
    }

    /// These fields with `name` set to `value` (tests build configs with
    /// the optional fields through this). Panics on an unknown field.
    pub fn with(mut self, name: &str, value: &str) -> ConfigFields {
        assert!(
            self.set_text(name, Some(value.to_string())),
            "no config field {name}"
        );
        self
    }

    /// The fields on one line: the required ones joined by `sep`, then each
    /// optional one that is set (`provider · model @ url api_version=…`).
    pub fn brief(&self, sep: &str) -> String {
        let required: Vec<&str> = FIELDS
            .iter()
            .filter(|f| f.presence == Presence::Required)
            .filter_map(|f| self.text(f.name))
            .collect();
        let mut out = required.join(sep);
        for f in FIELDS.iter().filter(|f| f.presence == Presence::Optional) {
            match (self.text(f.name), f.rule) {
                (None, _) => {}
                (Some(url), FieldRule::BaseUrl) => out.push_str(&format!(" @ {url}")),
                (Some(value), _) => out.push_str(&format!(" {}={value}", f.name)),
            }
        }
        out
    }

    /// Each field that differs between these fields and `other`, by name,
    /// in the list's order.
    pub fn differing(&self, other: &ConfigFields) -> Vec<&'static str> {
        FIELDS
            .iter()
            .filter(|f| self.text(f.name) != other.text(f.name))
            .map(|f| f.name)
            .collect()
    }
}

/// A field a write sent that the answer does not hold as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDifference {
    /// The field's name.
    pub field: &'static str,
    /// The value sent, quoted (or `none`).
    pub sent: String,
    /// The value kept, quoted (or `none`).
    pub kept: String,
}

/// What a [`ConfigView`] shows besides the config fields: the record they
/// were read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewRecord {
    /// Record id.
    pub id: RecordId,
    /// The stored mask of the key.
    pub api_key_masked: String,
    /// Tenant instance id; `None` for the control plane.
    pub instance_id: Option<String>,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last change time.
    pub updated_at: OffsetDateTime,
}

/// The type of a config field, as the generated code handles it without
/// naming the field: stored as text, shown in a client's check.
pub trait FieldValue {
    /// Whether a field of this type always holds a value.
    const PRESENCE: Presence;
    /// The value as text, if set.
    fn text(&self) -> Option<&str>;
    /// The value from stored text; `None` when a required value is missing.
    fn from_text(text: Option<String>) -> Option<Self>
    where
        Self: Sized;
    /// True for an unset optional field.
    fn is_unset(&self) -> bool {
        self.text().is_none()
    }
    /// The value quoted, or `none`.
    fn shown(&self) -> String {
        self.text()
            .map_or_else(|| "none".to_string(), |v| format!("{v:?}"))
    }
}

impl FieldValue for String {
    const PRESENCE: Presence = Presence::Required;
    fn text(&self) -> Option<&str> {
        Some(self)
    }
    fn from_text(text: Option<String>) -> Option<String> {
        text
    }
}

impl FieldValue for Option<String> {
    const PRESENCE: Presence = Presence::Optional;
    fn text(&self) -> Option<&str> {
        self.as_deref()
    }
    fn from_text(text: Option<String>) -> Option<Option<String>> {
        Some(text)
    }
}

/// A field that, when sent, must hold a value of its type: `null` is a type
/// error for `String` and `None` (clear) for `Option<String>`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl NewConfig {
    /// A config of `provider` and `model` with `api_key` and the provider's
    /// default base URL. Tests and benches build configs with this, so a new
    /// optional field does not break their literals.
    pub fn new(provider: &str, model: &str, api_key: ApiKey) -> NewConfig {
        NewConfig::from_fields(ConfigFields::new(provider, model), api_key)
    }

    /// This config with a base-URL override.
    pub fn with_base_url(mut self, base_url: &str) -> NewConfig {
        self.base_url = Some(base_url.to_string());
        self
    }

    /// Checks every field against design §2 and returns the normalised config
    /// (trimmed key and model, base URL without a trailing slash); the
    /// provider is checked against `rule` (a catalog, or the identifier rule).
    pub fn validate<'a>(
        &self,
        rule: impl Into<ProviderRule<'a>>,
    ) -> Result<NewConfig, ValidationError> {
        let provider = rule.into().check(&self.provider)?;
        let mut fields = self.fields();
        for spec in FIELDS {
            let checked = spec.check(fields.text(spec.name), &provider)?;
            fields.set_text(spec.name, checked);
        }
        Ok(NewConfig::from_fields(fields, self.api_key.validated()?))
    }
}

/// The fields a patch is applied to (the name the TUI form uses).
pub type CurrentFields = ConfigFields;

fn hidden_mask() -> String {
    OPAQUE_MASK.to_string()
}

/// One scope in the instance list, with its config and last test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
mod tests;
