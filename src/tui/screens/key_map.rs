//! The key-usage map screen (`K`): one row per key fingerprint — mask,
//! provider(s), how many scopes use it and a summary of their last tests —
//! most-used key first. Enter expands a row into the scopes using that key,
//! each with its model and last test; the selection walks keys and scopes
//! alike, so an open key's scopes scroll and page (`rows a–b of N` in the
//! title) and `/` filters them like the results view. Only masks and
//! fingerprints are ever shown, never a key: "this key leaked — where is
//! it?" at a glance.

use std::collections::HashSet;

use crossterm::event::KeyEvent;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Row, Table};
use time::OffsetDateTime;

use crate::domain::{KeyGroup, KeyUse, TestResult};
use crate::tui::screens::chrome::screen_block;
use crate::tui::screens::instances::{STALE_MARK, age, test_mark};
use crate::tui::screens::key_lines::{KeyLine, key_lines, scope_label};
use crate::tui::screens::rotation::{self, RotationView};
use crate::tui::screens::selection::{Loaded, Selection, highlight, loaded, rows_or_notice};
use crate::tui::screens::text_filter::{FilterKey, TextFilter};
use crate::tui::text::{ellipsize_end, ellipsize_middle};
use crate::tui::theme::{Slot, Theme};

/// The screen's state.
#[derive(Debug, Default)]
pub struct KeyMapState {
    /// The key groups, once loaded.
    groups: Loaded<KeyGroup>,
    /// The selected line: a key, or one scope of an open key.
    selected: Selection,
    /// Fingerprints of the expanded groups.
    expanded: HashSet<String>,
    /// Text filter (`/`) on keys and scopes.
    pub filter: TextFilter,
    /// The lines shown, recomputed when the groups, the open keys or the
    /// filter change (a key can have 100,001 scopes: not on every frame).
    lines: Vec<KeyLine>,
    /// A rotation started here (`r`): its progress, then its report,
    /// drawn in place of the table until Esc.
    pub rotation: Option<RotationView>,
}

/// The last tests of a group's scopes, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TestSummary {
    /// Last test passed.
    pub ok: usize,
    /// Last test failed.
    pub failed: usize,
    /// Never tested.
    pub untested: usize,
}

impl TestSummary {
    /// Counts the last tests of `scopes`.
    pub fn of(scopes: &[KeyUse]) -> TestSummary {
        let mut s = TestSummary::default();
        for u in scopes {
            match current_test(u) {
                Some(t) if t.success => s.ok += 1,
                Some(_) => s.failed += 1,
                None => s.untested += 1,
            }
        }
        s
    }

    /// `2 ok · 1 failed · 1 untested`, leaving out the zero counts.
    pub fn label(&self) -> String {
        let parts: Vec<String> = [
            (self.ok, "ok"),
            (self.failed, "failed"),
            (self.untested, "untested"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        parts.join(" · ")
    }
}

impl KeyMapState {
    /// The map of the loaded `groups`, or of why they could not be loaded.
    pub fn loaded(groups: Result<Vec<KeyGroup>, String>) -> KeyMapState {
        let mut k = KeyMapState::default();
        k.set_groups(groups);
        k
    }

    /// The groups arrived (or failed): shown with the selection kept in range.
    pub fn set_groups(&mut self, groups: Result<Vec<KeyGroup>, String>) {
        self.groups = Some(groups);
        self.relayout();
    }

    /// Moves the selection by `delta` lines (clamped).
    pub fn move_by(&mut self, delta: isize) {
        self.selected.move_by(delta, self.lines.len());
    }

    /// The selected line's group, once loaded.
    pub fn selected_group(&self) -> Option<&KeyGroup> {
        let line = self.lines.get(self.selected.pos())?;
        loaded(&self.groups).get(line.group())
    }

    /// Expands or collapses the selected line's key (on a scope, its key
    /// closes and is selected).
    pub fn toggle(&mut self) {
        let Some(g) = self.selected_group() else {
            return;
        };
        let fp = g.key_fingerprint.clone();
        let group = self.lines[self.selected.pos()].group();
        if !self.expanded.remove(&fp) {
            self.expanded.insert(fp);
        }
        self.relayout();
        if let Some(pos) = self.lines.iter().position(|l| *l == KeyLine::Group(group)) {
            self.selected = Selection::at(pos);
        }
    }

    /// `/`: starts typing the filter.
    pub fn open_filter(&mut self) {
        self.filter.open();
    }

    /// A key while the filter is typed; the lines follow the text.
    pub fn filter_key(&mut self, key: KeyEvent) {
        match self.filter.key(key) {
            FilterKey::Move(d) => self.move_by(d),
            FilterKey::Taken => self.relayout(),
        }
    }

    /// Drops the filter (Esc).
    pub fn clear_filter(&mut self) {
        self.filter.clear();
        self.relayout();
    }

    /// Recomputes the lines, keeping the selected line's key selected when
    /// it is still shown.
    fn relayout(&mut self) {
        let was = self.lines.get(self.selected.pos()).copied();
        self.lines = key_lines(loaded(&self.groups), &self.expanded, &self.filter.needle());
        let pos = was.and_then(|l| self.lines.iter().position(|n| *n == l));
        self.selected = Selection::at(pos.unwrap_or(0));
        self.move_by(0);
    }
}

/// Draws the screen into `area`; `now` dates the last tests.
pub fn render(
    state: &KeyMapState,
    theme: &Theme,
    now: OffsetDateTime,
    frame: &mut Frame,
    area: Rect,
) {
    if let Some(r) = &state.rotation {
        return rotation::render(r, theme, frame, area);
    }
    let height = (area.height.saturating_sub(3) as usize).max(1);
    let total = state.lines.len();
    let offset = state.selected.page_offset(height);
    // More lines than fit: say which are shown, as the rotation report does.
    let rows_hint = if total > height {
        format!(
            " · rows {}–{} of {total}",
            offset + 1,
            (offset + height).min(total)
        )
    } else {
        String::new()
    };
    let title = format!(
        "Key map — scopes by key fingerprint{rows_hint}{}",
        state.filter.title().trim_end()
    );
    let block = screen_block(&title, theme);
    let empty = "no configured scope uses a key yet";
    let Some(groups) = rows_or_notice(&state.groups, empty, &block, theme, frame, area) else {
        return;
    };
    // Only the page of lines on screen becomes rows: a key can have
    // 100,001 scopes.
    let shown: Vec<(usize, Shown)> = state
        .selected
        .page(&state.lines, height)
        .map(|(pos, line)| {
            let shown = match *line {
                KeyLine::Group(g) => Shown::Group(&groups[g]),
                KeyLine::Scope(g, s) => Shown::Scope(&groups[g].scopes[s]),
            };
            (pos, shown)
        })
        .collect();
    if shown.is_empty() {
        let notice = format!("no key or scope matches /{}", state.filter.needle());
        frame.render_widget(Paragraph::new(notice).block(block), area);
        return;
    }
    // The provider and scopes/model columns as wide as their widest
    // visible value (capped), the last column the rest: a long provider
    // id or model is whole while there is room.
    // Each capped at a fifth of the width, so the tests keep their room.
    let cap = (area.width as usize / 5).clamp(10, 40);
    let widest = |title: &str, value: &dyn Fn(&Shown) -> usize| {
        shown
            .iter()
            .map(|(_, s)| value(s))
            .max()
            .unwrap_or(0)
            .max(title.len())
            .min(cap)
    };
    let provider_w = widest("Provider", &|s| match s {
        Shown::Group(g) => g.providers.join(",").chars().count(),
        Shown::Scope(u) => u.provider.chars().count(),
    });
    let middle_w = widest("Scopes", &|s| match s {
        Shown::Group(g) => format!("{} scopes", g.scope_count).len(),
        Shown::Scope(u) => u.model.chars().count(),
    });
    // Borders, the three column gaps and the other columns.
    let detail_w = (area.width as usize).saturating_sub(2 + 3 + 20 + provider_w + middle_w);
    let rows: Vec<Row> = shown
        .iter()
        .map(|(pos, s)| {
            let row = match s {
                // Open when its scopes follow: expanded, or found by the filter.
                Shown::Group(g) => {
                    let open = matches!(state.lines.get(pos + 1), Some(KeyLine::Scope(..)));
                    group_row(g, open, detail_w)
                }
                Shown::Scope(u) => scope_row(u, theme, now, middle_w, detail_w),
            };
            highlight(row, state.selected.is(*pos), theme)
        })
        .collect();
    let header = Row::new(vec![
        "Key",
        "Provider",
        "Scopes",
        "Last tests · fingerprint",
    ])
    .style(theme.style(Slot::Accent));
    let widths = [
        Constraint::Length(20),
        Constraint::Length(provider_w as u16),
        Constraint::Length(middle_w as u16),
        Constraint::Fill(1),
    ];
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

/// A line of the table on screen: a key, or one scope of an open key.
enum Shown<'a> {
    Group(&'a KeyGroup),
    Scope(&'a KeyUse),
}

/// A key's row: mask, providers, scope count, last tests and fingerprint.
fn group_row(g: &KeyGroup, open: bool, detail_w: usize) -> Row<'static> {
    Row::new(vec![
        Span::raw(format!(
            "{} {}",
            if open { "▾" } else { "▸" },
            g.api_key_masked
        )),
        Span::raw(g.providers.join(",")),
        Span::raw(format!("{} scope{}", g.scope_count, plural(g.scope_count))),
        Span::raw(ellipsize_end(
            &format!(
                "{} · {}",
                TestSummary::of(&g.scopes).label(),
                g.key_fingerprint
            ),
            detail_w,
        )),
    ])
}

/// The scope's last test while it is of the provider and model in use; a
/// test of another is stale and counts as untested, not as a failure.
fn current_test(u: &KeyUse) -> Option<&TestResult> {
    u.last_test
        .as_ref()
        .filter(|t| t.provider == u.provider && t.model == u.model)
}

/// One scope under an expanded key: scope, provider, model, last test.
fn scope_row(
    u: &KeyUse,
    theme: &Theme,
    now: OffsetDateTime,
    model_w: usize,
    detail_w: usize,
) -> Row<'static> {
    let (mark, slot) = test_mark(current_test(u));
    let test = match current_test(u) {
        None if u.last_test.is_some() => format!("{STALE_MARK} changed since last test"),
        Some(t) => format!(
            "{mark} {} {} ago",
            t.status.as_str(),
            age(now, t.checked_at)
        ),
        None => format!("{mark} never tested"),
    };
    Row::new(vec![
        Span::styled(
            format!("  {}", ellipsize_middle(&scope_label(u), 18)),
            theme.style(Slot::Muted),
        ),
        Span::raw(u.provider.clone()),
        Span::raw(ellipsize_end(&u.model, model_w)),
        Span::styled(ellipsize_end(&test, detail_w), theme.style(slot)),
    ])
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_leaves_out_zero_counts() {
        let s = TestSummary {
            ok: 2,
            failed: 0,
            untested: 1,
        };
        assert_eq!(s.label(), "2 ok · 1 untested");
        assert_eq!(TestSummary::default().label(), "");
    }
}
