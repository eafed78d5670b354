//! What surrounds every screen: the header (mode: local store or remote URL;
//! the current scope; a READ-ONLY badge), the footer of key hints generated
//! from the action registry, and the notice shown instead of a layout when
//! the terminal is too small.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::domain::Scope;
use crate::tui::action::{KeyContext, REGISTRY};
use crate::tui::keymap::KeyMap;
use crate::tui::theme::{Slot, Theme};

/// Smallest usable terminal width, in columns.
pub const MIN_WIDTH: u16 = 50;
/// Smallest usable terminal height, in rows.
pub const MIN_HEIGHT: u16 = 12;
/// Below this width the list and the detail share one pane.
pub const TWO_PANE_WIDTH: u16 = 84;

/// Draws the header line.
pub fn header(
    mode: &str,
    scope: Option<&Scope>,
    read_only: bool,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let mut spans = vec![
        Span::styled(
            " llmcfg ",
            theme.style(Slot::Accent).add_modifier(Modifier::REVERSED),
        ),
        Span::raw(" "),
        Span::styled(mode.to_string(), theme.style(Slot::Muted)),
        Span::raw(" │ "),
    ];
    match scope {
        Some(s) => spans.push(Span::styled(s.to_string(), theme.style(Slot::Accent))),
        None => spans.push(Span::styled("no scope", theme.style(Slot::Muted))),
    }
    if read_only {
        spans.push(Span::raw(" │ "));
        spans.push(Span::styled(
            "READ-ONLY (writes disabled)",
            theme.style(Slot::Warn).add_modifier(Modifier::BOLD),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The footer hints of `context`: its footer actions, then the global ones.
pub fn hints(context: KeyContext, keymap: &KeyMap) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    // Global hints first so `? help` survives truncation on narrow terminals.
    for ctx in [KeyContext::Global, context] {
        if ctx == KeyContext::Global && context.is_text_entry() {
            continue;
        }
        for spec in REGISTRY.iter().filter(|s| s.context == ctx && s.footer) {
            let keys = keymap.label(spec);
            if !keys.is_empty() {
                out.push((keys, spec.hint));
            }
        }
    }
    if context == KeyContext::Table {
        out.insert(0, ("Esc".to_string(), "back"));
    }
    out
}

/// Draws the footer line.
pub fn footer(context: KeyContext, keymap: &KeyMap, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    for (i, (keys, hint)) in hints(context, keymap).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.style(Slot::Muted)));
        }
        spans.push(Span::styled(keys, theme.style(Slot::Key)));
        spans.push(Span::raw(format!(" {hint}")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Draws the "terminal too small" notice over the whole frame.
pub fn too_small(theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    let text = vec![
        Line::from(Span::styled("Terminal too small", theme.style(Slot::Warn))),
        Line::from(format!(
            "{}×{}, need {MIN_WIDTH}×{MIN_HEIGHT}",
            area.width, area.height
        )),
        Line::from("Enlarge the window, or q to quit"),
    ];
    let y = area.height.saturating_sub(3) / 2;
    let rect = Rect {
        y: area.y + y,
        height: area.height.saturating_sub(y),
        ..area
    };
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        rect,
    );
}
