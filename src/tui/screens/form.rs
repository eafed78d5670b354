//! The create (`n`) and edit (`e`) form: provider from the catalog, model
//! with suggestions (catalog, or the provider's live list after `Ctrl-l`),
//! a masked API key with a reveal that re-masks when the field loses focus,
//! and the base URL. Validation runs as you type with the domain's own rules
//! (`validate_model`, `ApiKey::validated`, `validate_base_url`,
//! `NewConfig::validate`, `ConfigPatch::merge`), so the form can never
//! disagree with the service. Keys are turned into a typed [`FormOutcome`];
//! the app performs the effect.

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use crate::domain::{ApiKey, Catalog, ConfigView, NewConfig, ProviderSpec, Scope, ValidationError};
use crate::tui::action::Action;

mod outcome;
mod rules;
mod suggest;

pub use outcome::{FetchRequest, FormOutcome, SaveRequest};

use rules::current_fields;
pub use rules::{field_name, provider_after};

/// Most suggestions shown under the model field.
pub const MAX_SUGGESTIONS: usize = 6;

/// A form field, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Provider select.
    Provider,
    /// Model text.
    Model,
    /// API key (masked).
    ApiKey,
    /// Base-URL override.
    BaseUrl,
}

const FIELDS: [Field; 4] = [Field::Provider, Field::Model, Field::ApiKey, Field::BaseUrl];

impl Field {
    fn index(self) -> usize {
        FIELDS.iter().position(|f| *f == self).unwrap_or(0)
    }

    fn from_name(name: &str) -> Option<Field> {
        match name {
            "provider" => Some(Field::Provider),
            "model" => Some(Field::Model),
            "api_key" => Some(Field::ApiKey),
            "base_url" => Some(Field::BaseUrl),
            _ => None,
        }
    }
}

/// Create or edit.
#[derive(Debug, Clone)]
pub enum FormMode {
    /// A new configuration.
    Create,
    /// Changing a stored one.
    Edit {
        /// The stored config.
        current: ConfigView,
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
    /// Base-URL text.
    pub base_url: Input,
    /// Focused field.
    pub focus: Field,
    /// Whether the key is shown in clear (only while its field has focus).
    pub reveal: bool,
    touched: [bool; 4],
    tried_save: bool,
    /// Live models state.
    pub live: LiveModels,
    /// A save is in flight.
    pub saving: bool,
    /// Why the last save failed (service answer or blocked save).
    pub status: Option<String>,
    initial: (usize, String, String),
}

impl FormState {
    /// A create form for `scope`, starting on the first catalog provider.
    pub fn create(scope: Scope, catalog: &Catalog) -> FormState {
        let model = catalog
            .providers()
            .first()
            .and_then(|p| p.models.first())
            .cloned()
            .unwrap_or_default();
        FormState::build(scope, FormMode::Create, 0, model, String::new())
    }

    /// An edit form for the stored `current` config.
    pub fn edit(scope: Scope, current: ConfigView, catalog: &Catalog) -> FormState {
        let provider = catalog
            .providers()
            .iter()
            .position(|p| p.id == current.provider)
            .unwrap_or(0);
        let (model, base) = (
            current.model.clone(),
            current.base_url.clone().unwrap_or_default(),
        );
        FormState::build(scope, FormMode::Edit { current }, provider, model, base)
    }

    fn build(
        scope: Scope,
        mode: FormMode,
        provider: usize,
        model: String,
        base: String,
    ) -> FormState {
        FormState {
            scope,
            mode,
            provider,
            initial: (provider, model.clone(), base.clone()),
            model: Input::new(model),
            model_typed: None,
            api_key: Input::default(),
            base_url: Input::new(base),
            focus: Field::Provider,
            reveal: false,
            touched: [false; 4],
            tried_save: false,
            live: LiveModels::Idle,
            saving: false,
            status: None,
        }
    }

    /// The selected provider.
    pub fn spec<'c>(&self, catalog: &'c Catalog) -> &'c ProviderSpec {
        &catalog.providers()[self.provider.min(catalog.providers().len() - 1)]
    }

    /// Whether anything differs from how the form opened.
    pub fn is_dirty(&self) -> bool {
        self.provider != self.initial.0
            || self.model.value() != self.initial.1
            || self.base_url.value() != self.initial.2
            || !self.api_key.value().is_empty()
    }

    /// Whether this is an edit.
    pub fn is_edit(&self) -> bool {
        matches!(self.mode, FormMode::Edit { .. })
    }

    /// What the key field shows: bullets, or the key while revealed and focused.
    pub fn key_display(&self) -> String {
        if self.reveal && self.focus == Field::ApiKey {
            self.api_key.value().to_string()
        } else {
            "•".repeat(self.api_key.value().chars().count())
        }
    }

    /// Handles an action bound in the form context.
    pub fn on_action(&mut self, action: Action, catalog: &Catalog) -> FormOutcome {
        match action {
            Action::NextField => self.move_focus(1),
            Action::PrevField => self.move_focus(-1),
            Action::Save => return self.try_save(catalog),
            Action::Reveal if self.focus == Field::ApiKey => self.reveal = !self.reveal,
            Action::FetchModels => return self.fetch(catalog),
            Action::Back if self.is_dirty() => return FormOutcome::AskDiscard,
            Action::Back => return FormOutcome::Close,
            _ => {}
        }
        FormOutcome::Nothing
    }

    /// Handles a key that is not a form binding: Enter, field keys, typing.
    pub fn on_key(&mut self, key: &KeyEvent, catalog: &Catalog) -> FormOutcome {
        if self.saving {
            return FormOutcome::Nothing;
        }
        if key.code == KeyCode::Enter {
            if self.focus == Field::BaseUrl {
                return self.try_save(catalog);
            }
            self.move_focus(1);
            return FormOutcome::Nothing;
        }
        match self.focus {
            Field::Provider => self.provider_key(key, catalog),
            Field::Model if matches!(key.code, KeyCode::Up | KeyCode::Down) => {
                let list: Vec<String> = self
                    .suggestions(catalog)
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                if !list.is_empty() {
                    let pos = list.iter().position(|m| m == self.model.value());
                    let next = match (pos, key.code) {
                        (None, KeyCode::Up) => list.len() - 1,
                        (None, _) => 0,
                        (Some(p), KeyCode::Up) => (p + list.len() - 1) % list.len(),
                        (Some(p), _) => (p + 1) % list.len(),
                    };
                    self.model = Input::new(list[next].clone());
                    self.touched[Field::Model.index()] = true;
                }
            }
            field => {
                let input = match field {
                    Field::Model => &mut self.model,
                    Field::ApiKey => &mut self.api_key,
                    _ => &mut self.base_url,
                };
                if input
                    .handle_event(&Event::Key(*key))
                    .is_some_and(|c| c.value)
                {
                    self.touched[field.index()] = true;
                    self.status = None;
                    if field == Field::Model {
                        self.model_typed = Some(self.model.value().to_string());
                    }
                }
            }
        }
        FormOutcome::Nothing
    }

    fn provider_key(&mut self, key: &KeyEvent, catalog: &Catalog) {
        let Some(next) = provider_after(catalog, self.provider, key.code) else {
            return;
        };
        if next == self.provider {
            return;
        }
        let untouched_model = !self.touched[Field::Model.index()];
        self.provider = next;
        self.touched[Field::Provider.index()] = true;
        self.live = LiveModels::Idle;
        if untouched_model && !self.is_edit() {
            let first = self
                .spec(catalog)
                .models
                .first()
                .cloned()
                .unwrap_or_default();
            self.model = Input::new(first);
            self.model_typed = None;
        }
    }

    fn move_focus(&mut self, delta: isize) {
        let i = (self.focus.index() as isize + delta).rem_euclid(FIELDS.len() as isize) as usize;
        if self.focus != FIELDS[i] {
            // Leaving the key field always masks it again.
            self.reveal = false;
        }
        self.focus = FIELDS[i];
    }

    fn try_save(&mut self, catalog: &Catalog) -> FormOutcome {
        self.tried_save = true;
        if let Some((field, reason)) = self.problems(catalog).into_iter().next() {
            self.focus_field(field);
            self.status = Some(format!("Cannot save: {} {reason}", field_name(field)));
            return FormOutcome::Nothing;
        }
        let request = match &self.mode {
            FormMode::Create => {
                let base = self.base_url.value().trim();
                NewConfig {
                    provider: self.spec(catalog).id.clone(),
                    model: self.model.value().to_string(),
                    api_key: ApiKey::new(self.api_key.value()),
                    base_url: (!base.is_empty()).then(|| base.to_string()),
                }
                .validate(catalog)
                .map(|config| SaveRequest::Create {
                    scope: self.scope.clone(),
                    config,
                })
            }
            FormMode::Edit { current } => {
                let patch = self.patch();
                if patch.is_empty() {
                    return FormOutcome::Unchanged;
                }
                patch
                    .merge(&current_fields(current), catalog)
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
        let base = self.base_url.value().trim();
        let base_url = (!base.is_empty()).then(|| base.to_string());
        let request = if !key.is_empty() {
            FetchRequest::WithKey {
                provider: self.spec(catalog).id.clone(),
                api_key: ApiKey::new(key),
                base_url,
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
