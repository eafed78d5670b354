//! The provider catalog: data from `assets/providers.toml`, embedded at build
//! time. Code branches on the auth style and probe fields, never on a
//! provider's name, so adding a provider is a catalog entry.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

const BUILTIN: &str = include_str!("../../assets/providers.toml");

/// How a provider expects the API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthStyle {
    /// `x-api-key` plus `anthropic-version: 2023-06-01`.
    Anthropic,
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// `x-goog-api-key` (never `?key=`, which leaks into logs).
    Google,
    /// Azure's `api-key` header.
    Azure,
    /// No key is sent (Ollama).
    None,
}

/// Whether a provider takes a base-URL override.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaseUrlRule {
    /// The default base URL is used unless an override is set.
    Allowed,
    /// There is no default; every config must carry one.
    Required,
}

/// Shape of a model-list response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ListShape {
    /// `{"data": [{"id": …}]}` (OpenAI and most others).
    #[default]
    Data,
    /// `{"models": [{"name": …}]}` (Gemini, Cohere, Ollama).
    Models,
    /// `[{"id": …}]` (Together).
    BareArray,
}

/// How a model list paginates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Pagination {
    /// One page holds everything.
    #[default]
    None,
    /// `has_more` + `last_id`, next page via `after_id`.
    Anthropic,
    /// `nextPageToken`, next page via `pageToken`.
    Google,
    /// `next_page_token`, next page via `page_token`.
    Cohere,
}

/// The answer shape of a provider's free key endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyFactsShape {
    /// xAI's `GET /v1/api-key`: `api_key_blocked`, `api_key_disabled`,
    /// `team_blocked`, `acls`.
    XaiKey,
    /// DeepSeek's `GET /user/balance`: `is_available`, `balance_infos`.
    DeepseekBalance,
}

/// A free key endpoint read at most once a day for its facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFactsSpec {
    /// Its path, like the probe's other paths.
    pub path: String,
    /// Its answer's shape.
    pub shape: KeyFactsShape,
}

/// How the connection test proves a key and a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ProbeSpec {
    /// Get-one-model path with `{model}`, where the provider has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub get_model: Option<String>,
    /// Model-list path.
    pub list: String,
    /// Shape of the list response.
    #[serde(default)]
    pub list_shape: ListShape,
    /// Pagination of the list.
    #[serde(default)]
    pub pagination: Pagination,
    /// Prefix stripped from listed ids before comparing (`models/` for Gemini).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_prefix: Option<String>,
    /// Key-validation endpoint for providers whose model list is public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_check: Option<String>,
    /// Query string added to every probe request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// A 400 means the key is invalid (xAI).
    #[serde(default)]
    pub bad_key_400: bool,
    /// The model is a deployment name that the list cannot prove (Azure).
    #[serde(default)]
    pub deployment: bool,
    /// The base URL is an SDK's (version segment included, paths follow it);
    /// a base URL with no path gets this segment (`/v1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk_base: Option<String>,
    /// Get-one-model resolves an alias to a dated id (Anthropic).
    #[serde(default)]
    pub resolves_aliases: bool,
    /// A free key endpoint whose facts (blocked key, ACL, balance) are read
    /// at most once a day per key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_facts: Option<KeyFactsSpec>,
}

/// One provider of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    /// Stable id, stored with each config.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Default base URL; empty when the provider has none.
    #[serde(default)]
    pub base_url: String,
    /// Whether a base-URL override is allowed or required.
    pub base_url_rule: BaseUrlRule,
    /// How the key is sent.
    pub auth: AuthStyle,
    /// Known key prefixes, for masking and hints only.
    #[serde(default)]
    pub key_prefixes: Vec<String>,
    /// Suggested models.
    #[serde(default)]
    pub models: Vec<String>,
    /// Probe endpoints and quirks.
    pub probe: ProbeSpec,
}

impl ProviderSpec {
    /// The base URL a config of this provider talks to.
    pub fn effective_base_url<'a>(&'a self, override_url: Option<&'a str>) -> Option<&'a str> {
        match override_url {
            Some(url) => Some(url),
            None if self.base_url.is_empty() => None,
            None => Some(&self.base_url),
        }
    }

    /// A hint when `key` does not start with a known prefix (never a rejection).
    pub fn key_hint(&self, key: &str) -> Option<String> {
        if self.key_prefixes.is_empty() || self.key_prefixes.iter().any(|p| key.starts_with(p)) {
            None
        } else {
            Some(format!(
                "{} keys usually start with {}",
                self.name,
                self.key_prefixes.join(" or ")
            ))
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    provider: Vec<ProviderSpec>,
}

/// The provider catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    providers: Vec<ProviderSpec>,
}

impl Catalog {
    /// The catalog embedded from `assets/providers.toml`.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::parse(BUILTIN).expect("assets/providers.toml is checked by a unit test")
        })
    }

    /// Parses a catalog document.
    pub fn parse(text: &str) -> Result<Catalog, toml::de::Error> {
        let file: CatalogFile = toml::from_str(text)?;
        Ok(Catalog {
            providers: file.provider,
        })
    }

    /// A catalog of these providers (a remote server's published list).
    pub fn from_providers(providers: Vec<ProviderSpec>) -> Catalog {
        Catalog { providers }
    }

    /// Every provider, in catalog order.
    pub fn providers(&self) -> &[ProviderSpec] {
        &self.providers
    }

    /// The provider with this id.
    pub fn get(&self, id: &str) -> Option<&ProviderSpec> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// Comma-separated ids, for "must be one of" messages.
    pub fn ids(&self) -> String {
        self.providers
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_parses_and_covers_the_issue_list() {
        let c = Catalog::builtin();
        for id in [
            "anthropic",
            "openai",
            "azure-openai",
            "gemini",
            "mistral",
            "groq",
            "cohere",
            "deepseek",
            "xai",
            "openrouter",
            "together",
            "fireworks",
            "ollama",
            "openai-compatible",
        ] {
            let p = c.get(id).unwrap_or_else(|| panic!("{id} missing"));
            match p.base_url_rule {
                BaseUrlRule::Required => assert!(p.base_url.is_empty(), "{id}"),
                BaseUrlRule::Allowed => {
                    assert!(super::super::validation::validate_base_url(&p.base_url).is_ok())
                }
            }
        }
        assert_eq!(c.get("gemini").unwrap().auth, AuthStyle::Google);
        assert_eq!(c.get("ollama").unwrap().auth, AuthStyle::None);
        assert_eq!(
            c.get("together").unwrap().probe.list_shape,
            ListShape::BareArray
        );
        assert!(c.get("openrouter").unwrap().probe.key_check.is_some());
    }

    #[test]
    fn key_hint_never_rejects() {
        let c = Catalog::builtin();
        let gem = c.get("gemini").unwrap();
        assert!(gem.key_hint("AIzaXYZ").is_none());
        assert!(gem.key_hint("AQ.XYZ").is_none());
        assert!(gem.key_hint("other").unwrap().contains("AIza"));
        assert!(c.get("mistral").unwrap().key_hint("anything").is_none());
    }
}
