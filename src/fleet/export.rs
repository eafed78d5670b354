//! `export`: the service's state as a fleet file. Each scope gets its
//! provider, model, base URL, `keep_key = true` (the file can never hold the
//! key) and, for the reader and for `drift`, the stored key's mask and
//! fingerprint. Planning an exported file against the state it came from
//! shows no changes.

use std::collections::BTreeMap;

use serde::Serialize;

use super::current::{Current, State};
use crate::domain::{ConfigFields, Scope};

/// Header of an exported TOML file.
const HEADER: &str = "# Exported by `llmcfg export`. Keys are never exported: every scope keeps\n\
# its stored key (keep_key = true); key_fingerprint and key_mask record which\n\
# key that is. Replace keep_key with api_key_env / api_key_file /\n\
# api_key_command to set a key, and move shared values to [defaults] or\n\
# [templates.NAME].\n\n";

/// One exported scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportScope {
    /// The config fields (an unset optional one is left out).
    #[serde(flatten)]
    pub fields: ConfigFields,
    /// Always true: an exported file leaves keys as they are.
    pub keep_key: bool,
    /// Fingerprint of the stored key, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_fingerprint: Option<String>,
    /// Mask of the stored key.
    pub key_mask: String,
}

/// An exported fleet file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportDoc {
    /// The control plane, if configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control_plane: Option<ExportScope>,
    /// Every configured instance, by id.
    pub instances: BTreeMap<String, ExportScope>,
}

/// Builds the document from `state`.
pub fn build(state: &State) -> ExportDoc {
    let mut doc = ExportDoc::default();
    for (scope, current) in &state.scopes {
        let entry = scope_of(current);
        match scope {
            Scope::Global => doc.control_plane = Some(entry),
            Scope::Instance(id) => {
                doc.instances.insert(id.as_str().to_string(), entry);
            }
        }
    }
    doc
}

fn scope_of(current: &Current) -> ExportScope {
    ExportScope {
        fields: current.view.fields(),
        keep_key: true,
        key_fingerprint: current.key_fingerprint.clone(),
        key_mask: current.view.api_key_masked.clone(),
    }
}

/// The document as a commented TOML fleet file.
pub fn to_toml(doc: &ExportDoc) -> Result<String, toml::ser::Error> {
    Ok(format!("{HEADER}{}", toml::to_string(doc)?))
}
