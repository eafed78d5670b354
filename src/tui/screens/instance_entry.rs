//! One row of the fleet table: a scope, its config and last test, and
//! what the row's marks and columns read from them (the current verdict,
//! a stale test, lifecycle facts).

use nucleo_matcher::Utf32String;
use time::Date;

use crate::domain::{InstanceSummary, Lifecycle, LifecycleWindow, Scope, TestResult};

/// One row: a scope and what the service knows about it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The scope.
    pub scope: Scope,
    /// Config and last test.
    pub summary: InstanceSummary,
    pub(super) haystack: Utf32String,
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

    /// The configured provider id, if any.
    pub fn provider(&self) -> Option<&str> {
        self.summary.config.as_ref().map(|c| c.provider.as_str())
    }

    /// The configured model, if any.
    pub fn model(&self) -> Option<&str> {
        self.summary.config.as_ref().map(|c| c.model.as_str())
    }

    /// The last test, if it still speaks for the stored config (see
    /// [`InstanceSummary::current_test`]).
    pub fn current_test(&self) -> Option<&TestResult> {
        self.summary.current_test()
    }

    /// Whether there is a last test, but of a config that changed since.
    pub fn stale_test(&self) -> bool {
        self.summary.last_test.is_some() && self.current_test().is_none()
    }

    /// Whether the last test of the current config failed.
    pub fn failing(&self) -> bool {
        self.current_test().is_some_and(|t| !t.success)
    }

    /// What the provider said about the current config's model and key at
    /// its last test; a test of another model says nothing of this one.
    pub fn lifecycle(&self) -> Option<&Lifecycle> {
        self.summary.lifecycle()
    }

    /// Whether the row's facts put it at risk on `today` under `window`.
    pub fn at_risk(&self, today: Date, window: LifecycleWindow) -> bool {
        self.lifecycle().is_some_and(|l| l.at_risk(today, window))
    }
}

/// The short list label of a scope: `control plane` or the instance id.
pub fn scope_label(scope: &Scope) -> String {
    match scope {
        Scope::Global => "control plane".to_string(),
        Scope::Instance(id) => id.to_string(),
    }
}
