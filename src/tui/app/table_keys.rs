//! Keys of the table screens: the audit history and the results view of a
//! job (scroll, page, filter by status or text, `Enter` jumps to the scope,
//! `Esc` cancels a running job and closes a finished one).

use crossterm::event::KeyEvent;

use super::{App, TaskKey};
use crate::tui::action::Action;
use crate::tui::screens::Screen;
use crate::tui::screens::results::ResultsView;
use crate::tui::screens::text_filter::FilterKey;
use crate::tui::state::Popup;
use crate::tui::widgets::toast::Level;

impl App {
    pub(super) fn table_action(&mut self, action: Action) {
        let page = self.page();
        match action {
            Action::Picker => self.open_picker(),
            Action::Quit => self.request_quit(),
            Action::Help => self.open_help(),
            Action::Messages => self.state.popup = Some(Popup::Messages { scroll: 0 }),
            Action::Back => self.table_back(),
            Action::Confirm => self.jump_to_result(),
            Action::StatusFilter => {
                if let Screen::Results(v) = &mut self.state.screen {
                    v.status = v.status.next();
                }
            }
            Action::Filter => {
                if let Screen::Results(v) = &mut self.state.screen {
                    v.text.open();
                }
            }
            Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown => {
                let delta = match action {
                    Action::Up => -1,
                    Action::Down => 1,
                    Action::PageUp => -page,
                    Action::PageDown => page,
                    Action::Top => isize::MIN,
                    _ => isize::MAX,
                };
                match &mut self.state.screen {
                    Screen::Audit(a) => a.scroll(delta),
                    Screen::Results(v) => match delta {
                        isize::MIN => v.top(),
                        isize::MAX => v.bottom(),
                        d => v.move_by(d),
                    },
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn table_back(&mut self) {
        if matches!(self.state.screen, Screen::Results(_))
            && self.state.job.as_ref().is_some_and(|j| j.running())
        {
            // Esc stops the run and keeps its results on screen.
            self.cancel_job();
            return;
        }
        if let Screen::Results(v) = &mut self.state.screen
            && v.text.is_set()
        {
            v.text.clear();
            return;
        }
        self.abort(&TaskKey::Audit);
        self.state.screen = Screen::Main;
    }

    fn jump_to_result(&mut self) {
        let Screen::Results(v) = &self.state.screen else {
            return;
        };
        let Some(scope) = v
            .selected_row()
            .and_then(|i| self.state.job.as_ref().map(|j| j.rows[i].scope.clone()))
        else {
            return;
        };
        if self.state.list.entry(&scope).is_none() {
            self.toast(Level::Info, format!("the {scope} is no longer listed"));
            return;
        }
        self.state.screen = Screen::Main;
        self.switch_scope(scope);
    }

    pub(super) fn results_filter_key(&mut self, key: KeyEvent) {
        let Screen::Results(v) = &mut self.state.screen else {
            return;
        };
        if let FilterKey::Move(d) = v.text.key(key) {
            v.move_by(d);
        }
    }

    /// `v`: the last job's results, without starting a new run.
    pub(super) fn reopen_results(&mut self) {
        if self.state.job.is_some() {
            self.state.screen = Screen::Results(ResultsView::default());
        } else {
            self.toast(Level::Info, "no results yet: T tests every scope");
        }
    }
}
