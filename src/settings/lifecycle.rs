//! `[lifecycle]`: when a lifecycle fact puts a scope at risk. One window
//! for every reader (the TUI's `!` marker and `w` filter, `llmcfg
//! lifecycle`, `plan --migrate-retiring` and the monitor's alerts), so a
//! scope the list marks is the scope the webhook warned about.

use serde::Deserialize;

use crate::domain::{LifecycleWindow, ValidationError};

/// The longest window: ten years ahead says nothing a year ahead does not.
const MAX_WINDOW_DAYS: u32 = 3650;

/// `[lifecycle]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleSettings {
    /// A retirement or key expiry this many days ahead is a risk (default
    /// 90, 1–3650).
    #[serde(default)]
    pub window_days: Option<u32>,
    /// Credit at or below this percentage of the key's limit is a risk
    /// (default 10, 0–100).
    #[serde(default)]
    pub credit_alert_percent: Option<f64>,
}

impl LifecycleSettings {
    /// Refuses a window outside 1–3650 days and a percentage outside 0–100.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if let Some(days) = self.window_days
            && !(1..=MAX_WINDOW_DAYS).contains(&days)
        {
            return Err(ValidationError::new(
                "lifecycle.window_days",
                format!("must be a whole number of days from 1 to {MAX_WINDOW_DAYS}, not {days}"),
            ));
        }
        if let Some(percent) = self.credit_alert_percent
            && !(0.0..=100.0).contains(&percent)
        {
            return Err(ValidationError::new(
                "lifecycle.credit_alert_percent",
                format!("must be a percentage from 0 to 100, not {percent}"),
            ));
        }
        Ok(())
    }

    /// The window these settings give, defaults filled in.
    pub fn window(&self) -> LifecycleWindow {
        let default = LifecycleWindow::default();
        LifecycleWindow {
            days: self.window_days.unwrap_or(default.days),
            credit_fraction: self
                .credit_alert_percent
                .map_or(default.credit_fraction, |p| p / 100.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;

    #[test]
    fn the_window_defaults_to_90_days_and_10_percent() {
        let w = Settings::default().lifecycle.window();
        assert_eq!(w.days, 90);
        assert!((w.credit_fraction - 0.10).abs() < 1e-9);
        let s =
            Settings::parse("[lifecycle]\nwindow_days = 30\ncredit_alert_percent = 25\n").unwrap();
        let w = s.lifecycle.window();
        assert_eq!(w.days, 30);
        assert!((w.credit_fraction - 0.25).abs() < 1e-9);
    }

    #[test]
    fn a_window_or_percentage_out_of_range_names_the_field_and_the_rule() {
        for (doc, field, rule) in [
            (
                "[lifecycle]\nwindow_days = 0\n",
                "lifecycle.window_days",
                "from 1 to 3650",
            ),
            (
                "[lifecycle]\nwindow_days = 4000\n",
                "lifecycle.window_days",
                "from 1 to 3650",
            ),
            (
                "[lifecycle]\ncredit_alert_percent = 150\n",
                "lifecycle.credit_alert_percent",
                "from 0 to 100",
            ),
            (
                "[lifecycle]\ncredit_alert_percent = nan\n",
                "lifecycle.credit_alert_percent",
                "from 0 to 100",
            ),
        ] {
            let e = Settings::parse(doc).unwrap_err().to_string();
            assert!(e.contains(field) && e.contains(rule), "{doc}: {e}");
        }
    }
}
