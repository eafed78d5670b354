//! The fleet table's model: every scope with its config and last test, a
//! fuzzy `/` filter, facet filters (failing only, one provider, at risk
//! by lifecycle facts), a sort
//! column, and marks for bulk actions. The selection and the marks follow
//! the scope, not the row number, across filters, sorts and reloads.

use std::collections::{HashMap, HashSet};

use nucleo_matcher::Utf32String;
use time::Date;
use tui_input::Input;

use crate::domain::{InstanceSummary, LifecycleWindow, Scope, TestResult};
use crate::tui::fuzzy::{Fuzzy, NO_PRIORITY};

pub use super::instance_entry::{Entry, scope_label};
pub use super::instance_sort::SortBy;
use super::instance_sort::sort_rows;
use super::selection::Selection;
pub use super::selection::page_offset;

/// The list, its filters, sort and marks.
#[derive(Debug, Default)]
pub struct InstanceList {
    pub(super) entries: Vec<Entry>,
    /// Where each scope sits in `entries`: bulk keys look up every marked
    /// scope, so a linear search here made them quadratic in the fleet.
    index: HashMap<Scope, usize>,
    haystacks: Vec<Utf32String>,
    /// Fuzzy matches of the filter text (before facets and sort).
    ranked: Vec<usize>,
    /// Indices into `entries` in display order.
    pub(super) visible: Vec<usize>,
    /// Position in `visible`.
    pub(super) selected: Selection,
    /// The `/` filter while it is being typed or applied.
    pub filter: Option<Input>,
    /// Whether keys go to the filter input.
    pub filter_typing: bool,
    /// Show only scopes whose last test failed.
    pub failing_only: bool,
    /// Show only this provider.
    pub provider: Option<String>,
    /// Show only scopes retiring or running out as of this day (`w`).
    pub at_risk_on: Option<Date>,
    /// When a lifecycle fact puts a scope at risk (`[lifecycle]`).
    pub lifecycle: LifecycleWindow,
    /// Whether any row carries lifecycle facts (the column shows then).
    with_facts: bool,
    /// Sort column.
    pub sort: SortBy,
    /// Marked entries, by entry index.
    marked: Vec<bool>,
    marked_count: usize,
    fuzzy: Fuzzy,
    /// Fixed rank of each entry (the control plane is pinned first).
    priority: Vec<u32>,
    /// The pattern `ranked` was ranked for.
    ranked_for: Option<String>,
    /// The filter text changed since the last ranking.
    dirty: bool,
}

impl InstanceList {
    /// Replaces the entries, keeping the selection on `keep` when present
    /// and every mark whose scope is still listed.
    pub fn set_entries(&mut self, summaries: Vec<InstanceSummary>, keep: Option<&Scope>) {
        let marked: HashSet<Scope> = if self.marked_count == 0 {
            HashSet::new()
        } else {
            self.marked_scopes().into_iter().collect()
        };
        self.entries = summaries.into_iter().map(Entry::new).collect();
        self.with_facts = self.entries.iter().any(|e| e.lifecycle().is_some());
        self.index = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.scope.clone(), i))
            .collect();
        self.haystacks = self.entries.iter().map(|e| e.haystack.clone()).collect();
        self.marked = self
            .entries
            .iter()
            .map(|e| marked.contains(&e.scope))
            .collect();
        self.marked_count = self.marked.iter().filter(|m| **m).count();
        self.priority.clear();
        self.ranked_for = None;
        self.selected.top();
        let keep_idx = keep.and_then(|s| self.index.get(s).copied());
        self.apply(keep_idx);
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

    /// Re-applies the filter text, facets and sort, keeping the selected
    /// scope selected while it stays visible.
    pub fn refilter(&mut self) {
        let keep = self.visible.get(self.selected.pos()).copied();
        self.apply(keep);
    }

    /// Ranks, filters and sorts; then selects entry `keep_idx` if visible.
    fn apply(&mut self, keep_idx: Option<usize>) {
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
        if self.ranked_for.as_deref() != Some(pattern.as_str()) {
            // Typing more only narrows the matches: score just the previous ones.
            let candidates = self
                .ranked_for
                .as_deref()
                .is_some_and(|old| Fuzzy::narrows(old, &pattern))
                .then(|| std::mem::take(&mut self.ranked));
            self.ranked = self.fuzzy.rank_within(
                &pattern,
                &self.haystacks,
                candidates.as_deref(),
                &self.priority,
            );
            self.ranked_for = Some(pattern);
        }
        let entries = &self.entries;
        let provider = self.provider.as_deref();
        let failing_only = self.failing_only;
        let at_risk = self.at_risk_on.map(|day| (day, self.lifecycle));
        let mut visible: Vec<usize> = self
            .ranked
            .iter()
            .copied()
            .filter(|&i| {
                let e = &entries[i];
                (!failing_only || e.failing())
                    && provider.is_none_or(|p| e.provider() == Some(p))
                    && at_risk.is_none_or(|(day, window)| e.at_risk(day, window))
            })
            .collect();
        sort_rows(&mut visible, entries, self.sort);
        self.visible = visible;
        self.dirty = false;
        self.selected = Selection::at(
            keep_idx
                .and_then(|k| self.visible.iter().position(|&i| i == k))
                .unwrap_or(0),
        );
    }

    /// Notes that the filter text changed; [`InstanceList::flush`] re-ranks.
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Re-ranks if the filter changed since the last ranking. While typing,
    /// the best match is selected.
    pub fn flush(&mut self) {
        if self.dirty {
            self.apply(None);
        }
    }

    /// The selected entry.
    pub fn selected(&self) -> Option<&Entry> {
        self.visible
            .get(self.selected.pos())
            .map(|&i| &self.entries[i])
    }

    /// The entry of `scope`.
    pub fn entry(&self, scope: &Scope) -> Option<&Entry> {
        self.index.get(scope).map(|&i| &self.entries[i])
    }

    /// Mutable entry of `scope`.
    pub fn entry_mut(&mut self, scope: &Scope) -> Option<&mut Entry> {
        self.index.get(scope).map(|&i| &mut self.entries[i])
    }

    /// Moves the selection to `scope`, clearing filters that hide it.
    pub fn select_scope(&mut self, scope: &Scope) {
        let Some(&idx) = self.index.get(scope) else {
            return;
        };
        if !self.visible.contains(&idx) {
            self.filter = None;
            self.filter_typing = false;
            self.failing_only = false;
            self.provider = None;
            self.at_risk_on = None;
            self.apply(Some(idx));
        }
        if let Some(pos) = self.visible.iter().position(|&i| i == idx) {
            self.selected = Selection::at(pos);
        }
    }

    /// Moves the selection by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        self.selected.move_by(delta, self.visible.len());
    }

    /// Selects the first row.
    pub fn top(&mut self) {
        self.selected.top();
    }

    /// Selects the last row.
    pub fn bottom(&mut self) {
        self.selected.bottom(self.visible.len());
    }

    /// Selects the row shown at `row` of a list area `height` rows tall.
    pub fn click(&mut self, row: usize, height: usize) {
        self.selected.click(row, height, self.visible.len());
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
        self.with_facts |= result.lifecycle.is_some();
    }

    /// Marks or unmarks the selected row.
    pub fn toggle_mark(&mut self) {
        if let Some(&i) = self.visible.get(self.selected.pos()) {
            self.marked[i] = !self.marked[i];
            if self.marked[i] {
                self.marked_count += 1;
            } else {
                self.marked_count -= 1;
            }
        }
    }

    /// Marks every visible row.
    pub fn mark_all_visible(&mut self) {
        for &i in &self.visible {
            if !self.marked[i] {
                self.marked[i] = true;
                self.marked_count += 1;
            }
        }
    }

    /// Clears every mark; true when there were some.
    pub fn clear_marks(&mut self) -> bool {
        if self.marked_count == 0 {
            return false;
        }
        self.marked.iter_mut().for_each(|m| *m = false);
        self.marked_count = 0;
        true
    }

    /// Whether entry `i` is marked.
    pub fn is_marked(&self, i: usize) -> bool {
        self.marked.get(i).copied().unwrap_or(false)
    }

    /// Number of marked scopes.
    pub fn marked_count(&self) -> usize {
        self.marked_count
    }

    /// The marked scopes, in load order.
    pub fn marked_scopes(&self) -> Vec<Scope> {
        self.entries
            .iter()
            .zip(&self.marked)
            .filter(|(_, m)| **m)
            .map(|(e, _)| e.scope.clone())
            .collect()
    }

    /// The marked scopes that have a configuration, in load order: what a
    /// bulk key acts on. One pass over the marks, whatever the fleet size.
    pub fn marked_configured(&self) -> Vec<Scope> {
        self.entries
            .iter()
            .zip(&self.marked)
            .filter(|(e, m)| **m && e.summary.config.is_some())
            .map(|(e, _)| e.scope.clone())
            .collect()
    }

    /// Every listed scope that has a configuration, in load order.
    pub fn all_configured(&self) -> Vec<Scope> {
        self.entries
            .iter()
            .filter(|e| e.summary.config.is_some())
            .map(|e| e.scope.clone())
            .collect()
    }

    /// The next provider filter: none → each configured provider → none.
    pub fn next_provider(&self) -> Option<String> {
        let mut providers: Vec<&str> = self.entries.iter().filter_map(Entry::provider).collect();
        providers.sort_unstable();
        providers.dedup();
        match &self.provider {
            None => providers.first().map(|p| p.to_string()),
            Some(cur) => providers
                .iter()
                .position(|p| p == cur)
                .and_then(|i| providers.get(i + 1))
                .map(|p| p.to_string()),
        }
    }

    /// Whether any row carries lifecycle facts: the list then shows their
    /// column.
    pub fn with_facts(&self) -> bool {
        self.with_facts
    }

    /// Whether any facet filter is on (failing, provider, at risk).
    pub fn faceted(&self) -> bool {
        self.failing_only || self.provider.is_some() || self.at_risk_on.is_some()
    }

    /// The position of the selection (for paging and the scrollbar).
    pub fn selected_pos(&self) -> usize {
        self.selected.pos()
    }
}
