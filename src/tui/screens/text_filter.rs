//! The `/` text filter a browsable table shares (the results view of a job
//! and the key map's scopes): opened by `/`, typed into while it has the
//! keys (`Enter` keeps it and gives the keys back, `Esc` drops it, `↑`/`↓`
//! still move the selection), shown in the table's title, and matched
//! case-insensitively as a substring.

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

/// A table's text filter.
#[derive(Debug, Default)]
pub struct TextFilter {
    /// The filter's text, while one is set.
    text: Option<Input>,
    /// Keys go to the text.
    typing: bool,
}

/// What a key typed into the filter asks of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKey {
    /// The key went to the filter (or closed it).
    Taken,
    /// Move the selection by this many rows.
    Move(isize),
}

impl TextFilter {
    /// `/`: starts typing, keeping the text set so far.
    pub fn open(&mut self) {
        self.text.get_or_insert_with(Input::default);
        self.typing = true;
    }

    /// Whether keys go to the filter.
    pub fn typing(&self) -> bool {
        self.typing
    }

    /// Whether a filter is set.
    pub fn is_set(&self) -> bool {
        self.text.is_some()
    }

    /// Drops the filter.
    pub fn clear(&mut self) {
        self.text = None;
        self.typing = false;
    }

    /// A key while typing.
    pub fn key(&mut self, key: KeyEvent) -> FilterKey {
        match key.code {
            KeyCode::Esc => self.clear(),
            KeyCode::Enter => self.typing = false,
            KeyCode::Up => return FilterKey::Move(-1),
            KeyCode::Down => return FilterKey::Move(1),
            _ => {
                if let Some(input) = self.text.as_mut() {
                    input.handle_event(&Event::Key(key));
                }
            }
        }
        FilterKey::Taken
    }

    /// The text to match, lower-cased (empty without a filter).
    pub fn needle(&self) -> String {
        self.text
            .as_ref()
            .map(|i| i.value().to_lowercase())
            .unwrap_or_default()
    }

    /// ` /text▏ ` for a table's title (the bar while typing), or nothing.
    pub fn title(&self) -> String {
        match &self.text {
            Some(t) => format!(" /{}{} ", t.value(), if self.typing { "▏" } else { "" }),
            None => String::new(),
        }
    }
}

/// Whether `haystack` contains `needle` (already lower-cased), ignoring case.
pub fn matches(haystack: &str, needle: &str) -> bool {
    needle.is_empty() || haystack.to_lowercase().contains(needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_enter_keeps_and_esc_drops() {
        let mut f = TextFilter::default();
        assert_eq!(f.title(), "");
        f.open();
        for c in "AcMe".chars() {
            assert_eq!(f.key(key(KeyCode::Char(c))), FilterKey::Taken);
        }
        assert_eq!(f.key(key(KeyCode::Down)), FilterKey::Move(1));
        assert_eq!(f.title(), " /AcMe▏ ");
        assert_eq!(f.needle(), "acme");
        f.key(key(KeyCode::Enter));
        assert!(!f.typing() && f.is_set());
        assert_eq!(f.title(), " /AcMe ");
        f.open();
        f.key(key(KeyCode::Esc));
        assert!(!f.is_set() && !f.typing());
        assert!(matches("Tenant: ACME", "acme") && !matches("tenant: b", "acme"));
    }
}
