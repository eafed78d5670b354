//! The sort columns of the fleet table and the sort itself: by one column
//! then the scope (a total order, so the unstable sort is deterministic),
//! with unconfigured scopes last.

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

/// Sorts the row indices `rows` of `entries` by `sort`. The keys are pulled
/// out once into a flat vector (no pointer chasing per comparison), and
/// since entries come in scope order, the index breaks ties by scope.
pub(super) fn sort_rows(rows: &mut [usize], entries: &[Entry], sort: SortBy) {
    /// Sorts after every real value: rows without a configuration go last.
    const LAST: &str = "\u{10FFFF}";
    fn by_text(rows: &mut [usize], entries: &[Entry], get: fn(&Entry) -> Option<&str>) {
        let mut keyed: Vec<(&str, usize)> = rows
            .iter()
            .map(|&i| (get(&entries[i]).unwrap_or(LAST), i))
            .collect();
        keyed.sort_unstable();
        for (slot, (_, i)) in rows.iter_mut().zip(keyed) {
            *slot = i;
        }
    }
    match sort {
        // Keep the ranking (load order when unfiltered: control plane, then by id).
        SortBy::Scope => {}
        SortBy::Provider => by_text(rows, entries, Entry::provider),
        SortBy::Model => by_text(rows, entries, Entry::model),
        SortBy::LastTest => rows.sort_unstable_by_key(|&i| {
            let t = entries[i].current_test();
            let rank = match t {
                Some(t) if !t.success => 0u8,
                None => 1,
                Some(_) => 2,
            };
            (rank, t.map(|t| t.checked_at), i)
        }),
    }
}
