//! Drawing the fleet table: every scope with its mark for bulk actions,
//! provider, model and the last test (✓ ok, ✗ failed, · untested) with its
//! age, and ≠ on the scopes that drifted from the `[fleet] file` when one
//! is configured; the lifecycle column when some scope has facts (see
//! [`super::lifecycle_column`]); the title names the filters and sort in force. Only the rows that
//! fit are drawn, so 100,000 instances (or 100,000 marked ones) cost no
//! more to draw than twenty. The model is in [`super::instance_list`].

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use time::OffsetDateTime;

use crate::domain::{Scope, TestResult};
use crate::tui::drift::DriftMarks;
use crate::tui::state::ListCoverage;
use crate::tui::text::{ellipsize_end, ellipsize_middle};
use crate::tui::theme::{Slot, Theme};

pub use super::instance_list::{Entry, InstanceList, SortBy, page_offset, scope_label};

/// Compact age: `12s`, `5m`, `3h`, `2d`.
pub fn age(now: OffsetDateTime, then: OffsetDateTime) -> String {
    let secs = (now - then).whole_seconds().max(0);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// The mark of a scope whose config changed since its last test.
pub const STALE_MARK: &str = "~";

/// The mark of a last test: symbol and slot (the symbol alone carries meaning).
pub fn test_mark(test: Option<&TestResult>) -> (&'static str, Slot) {
    match test {
        Some(t) if t.success => ("✓", Slot::Ok),
        Some(_) => ("✗", Slot::Error),
        None => ("·", Slot::Muted),
    }
}

/// What the list needs from the rest of the state to draw.
pub struct ListView<'a> {
    /// The list.
    pub list: &'a InstanceList,
    /// Colours.
    pub theme: &'a Theme,
    /// "Now" for ages (state, not the clock: rendering is pure).
    pub now: OffsetDateTime,
    /// Spinner symbol for scopes with a pending test.
    pub spinner: &'a dyn Fn(&Scope) -> Option<String>,
    /// Whether the list has focus (draws the border accented).
    pub focused: bool,
    /// Drift from the `[fleet] file`: a ≠ column when one is configured.
    pub drift: Option<&'a DriftMarks>,
    /// The monitor's health, for the health column.
    pub health: Option<&'a crate::service::HealthBoard>,
    /// Whether the list is whole or its first rows (the rest loading).
    pub coverage: ListCoverage,
}

/// Draws the list into `area`.
pub fn render(view: &ListView<'_>, frame: &mut Frame, area: Rect) {
    let list = view.list;
    let theme = view.theme;
    // A filtered list says of how many, so a short list is not mistaken
    // for the whole fleet.
    let (shown, loaded) = (list.visible.len(), list.entries.len());
    // The first rows read at start never show as a count of the fleet.
    let mut title = match view.coverage {
        ListCoverage::FirstRows if shown == loaded => {
            format!(" Instances (first {loaded}, loading the rest…)")
        }
        ListCoverage::FirstRows => {
            format!(" Instances ({shown} of the first {loaded}, loading the rest…)")
        }
        ListCoverage::Whole if shown == loaded => format!(" Instances ({shown})"),
        ListCoverage::Whole => format!(" Instances ({shown} of {loaded})"),
    };
    if list.marked_count() > 0 {
        title.push_str(&format!(" · {} marked", list.marked_count()));
    }
    if list.sort != SortBy::Scope {
        title.push_str(&format!(" · sort: {}", list.sort.label()));
    }
    if list.failing_only {
        title.push_str(" · failing only");
    }
    if list.at_risk_on.is_some() {
        title.push_str(" · retiring or running out");
    }
    if let Some(p) = &list.provider {
        title.push_str(&format!(" · provider: {p}"));
    }
    if let Some(drift) = view.drift {
        title.push_str(&format!(" · {}", drift.title()));
    }
    title.push(' ');
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.style(Slot::Accent)))
        .border_style(theme.style(if view.focused {
            Slot::Accent
        } else {
            Slot::Border
        }));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut rows_area = inner;
    if let Some(input) = &list.filter {
        let cursor = if list.filter_typing { "▏" } else { "" };
        let line = Line::from(vec![
            Span::styled("/", theme.style(Slot::Key)),
            Span::raw(format!("{}{cursor}", input.value())),
        ]);
        frame.render_widget(Paragraph::new(line), Rect { height: 1, ..inner });
        rows_area.y += 1;
        rows_area.height = rows_area.height.saturating_sub(1);
    }
    let height = rows_area.height as usize;
    let width = rows_area.width as usize;
    let lines: Vec<Line> = list
        .selected
        .page(&list.visible, height)
        .map(|(pos, &i)| {
            let entry = &list.entries[i];
            row_line(view, entry, list.is_marked(i), list.selected.is(pos), width)
        })
        .collect();
    if lines.is_empty() {
        let msg = if list.filter.is_some() || list.faceted() {
            "no match"
        } else {
            "no instances"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(msg, theme.style(Slot::Muted))),
            rows_area,
        );
        return;
    }
    frame.render_widget(Paragraph::new(lines), rows_area);
}

fn row_line<'a>(
    view: &ListView<'_>,
    entry: &'a Entry,
    marked: bool,
    selected: bool,
    width: usize,
) -> Line<'a> {
    let theme = view.theme;
    let test = entry.current_test();
    let (mark, slot) = match (view.spinner)(&entry.scope) {
        Some(sym) => (sym, Slot::Warn),
        // The config changed since its last test: that verdict is not shown.
        None if entry.stale_test() => (STALE_MARK.to_string(), Slot::Muted),
        None => {
            let (m, s) = test_mark(test);
            (m.to_string(), s)
        }
    };
    let age_text = test
        .map(|t| age(view.now, t.checked_at))
        .unwrap_or_default();
    let label = scope_label(&entry.scope);
    let (provider, model) = match &entry.summary.config {
        Some(c) => (c.provider.as_str(), c.model.as_str()),
        None => ("—", "no config"),
    };
    // Columns: mark, scope, provider, model, age; the scope column gets the
    // slack and everything is cut to the width so rows never wrap.
    // pointer + bulk mark + test mark + space, then three separating
    // spaces, provider and age. Ids get a middle ellipsis (their ends tell
    // tenants apart), the rest an end ellipsis.
    let drift_w = if view.drift.is_some() { 2 } else { 0 };
    let health = super::health_view::column(view.health, &entry.scope, view.now);
    let health_w = if health.is_some() {
        super::health_view::COLUMN_WIDTH
    } else {
        0
    };
    let lifecycle = view
        .list
        .with_facts()
        .then(|| super::lifecycle_column::cell(entry, view.now.date(), view.list.lifecycle));
    let lifecycle_w = if lifecycle.is_some() {
        super::lifecycle_column::COLUMN_WIDTH
    } else {
        0
    };
    let fixed = 4 + 3 + 10 + 4 + drift_w + health_w + lifecycle_w;
    let rest = width.saturating_sub(fixed);
    let scope_w = (rest / 2).max(8);
    let model_w = rest.saturating_sub(scope_w);
    let label = ellipsize_middle(&label, scope_w);
    let provider = ellipsize_end(provider, 10);
    let model = ellipsize_end(model, model_w);
    let text = format!("{label:<scope_w$} {provider:<10} {model:<model_w$} {age_text:>4}");
    let row_style = if selected {
        theme.style(Slot::Selected)
    } else {
        Default::default()
    };
    let pointer = if selected { "›" } else { " " };
    let bulk = if marked { "●" } else { " " };
    let drift = view.drift.map(|d| {
        let (sym, slot) = if d.is_drifted(&entry.scope) {
            ("≠ ", Slot::Warn)
        } else {
            ("  ", Slot::Muted)
        };
        Span::styled(
            sym,
            if selected {
                row_style
            } else {
                theme.style(slot)
            },
        )
    });
    let mut spans = vec![
        Span::styled(pointer, row_style),
        Span::styled(
            bulk,
            if selected {
                row_style
            } else {
                theme.style(Slot::Accent)
            },
        ),
        Span::styled(
            format!("{mark} "),
            if selected {
                row_style
            } else {
                theme.style(slot)
            },
        ),
    ];
    spans.extend(drift);
    spans.push(Span::styled(text, row_style));
    if let Some((text, slot)) = lifecycle {
        let text = ellipsize_end(&text, lifecycle_w - 2);
        spans.push(Span::styled(
            format!("  {text:<w$}", w = lifecycle_w - 2),
            if selected {
                row_style
            } else {
                theme.style(slot)
            },
        ));
    }
    if let Some((health, slot)) = health {
        let text = ellipsize_end(&health, health_w - 2);
        spans.push(Span::styled(
            format!("  {text:<w$}", w = health_w - 2),
            if selected {
                row_style
            } else {
                theme.style(slot)
            },
        ));
    }
    Line::from(spans)
}
