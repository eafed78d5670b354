//! Which lifecycle alerts one monitor result calls for: a dated fact (a
//! model's retirement, a key's expiry) alerts when it enters the window and
//! again at 30 and 7 days; credit alerts when it falls to the threshold; a
//! key alerts when it turns `blocked_key`. Each threshold is a named mark
//! the store keeps per scope, so it is sent once however many rounds and
//! restarts see it; a mark is forgotten only when the fact goes back (credit
//! topped up, key unblocked), so the next crossing alerts again. Pure: the
//! store claims the marks, the monitor sends what was newly claimed.

use super::{HealthCheck, Lifecycle, LifecycleWindow, Scope, TestStatus};

/// Days before a dated fact at which it alerts again after entering the
/// window.
pub const DAY_THRESHOLDS: [u32; 2] = [30, 7];

/// What a lifecycle alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertKind {
    /// The model retires.
    Retirement,
    /// The key expires.
    KeyExpiry,
    /// The key's credit runs out.
    Credit,
    /// The provider blocked or disabled the key.
    BlockedKey,
}

impl AlertKind {
    /// The event `type` receivers see.
    pub fn event_type(self) -> &'static str {
        match self {
            AlertKind::Retirement => "lifecycle.retirement",
            AlertKind::KeyExpiry => "lifecycle.key_expiry",
            AlertKind::Credit => "lifecycle.credit",
            AlertKind::BlockedKey => "lifecycle.blocked_key",
        }
    }

    /// The fact of this kind alone, out of `facts`, for wording it on its
    /// own; none for a blocked key, which is a verdict, not a fact.
    pub fn only(self, facts: &Lifecycle) -> Option<Lifecycle> {
        let mut alone = Lifecycle::default();
        match self {
            AlertKind::Retirement => alone.retirement = Some(facts.retirement.clone()?),
            AlertKind::KeyExpiry => alone.key_expires_at = Some(facts.key_expires_at?),
            AlertKind::Credit => alone.credit = Some(facts.credit.clone()?),
            AlertKind::BlockedKey => return None,
        }
        Some(alone)
    }
}

/// One threshold of one scope: the row the store keeps once it was sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AlertMark {
    /// The scope.
    pub scope: Scope,
    /// Names the fact and the threshold, e.g. `retirement gpt-4o
    /// 2027-03-01 30d`: a new retirement date or model is a new mark.
    pub mark: String,
}

/// A threshold a result has crossed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crossing {
    /// What it is about.
    pub kind: AlertKind,
    /// Its mark.
    pub mark: AlertMark,
    /// Days ahead the threshold stands for, for dated facts.
    pub days: Option<u32>,
}

/// What one result means for its scope's alerts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertPlan {
    /// Thresholds crossed now; each alerts the first time it is claimed.
    pub crossed: Vec<Crossing>,
    /// Marks of facts that went back, to forget so a new crossing alerts.
    pub rearm: Vec<AlertMark>,
}

impl AlertPlan {
    /// The plan for `check` under `window`, on the day it was checked. An
    /// inconclusive result says nothing; a result without facts forgets
    /// nothing (the once-a-day calls leave most results without them).
    pub fn of(check: &HealthCheck, window: LifecycleWindow) -> AlertPlan {
        let mut plan = AlertPlan::default();
        if check.status.is_inconclusive() {
            return plan;
        }
        let scope = &check.scope;
        let mark = |text: String| AlertMark {
            scope: scope.clone(),
            mark: text,
        };
        let blocked = mark("blocked_key".to_string());
        match check.status {
            TestStatus::BlockedKey => plan.crossed.push(Crossing {
                kind: AlertKind::BlockedKey,
                mark: blocked,
                days: None,
            }),
            TestStatus::Ok => plan.rearm.push(blocked),
            _ => {}
        }
        let Some(facts) = check.lifecycle.as_ref() else {
            return plan;
        };
        let today = check.checked_at.date();
        if let Some(r) = &facts.retirement {
            let subject = format!("retirement {} {}", r.model, r.retires_on);
            let days = facts.days_to_retirement(today);
            plan.dated(AlertKind::Retirement, scope, &subject, days, window);
        }
        if let Some(at) = facts.key_expires_at {
            let subject = format!("key_expiry {}", at.date());
            let days = facts.days_to_key_expiry(today);
            plan.dated(AlertKind::KeyExpiry, scope, &subject, days, window);
        }
        if let Some(low) = credit_low(facts, window) {
            let credit = mark(format!("credit {}%", percent(window)));
            if low {
                plan.crossed.push(Crossing {
                    kind: AlertKind::Credit,
                    mark: credit,
                    days: None,
                });
            } else {
                plan.rearm.push(credit);
            }
        }
        plan
    }

    /// Adds the thresholds a fact `days` ahead has crossed: the window
    /// itself, then 30 and 7 days when they lie inside it.
    fn dated(
        &mut self,
        kind: AlertKind,
        scope: &Scope,
        subject: &str,
        days: Option<i64>,
        window: LifecycleWindow,
    ) {
        let Some(days) = days else {
            return;
        };
        for threshold in thresholds(window) {
            if days <= i64::from(threshold) {
                self.crossed.push(Crossing {
                    kind,
                    mark: AlertMark {
                        scope: scope.clone(),
                        mark: format!("{subject} {threshold}d"),
                    },
                    days: Some(threshold),
                });
            }
        }
    }
}

/// The day thresholds of a window, widest first: the window, then each of
/// [`DAY_THRESHOLDS`] inside it.
pub fn thresholds(window: LifecycleWindow) -> Vec<u32> {
    let mut out = vec![window.days];
    out.extend(DAY_THRESHOLDS.iter().copied().filter(|&d| d < window.days));
    out
}

/// Whether the credit is at or below the threshold; `None` when the
/// provider said nothing that tells.
fn credit_low(facts: &Lifecycle, window: LifecycleWindow) -> Option<bool> {
    let credit = facts.credit.as_ref()?;
    match credit.fraction_left() {
        Some(f) => Some(f <= window.credit_fraction),
        None => credit.remaining.map(|r| r <= 0.0),
    }
}

/// The credit threshold as a whole percentage, for the mark.
fn percent(window: LifecycleWindow) -> String {
    format!("{:.0}", window.credit_fraction * 100.0)
}

/// The tightest of `crossings` per kind: when several thresholds are newly
/// crossed at once (a fact first seen 5 days ahead), one event says so.
pub fn tightest(crossings: &[Crossing]) -> Vec<&Crossing> {
    let mut out: Vec<&Crossing> = Vec::new();
    for c in crossings {
        match out.iter_mut().find(|o| o.kind == c.kind) {
            Some(o) if c.days < o.days => *o = c,
            Some(_) => {}
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Credit, FactSource, Retirement};
    use time::Date;
    use time::macros::{date, datetime};

    fn check(status: TestStatus, facts: Option<Lifecycle>) -> HealthCheck {
        let mut check = HealthCheck::new(
            &Scope::Global,
            "openai",
            "gpt-4o",
            status,
            datetime!(2026-12-07 10:00 UTC),
        );
        check.lifecycle = facts.map(Box::new);
        check
    }

    fn retiring(on: Date) -> Option<Lifecycle> {
        Some(Lifecycle {
            retirement: Some(Retirement::new("gpt-4o", on, FactSource::Api)),
            ..Lifecycle::default()
        })
    }

    fn credit(limit: f64, remaining: f64) -> Option<Lifecycle> {
        Some(Lifecycle {
            credit: Some(Credit {
                limit: Some(limit),
                remaining: Some(remaining),
                ..Credit::default()
            }),
            ..Lifecycle::default()
        })
    }

    fn marks(plan: &AlertPlan) -> Vec<&str> {
        plan.crossed.iter().map(|c| c.mark.mark.as_str()).collect()
    }

    #[test]
    fn a_retirement_crosses_the_window_then_30_then_7_days() {
        let w = LifecycleWindow::default();
        let far = AlertPlan::of(&check(TestStatus::Ok, retiring(date!(2027 - 06 - 01))), w);
        assert!(far.crossed.is_empty());
        let in_window = AlertPlan::of(&check(TestStatus::Ok, retiring(date!(2027 - 03 - 01))), w);
        assert_eq!(marks(&in_window), ["retirement gpt-4o 2027-03-01 90d"]);
        let close = AlertPlan::of(&check(TestStatus::Ok, retiring(date!(2026 - 12 - 10))), w);
        assert_eq!(
            marks(&close),
            [
                "retirement gpt-4o 2026-12-10 90d",
                "retirement gpt-4o 2026-12-10 30d",
                "retirement gpt-4o 2026-12-10 7d"
            ]
        );
        let one = tightest(&close.crossed);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].days, Some(7));
    }

    #[test]
    fn a_key_expiry_crosses_like_a_retirement_and_each_fact_words_alone() {
        let w = LifecycleWindow::default();
        let facts = Lifecycle {
            key_expires_at: Some(datetime!(2026-12-20 00:00 UTC)),
            ..credit(100.0, 50.0).unwrap()
        };
        let plan = AlertPlan::of(&check(TestStatus::Ok, Some(facts.clone())), w);
        assert_eq!(
            marks(&plan),
            ["key_expiry 2026-12-20 90d", "key_expiry 2026-12-20 30d"]
        );
        assert!(plan.crossed.iter().all(|c| c.kind == AlertKind::KeyExpiry));
        let today = date!(2026 - 12 - 07);
        let words = |kind: AlertKind| kind.only(&facts).map(|l| l.lines(today));
        assert_eq!(
            words(AlertKind::KeyExpiry),
            Some(vec!["key expires 2026-12-20 (in 13 days)".to_string()])
        );
        assert_eq!(
            words(AlertKind::Credit),
            Some(vec!["credit 50% left".to_string()])
        );
        assert_eq!(words(AlertKind::Retirement), None);
        assert_eq!(words(AlertKind::BlockedKey), None);
    }

    #[test]
    fn a_narrow_window_keeps_only_the_thresholds_inside_it() {
        let w = LifecycleWindow {
            days: 14,
            ..LifecycleWindow::default()
        };
        assert_eq!(thresholds(w), [14, 7]);
        assert_eq!(thresholds(LifecycleWindow::default()), [90, 30, 7]);
    }

    #[test]
    fn credit_crosses_at_the_threshold_and_rearms_when_topped_up() {
        let w = LifecycleWindow::default();
        let low = AlertPlan::of(&check(TestStatus::Ok, credit(100.0, 4.0)), w);
        assert_eq!(marks(&low), ["credit 10%"]);
        let topped = AlertPlan::of(&check(TestStatus::Ok, credit(100.0, 60.0)), w);
        assert!(topped.crossed.is_empty());
        assert!(topped.rearm.iter().any(|m| m.mark == "credit 10%"));
    }

    #[test]
    fn a_blocked_key_crosses_once_and_an_ok_test_rearms_it() {
        let w = LifecycleWindow::default();
        let blocked = AlertPlan::of(&check(TestStatus::BlockedKey, None), w);
        assert_eq!(marks(&blocked), ["blocked_key"]);
        assert_eq!(blocked.crossed[0].kind, AlertKind::BlockedKey);
        let ok = AlertPlan::of(&check(TestStatus::Ok, None), w);
        assert_eq!(ok.rearm[0].mark, "blocked_key");
        // Another failure says nothing about the block either way.
        let invalid = AlertPlan::of(&check(TestStatus::InvalidKey, None), w);
        assert_eq!(invalid, AlertPlan::default());
    }

    #[test]
    fn an_inconclusive_result_plans_nothing() {
        let w = LifecycleWindow::default();
        let plan = AlertPlan::of(
            &check(TestStatus::RateLimited, retiring(date!(2026 - 12 - 10))),
            w,
        );
        assert_eq!(plan, AlertPlan::default());
    }
}
