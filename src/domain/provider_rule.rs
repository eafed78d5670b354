//! Which provider ids a write may name. Locally (and against a server that
//! publishes its provider list) that is a catalog; against a seed-only server
//! it is a plain identifier rule, because the product behind it may support
//! providers our catalog lacks and is the one to judge them.

use super::{Catalog, ProviderSpec, ValidationError};

/// Longest provider id the identifier rule accepts, in characters.
pub const PROVIDER_ID_MAX_LEN: usize = 64;

/// The rule a provider id is checked against.
#[derive(Debug, Clone, Copy)]
pub enum ProviderRule<'a> {
    /// Must be one of these providers.
    Catalog(&'a Catalog),
    /// Any plain identifier: 1–64 of `[A-Za-z0-9._-]`, starting with a
    /// letter or digit.
    Identifier,
}

impl<'a> From<&'a Catalog> for ProviderRule<'a> {
    fn from(catalog: &'a Catalog) -> Self {
        ProviderRule::Catalog(catalog)
    }
}

/// A provider id that passed its rule, with its catalog entry when known.
#[derive(Debug, Clone)]
pub struct CheckedProvider<'a> {
    /// The trimmed id (the catalog's spelling when it has one).
    pub id: String,
    /// The catalog entry, under [`ProviderRule::Catalog`].
    pub spec: Option<&'a ProviderSpec>,
}

impl<'a> ProviderRule<'a> {
    /// Checks `raw` (trimmed) against this rule.
    pub fn check(self, raw: &str) -> Result<CheckedProvider<'a>, ValidationError> {
        let id = raw.trim();
        if id.is_empty() {
            return Err(ValidationError::new("provider", "must not be empty"));
        }
        match self {
            ProviderRule::Catalog(catalog) => {
                let spec = catalog.get(id).ok_or_else(|| {
                    ValidationError::new(
                        "provider",
                        format!(
                            "unknown provider {}; must be one of: {}",
                            super::echo::quoted_or_withheld(id),
                            catalog.ids()
                        ),
                    )
                })?;
                Ok(CheckedProvider {
                    id: spec.id.clone(),
                    spec: Some(spec),
                })
            }
            ProviderRule::Identifier => {
                let plain = id.chars().count() <= PROVIDER_ID_MAX_LEN
                    && id.starts_with(|c: char| c.is_ascii_alphanumeric())
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
                if !plain {
                    return Err(ValidationError::new(
                        "provider",
                        format!(
                            "must be 1-{PROVIDER_ID_MAX_LEN} letters, digits, '.', '_' or '-', \
                             starting with a letter or digit"
                        ),
                    ));
                }
                Ok(CheckedProvider {
                    id: id.to_string(),
                    spec: None,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_rule_accepts_unknown_providers_but_not_junk() {
        let rule = ProviderRule::Identifier;
        assert_eq!(rule.check(" mistral ").unwrap().id, "mistral");
        assert!(rule.check("azure_openai.v2").unwrap().spec.is_none());
        for bad in ["", "  ", "-x", "a b", "a/b", &"p".repeat(65)] {
            let e = rule.check(bad).unwrap_err();
            assert_eq!(e.field, "provider", "{bad}");
        }
    }

    #[test]
    fn catalog_rule_names_the_choices() {
        let rule = ProviderRule::from(Catalog::builtin());
        assert!(rule.check("openai").unwrap().spec.is_some());
        let e = rule.check("mistral-x").unwrap_err();
        assert!(e.reason.contains("must be one of"), "{e}");
    }
}
