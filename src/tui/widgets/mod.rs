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
use ratatui::layout::Rect;
use ratatui::widgets::Clear;

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

/// Clears `area`, draws a titled frame and returns its inside.
pub fn popup_frame(frame: &mut Frame, area: Rect, title: &str, theme: &Theme) -> Rect {
    frame.render_widget(Clear, area);
    let block = screen_block(title, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}
