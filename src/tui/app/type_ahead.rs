//! The type-ahead rule: a key acts only on what was on screen when it was
//! pressed. Keys are read in batches (everything waiting is applied before
//! the next frame), and a slow step can hold the loop while the user keeps
//! typing; so a key that opened a dialog could be followed, in the same
//! batch, by a `y` that answers a dialog nobody saw. Each frame records the
//! view it showed; a key read while a different view (screen, popup or
//! dialog) is current but not yet drawn is dropped, and the drops are
//! reported once, in the message log and a toast, when that view is drawn.

use super::App;
use crate::tui::screens::Screen;
use crate::tui::state::{ListCoverage, Popup};
use crate::tui::widgets::toast::Level;

/// What is on screen, as far as the type-ahead rule cares: the screen and
/// the popup over it (a confirm dialog by what it confirms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    /// The screen's name.
    screen: &'static str,
    /// The popup's name, if one is open.
    popup: Option<&'static str>,
}

impl View {
    /// The view `screen` and `popup` make up.
    pub fn of(screen: &Screen, popup: Option<&Popup>) -> View {
        View {
            screen: screen.name(),
            popup: popup.map(Popup::name),
        }
    }

    /// How the report names the view (`the Delete configurations dialog`).
    fn label(self) -> String {
        match self.popup {
            Some(popup) => format!("the {popup}"),
            None => format!("the {} screen", self.screen),
        }
    }
}

/// The last drawn view and the keys dropped since.
#[derive(Debug, Default)]
pub struct TypeAhead {
    /// The view of the last flushed frame; `None` before the first one.
    shown: Option<View>,
    /// Keys dropped since the last report, and the view they were kept from.
    dropped: Option<(usize, View)>,
    /// How much of the list the last flushed frame showed: keys that act
    /// on every scope act only once the whole list was on screen.
    list: ListCoverage,
}

impl TypeAhead {
    /// Notes that a frame of `view` reached the terminal.
    pub fn flushed(&mut self, view: View) {
        self.shown = Some(view);
    }

    /// Notes how much of the list a flushed frame showed.
    pub fn list_flushed(&mut self, coverage: ListCoverage) {
        self.list = coverage;
    }

    /// Whether the last flushed frame showed the whole list.
    pub fn whole_list_shown(&self) -> bool {
        self.list == ListCoverage::Whole
    }

    /// Whether a key read now may act on `current`; if not, counts it.
    pub fn admits(&mut self, current: View) -> bool {
        if self.drawn(current) {
            return true;
        }
        let count = self.dropped.map_or(0, |(n, _)| n);
        self.dropped = Some((count + 1, current));
        false
    }

    /// Whether `current` is the view last drawn (asks without counting a drop).
    pub fn drawn(&self, current: View) -> bool {
        self.shown == Some(current)
    }

    /// The drops to report, once: how many and what they were kept from.
    fn take_report(&mut self) -> Option<(usize, View)> {
        self.dropped.take()
    }
}

impl App {
    /// The view that is current now (drawn or not).
    pub(super) fn view(&self) -> View {
        View::of(&self.state.screen, self.state.popup.as_ref())
    }

    /// Whether a key read now may act: only when the current view is the
    /// one last drawn.
    pub(super) fn admits_input(&mut self) -> bool {
        let view = self.view();
        self.type_ahead.admits(view)
    }

    /// Whether the current view is the one last drawn (mouse events, which
    /// are not reported when dropped: a scroll wheel sends dozens).
    pub(super) fn view_drawn(&self) -> bool {
        self.type_ahead.drawn(self.view())
    }

    /// Called once a frame is on the terminal: input read from now on may
    /// act on what it showed.
    pub fn frame_flushed(&mut self) {
        let view = self.view();
        self.type_ahead.flushed(view);
        self.type_ahead.list_flushed(self.state.coverage);
    }

    /// Says, once per batch, how many keys were dropped. The keys
    /// themselves are not named: they may have been meant for a key field.
    pub(super) fn report_dropped(&mut self) {
        if let Some((count, view)) = self.type_ahead.take_report() {
            let keys = if count == 1 { "key" } else { "keys" };
            self.toast(
                Level::Info,
                format!(
                    "ignored {count} {keys} typed before {} was on screen",
                    view.label()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIN: View = View {
        screen: "main",
        popup: None,
    };
    const CONFIRM: View = View {
        screen: "main",
        popup: Some("delete dialog"),
    };

    #[test]
    fn keys_act_only_on_the_drawn_view() {
        let mut t = TypeAhead::default();
        assert!(!t.admits(MAIN), "nothing drawn yet");
        t.flushed(MAIN);
        assert!(t.admits(MAIN));
        assert!(!t.admits(CONFIRM), "the dialog is not drawn yet");
        assert!(!t.admits(CONFIRM));
        assert_eq!(t.take_report(), Some((3, CONFIRM)));
        assert_eq!(t.take_report(), None, "reported once");
        t.flushed(CONFIRM);
        assert!(t.admits(CONFIRM));
    }
}
