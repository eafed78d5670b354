//! Popups and dialogs, one per file, plus the geometry they share: every
//! popup is clamped to the screen and drawn over a `Clear`, so small
//! terminals never panic or show stale cells beneath it.

pub mod add_instance;
pub mod bulk_edit;
pub mod changed_since;
pub mod clipboard;
pub mod confirm;
pub mod help;
pub mod messages;
pub mod picker;
pub mod rotate_key;
pub mod toast;
pub mod type_name;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::screens::chrome::screen_block;
use super::theme::Theme;

/// A `width`×`height` rectangle centred in `area`, clamped to it.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Draws a `width`-column dialog centred in `area`: `body` then a blank
/// line, with `keys` pinned to the bottom. Its height is that of the
/// wrapped text, not the line count, so long text never pushes the key row
/// out; and when even that does not fit (a small terminal), the body gives
/// way and the keys stay visible.
pub fn pinned_dialog(
    frame: &mut Frame,
    area: Rect,
    width: u16,
    title: &str,
    body: Vec<Line<'_>>,
    keys: Line<'_>,
    theme: &Theme,
) {
    let inner_width = width.min(area.width).saturating_sub(2);
    let mut lines = body;
    lines.push(Line::default());
    let body = Paragraph::new(lines).wrap(Wrap { trim: false });
    let keys = Paragraph::new(keys).wrap(Wrap { trim: false });
    let rows = |count: usize| u16::try_from(count).unwrap_or(u16::MAX);
    let body_rows = rows(body.line_count(inner_width));
    let key_rows = rows(keys.line_count(inner_width));
    let rect = centered(
        area,
        width,
        body_rows.saturating_add(key_rows).saturating_add(2),
    );
    let inner = popup_frame(frame, rect, title, theme);
    let [body_area, key_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(key_rows)]).areas(inner);
    frame.render_widget(body, body_area);
    frame.render_widget(keys, key_area);
}

/// Clears `area`, draws a titled frame and returns its inside.
pub fn popup_frame(frame: &mut Frame, area: Rect, title: &str, theme: &Theme) -> Rect {
    frame.render_widget(Clear, area);
    let block = screen_block(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}
