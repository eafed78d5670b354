//! Lifecycle facts: what a provider says for free about a model's retirement
//! and a key's credit and expiry, carried on the test result that learned
//! them so every view of a scope's last test shows them with no extra read.
//! The facts come from the provider's own answers (or, for a retirement the
//! API does not report, the dated catalog); this file only holds them, says
//! when a scope is at risk, and words them the one way every screen prints.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

time::serde::format_description!(day, Date, "[year]-[month]-[day]");

/// The one line said where a user asked for lifecycle facts and the remote
/// server (a seed-only one) does not report them.
pub const NOT_REPORTED: &str = "this server does not report lifecycle facts (model retirements, \
     key credit and expiry); llmcfg serve does";

/// Where a retirement date came from. An API answer always wins over the
/// catalog: the provider knows its own plans better than our table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactSource {
    /// The provider's API said so.
    Api,
    /// The dated table of announced retirements (`assets/retirements.toml`).
    Catalog,
}

/// A model's announced retirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retirement {
    /// The model that retires.
    pub model: String,
    /// The day it stops answering (`YYYY-MM-DD`).
    #[serde(with = "day")]
    pub retires_on: Date,
    /// The model the provider names as its replacement, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
    /// Who said so.
    pub source: FactSource,
}

impl Retirement {
    /// `model` retires on `retires_on`, as `source` says; no successor yet.
    pub fn new(model: impl Into<String>, retires_on: Date, source: FactSource) -> Retirement {
        Retirement {
            model: model.into(),
            retires_on,
            successor: None,
            source,
        }
    }

    /// The same retirement with `successor` named as the replacement.
    pub fn with_successor(mut self, successor: impl Into<String>) -> Retirement {
        self.successor = Some(successor.into());
        self
    }
}

/// A key's credit, in the provider's currency units (or its credits).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Credit {
    /// The spending limit, when the key has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<f64>,
    /// What is left to spend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<f64>,
    /// What was spent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<f64>,
    /// The currency (`USD`, `CNY`), when the provider names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

impl Credit {
    /// The share of the limit left (0.0–1.0), when both the limit and the
    /// remainder are known and the limit is above zero.
    pub fn fraction_left(&self) -> Option<f64> {
        match (self.limit, self.remaining) {
            (Some(limit), Some(remaining)) if limit > 0.0 => Some((remaining / limit).max(0.0)),
            _ => None,
        }
    }
}

/// When a fact puts a scope at risk (`[lifecycle] window_days` and
/// `credit_fraction`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LifecycleWindow {
    /// A retirement or key expiry within this many days is a risk.
    pub days: u32,
    /// Credit at or below this share of the limit is a risk.
    pub credit_fraction: f64,
}

impl Default for LifecycleWindow {
    fn default() -> Self {
        LifecycleWindow {
            days: 90,
            credit_fraction: 0.10,
        }
    }
}

/// What the provider (or the catalog) says about a scope's model and key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lifecycle {
    /// The model's announced retirement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retirement: Option<Retirement>,
    /// The key's credit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<Credit>,
    /// When the key stops working.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::timestamp::optional"
    )]
    pub key_expires_at: Option<OffsetDateTime>,
}

impl Lifecycle {
    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        self.retirement.is_none() && self.credit.is_none() && self.key_expires_at.is_none()
    }

    /// Days from `today` to the model's retirement (negative once past).
    pub fn days_to_retirement(&self, today: Date) -> Option<i64> {
        self.retirement
            .as_ref()
            .map(|r| (r.retires_on - today).whole_days())
    }

    /// Days from `today` to the key's expiry (negative once past).
    pub fn days_to_key_expiry(&self, today: Date) -> Option<i64> {
        self.key_expires_at
            .map(|at| (at.date() - today).whole_days())
    }

    /// True when the model retires within the window (or already has), the
    /// credit is at or below the window's share (or spent), or the key
    /// expires within the window.
    pub fn at_risk(&self, today: Date, window: LifecycleWindow) -> bool {
        let within = |days: Option<i64>| days.is_some_and(|d| d <= i64::from(window.days));
        let credit_low = self.credit.as_ref().is_some_and(|c| {
            c.fraction_left()
                .map(|f| f <= window.credit_fraction)
                .or(c.remaining.map(|r| r <= 0.0))
                .unwrap_or(false)
        });
        within(self.days_to_retirement(today))
            || credit_low
            || within(self.days_to_key_expiry(today))
    }

    /// The facts as the phrases `test`, `health` and the views print, one
    /// per fact, e.g. `gpt-4o retires 2027-03-01 (in 84 days); successor
    /// gpt-4.1`, `credit 4% left`, `key expires 2027-01-02 (in 26 days)`.
    pub fn lines(&self, today: Date) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(r) = &self.retirement {
            let days = (r.retires_on - today).whole_days();
            let (verb, when) = dated("retires", "retired", days);
            let mut line = format!("{} {verb} {} ({when})", r.model, ymd(r.retires_on));
            if let Some(successor) = &r.successor {
                line.push_str(&format!("; successor {successor}"));
            }
            out.push(line);
        }
        if let Some(line) = self.credit.as_ref().and_then(credit_line) {
            out.push(line);
        }
        if let Some(at) = self.key_expires_at {
            let days = (at.date() - today).whole_days();
            let (verb, when) = dated("expires", "expired", days);
            out.push(format!("key {verb} {} ({when})", ymd(at.date())));
        }
        out
    }
}

/// The verb and the distance of a dated fact `days` from today.
fn dated(future: &'static str, past: &'static str, days: i64) -> (&'static str, String) {
    match days {
        0 => (future, "today".to_string()),
        1 => (future, "in 1 day".to_string()),
        d if d > 1 => (future, format!("in {d} days")),
        -1 => (past, "1 day ago".to_string()),
        d => (past, format!("{} days ago", -d)),
    }
}

fn credit_line(c: &Credit) -> Option<String> {
    if let Some(fraction) = c.fraction_left() {
        return Some(format!("credit {:.0}% left", fraction * 100.0));
    }
    let remaining = c.remaining?;
    Some(match &c.currency {
        Some(currency) => format!("credit {remaining:.2} {currency} left"),
        None => format!("credit {remaining:.2} left"),
    })
}

fn ymd(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    const TODAY: Date = date!(2026 - 12 - 07);

    fn retiring(on: Date) -> Lifecycle {
        Lifecycle {
            retirement: Some(Retirement::new("gpt-4o", on, FactSource::Api)),
            ..Lifecycle::default()
        }
    }

    fn credit(limit: Option<f64>, remaining: Option<f64>) -> Lifecycle {
        Lifecycle {
            credit: Some(Credit {
                limit,
                remaining,
                currency: Some("USD".into()),
                ..Credit::default()
            }),
            ..Lifecycle::default()
        }
    }

    fn expiring(at: OffsetDateTime) -> Lifecycle {
        Lifecycle {
            key_expires_at: Some(at),
            ..Lifecycle::default()
        }
    }

    #[test]
    fn a_retirement_reads_with_its_distance_and_successor() {
        let mut l = retiring(date!(2027 - 03 - 01));
        assert_eq!(l.lines(TODAY), ["gpt-4o retires 2027-03-01 (in 84 days)"]);
        l.retirement = l.retirement.map(|r| r.with_successor("gpt-4.1"));
        assert_eq!(
            l.lines(TODAY),
            ["gpt-4o retires 2027-03-01 (in 84 days); successor gpt-4.1"]
        );
        assert_eq!(
            retiring(date!(2026 - 10 - 02)).lines(TODAY),
            ["gpt-4o retired 2026-10-02 (66 days ago)"]
        );
        assert_eq!(
            retiring(TODAY).lines(TODAY),
            ["gpt-4o retires 2026-12-07 (today)"]
        );
        assert_eq!(
            retiring(date!(2027 - 03 - 01)).days_to_retirement(TODAY),
            Some(84)
        );
    }

    #[test]
    fn credit_reads_as_a_share_or_an_amount() {
        assert_eq!(
            credit(Some(25.0), Some(1.0)).lines(TODAY),
            ["credit 4% left"]
        );
        assert_eq!(
            credit(None, Some(12.5)).lines(TODAY),
            ["credit 12.50 USD left"]
        );
        // A zero limit says nothing about a share.
        assert_eq!(
            credit(Some(0.0), Some(12.5)).lines(TODAY),
            ["credit 12.50 USD left"]
        );
        assert!(credit(None, None).lines(TODAY).is_empty());
    }

    #[test]
    fn a_key_expiry_reads_with_its_distance() {
        assert_eq!(
            expiring(datetime!(2027-01-02 12:00 UTC)).lines(TODAY),
            ["key expires 2027-01-02 (in 26 days)"]
        );
        assert_eq!(
            expiring(datetime!(2026-12-04 0:00 UTC)).lines(TODAY),
            ["key expired 2026-12-04 (3 days ago)"]
        );
    }

    #[test]
    fn at_risk_inside_the_window_or_below_the_credit_share() {
        let w = LifecycleWindow::default();
        assert!(retiring(TODAY + time::Duration::days(90)).at_risk(TODAY, w));
        assert!(!retiring(TODAY + time::Duration::days(91)).at_risk(TODAY, w));
        assert!(
            retiring(date!(2026 - 01 - 01)).at_risk(TODAY, w),
            "already retired"
        );
        assert!(credit(Some(100.0), Some(10.0)).at_risk(TODAY, w));
        assert!(!credit(Some(100.0), Some(10.5)).at_risk(TODAY, w));
        assert!(credit(None, Some(0.0)).at_risk(TODAY, w), "spent");
        assert!(!credit(None, Some(3.0)).at_risk(TODAY, w));
        assert!(expiring(datetime!(2027-01-02 0:00 UTC)).at_risk(TODAY, w));
        assert!(!expiring(datetime!(2028-01-02 0:00 UTC)).at_risk(TODAY, w));
        assert!(!Lifecycle::default().at_risk(TODAY, w));
    }

    #[test]
    fn serde_leaves_out_what_is_unknown_and_reads_it_back() {
        assert_eq!(serde_json::to_string(&Lifecycle::default()).unwrap(), "{}");
        assert!(Lifecycle::default().is_empty());
        let l = Lifecycle {
            retirement: Some(
                Retirement::new("gpt-4o", date!(2027 - 03 - 01), FactSource::Catalog)
                    .with_successor("gpt-4.1"),
            ),
            credit: Some(Credit {
                remaining: Some(2.5),
                ..Credit::default()
            }),
            key_expires_at: Some(datetime!(2027-01-02 0:00 UTC)),
        };
        let json = serde_json::to_value(&l).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "retirement": {"model": "gpt-4o", "retires_on": "2027-03-01",
                               "successor": "gpt-4.1", "source": "catalog"},
                "credit": {"remaining": 2.5},
                "key_expires_at": "2027-01-02T00:00:00Z",
            })
        );
        assert_eq!(serde_json::from_value::<Lifecycle>(json).unwrap(), l);
    }
}
