//! The create (`n`) and edit (`e`) form: provider from the catalog, model
//! with suggestions (catalog, or the provider's live list after `Ctrl-l`),
//! a masked API key with a reveal that re-masks when the field loses focus,
//! then one row per other config field the selected provider uses (base URL
//! and the provider's own settings), taken from the field list: a new config
//! field gets its row, its check and its place in the patch with no edit
//! here. Validation runs as you type with the domain's own rules
//! (`FieldSpec::check`, `ApiKey::validated`, `NewConfig::validate`,
//! `ConfigPatch::merge`), so the form can never disagree with the service.
//! Keys are turned into a typed [`FormOutcome`]; the app performs the effect.

use tui_input::Input;

use crate::domain::{
    ApiKey, Catalog, ConfigFields, ConfigView, FIELDS, FieldRule, FieldSpec, NewConfig,
    ProviderSpec, Scope, ValidationError,
};

mod keys;
mod outcome;
mod rules;
mod suggest;

pub use outcome::{FetchRequest, FormOutcome, SaveRequest};

pub use rules::{field_name, provider_after};

/// Most suggestions shown under the model field.
pub const MAX_SUGGESTIONS: usize = 6;

/// A form field. Provider, model and key have widgets of their own; every
/// other config field is a text row of its own ([`Setting`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// Provider select.
    Provider,
    /// Model text.
    Model,
    /// API key (masked).
    ApiKey,
    /// Another config field, by name (base URL, a provider's settings).
    Setting(&'static str),
}

impl Field {
    fn from_name(name: &str) -> Option<Field> {
        match name {
            "api_key" => Some(Field::ApiKey),
            _ => FieldSpec::named(name).map(|f| match f.rule {
                FieldRule::Provider => Field::Provider,
                FieldRule::Model => Field::Model,
                _ => Field::Setting(f.name),
            }),
        }
    }
}

/// One text row of a config field other than provider and model.
#[derive(Debug)]
pub struct Setting {
    /// The field.
    pub spec: &'static FieldSpec,
    /// Its text.
    pub input: Input,
}

/// Create or edit.
#[derive(Debug, Clone)]
pub enum FormMode {
    /// A new configuration.
    Create,
    /// Changing a stored one.
    Edit {
        /// The stored config (boxed: a view is large beside `Create`).
        current: Box<ConfigView>,
    },
}

/// The live model list of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveModels {
    /// Not asked for.
    Idle,
    /// A fetch is running.
    Loading {
        /// Its tag.
        generation: u64,
    },
    /// The provider's list.
    Loaded(Vec<String>),
    /// Why fetching failed.
    Failed(String),
}

/// The form's state.
#[derive(Debug)]
pub struct FormState {
    /// Scope being configured.
    pub scope: Scope,
    /// Create or edit.
    pub mode: FormMode,
    /// Index of the provider in the catalog.
    pub provider: usize,
    /// Model text.
    pub model: Input,
    /// What the user typed into the model field, which filters the
    /// suggestions; picking one with ↑/↓ changes the model but not this, so
    /// the list does not collapse to the picked entry.
    model_typed: Option<String>,
    /// Key text (never rendered unless revealed).
    pub api_key: Input,
    /// The other config fields' rows, in the field list's order (those the
    /// selected provider does not use are kept but neither shown nor sent).
    pub settings: Vec<Setting>,
    /// Focused field.
    pub focus: Field,
    /// Whether the key is shown in clear (only while its field has focus).
    pub reveal: bool,
    touched: Vec<Field>,
    tried_save: bool,
    /// Live models state.
    pub live: LiveModels,
    /// A save is in flight.
    pub saving: bool,
    /// Why the last save failed (service answer or blocked save).
    pub status: Option<String>,
    /// The fields as the form opened, to tell whether anything changed.
    initial: ConfigFields,
}

impl FormState {
    /// A create form for `scope`, starting on the first catalog provider.
    pub fn create(scope: Scope, catalog: &Catalog) -> FormState {
        let first = catalog.providers().first();
        let model = first
            .and_then(|p| p.models.first())
            .cloned()
            .unwrap_or_default();
        let provider = first.map(|p| p.id.as_str()).unwrap_or_default();
        let fields = ConfigFields::new(provider, &model);
        FormState::build(scope, FormMode::Create, 0, fields)
    }

    /// An edit form for the stored `current` config.
    pub fn edit(scope: Scope, current: ConfigView, catalog: &Catalog) -> FormState {
        let provider = catalog
            .providers()
            .iter()
            .position(|p| p.id == current.provider)
            .unwrap_or(0);
        let fields = current.fields();
        FormState::build(
            scope,
            FormMode::Edit {
                current: Box::new(current),
            },
            provider,
            fields,
        )
    }

    fn build(scope: Scope, mode: FormMode, provider: usize, fields: ConfigFields) -> FormState {
        let settings = FIELDS
            .iter()
            .filter(|f| !matches!(f.rule, FieldRule::Provider | FieldRule::Model))
            .map(|spec| Setting {
                spec,
                input: Input::new(fields.text(spec.name).unwrap_or_default().to_string()),
            })
            .collect();
        FormState {
            scope,
            mode,
            provider,
            model: Input::new(fields.model.clone()),
            model_typed: None,
            api_key: Input::default(),
            settings,
            focus: Field::Provider,
            reveal: false,
            touched: Vec::new(),
            tried_save: false,
            live: LiveModels::Idle,
            saving: false,
            status: None,
            initial: fields,
        }
    }

    /// The selected provider.
    pub fn spec<'c>(&self, catalog: &'c Catalog) -> &'c ProviderSpec {
        &catalog.providers()[self.provider.min(catalog.providers().len() - 1)]
    }

    /// The rows of the other config fields the selected provider uses.
    pub fn shown_settings<'a>(&'a self, catalog: &Catalog) -> Vec<&'a Setting> {
        let provider = &self.spec(catalog).id;
        self.settings
            .iter()
            .filter(|s| s.spec.applies_to(provider))
            .collect()
    }

    /// The fields in tab order: provider, model, key, then the rows the
    /// selected provider uses.
    pub fn order(&self, catalog: &Catalog) -> Vec<Field> {
        let mut order = vec![Field::Provider, Field::Model, Field::ApiKey];
        order.extend(
            self.shown_settings(catalog)
                .iter()
                .map(|s| Field::Setting(s.spec.name)),
        );
        order
    }

    /// The config fields as typed: trimmed, a blank optional field unset,
    /// and a field the selected provider does not use left out.
    pub fn typed_fields(&self, catalog: &Catalog) -> ConfigFields {
        let spec = self.spec(catalog);
        let mut fields = ConfigFields::new(&spec.id, self.model.value());
        for s in &self.settings {
            let text = s.input.value().trim();
            let used = s.spec.applies_to(&spec.id) && !text.is_empty();
            fields.set_text(s.spec.name, used.then(|| text.to_string()));
        }
        fields
    }

    /// Whether anything differs from how the form opened (the model as
    /// typed: trailing spaces are a change the user made).
    pub fn is_dirty(&self) -> bool {
        let typed = self.typed_fields(Catalog::builtin());
        !typed.differing(&self.initial).is_empty()
            || self.model.value() != self.initial.model
            || !self.api_key.value().is_empty()
    }

    /// Whether this is an edit.
    pub fn is_edit(&self) -> bool {
        matches!(self.mode, FormMode::Edit { .. })
    }

    fn setting_mut(&mut self, name: &str) -> Option<&mut Setting> {
        self.settings.iter_mut().find(|s| s.spec.name == name)
    }

    fn touch(&mut self, field: Field) {
        if !self.touched.contains(&field) {
            self.touched.push(field);
        }
    }

    fn is_touched(&self, field: Field) -> bool {
        self.touched.contains(&field)
    }

    /// What the key field shows: bullets, or the key while revealed and focused.
    pub fn key_display(&self) -> String {
        if self.reveal && self.focus == Field::ApiKey {
            self.api_key.value().to_string()
        } else {
            "•".repeat(self.api_key.value().chars().count())
        }
    }

    fn try_save(&mut self, catalog: &Catalog) -> FormOutcome {
        self.tried_save = true;
        if let Some((field, reason)) = self.problems(catalog).into_iter().next() {
            self.focus_field(field);
            self.status = Some(format!("Cannot save: {} {reason}", field_name(field)));
            return FormOutcome::Nothing;
        }
        let request = match &self.mode {
            FormMode::Create => NewConfig::from_fields(
                self.typed_fields(catalog),
                ApiKey::new(self.api_key.value()),
            )
            .validate(catalog)
            .map(|config| SaveRequest::Create {
                scope: self.scope.clone(),
                config,
            }),
            FormMode::Edit { current } => {
                let patch = self.patch(catalog);
                if patch.is_empty() {
                    return FormOutcome::Unchanged;
                }
                patch
                    .merge(&current.fields(), catalog)
                    .map(|_| SaveRequest::Update {
                        scope: self.scope.clone(),
                        patch,
                    })
            }
        };
        match request {
            Ok(req) => {
                self.saving = true;
                self.status = Some("Saving…".into());
                FormOutcome::Save(req)
            }
            Err(e) => {
                self.refuse(&e);
                FormOutcome::Nothing
            }
        }
    }

    /// Shows a validation error from the service under its field.
    pub fn refuse(&mut self, e: &ValidationError) {
        if let Some(f) = Field::from_name(e.field) {
            self.focus_field(f);
        }
        self.saving = false;
        self.status = Some(format!("Cannot save: {e}"));
    }

    fn focus_field(&mut self, field: Field) {
        if self.focus != field {
            self.reveal = false;
        }
        self.focus = field;
    }

    fn fetch(&mut self, catalog: &Catalog) -> FormOutcome {
        let key = self.api_key.value().trim();
        let request = if !key.is_empty() {
            FetchRequest::WithKey {
                fields: self.typed_fields(catalog),
                api_key: ApiKey::new(key),
            }
        } else if self.is_edit()
            && self
                .problems(catalog)
                .iter()
                .all(|(f, _)| *f != Field::ApiKey)
        {
            FetchRequest::Stored {
                scope: self.scope.clone(),
            }
        } else {
            self.live = LiveModels::Failed("enter an API key first".into());
            return FormOutcome::Nothing;
        };
        FormOutcome::FetchModels(request)
    }
}

#[cfg(test)]
mod tests;
