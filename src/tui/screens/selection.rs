//! The list-with-selection every list in the TUI shares: a [`Selection`]
//! (the selected row, moved by a delta and clamped to the rows there are,
//! sent to the top or bottom, or set by a click), the page a table shows it
//! on ([`page_offset`]), and the pieces the loaded tables draw with — the
//! loading / failed / empty notice of a [`Loaded`] list and the highlight of
//! the selected row. The instance list, the results view, the picker, the
//! versions screen, the key map and the audit history all walk their rows
//! with it, so Up/Down/PgUp/PgDn/Home/End clamp the same way everywhere.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Paragraph, Row, Wrap};

use crate::tui::theme::{Slot, Theme};

/// The selected row of a list, by position.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Selection(usize);

impl Selection {
    /// A selection on row `pos` (clamped by the next move).
    pub fn at(pos: usize) -> Selection {
        Selection(pos)
    }

    /// The selected row.
    pub fn pos(self) -> usize {
        self.0
    }

    /// Whether row `pos` is the selected one.
    pub fn is(self, pos: usize) -> bool {
        self.0 == pos
    }

    /// Moves by `delta` rows, clamped to a list of `len` rows.
    pub fn move_by(&mut self, delta: isize, len: usize) {
        self.0 = step(self.0, delta, len);
    }

    /// Selects the first row.
    pub fn top(&mut self) {
        self.0 = 0;
    }

    /// Selects the last of `len` rows.
    pub fn bottom(&mut self, len: usize) {
        self.0 = len.saturating_sub(1);
    }

    /// Selects the row shown at `row` of an area `height` rows tall, when a
    /// list of `len` rows has one there.
    pub fn click(&mut self, row: usize, height: usize, len: usize) {
        let pos = self.page_offset(height) + row;
        if pos < len {
            self.0 = pos;
        }
    }

    /// The first row shown when `height` rows fit (see [`page_offset`]).
    pub fn page_offset(self, height: usize) -> usize {
        page_offset(self.0, height)
    }

    /// The rows of the page that shows the selection, each with its
    /// position (see [`page`]).
    pub fn page<T>(self, rows: &[T], height: usize) -> impl Iterator<Item = (usize, &T)> {
        page(rows, self.0, height)
    }
}

/// The `height` rows of the page that shows row `selected`, each with its
/// position: only these become table rows, however long the list.
pub fn page<T>(rows: &[T], selected: usize, height: usize) -> impl Iterator<Item = (usize, &T)> {
    rows.iter()
        .enumerate()
        .skip(page_offset(selected, height))
        .take(height)
}

/// `pos` moved by `delta` and clamped to a list of `len` rows (row 0 when
/// the list is empty).
pub fn step(pos: usize, delta: isize, len: usize) -> usize {
    pos.saturating_add_signed(delta).min(len.saturating_sub(1))
}

/// First visible row when showing `height` rows with `selected` in view:
/// whole pages, so the offset is a pure function of the selection.
pub fn page_offset(selected: usize, height: usize) -> usize {
    selected.checked_div(height).map_or(0, |page| page * height)
}

/// Rows a screen loads from the service: `None` while loading, `Err` with
/// the one-line reason when loading failed (a seed-only server's "does not
/// offer" among them).
pub type Loaded<T> = Option<Result<Vec<T>, String>>;

/// The loaded rows, or none while loading or after a failure.
pub fn loaded<T>(rows: &Loaded<T>) -> &[T] {
    match rows {
        Some(Ok(rows)) => rows,
        _ => &[],
    }
}

/// The rows of `rows` to draw as a table inside `block`; while there are
/// none, draws instead what there is — `loading…`, the failure, or `empty`
/// — and returns `None`.
pub fn rows_or_notice<'a, T>(
    rows: &'a Loaded<T>,
    empty: &str,
    block: &Block<'_>,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) -> Option<&'a [T]> {
    let notice = match rows {
        Some(Ok(rows)) if !rows.is_empty() => return Some(rows),
        None => Paragraph::new("loading…"),
        Some(Err(why)) => {
            Paragraph::new(Span::styled(format!("✗ {why}"), theme.style(Slot::Error)))
                .wrap(Wrap { trim: true })
        }
        Some(Ok(_)) => Paragraph::new(empty.to_string()),
    };
    frame.render_widget(notice.block(block.clone()), area);
    None
}

/// `row`, highlighted when it is the selected one.
pub fn highlight<'a>(row: Row<'a>, selected: bool, theme: &Theme) -> Row<'a> {
    if selected {
        row.style(theme.style(Slot::Selected))
    } else {
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_clamp_to_the_rows_there_are() {
        let mut s = Selection::default();
        s.move_by(-1, 5);
        assert_eq!(s.pos(), 0);
        s.move_by(3, 5);
        assert_eq!(s.pos(), 3);
        s.move_by(isize::MAX, 5);
        assert_eq!(s.pos(), 4);
        s.move_by(0, 2);
        assert_eq!(s.pos(), 1, "a shorter list pulls the selection in");
        s.move_by(1, 0);
        assert_eq!(s.pos(), 0, "an empty list selects row 0");
        s.bottom(7);
        assert_eq!(s.pos(), 6);
        s.top();
        assert_eq!(s.pos(), 0);
    }

    #[test]
    fn pages_are_whole_and_clicks_land_on_the_shown_row() {
        assert_eq!(page_offset(0, 10), 0);
        assert_eq!(page_offset(9, 10), 0);
        assert_eq!(page_offset(10, 10), 10);
        assert_eq!(page_offset(5, 0), 0);
        let mut s = Selection::at(12);
        s.click(3, 10, 20);
        assert_eq!(s.pos(), 13);
        s.click(9, 10, 15);
        assert_eq!(s.pos(), 13, "a click below the last row selects nothing");
    }
}
