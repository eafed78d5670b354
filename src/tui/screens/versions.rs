//! The versions screen (`u`): the kept versions of the selected scope,
//! newest first — version, time, actor, the write, the fields it changed,
//! the config it held, key mask and fingerprint (never the key). Enter or
//! `r` restores the selected version after a confirm: the TUI's undo. A
//! version that records a deletion is listed but holds nothing to restore,
//! and the line under the table says so.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};
use time::macros::format_description;

use crate::crypto::fingerprint;
use crate::domain::{Scope, VersionEntry};
use crate::tui::screens::chrome::screen_block;
use crate::tui::screens::selection::{Loaded, highlight, loaded, page, rows_or_notice, step};
use crate::tui::text::{ellipsize_end, ellipsize_middle};
use crate::tui::theme::{Slot, Theme};

/// How many versions are fetched (retention keeps 10 by default).
pub const VERSIONS_LIMIT: usize = 100;

/// The screen's state.
#[derive(Debug)]
pub struct VersionsState {
    /// Whose versions.
    pub scope: Scope,
    /// The versions, once loaded.
    pub entries: Loaded<VersionEntry>,
    /// Index of the selected version (a plain position: the snapshot tests
    /// set it; moves go through [`step`] like every list's).
    pub selected: usize,
}

/// Why a version cannot be restored, if it cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotRestorable {
    /// It records the deletion: there is no config in it.
    Deletion,
    /// It is the current version already.
    Current,
}

impl NotRestorable {
    /// The reason, in one line, for the hint and the toast.
    pub fn reason(self, version: u64) -> String {
        match self {
            NotRestorable::Deletion => format!(
                "v{version} records the deletion and holds no configuration; \
                 restore an earlier version to bring it back"
            ),
            NotRestorable::Current => format!("v{version} is already the current version"),
        }
    }
}

impl VersionsState {
    /// A loading screen for `scope`.
    pub fn loading(scope: Scope) -> VersionsState {
        VersionsState {
            scope,
            entries: None,
            selected: 0,
        }
    }

    /// Moves the selection by `delta` rows (clamped).
    pub fn move_by(&mut self, delta: isize) {
        self.selected = step(self.selected, delta, loaded(&self.entries).len());
    }

    /// The selected version, once loaded.
    pub fn selected_entry(&self) -> Option<&VersionEntry> {
        self.entry_at(self.selected)
    }

    /// The version at row `i`, once loaded (row 0 is the current one).
    pub fn entry_at(&self, i: usize) -> Option<&VersionEntry> {
        loaded(&self.entries).get(i)
    }

    /// Whether the selected version can be restored, and if not why.
    pub fn restorable(&self) -> Option<Result<&VersionEntry, NotRestorable>> {
        let entry = self.selected_entry()?;
        Some(if entry.deleted {
            Err(NotRestorable::Deletion)
        } else if self.selected == 0 {
            Err(NotRestorable::Current)
        } else {
            Ok(entry)
        })
    }
}

/// `provider · model` of a version, or `(deleted)`.
pub fn held(v: &VersionEntry) -> String {
    if v.deleted {
        return "(deleted)".to_string();
    }
    v.config
        .as_ref()
        .map(|config| config.brief(" · "))
        .unwrap_or_default()
}

/// Widths of the version, time, actor (`local:<user>` or a token name),
/// action and fields columns; the config and key columns share the rest.
const FIXED_WIDTHS: [u16; 5] = [4, 16, 13, 9, 14];

/// What a version holds in `width` columns: whole when it fits, else the
/// optional fields (base URL, …) go first, then the provider; the model is
/// always shown.
pub fn held_within(v: &VersionEntry, width: usize) -> String {
    let whole = held(v);
    let Some(config) = v.config.as_ref().filter(|_| !v.deleted) else {
        return whole;
    };
    if whole.chars().count() <= width {
        return whole;
    }
    let model = config.model.as_str();
    let without_url = format!("{} · {model}", config.provider);
    if without_url.chars().count() + 4 <= width {
        format!("{without_url} @ …")
    } else if without_url.chars().count() <= width {
        without_url
    } else {
        ellipsize_end(model, width)
    }
}

/// What a version holds, with its key's mask: the restore confirm shows
/// it for both sides, so a restore that brings an old key back says so.
pub fn held_with_key(v: &VersionEntry) -> String {
    match (&v.api_key_masked, v.deleted) {
        (Some(mask), false) => format!("{} · key {mask}", held(v)),
        _ => held(v),
    }
}

/// Draws the screen into `area`.
pub fn render(state: &VersionsState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = screen_block(&format!("Versions — {}", state.scope), theme);
    let empty = "no versions kept for this scope";
    let Some(entries) = rows_or_notice(&state.entries, empty, &block, theme, frame, area) else {
        return;
    };
    let [table_area, hint_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(3)]).areas(area);
    // Borders and the header row.
    let height = table_area.height.saturating_sub(3) as usize;
    let stamp = format_description!("[year]-[month]-[day] [hour]:[minute]");
    let wide = area.width >= 110;
    let key_of = |v: &VersionEntry| {
        // Both ends of the fingerprint; the line under the table has it whole.
        let shown = v.key_fingerprint.as_deref().map(fingerprint::shown);
        match (&v.api_key_masked, shown) {
            (Some(m), Some(fp)) => format!("{m} {}", ellipsize_middle(fp, 18)),
            (Some(m), None) => m.clone(),
            _ => String::new(),
        }
    };
    // The key column as wide as its widest visible value; the config
    // column takes the rest of the terminal, so nothing is cut while
    // columns stand blank.
    let key_w = if wide {
        page(entries, state.selected, height)
            .map(|(_, v)| key_of(v).chars().count())
            .max()
            .unwrap_or(0)
            .max(3)
    } else {
        0
    };
    let fixed = FIXED_WIDTHS.iter().sum::<u16>() as usize + FIXED_WIDTHS.len() + 2;
    let config_w = (area.width as usize)
        .saturating_sub(fixed + if wide { key_w + 1 } else { 0 })
        .max(8);
    let rows = page(entries, state.selected, height).map(|(i, v)| {
        let key = key_of(v);
        let mut cells = vec![
            Span::raw(format!("v{}", v.version)),
            Span::raw(v.at.format(&stamp).unwrap_or_default()),
            Span::raw(v.actor.clone()),
            Span::raw(v.action.to_string()),
            Span::raw(v.fields.join(",")),
            if v.deleted {
                Span::styled(held(v), theme.style(Slot::Warn))
            } else {
                Span::raw(held_within(v, config_w))
            },
        ];
        if wide {
            cells.push(Span::raw(key));
        }
        highlight(Row::new(cells), i == state.selected, theme)
    });
    let mut header = vec!["Ver", "Time", "Actor", "Action", "Fields", "Config"];
    let mut widths: Vec<Constraint> = FIXED_WIDTHS
        .iter()
        .map(|w| Constraint::Length(*w))
        .collect();
    widths.push(Constraint::Fill(1));
    if wide {
        header.push("Key");
        widths.push(Constraint::Length(key_w as u16));
    }
    let header = Row::new(header).style(theme.style(Slot::Accent));
    frame.render_widget(
        Table::new(rows, widths).header(header).block(block),
        table_area,
    );
    frame.render_widget(
        Paragraph::new(hint(state, theme))
            .wrap(Wrap { trim: true })
            .block(Block::default().borders(Borders::TOP)),
        hint_area,
    );
}

/// The line under the table: what Enter would do, or why it would not.
fn hint<'a>(state: &VersionsState, theme: &Theme) -> Line<'a> {
    let Some(v) = state.selected_entry() else {
        return Line::default();
    };
    let shown = v.key_fingerprint.as_deref().map(fingerprint::shown);
    let key = match (&v.api_key_masked, shown) {
        (Some(m), Some(fp)) => format!(" · key {m} {fp}"),
        _ => String::new(),
    };
    match state.restorable() {
        Some(Ok(_)) => Line::from(vec![
            Span::styled("Enter/r ", theme.style(Slot::Key)),
            Span::raw(format!("restores v{}: {}{key}", v.version, held(v))),
        ]),
        Some(Err(why)) => Line::from(Span::styled(
            why.reason(v.version),
            theme.style(Slot::Muted),
        )),
        None => Line::default(),
    }
}
