//! The sort columns of the fleet table and the sort itself: stable, by one
//! column then the scope, with unconfigured scopes last.

use super::instance_list::Entry;

/// The sort column (`s` cycles).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortBy {
    /// By scope id, control plane first (or by match while filtering).
    #[default]
    Scope,
    /// By provider, then scope.
    Provider,
    /// By model, then scope.
    Model,
    /// Failed first, then untested, then ok; oldest test first within each.
    LastTest,
}

impl SortBy {
    /// The next column in the cycle.
    pub fn next(self) -> SortBy {
        match self {
            SortBy::Scope => SortBy::Provider,
            SortBy::Provider => SortBy::Model,
            SortBy::Model => SortBy::LastTest,
            SortBy::LastTest => SortBy::Scope,
        }
    }

    /// Its name in the list title.
    pub fn label(self) -> &'static str {
        match self {
            SortBy::Scope => "scope",
            SortBy::Provider => "provider",
            SortBy::Model => "model",
            SortBy::LastTest => "last test",
        }
    }
}

/// Sorts the row indices `rows` of `entries` by `sort`.
pub(super) fn sort_rows(rows: &mut [usize], entries: &[Entry], sort: SortBy) {
    let by_text = |get: fn(&Entry) -> Option<&str>| {
        move |a: &usize, b: &usize| {
            let (ea, eb) = (&entries[*a], &entries[*b]);
            get(ea)
                .unwrap_or("\u{10FFFF}")
                .cmp(get(eb).unwrap_or("\u{10FFFF}"))
                .then_with(|| ea.scope.cmp(&eb.scope))
        }
    };
    match sort {
        // Keep the ranking (load order when unfiltered: control plane, then by id).
        SortBy::Scope => {}
        SortBy::Provider => rows.sort_by(by_text(Entry::provider)),
        SortBy::Model => rows.sort_by(by_text(Entry::model)),
        SortBy::LastTest => rows.sort_by_key(|&i| {
            let t = entries[i].summary.last_test.as_ref();
            let rank = match t {
                Some(t) if !t.success => 0u8,
                None => 1,
                Some(_) => 2,
            };
            (rank, t.map(|t| t.checked_at))
        }),
    }
}
