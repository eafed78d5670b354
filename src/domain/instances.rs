//! The instance list as every backend shows it: the scopes the store (or the
//! server) knows, plus the `[[instances]]` of `config.toml` that it does not
//! know yet, control plane first; and which last test still speaks for a
//! scope's config.

use super::{InstanceId, InstanceSummary, Lifecycle, TestResult};

impl InstanceSummary {
    /// The last test, if it still speaks for the stored config: a test of
    /// another provider or model, or one older than the config's last
    /// change (a new key or base URL, by any writer), is stale.
    pub fn current_test(&self) -> Option<&TestResult> {
        let test = self.last_test.as_ref()?;
        let config = self.config.as_ref()?;
        let same = test.provider == config.provider
            && test.model == config.model
            && test.checked_at >= config.updated_at;
        same.then_some(test)
    }

    /// What the provider said about the config's model and key at its
    /// current last test; a test of another model says nothing of this one.
    pub fn lifecycle(&self) -> Option<&Lifecycle> {
        self.current_test()?.lifecycle.as_deref()
    }
}

/// The start of the instance list, read before the whole fleet so that a
/// screenful can be drawn at once.
#[derive(Debug, Clone, PartialEq)]
pub enum ListStart {
    /// The whole list: it was no longer than the rows asked for.
    Whole(Vec<InstanceSummary>),
    /// Its first rows, in list order; the whole list is read after.
    FirstRows(Vec<InstanceSummary>),
}

/// The start of the list whose first `rows` entries in the store are
/// `stored` (as many as asked, or fewer when that is all), with the
/// configured instances merged in as [`merge_configured`] does.
pub fn list_start(
    stored: Vec<InstanceSummary>,
    rows: usize,
    configured: &[(InstanceId, Option<String>)],
) -> ListStart {
    let whole = stored.len() < rows;
    let mut list = merge_configured(stored, configured);
    if whole {
        ListStart::Whole(list)
    } else {
        // Every stored scope past these sorts after the last of them, so
        // the merged list's first `rows` are the whole list's.
        list.truncate(rows);
        ListStart::FirstRows(list)
    }
}

/// Adds the configured instances missing from `list` (and their display
/// names where the list has none), then sorts: control plane, then by id.
pub fn merge_configured(
    mut list: Vec<InstanceSummary>,
    configured: &[(InstanceId, Option<String>)],
) -> Vec<InstanceSummary> {
    if configured.is_empty() {
        return list;
    }
    for (id, name) in configured {
        match list
            .iter_mut()
            .find(|s| s.instance_id.as_deref() == Some(id.as_str()))
        {
            Some(entry) if entry.name.is_none() => entry.name = name.clone(),
            Some(_) => {}
            None => list.push(InstanceSummary {
                instance_id: Some(id.to_string()),
                name: name.clone(),
                config: None,
                last_test: None,
            }),
        }
    }
    // `None` (the control plane) sorts before every id.
    list.sort_by(|a, b| a.instance_id.cmp(&b.instance_id));
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: Option<&str>, name: Option<&str>) -> InstanceSummary {
        InstanceSummary {
            instance_id: id.map(str::to_string),
            name: name.map(str::to_string),
            config: None,
            last_test: None,
        }
    }

    #[test]
    fn adds_missing_names_and_sorts() {
        let list = vec![
            summary(None, None),
            summary(Some("b"), None),
            summary(Some("c"), Some("Kept")),
        ];
        let configured = vec![
            (InstanceId::parse("a").unwrap(), Some("Alpha".into())),
            (InstanceId::parse("b").unwrap(), Some("Beta".into())),
            (InstanceId::parse("c").unwrap(), Some("Other".into())),
        ];
        let merged = merge_configured(list, &configured);
        let ids: Vec<_> = merged.iter().map(|s| s.instance_id.as_deref()).collect();
        assert_eq!(ids, [None, Some("a"), Some("b"), Some("c")]);
        assert_eq!(merged[1].name.as_deref(), Some("Alpha"));
        assert_eq!(merged[2].name.as_deref(), Some("Beta"));
        assert_eq!(merged[3].name.as_deref(), Some("Kept"));
    }
}
