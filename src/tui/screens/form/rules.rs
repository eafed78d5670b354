//! The form's validation, done with the domain's own rules so the form can
//! never disagree with the service: per-field problems shown as you type,
//! the "new destination needs a new key" rule (via `ConfigPatch::merge`),
//! and the patch an edit sends (only the fields that changed).

use crossterm::event::KeyCode;

use super::{Field, FormMode, FormState};
use crate::domain::config::CurrentFields;
use crate::domain::validation::{validate_base_url, validate_model};
use crate::domain::{ApiKey, BaseUrlRule, Catalog, ConfigPatch, ConfigView};

impl FormState {
    /// Validation problems per field, shown under each field once it was
    /// touched (or a save was tried). The first is the reason a save is blocked.
    pub fn problems(&self, catalog: &Catalog) -> Vec<(Field, String)> {
        let mut out = Vec::new();
        let shown = |f: Field| self.tried_save || self.touched[f.index()];
        let spec = self.spec(catalog);
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
                } else if let Err(e) = self.patch().merge(&current_fields(current), catalog)
                    && e.field == "api_key"
                {
                    // Said before saving: a changed destination needs a new key.
                    out.push((Field::ApiKey, e.reason));
                }
            }
        }
        let base = self.base_url.value().trim();
        if !base.is_empty() {
            if let Err(e) = validate_base_url(base)
                && shown(Field::BaseUrl)
            {
                out.push((Field::BaseUrl, e.reason));
            }
        } else if spec.base_url_rule == BaseUrlRule::Required && shown(Field::BaseUrl) {
            out.push((
                Field::BaseUrl,
                format!("is required for provider {}", spec.id),
            ));
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

    pub(super) fn patch(&self) -> ConfigPatch {
        let FormMode::Edit { current } = &self.mode else {
            return ConfigPatch::default();
        };
        let provider = self.initial_provider_id_changed(current);
        let model = self.model.value().trim();
        let base = self.base_url.value().trim();
        let key = self.api_key.value();
        ConfigPatch {
            provider,
            model: (model != current.model).then(|| model.to_string()),
            api_key: (!key.is_empty()).then(|| ApiKey::new(key)),
            base_url: (base != current.base_url.as_deref().unwrap_or(""))
                .then(|| (!base.is_empty()).then(|| base.to_string())),
        }
    }

    pub(super) fn initial_provider_id_changed(&self, current: &ConfigView) -> Option<String> {
        let id = &Catalog::builtin().providers()[self.provider].id;
        (id != &current.provider).then(|| id.clone())
    }
}

pub(super) fn current_fields(c: &ConfigView) -> CurrentFields {
    c.fields()
}

/// The wire name of a field, as validation messages use it.
pub fn field_name(f: Field) -> &'static str {
    match f {
        Field::Provider => "provider",
        Field::Model => "model",
        Field::ApiKey => "api_key",
        Field::BaseUrl => "base_url",
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
