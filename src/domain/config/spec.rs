//! What each config field is, beside its name and type: the one descriptor
//! ([`FieldSpec`]) every layer reads to handle a field without naming it.
//! The CLI takes its flags from it, the TUI its form rows, the OpenAPI
//! document its schemas, the validators their rule, a patch its re-key
//! rule, and remote mode whether a seed-only server can carry the field.
//! The descriptors themselves sit in the one field list in `config.rs`.

use super::super::ProviderSpec;
use super::super::validation::{ValidationError, validate_base_url, validate_model};
use super::super::{BaseUrlRule, provider_rule::CheckedProvider};

/// One config field, as every layer handles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The JSON, column and fleet-file name.
    pub name: &'static str,
    /// The label the TUI form and the human output show.
    pub label: &'static str,
    /// The CLI's long flag, without `--`.
    pub flag: &'static str,
    /// The placeholder the CLI's help shows for the value.
    pub value_name: &'static str,
    /// One line of help (the CLI flag's, the form row's, the schema's).
    pub help: &'static str,
    /// How an unset optional field reads.
    pub unset: &'static str,
    /// The hint the TUI form shows under the field's row.
    pub hint: &'static str,
    /// Whether every config holds a value.
    pub presence: Presence,
    /// The rule a value must pass.
    pub rule: FieldRule,
    /// Whether changing the field needs a new key.
    pub rekey: Rekey,
    /// Whether the seed API carries the field.
    pub wire: Wire,
    /// The providers that use the field; empty: every provider.
    pub providers: &'static [&'static str],
    /// How a connection test sends the field to the provider.
    pub sent_as: SentAs,
}

/// How a connection test (and a model listing) sends a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentAs {
    /// The prober's own logic uses it (the destination, the model).
    Probe,
    /// As this query parameter of every request, replacing the catalog's
    /// value of the same name.
    Query(&'static str),
    /// As this header of every request.
    Header(&'static str),
}

/// Whether a field always holds a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Every config holds a value (`String`).
    Required,
    /// Unset unless given (`Option<String>`).
    Optional,
}

/// The rule a field's value must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldRule {
    /// A provider id, judged by the provider rule of the write (a catalog,
    /// or the identifier rule against a seed-only server).
    Provider,
    /// 1–256 printable characters (design §2).
    Model,
    /// https, or http to a loopback host; required by some providers.
    BaseUrl,
    /// A value sent in a header or query string: 1 to `max_len` of
    /// `[A-Za-z0-9._-]`, so it can never inject a header or a parameter.
    Token {
        /// Most characters.
        max_len: usize,
    },
}

/// Characters a [`FieldRule::Token`] may hold, as the OpenAPI pattern.
pub const TOKEN_PATTERN: &str = "^[A-Za-z0-9._-]+$";

/// Whether a key may stay when the field changes (design §2: a key is only
/// ever sent to the destination it was entered for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rekey {
    /// Part of the destination: naming it needs a new key.
    NewKey,
    /// A setting of the destination: the key stays.
    KeepsKey,
}

/// Whether the seed API (design §3) carries a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// In every control plane's bodies.
    Seed,
    /// An llmcfg extension: a seed-only server refuses or drops it.
    Extension,
}

impl FieldSpec {
    /// The descriptor of the field `name`.
    pub fn named(name: &str) -> Option<&'static FieldSpec> {
        super::FIELDS.iter().find(|f| f.name == name)
    }

    /// True when `provider` uses this field.
    pub fn applies_to(&self, provider: &str) -> bool {
        self.providers.is_empty() || self.providers.contains(&provider)
    }

    /// The checked value of this field for `provider`, from the text given
    /// (`None` or blank: unset). Provider ids are judged by the write's
    /// provider rule, not here.
    pub fn check(
        &self,
        text: Option<&str>,
        provider: &CheckedProvider<'_>,
    ) -> Result<Option<String>, ValidationError> {
        let given = text.map(str::trim).filter(|t| !t.is_empty());
        if given.is_some() && !self.applies_to(&provider.id) {
            return Err(ValidationError::new(
                self.name,
                format!(
                    "is used only by provider {} (not {})",
                    self.providers.join(", "),
                    provider.id
                ),
            ));
        }
        match self.rule {
            FieldRule::Provider => Ok(Some(provider.id.clone())),
            FieldRule::Model => validate_model(text.unwrap_or_default()).map(Some),
            FieldRule::BaseUrl => base_url(provider.spec, given),
            FieldRule::Token { max_len } => match given {
                None if self.presence == Presence::Required => {
                    Err(ValidationError::new(self.name, "must not be empty"))
                }
                None => Ok(None),
                Some(value) => token(self.name, value, max_len).map(Some),
            },
        }
    }
}

fn token(name: &'static str, value: &str, max_len: usize) -> Result<String, ValidationError> {
    let fits = value.chars().count() <= max_len
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if fits {
        Ok(value.to_string())
    } else {
        Err(ValidationError::new(
            name,
            format!("must be 1–{max_len} characters of letters, digits, '.', '_' or '-'"),
        ))
    }
}

/// The base-URL rule: an override is checked; none is the provider's
/// default, unless the provider has none.
pub(super) fn base_url(
    spec: Option<&ProviderSpec>,
    given: Option<&str>,
) -> Result<Option<String>, ValidationError> {
    match (given, spec) {
        (Some(url), _) => Ok(Some(validate_base_url(url)?)),
        (None, Some(spec)) if spec.base_url_rule == BaseUrlRule::Required => Err(
            ValidationError::new("base_url", format!("is required for provider {}", spec.id)),
        ),
        _ => Ok(None),
    }
}
