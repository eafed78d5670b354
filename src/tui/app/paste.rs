//! Pasted text (bracketed paste): it lands in the focused text field and
//! nowhere else. Without bracketed paste a terminal types the clipboard as
//! keys, so pasting `xdy` into the list ran three commands; with it, the
//! paste arrives as one event that can never be a command. A trailing
//! newline (copied with the line) is dropped, so a paste never submits a
//! dialog or moves to the next field; text of several lines is refused,
//! since every field takes one line.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::App;
use crate::tui::screens::Screen;
use crate::tui::screens::form::{Field, field_name};
use crate::tui::state::Popup;
use crate::tui::widgets::toast::Level;

/// What a paste does, decided from its text alone.
#[derive(Debug, PartialEq, Eq)]
enum Pasted<'a> {
    /// One line to type into the field (its trailing newline removed).
    Line(&'a str),
    /// More than one line, or other control characters: refused.
    NotOneLine,
}

fn pasted(text: &str) -> Pasted<'_> {
    let line = text.trim_end_matches(['\r', '\n']);
    if line.chars().any(char::is_control) {
        Pasted::NotOneLine
    } else {
        Pasted::Line(line)
    }
}

impl App {
    /// Handles a bracketed paste. The text is never logged or shown: it may
    /// be an API key.
    pub(super) fn on_paste(&mut self, text: &str) {
        let Some(field) = self.text_focus() else {
            self.toast(
                Level::Info,
                "paste ignored: no text field has focus (pasted text never runs commands)",
            );
            return;
        };
        match pasted(text) {
            Pasted::NotOneLine => self.toast(
                Level::Error,
                format!("paste ignored: {field} takes one line of text"),
            ),
            // Typed into the field one character at a time, so the field's
            // own rules apply (validation, the filter's re-ranking). Plain
            // characters in a text field are never commands: the key map
            // refuses plain-letter bindings in text contexts.
            Pasted::Line(line) => {
                for c in line.chars() {
                    self.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
                }
            }
        }
    }

    /// The name of the text field that has focus, if one has.
    fn text_focus(&self) -> Option<&'static str> {
        if self.too_small() {
            return None;
        }
        match &self.state.popup {
            Some(Popup::Picker(_)) => Some("the picker's search"),
            Some(Popup::AddInstance(_)) => Some("instance_id"),
            Some(Popup::RotateKey(_)) => Some("api_key"),
            Some(Popup::BulkEdit(b)) => b.text_field(),
            Some(Popup::TypeName(_)) => Some("the context name"),
            Some(_) => None,
            None => match &self.state.screen {
                Screen::Main if self.state.list.filter_typing => Some("the filter"),
                Screen::Results(v) if v.text.typing() => Some("the filter"),
                Screen::KeyMap(k) if k.filter.typing() => Some("the filter"),
                Screen::Form(f) if f.focus != Field::Provider && !f.saving => {
                    Some(field_name(f.focus))
                }
                _ => None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_newline_is_dropped_and_inner_lines_refused() {
        assert_eq!(pasted("sk-abc\n"), Pasted::Line("sk-abc"));
        assert_eq!(pasted("sk-abc\r\n"), Pasted::Line("sk-abc"));
        assert_eq!(pasted("xdy"), Pasted::Line("xdy"));
        assert_eq!(pasted("a\nb"), Pasted::NotOneLine);
        assert_eq!(pasted("a\tb"), Pasted::NotOneLine);
    }
}
