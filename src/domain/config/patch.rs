//! Applying a patch to the stored fields: the re-key rule (a key never
//! follows its config to a new destination) and what a provider change
//! resets, with each refusal marked as against the request or against what
//! is stored.

use super::super::provider_rule::{CheckedProvider, ProviderRule};
use super::super::{ApiKey, ValidationError};
use super::{ConfigFields, ConfigPatch, FIELDS, FieldSpec, Rekey};

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
                format!(
                    "nothing to update: give at least one of {}, api_key",
                    ConfigFields::NAMES.join(", ")
                ),
            ));
        }
        let provider = match &self.provider {
            Some(p) => rule.into().check(p)?,
            // The stored provider is not re-judged: a catalog that lost it
            // must not block a model-only change.
            None => match rule.into().check(&current.provider) {
                Ok(checked) => checked,
                Err(_) => CheckedProvider {
                    id: current.provider.clone(),
                    spec: None,
                },
            },
        };
        let provider_changed = provider.id != current.provider;
        let mut fields = current.clone();
        for spec in FIELDS {
            let value = match self.sent(spec.name) {
                Some(sent) => spec.check(sent, &provider).map_err(|e| {
                    // Clearing the override of the stored provider, or
                    // setting a field the stored provider does not use:
                    // valid alone, refused only because of what is stored.
                    let clears = sent.is_none_or(|v| v.trim().is_empty());
                    let unused = !spec.applies_to(&provider.id);
                    if self.provider.is_none() && (clears || unused) {
                        e.against_stored()
                    } else {
                        e
                    }
                })?,
                // A different provider starts from its own defaults rather
                // than inheriting the old provider's destination, and drops
                // what only the old provider used. A provider with no
                // default base URL refuses that start only because another
                // provider is stored (over its own, the same body keeps the
                // stored URL), so the refusal is against what is stored.
                None if provider_changed
                    && (spec.rekey == Rekey::NewKey || !spec.applies_to(&provider.id)) =>
                {
                    spec.check(None, &provider)
                        .map_err(ValidationError::against_stored)?
                }
                None => current.text(spec.name).map(str::to_string),
            };
            fields.set_text(spec.name, value);
        }
        let api_key = match &self.api_key {
            Some(k) => Some(k.validated()?),
            None => None,
        };
        let mut changed = current.differing(&fields);
        // Naming the destination at all needs the key, changed or not: the
        // rule then depends on the request alone, so the OpenAPI document
        // can state it exactly (`dependentRequired`).
        let destination =
            |name: &str| FieldSpec::named(name).is_some_and(|f| f.rekey == Rekey::NewKey);
        let names_destination = FIELDS
            .iter()
            .any(|f| f.rekey == Rekey::NewKey && self.sent(f.name).is_some());
        let moves = changed.iter().any(|name| destination(name));
        if (moves || names_destination) && api_key.is_none() {
            let names: Vec<&str> = FIELDS
                .iter()
                .filter(|f| f.rekey == Rekey::NewKey)
                .map(|f| f.name)
                .collect();
            return Err(ValidationError::new(
                "api_key",
                format!(
                    "a new key is required when {} changes \
                     (a stored key is only ever sent to the destination it was entered for)",
                    names.join(" or ")
                ),
            ));
        }
        if api_key.is_some() {
            changed.push("api_key");
        }
        Ok(MergedPatch {
            fields,
            api_key,
            changed,
        })
    }
}
