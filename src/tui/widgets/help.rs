//! The help overlay (`?`): every binding of the current screen and the
//! global ones, generated from the action registry and the key map in force
//! (so overrides show up), plus where the config, store and log live.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{centered, popup_frame};
use crate::tui::action::{KeyContext, REGISTRY};
use crate::tui::keymap::KeyMap;
use crate::tui::theme::{Slot, Theme};

/// What the overlay lists.
pub struct HelpView<'a> {
    /// The screen's bindings.
    pub context: KeyContext,
    /// Keys in force.
    pub keymap: &'a KeyMap,
    /// `config.toml`, store (or remote URL) and log file.
    pub paths: [(&'static str, String); 3],
    /// Colours.
    pub theme: &'a Theme,
    /// Lines scrolled off the top.
    pub scroll: u16,
}

/// The help lines (also used by tests).
pub fn lines(view: &HelpView<'_>) -> Vec<Line<'static>> {
    let theme = view.theme;
    // Files first: on a short terminal the paths must not scroll away.
    let mut out = vec![Line::from(Span::styled("Files", theme.style(Slot::Accent)))];
    for (label, path) in &view.paths {
        out.push(Line::from(vec![
            Span::styled(format!("  {label:<8}"), theme.style(Slot::Muted)),
            Span::raw(path.clone()),
        ]));
    }
    out.push(Line::default());
    let mut contexts = vec![view.context];
    if view.context != KeyContext::Global {
        contexts.push(KeyContext::Global);
    }
    for ctx in contexts {
        out.push(Line::from(Span::styled(
            ctx.title().to_string(),
            theme.style(Slot::Accent),
        )));
        for spec in REGISTRY.iter().filter(|s| s.context == ctx) {
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {:<16}", view.keymap.label(spec)),
                    theme.style(Slot::Key),
                ),
                Span::raw(spec.description.to_string()),
            ]));
        }
        out.push(Line::default());
    }
    out
}

/// Draws the overlay centred in `area`.
pub fn render(view: &HelpView<'_>, frame: &mut Frame, area: Rect) {
    let body = lines(view);
    let rect = centered(area, 76, body.len() as u16 + 3);
    let inner = popup_frame(frame, rect, "Help — ↑/↓ scroll · Esc close", view.theme);
    frame.render_widget(Paragraph::new(body).scroll((view.scroll, 0)), inner);
}
