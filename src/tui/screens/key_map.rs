//! The key-usage map screen (`K`): one row per key fingerprint — mask,
//! provider(s), how many scopes use it and a summary of their last tests —
//! most-used key first. Enter expands a row into the scopes using that key,
//! each with its model and last test. Only masks and fingerprints are ever
//! shown, never a key: "this key leaked — where is it?" at a glance.

use std::collections::HashSet;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Row, Table};
use time::OffsetDateTime;

use crate::domain::{KeyGroup, KeyUse, TestResult};
use crate::tui::screens::chrome::screen_block;
use crate::tui::screens::instances::{STALE_MARK, age, test_mark};
use crate::tui::screens::rotation::{self, RotationView};
use crate::tui::screens::selection::{
    Loaded, Selection, highlight, loaded, page_offset, rows_or_notice,
};
use crate::tui::text::{ellipsize_end, ellipsize_middle};
use crate::tui::theme::{Slot, Theme};

/// The screen's state.
#[derive(Debug, Default)]
pub struct KeyMapState {
    /// The key groups, once loaded.
    pub groups: Loaded<KeyGroup>,
    /// The selected group.
    pub selected: Selection,
    /// Fingerprints of the expanded groups.
    pub expanded: HashSet<String>,
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
    /// Moves the selection by `delta` groups (clamped).
    pub fn move_by(&mut self, delta: isize) {
        self.selected.move_by(delta, loaded(&self.groups).len());
    }

    /// The selected group, once loaded.
    pub fn selected_group(&self) -> Option<&KeyGroup> {
        loaded(&self.groups).get(self.selected.pos())
    }

    /// Expands or collapses the selected group.
    pub fn toggle(&mut self) {
        if let Some(g) = loaded(&self.groups).get(self.selected.pos())
            && !self.expanded.remove(&g.key_fingerprint)
        {
            self.expanded.insert(g.key_fingerprint.clone());
        }
    }
}

fn scope_label(u: &KeyUse) -> String {
    match &u.instance_id {
        Some(id) => format!("tenant: {id}"),
        None => "control plane".to_string(),
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
    let block = screen_block("Key map — scopes by key fingerprint", theme);
    let empty = "no configured scope uses a key yet";
    let Some(groups) = rows_or_notice(&state.groups, empty, &block, theme, frame, area) else {
        return;
    };
    // One table row per group, plus one per scope of an expanded group;
    // the selection is on groups, so remember which line each group is on.
    // Only the visible lines become rows: a fleet can hold 100,000 keys.
    let open = |g: &KeyGroup| state.expanded.contains(&g.key_fingerprint);
    let lines_of = |g: &KeyGroup| 1 + if open(g) { g.scopes.len() } else { 0 };
    let selected_line: usize = groups.iter().take(state.selected.pos()).map(lines_of).sum();
    let height = area.height.saturating_sub(3) as usize;
    let offset = page_offset(selected_line, height.max(1));
    let visible = offset..offset + height;
    let mut shown = Vec::new();
    let mut line = 0;
    for (i, g) in groups.iter().enumerate() {
        if line >= visible.end {
            break;
        }
        let lines = lines_of(g);
        if line + lines <= visible.start {
            line += lines;
            continue;
        }
        if visible.contains(&line) {
            shown.push(Shown::Group(i, g));
        }
        line += 1;
        if open(g) {
            for (k, u) in g.scopes.iter().enumerate() {
                if line >= visible.end {
                    break;
                }
                // The last line on screen, with more scopes of this key
                // below: say how many, rather than cut the list silently.
                let rest = g.scopes.len() - k;
                if line + 1 == visible.end && rest > 1 && visible.contains(&line) {
                    shown.push(Shown::More(rest));
                    line += 1;
                    break;
                }
                if visible.contains(&line) {
                    shown.push(Shown::Scope(u));
                }
                line += 1;
            }
        }
    }
    // The provider and scopes/model columns as wide as their widest
    // visible value (capped), the last column the rest: a long provider
    // id or model is whole while there is room.
    // Each capped at a fifth of the width, so the tests keep their room.
    let cap = (area.width as usize / 5).clamp(10, 40);
    let widest = |title: &str, value: &dyn Fn(&Shown) -> usize| {
        shown
            .iter()
            .map(value)
            .max()
            .unwrap_or(0)
            .max(title.len())
            .min(cap)
    };
    let provider_w = widest("Provider", &|s| match s {
        Shown::Group(_, g) => g.providers.join(",").chars().count(),
        Shown::Scope(u) => u.provider.chars().count(),
        Shown::More(_) => 0,
    });
    let middle_w = widest("Scopes", &|s| match s {
        Shown::Group(_, g) => format!("{} scopes", g.scope_count).len(),
        Shown::Scope(u) => u.model.chars().count(),
        Shown::More(_) => 0,
    });
    // Borders, the three column gaps and the other columns.
    let detail_w = (area.width as usize).saturating_sub(2 + 3 + 20 + provider_w + middle_w);
    let rows: Vec<Row> = shown
        .iter()
        .map(|s| match s {
            Shown::Group(i, g) => highlight(
                group_row(g, open(g), detail_w),
                state.selected.is(*i),
                theme,
            ),
            Shown::Scope(u) => scope_row(u, theme, now, middle_w, detail_w),
            Shown::More(rest) => more_row(*rest, theme),
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

/// A line of the table on screen: a key, one scope of an open key, or the
/// "and N more" of an open key's scopes below.
enum Shown<'a> {
    Group(usize, &'a KeyGroup),
    Scope(&'a KeyUse),
    More(usize),
}

/// The line that stands for the `rest` scopes of an open key that do not
/// fit on screen.
fn more_row(rest: usize, theme: &Theme) -> Row<'static> {
    let muted = theme.style(Slot::Muted);
    Row::new(vec![
        Span::styled(format!("  … and {rest} more"), muted),
        Span::raw(""),
        Span::raw(""),
        Span::styled(
            "scopes of this key below · llmcfg keys --json lists them all",
            muted,
        ),
    ])
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
