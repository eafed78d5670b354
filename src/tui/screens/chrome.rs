//! What surrounds every screen: the header (mode: local store or remote URL;
//! the current scope; badges for a running job, a lost remote and
//! read-only mode), the footer of key hints generated from the action
//! registry, the notice shown instead of a layout when the terminal is
//! too small (while it is up, only resizing and quitting act), and the
//! titled frame of each full screen and popup.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::domain::Scope;
use crate::tui::action::{KeyContext, REGISTRY};
use crate::tui::context_mark::ContextMark;
use crate::tui::keymap::KeyMap;
use crate::tui::state::Connection;
use crate::tui::text::ellipsize_middle;
use crate::tui::theme::{Slot, Theme};

/// Smallest usable terminal width, in columns.
pub const MIN_WIDTH: u16 = 50;
/// Smallest usable terminal height, in rows.
pub const MIN_HEIGHT: u16 = 12;
/// Below this width the list and the detail share one pane.
pub const TWO_PANE_WIDTH: u16 = 84;

/// The frame of a full screen or a popup: an accent border with ` {title} `
/// in the accent colour.
pub fn screen_block(title: &str, theme: &Theme) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Slot::Accent))
        .title(Span::styled(
            format!(" {title} "),
            theme.style(Slot::Accent),
        ))
}

/// What the header shows.
pub struct HeaderView<'a> {
    /// `local: <store>` or `remote: <url>`.
    pub mode: &'a str,
    /// The current scope.
    pub scope: Option<&'a Scope>,
    /// `--read-only`.
    pub read_only: bool,
    /// A running job's progress, e.g. `test 12/30`.
    pub job: Option<String>,
    /// Remote mode lost the server: the persistent state and how to retry.
    pub connection: &'a Connection,
    /// The `[[tui.contexts]]` marker of the store or remote.
    pub context: Option<&'a ContextMark>,
}

/// Draws the header line. When space is short the store path goes first,
/// then the badges shrink; the scope goes last and keeps both ends of its id.
pub fn header(view: &HeaderView<'_>, theme: &Theme, frame: &mut Frame, area: Rect) {
    let width = area.width as usize;
    let scope_text = match view.scope {
        Some(s) => s.to_string(),
        None => "no scope".to_string(),
    };
    let mut badges: Vec<Span> = Vec::new();
    match view.connection {
        Connection::Ok => {}
        Connection::Disconnected(_) => badges.push(Span::styled(
            "DISCONNECTED · R retries",
            theme.style(Slot::Error).add_modifier(Modifier::BOLD),
        )),
        Connection::Unauthorized(_) => badges.push(Span::styled(
            "UNAUTHORIZED · llmcfg login, then R",
            theme.style(Slot::Error).add_modifier(Modifier::BOLD),
        )),
    }
    if let Some(job) = &view.job {
        badges.push(Span::styled(format!("⟳ {job}"), theme.style(Slot::Warn)));
    }
    if view.read_only {
        badges.push(Span::styled(
            "READ-ONLY (writes disabled)",
            theme.style(Slot::Warn).add_modifier(Modifier::BOLD),
        ));
    }
    let logo = " llmcfg ";
    let badge_w: usize = badges.iter().map(|b| b.content.chars().count() + 3).sum();
    // The context's name sits beside the logo, in its colour; without
    // colour it is still set apart (reversed), never marked by colour alone.
    let context = view.context.map(|c| {
        let style = if theme.has_colour() {
            Style::new().bg(c.colour).fg(Color::Black)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        };
        Span::styled(format!(" {} ", c.name), style.add_modifier(Modifier::BOLD))
    });
    let context_w = context
        .as_ref()
        .map_or(0, |c| c.content.chars().count() + 1);
    let base = logo.chars().count() + 1 + context_w;
    let mode_w = view.mode.chars().count() + 3;
    let scope_w = scope_text.chars().count();
    let show_mode = base + mode_w + scope_w + badge_w <= width;
    let mut spans = vec![
        Span::styled(
            logo,
            theme.style(Slot::Accent).add_modifier(Modifier::REVERSED),
        ),
        Span::raw(" "),
    ];
    if let Some(c) = context {
        spans.push(c);
        spans.push(Span::raw(" "));
    }
    if show_mode {
        spans.push(Span::styled(
            view.mode.to_string(),
            theme.style(Slot::Muted),
        ));
        spans.push(Span::raw(" │ "));
    }
    let room = width.saturating_sub(base + badge_w).max(12);
    spans.push(Span::styled(
        ellipsize_middle(&scope_text, room),
        theme.style(if view.scope.is_some() {
            Slot::Accent
        } else {
            Slot::Muted
        }),
    ));
    for b in badges {
        spans.push(Span::raw(" │ "));
        spans.push(b);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The footer hints of `context`: its footer actions, then the global ones;
/// write actions are left out in read-only mode.
pub fn hints(context: KeyContext, keymap: &KeyMap, read_only: bool) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    // Global hints first so `? help` survives truncation on narrow terminals.
    for ctx in [KeyContext::Global, context] {
        if ctx == KeyContext::Global && context.is_text_entry() {
            continue;
        }
        for spec in REGISTRY
            .iter()
            .filter(|s| s.context == ctx && s.footer && !(read_only && s.action.writes()))
        {
            // One key each: the footer fits more actions (`a` at 120
            // columns); the help overlay lists every key.
            if let Some(key) = keymap.first_label(spec) {
                out.push((key, spec.hint));
            }
        }
    }
    if context == KeyContext::Table {
        out.insert(0, ("Esc".to_string(), "back"));
    }
    out
}

/// Draws the footer line.
pub fn footer(
    context: KeyContext,
    keymap: &KeyMap,
    read_only: bool,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let mut spans = Vec::new();
    for (i, (keys, hint)) in hints(context, keymap, read_only).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.style(Slot::Muted)));
        }
        spans.push(Span::styled(keys, theme.style(Slot::Key)));
        spans.push(Span::raw(format!(" {hint}")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// What `q` does while the terminal is too small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmallQuit {
    /// It quits.
    Quits,
    /// Nothing: a form with unsaved changes is open, and its question
    /// could not be seen.
    KeepsForm,
}

/// Draws the "terminal too small" notice over the whole frame; it offers
/// `q` only when `q` quits.
pub fn too_small(quit: SmallQuit, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    let (how, rest) = match quit {
        SmallQuit::Quits => (
            "Enlarge the window, or q to quit",
            "Other keys do nothing until then",
        ),
        SmallQuit::KeepsForm => (
            "Enlarge the window: the form has unsaved changes",
            "Keys do nothing until then",
        ),
    };
    let text = vec![
        Line::from(Span::styled("Terminal too small", theme.style(Slot::Warn))),
        Line::from(format!(
            "{}×{}, need {MIN_WIDTH}×{MIN_HEIGHT}",
            area.width, area.height
        )),
        Line::from(how),
        Line::from(rest),
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
