//! The config-field flags of `create` and `update`, written once here: a
//! new config field adds its flag to [`FieldArgs`] and [`ChangeArgs`] and
//! nothing else in the CLI.

use clap::Args;

use crate::domain::{ApiKey, ConfigFields, ConfigPatch};

/// The fields of a new config.
#[derive(Debug, Args)]
pub struct FieldArgs {
    /// Provider id (see `llmcfg providers`).
    #[arg(long)]
    pub provider: String,
    /// Model name.
    #[arg(long)]
    pub model: String,
    /// Base-URL override (required for azure-openai and openai-compatible).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}

impl FieldArgs {
    /// The config fields given.
    pub fn fields(self) -> ConfigFields {
        ConfigFields {
            provider: self.provider,
            model: self.model,
            base_url: self.base_url,
        }
    }
}

/// The fields an update may change; each left out stays as it is.
#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// New provider (needs a new key).
    #[arg(long)]
    pub provider: Option<String>,
    /// New model.
    #[arg(long)]
    pub model: Option<String>,
    /// New base-URL override (needs a new key).
    #[arg(long, value_name = "URL", conflicts_with = "clear_base_url")]
    pub base_url: Option<String>,
    /// Remove the base-URL override (needs a new key).
    #[arg(long)]
    pub clear_base_url: bool,
}

impl ChangeArgs {
    /// The flags that change a field, for the "nothing to update" message.
    pub const FLAGS: &str = "--provider, --model, --base-url, --clear-base-url";

    /// The patch of these changes and `api_key`.
    pub fn patch(self, api_key: Option<ApiKey>) -> ConfigPatch {
        ConfigPatch {
            provider: self.provider,
            model: self.model,
            base_url: cleared(self.base_url, self.clear_base_url),
            api_key,
        }
    }
}

/// An optional field's change: set to the value given, cleared by its
/// `--clear-…` flag, or kept.
fn cleared(value: Option<String>, clear: bool) -> Option<Option<String>> {
    match (value, clear) {
        (Some(v), _) => Some(Some(v)),
        (None, true) => Some(None),
        (None, false) => None,
    }
}
