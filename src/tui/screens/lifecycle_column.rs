//! The list's lifecycle column: for each row the fact that matters most,
//! from its last test (the soonest of a model retirement and a key expiry,
//! or the credit left), with a `!` when it puts the scope at risk inside
//! the `[lifecycle]` window. Drawn only when some row has facts, so a
//! fleet whose providers say nothing looks as it always did.

use time::Date;

use super::instance_entry::Entry;
use crate::domain::lifecycle_alert::AlertKind;
use crate::domain::{Lifecycle, LifecycleWindow};
use crate::tui::theme::Slot;

/// Width of the column, the two separating spaces included.
pub const COLUMN_WIDTH: usize = 18;

/// The marker of a fact inside the window.
pub const AT_RISK_MARK: &str = "!";

/// The column's text and colour for `entry` on `today`; blank for a row
/// without facts.
pub fn cell(entry: &Entry, today: Date, window: LifecycleWindow) -> (String, Slot) {
    let Some(facts) = entry.lifecycle() else {
        return (String::new(), Slot::Muted);
    };
    let facts = facts_in_order(facts, today);
    let chosen = facts
        .iter()
        .find(|f| f.lifecycle.at_risk(today, window))
        .or(facts.first());
    match chosen {
        Some(f) if f.lifecycle.at_risk(today, window) => {
            (format!("{AT_RISK_MARK} {}", f.text), Slot::Warn)
        }
        Some(f) => (format!("  {}", f.text), Slot::Muted),
        None => (String::new(), Slot::Muted),
    }
}

/// One fact alone, and how the column words it.
struct Fact {
    lifecycle: Lifecycle,
    text: String,
}

/// Each fact on its own, soonest date first, credit last.
fn facts_in_order(l: &Lifecycle, today: Date) -> Vec<Fact> {
    let mut dated = Vec::new();
    if let (Some(alone), Some(days)) = (AlertKind::Retirement.only(l), l.days_to_retirement(today))
    {
        let text = alone
            .retirement
            .as_ref()
            .map(|r| r.retires_on.to_string())
            .unwrap_or_default();
        dated.push((
            days,
            Fact {
                lifecycle: alone,
                text,
            },
        ));
    }
    if let (Some(alone), Some(days)) = (AlertKind::KeyExpiry.only(l), l.days_to_key_expiry(today)) {
        let text = alone
            .key_expires_at
            .map(|at| format!("key {}", at.date()))
            .unwrap_or_default();
        dated.push((
            days,
            Fact {
                lifecycle: alone,
                text,
            },
        ));
    }
    dated.sort_by_key(|(days, _)| *days);
    let mut out: Vec<Fact> = dated.into_iter().map(|(_, f)| f).collect();
    if let Some(alone) = AlertKind::Credit.only(l)
        // `credit 4% left` → `credit 4%`: the column has no room to spare.
        && let Some(line) = alone.lines(today).first()
    {
        let text = line.trim_end_matches(" left").to_string();
        out.push(Fact {
            lifecycle: alone,
            text,
        });
    }
    out
}
