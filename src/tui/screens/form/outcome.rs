//! What the form asks the app to do: typed requests (save, fetch the live
//! model list) and outcomes, so the form stays free of I/O.

use crate::domain::{ApiKey, ConfigFields, ConfigPatch, NewConfig, Scope};

/// A save the app should perform.
#[derive(Debug, Clone)]
pub enum SaveRequest {
    /// Create the config of `scope`.
    Create {
        /// Scope.
        scope: Scope,
        /// Validated config.
        config: NewConfig,
    },
    /// Patch the config of `scope`.
    Update {
        /// Scope.
        scope: Scope,
        /// The changed fields only.
        patch: ConfigPatch,
    },
}

/// A model-list fetch the app should start.
#[derive(Debug, Clone)]
pub enum FetchRequest {
    /// With the key typed into the form.
    WithKey {
        /// The fields as typed (provider, base URL, the provider's settings).
        fields: ConfigFields,
        /// Typed key.
        api_key: ApiKey,
    },
    /// With the stored key (edit, destination unchanged, key left empty).
    Stored {
        /// Scope.
        scope: Scope,
    },
}

/// What a key did to the form.
#[derive(Debug, Clone)]
pub enum FormOutcome {
    /// Handled inside the form.
    Nothing,
    /// Save this.
    Save(SaveRequest),
    /// Close without saving (form unchanged).
    Close,
    /// Ask before discarding changes.
    AskDiscard,
    /// Fetch the live model list.
    FetchModels(FetchRequest),
    /// Edit without any change.
    Unchanged,
}
