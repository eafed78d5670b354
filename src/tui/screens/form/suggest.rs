//! Model suggestions under the model field: the catalog's models, or the
//! provider's live list after `Ctrl-l`, filtered by what the user typed
//! (not by a model picked with ↑/↓, so picking never collapses the list).

use super::{Field, FormState, LiveModels, MAX_SUGGESTIONS};
use crate::domain::Catalog;

impl FormState {
    /// Model suggestions matching the typed text (live list when loaded).
    pub fn suggestions<'a>(&'a self, catalog: &'a Catalog) -> Vec<&'a str> {
        let source: Vec<&str> = match &self.live {
            LiveModels::Loaded(models) => models.iter().map(String::as_str).collect(),
            _ => self
                .spec(catalog)
                .models
                .iter()
                .map(String::as_str)
                .collect(),
        };
        let typed = self
            .model_typed
            .as_deref()
            .unwrap_or("")
            .trim()
            .to_lowercase();
        let mut out: Vec<&str> = source
            .iter()
            .copied()
            .filter(|m| {
                typed.is_empty() || m.to_lowercase().contains(&typed) || self.focus != Field::Model
            })
            .collect();
        if out.is_empty() {
            out = source;
        }
        out.truncate(MAX_SUGGESTIONS);
        out
    }
}
