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
    /// Whether the list refreshes itself (local) or only on `R` (remote).
    pub auto_refresh: bool,
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
    out.push(Line::from(Span::styled(
        if view.auto_refresh {
            "  The list refreshes itself when the store changes."
        } else {
            "  No auto-refresh in remote mode: R reloads the list."
        },
        theme.style(Slot::Muted),
    )));
    out.push(Line::default());
    let mut contexts = vec![view.context];
    // Text-entry contexts see no global keys (letters are typed), so their
    // help must not list them either.
    if view.context != KeyContext::Global && !view.context.is_text_entry() {
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

fn rect(lines: usize, area: Rect) -> Rect {
    centered(area, 76, lines as u16 + 3)
}

/// How far the overlay can scroll in `area`: scrolling stops at the end.
pub fn max_scroll(view: &HelpView<'_>, area: Rect) -> u16 {
    let n = lines(view).len();
    let inner_h = rect(n, area).height.saturating_sub(2) as usize;
    n.saturating_sub(inner_h) as u16
}

/// Draws the overlay centred in `area`.
pub fn render(view: &HelpView<'_>, frame: &mut Frame, area: Rect) {
    let body = lines(view);
    let rect = rect(body.len(), area);
    let title = format!("Help: {} — ↑/↓ scroll · Esc close", view.context.title());
    let inner = popup_frame(frame, rect, &title, view.theme);
    let scroll = view.scroll.min(max_scroll(view, area));
    frame.render_widget(Paragraph::new(body).scroll((scroll, 0)), inner);
}
