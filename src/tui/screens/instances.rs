//! The instance list: every scope with provider, model and the last test
//! mark (✓ ok, ✗ failed, · untested) with its age; a `/` filter as you type;
//! rendering only the rows that fit, so 100,000 instances cost no more to
//! draw than twenty.

use nucleo_matcher::Utf32String;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use time::OffsetDateTime;
use tui_input::Input;

use crate::domain::{InstanceSummary, Scope, TestResult};
use crate::tui::fuzzy::{Fuzzy, NO_PRIORITY};
use crate::tui::theme::{Slot, Theme};

/// One row: a scope and what the service knows about it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The scope.
    pub scope: Scope,
    /// Config and last test.
    pub summary: InstanceSummary,
    haystack: Utf32String,
}

impl Entry {
    /// An entry for a summary from `list_instances`.
    pub fn new(summary: InstanceSummary) -> Entry {
        let scope = Scope::from_optional(summary.instance_id.as_deref()).unwrap_or(Scope::Global);
        let mut text = scope_label(&scope);
        if let Some(name) = &summary.name {
            text.push(' ');
            text.push_str(name);
        }
        Entry {
            scope,
            summary,
            haystack: Utf32String::from(text),
        }
    }
}

/// The short list label of a scope: `control plane` or the instance id.
pub fn scope_label(scope: &Scope) -> String {
    match scope {
        Scope::Global => "control plane".to_string(),
        Scope::Instance(id) => id.to_string(),
    }
}

/// The list and its filter.
#[derive(Debug, Default)]
pub struct InstanceList {
    entries: Vec<Entry>,
    haystacks: Vec<Utf32String>,
    /// Indices into `entries` in display order.
    visible: Vec<usize>,
    /// Position in `visible`.
    selected: usize,
    /// The `/` filter while it is being typed or applied.
    pub filter: Option<Input>,
    /// Whether keys go to the filter input.
    pub filter_typing: bool,
    fuzzy: Fuzzy,
    /// Fixed rank of each entry (the control plane is pinned first).
    priority: Vec<u32>,
    /// The pattern `visible` was ranked for.
    ranked_for: String,
    /// The filter text changed since the last ranking.
    dirty: bool,
}

impl InstanceList {
    /// Replaces the entries, keeping the selection on `keep` when present.
    pub fn set_entries(&mut self, summaries: Vec<InstanceSummary>, keep: Option<&Scope>) {
        self.entries = summaries.into_iter().map(Entry::new).collect();
        self.haystacks = self.entries.iter().map(|e| e.haystack.clone()).collect();
        self.priority.clear();
        self.ranked_for.clear();
        self.refilter();
        if let Some(scope) = keep {
            self.select_scope(scope);
        }
    }

    /// All entries in load order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Haystacks for the picker.
    pub fn haystacks(&self) -> &[Utf32String] {
        &self.haystacks
    }

    /// Re-ranks after the filter text changed (control plane stays first).
    pub fn refilter(&mut self) {
        let pattern = self
            .filter
            .as_ref()
            .map(|i| i.value())
            .unwrap_or("")
            .to_string();
        if self.priority.len() != self.entries.len() {
            self.priority = self
                .entries
                .iter()
                .map(|e| {
                    if e.scope == Scope::Global {
                        0
                    } else {
                        NO_PRIORITY
                    }
                })
                .collect();
        }
        // Typing more only narrows the matches: score just the previous ones.
        let candidates =
            Fuzzy::narrows(&self.ranked_for, &pattern).then(|| std::mem::take(&mut self.visible));
        self.visible = self.fuzzy.rank_within(
            &pattern,
            &self.haystacks,
            candidates.as_deref(),
            &self.priority,
        );
        self.ranked_for = pattern;
        self.selected = 0;
        self.dirty = false;
    }

    /// Notes that the filter text changed; [`InstanceList::flush`] re-ranks.
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Re-ranks if the filter changed since the last ranking.
    pub fn flush(&mut self) {
        if self.dirty {
            self.refilter();
        }
    }

    /// The selected entry.
    pub fn selected(&self) -> Option<&Entry> {
        self.visible.get(self.selected).map(|&i| &self.entries[i])
    }

    /// The entry of `scope`.
    pub fn entry(&self, scope: &Scope) -> Option<&Entry> {
        self.entries.iter().find(|e| &e.scope == scope)
    }

    /// Mutable entry of `scope`.
    pub fn entry_mut(&mut self, scope: &Scope) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| &e.scope == scope)
    }

    /// Moves the selection to `scope`, clearing a filter that hides it.
    pub fn select_scope(&mut self, scope: &Scope) {
        let Some(idx) = self.entries.iter().position(|e| &e.scope == scope) else {
            return;
        };
        if !self.visible.contains(&idx) {
            self.filter = None;
            self.filter_typing = false;
            self.refilter();
        }
        if let Some(pos) = self.visible.iter().position(|&i| i == idx) {
            self.selected = pos;
        }
    }

    /// Moves the selection by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.visible.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Selects the first row.
    pub fn top(&mut self) {
        self.selected = 0;
    }

    /// Selects the last row.
    pub fn bottom(&mut self) {
        self.selected = self.visible.len().saturating_sub(1);
    }

    /// Selects the row shown at `row` of a list area `height` rows tall.
    pub fn click(&mut self, row: usize, height: usize) {
        let pos = page_offset(self.selected, height) + row;
        if pos < self.visible.len() {
            self.selected = pos;
        }
    }

    /// Number of rows after filtering.
    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// Records a finished test in the row.
    pub fn record_test(&mut self, scope: &Scope, result: &TestResult) {
        if let Some(e) = self.entry_mut(scope) {
            e.summary.last_test = Some(result.clone());
        }
    }
}

/// First visible row when showing `height` rows with `selected` in view:
/// whole pages, so the offset is a pure function of the selection.
fn page_offset(selected: usize, height: usize) -> usize {
    selected.checked_div(height).map_or(0, |page| page * height)
}

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
}

/// Draws the list into `area`.
pub fn render(view: &ListView<'_>, frame: &mut Frame, area: Rect) {
    let list = view.list;
    let theme = view.theme;
    let title = format!(" Instances ({}) ", list.visible.len());
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
    let offset = page_offset(list.selected, height);
    let width = rows_area.width as usize;
    let lines: Vec<Line> = list
        .visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(pos, &i)| row_line(view, &list.entries[i], pos == list.selected, width))
        .collect();
    if lines.is_empty() {
        let msg = if list.filter.is_some() {
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

fn row_line<'a>(view: &ListView<'_>, entry: &'a Entry, selected: bool, width: usize) -> Line<'a> {
    let theme = view.theme;
    let test = entry.summary.last_test.as_ref();
    let (mark, slot) = match (view.spinner)(&entry.scope) {
        Some(sym) => (sym, Slot::Warn),
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
    // pointer + mark + space, then three separating spaces, provider and age.
    let fixed = 3 + 3 + 10 + 4;
    let rest = width.saturating_sub(fixed);
    let scope_w = (rest / 2).max(8);
    let model_w = rest.saturating_sub(scope_w);
    let text = format!(
        "{label:<scope_w$.scope_w$} {provider:<10.10} {model:<model_w$.model_w$} {age_text:>4}"
    );
    let row_style = if selected {
        theme.style(Slot::Selected)
    } else {
        Default::default()
    };
    let pointer = if selected { "›" } else { " " };
    Line::from(vec![
        Span::styled(pointer, row_style),
        Span::styled(
            format!("{mark} "),
            if selected {
                row_style
            } else {
                theme.style(slot)
            },
        ),
        Span::styled(text, row_style),
    ])
}
