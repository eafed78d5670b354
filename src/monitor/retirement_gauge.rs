//! The `/metrics` gauge of days to each model's announced retirement, by
//! provider and model: `llmcfg_model_retirement_days{provider, model}`.
//! Labels stay bounded: a provider is a catalog id, a model appears only
//! once a provider (or the catalog) announced its retirement, and at most
//! [`MAX_SERIES`] pairs get a series; results beyond the bound are counted
//! in `llmcfg_model_retirement_series_dropped` instead.

use std::collections::HashSet;
use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::domain::HealthCheck;

/// Most provider/model pairs with a series. Announced retirements number
/// in the dozens per provider; this leaves room and caps a runaway.
pub const MAX_SERIES: usize = 256;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ModelLabels {
    provider: String,
    model: String,
}

/// The gauge, its bound and its overflow counter.
pub struct RetirementGauge {
    days: Family<ModelLabels, Gauge>,
    seen: Mutex<HashSet<ModelLabels>>,
    dropped: Counter,
}

impl RetirementGauge {
    /// Registers the gauge and its overflow counter in `registry`.
    pub fn register(registry: &mut Registry) -> RetirementGauge {
        let days = Family::<ModelLabels, Gauge>::default();
        registry.register(
            "llmcfg_model_retirement_days",
            "Days until the provider retires the model (negative once past), by provider and model",
            days.clone(),
        );
        let dropped = Counter::default();
        registry.register(
            "llmcfg_model_retirement_series_dropped",
            "Results whose provider/model pair is beyond the retirement series bound",
            dropped.clone(),
        );
        RetirementGauge {
            days,
            seen: Mutex::new(HashSet::new()),
            dropped,
        }
    }

    /// Sets the days to the retirement `check` learned of, if any.
    pub fn observe(&self, check: &HealthCheck) {
        let Some(facts) = check.lifecycle.as_ref() else {
            return;
        };
        let (Some(r), Some(days)) = (
            facts.retirement.as_ref(),
            facts.days_to_retirement(check.checked_at.date()),
        ) else {
            return;
        };
        let labels = ModelLabels {
            provider: check.provider.clone(),
            model: r.model.clone(),
        };
        if self.admit(&labels) {
            self.days.get_or_create(&labels).set(days);
        } else {
            self.dropped.inc();
        }
    }

    /// True when `labels` has (or may get) a series.
    fn admit(&self, labels: &ModelLabels) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.contains(labels) {
            return true;
        }
        if seen.len() < MAX_SERIES {
            seen.insert(labels.clone());
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FactSource, Lifecycle, Retirement, Scope, TestStatus};
    use time::macros::{date, datetime};

    fn check(model: &str) -> HealthCheck {
        let mut c = HealthCheck::new(
            &Scope::Global,
            "openai",
            model,
            TestStatus::Ok,
            datetime!(2026-12-07 10:00 UTC),
        );
        c.lifecycle = Some(Box::new(Lifecycle {
            retirement: Some(Retirement::new(
                model,
                date!(2027 - 03 - 01),
                FactSource::Api,
            )),
            ..Lifecycle::default()
        }));
        c
    }

    fn render(registry: &Registry) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, registry).unwrap();
        out
    }

    #[test]
    fn days_per_provider_and_model_up_to_the_bound() {
        let mut registry = Registry::default();
        let gauge = RetirementGauge::register(&mut registry);
        gauge.observe(&check("gpt-4o"));
        let text = render(&registry);
        assert!(
            text.contains(r#"llmcfg_model_retirement_days{provider="openai",model="gpt-4o"} 84"#),
            "{text}"
        );
        // A result without facts adds nothing.
        let mut plain = check("gpt-4.1");
        plain.lifecycle = None;
        gauge.observe(&plain);
        assert!(!render(&registry).contains("gpt-4.1"));
        for i in 0..MAX_SERIES + 10 {
            gauge.observe(&check(&format!("model-{i}")));
        }
        let text = render(&registry);
        let series = text
            .lines()
            .filter(|l| l.starts_with("llmcfg_model_retirement_days{"))
            .count();
        assert_eq!(series, MAX_SERIES);
        assert!(
            text.contains("llmcfg_model_retirement_series_dropped_total 11"),
            "{text}"
        );
    }
}
