//! How the form answers its keys: the bound actions (move, save, reveal,
//! live list, back), Enter, the provider's ←/→ and letters, the model's
//! ↑/↓ through the suggestions, and typing into the focused text input.

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{Field, FormOutcome, FormState, LiveModels, provider_after};
use crate::domain::Catalog;
use crate::tui::action::Action;

impl FormState {
    /// Handles an action bound in the form context.
    pub fn on_action(&mut self, action: Action, catalog: &Catalog) -> FormOutcome {
        match action {
            Action::NextField => self.move_focus(1, catalog),
            Action::PrevField => self.move_focus(-1, catalog),
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
            if self.order(catalog).last() == Some(&self.focus) {
                return self.try_save(catalog);
            }
            self.move_focus(1, catalog);
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
                    self.touch(Field::Model);
                }
            }
            field => {
                let input = match field {
                    Field::Model => &mut self.model,
                    Field::ApiKey => &mut self.api_key,
                    Field::Setting(name) => match self.setting_mut(name) {
                        Some(s) => &mut s.input,
                        None => return FormOutcome::Nothing,
                    },
                    Field::Provider => return FormOutcome::Nothing,
                };
                if input
                    .handle_event(&Event::Key(*key))
                    .is_some_and(|c| c.value)
                {
                    self.touch(field);
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
        let untouched_model = !self.is_touched(Field::Model);
        self.provider = next;
        self.touch(Field::Provider);
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

    fn move_focus(&mut self, delta: isize, catalog: &Catalog) {
        let order = self.order(catalog);
        let at = order.iter().position(|f| *f == self.focus).unwrap_or(0);
        let i = (at as isize + delta).rem_euclid(order.len() as isize) as usize;
        if self.focus != order[i] {
            // Leaving the key field always masks it again.
            self.reveal = false;
        }
        self.focus = order[i];
    }
}
