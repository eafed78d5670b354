//! The form's validation, done with the domain's own rules so the form can
//! never disagree with the service: per-field problems shown as you type,
//! the "new destination needs a new key" rule (via `ConfigPatch::merge`),
//! and the patch an edit sends (only the fields that changed), each over
//! the field list rather than field by field.

use crossterm::event::KeyCode;

use super::{Field, FormMode, FormState};
use crate::domain::provider_rule::CheckedProvider;
use crate::domain::validation::validate_model;
use crate::domain::{ApiKey, Catalog, ConfigPatch};

impl FormState {
    /// Validation problems per field, shown under each field once it was
    /// touched (or a save was tried). The first is the reason a save is blocked.
    pub fn problems(&self, catalog: &Catalog) -> Vec<(Field, String)> {
        let mut out = Vec::new();
        let shown = |f: Field| self.tried_save || self.is_touched(f);
        if let Err(e) = validate_model(self.model.value())
            && shown(Field::Model)
        {
            out.push((Field::Model, e.reason));
        }
        let key = self.api_key.value();
        match &self.mode {
            FormMode::Create => {
                if let Err(e) = ApiKey::new(key).validated()
                    && shown(Field::ApiKey)
                {
                    out.push((Field::ApiKey, e.reason));
                }
            }
            FormMode::Edit { current } => {
                if !key.is_empty() {
                    if let Err(e) = ApiKey::new(key).validated() {
                        out.push((Field::ApiKey, e.reason));
                    }
                } else if let Err(e) = self.patch(catalog).merge(&current.fields(), catalog)
                    && e.field == "api_key"
                {
                    // Said before saving: a changed destination needs a new key.
                    out.push((Field::ApiKey, e.reason));
                }
            }
        }
        let spec = self.spec(catalog);
        let provider = CheckedProvider {
            id: spec.id.clone(),
            spec: Some(spec),
        };
        for s in self.shown_settings(catalog) {
            let field = Field::Setting(s.spec.name);
            if let Err(e) = s.spec.check(Some(s.input.value()), &provider)
                && shown(field)
            {
                out.push((field, e.reason));
            }
        }
        out
    }

    /// A non-blocking hint for the key field (unknown prefix).
    pub fn key_hint(&self, catalog: &Catalog) -> Option<String> {
        let key = self.api_key.value().trim();
        if key.is_empty() {
            None
        } else {
            self.spec(catalog).key_hint(key)
        }
    }

    /// What an edit sends: each field whose typed value differs from the
    /// stored one (a cleared optional field as a clear), and the key if one
    /// was typed.
    pub(super) fn patch(&self, catalog: &Catalog) -> ConfigPatch {
        let FormMode::Edit { current } = &self.mode else {
            return ConfigPatch::default();
        };
        let stored = current.fields();
        let typed = self.typed_fields(catalog);
        let mut patch = ConfigPatch::default();
        for name in stored.differing(&typed) {
            patch.set_sent(name, Some(typed.text(name).map(str::to_string)));
        }
        let key = self.api_key.value();
        patch.api_key = (!key.is_empty()).then(|| ApiKey::new(key));
        patch
    }
}

/// The wire name of a field, as validation messages use it.
pub fn field_name(f: Field) -> &'static str {
    match f {
        Field::Provider => "provider",
        Field::Model => "model",
        Field::ApiKey => "api_key",
        Field::Setting(name) => name,
    }
}

/// The provider select after `code`, from catalog index `current`: ←/↑
/// the previous, →/↓/Space the next, a letter the next provider whose id
/// starts with it; `None` for any other key. The form and the bulk `P`
/// dialog share it, so their provider fields answer the same keys.
pub fn provider_after(catalog: &Catalog, current: usize, code: KeyCode) -> Option<usize> {
    let n = catalog.providers().len();
    match code {
        KeyCode::Left | KeyCode::Up => Some((current + n - 1) % n),
        KeyCode::Right | KeyCode::Down | KeyCode::Char(' ') => Some((current + 1) % n),
        KeyCode::Char(c) => {
            let c = c.to_ascii_lowercase();
            Some(
                (1..=n)
                    .map(|d| (current + d) % n)
                    .find(|&i| catalog.providers()[i].id.starts_with(c))
                    .unwrap_or(current),
            )
        }
        _ => None,
    }
}
