//! Lifecycle facts in the TUI. Rendered frames (`TestBackend`): the list's
//! lifecycle column shows each scope's soonest retirement or its credit
//! left, with `!` and the warning colour inside the `[lifecycle]` window;
//! the `w` filter ("retiring or running out") keeps only those scopes and
//! says so in the title; the detail pane words the selected scope's facts;
//! a list without facts has no column. The `w` key
//! on the running binary is driven in `tui_lifecycle_pty.rs`.

#[path = "support/tui_frame.rs"]
mod tui_frame;

use llmcfg::domain::{
    ConfigFields, ConfigView, Credit, FactSource, InstanceSummary, Lifecycle, LifecycleWindow,
    Retirement, TestResult, TestStatus, ViewRecord,
};
use llmcfg::tui::buffer_text;
use llmcfg::tui::state::AppState;
use llmcfg::tui::theme::{Slot, Theme};
use time::macros::{date, datetime};
use tui_frame::{NOW, draw, loaded_state};
use uuid::Uuid;

fn summary(id: Option<&str>, facts: Option<Lifecycle>) -> InstanceSummary {
    let test = TestResult::new(
        "openai",
        "gpt-4o",
        TestStatus::Ok,
        "Connection successful",
        120,
        NOW - time::Duration::minutes(5),
    );
    InstanceSummary {
        instance_id: id.map(str::to_string),
        name: None,
        config: Some(ConfigView::new(
            ViewRecord {
                id: Uuid::nil().into(),
                api_key_masked: "sk-proj-...abcd".into(),
                instance_id: id.map(str::to_string),
                created_at: datetime!(2026-02-20 09:00 UTC),
                updated_at: datetime!(2026-02-26 17:30 UTC),
            },
            ConfigFields::new("openai", "gpt-4o"),
        )),
        last_test: Some(match facts {
            Some(f) => test.with_lifecycle(f),
            None => test,
        }),
    }
}

fn retiring(on: time::Date) -> Option<Lifecycle> {
    Some(Lifecycle {
        retirement: Some(Retirement::new("gpt-4o", on, FactSource::Api).with_successor("gpt-4.1")),
        ..Lifecycle::default()
    })
}

fn credit(limit: f64, remaining: f64) -> Option<Lifecycle> {
    Some(Lifecycle {
        credit: Some(Credit {
            limit: Some(limit),
            remaining: Some(remaining),
            currency: Some("USD".into()),
            ..Credit::default()
        }),
        ..Lifecycle::default()
    })
}

/// NOW is 2026-02-27: the control plane's model retires in 84 days
/// (inside the 90-day window), acme has 4% credit left, beta's model
/// retires in 200 days, gamma's provider said nothing.
fn state() -> AppState {
    let mut s = loaded_state(NOW);
    s.list.set_entries(
        vec![
            summary(None, retiring(date!(2026 - 05 - 22))),
            summary(Some("acme"), credit(25.0, 1.0)),
            summary(Some("beta"), retiring(date!(2026 - 09 - 15))),
            summary(Some("gamma"), None),
        ],
        None,
    );
    s
}

fn row<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle) && l.contains("gpt-4o"))
        .unwrap_or_else(|| panic!("no row for {needle}:\n{text}"))
}

#[test]
fn the_column_marks_what_is_inside_the_window() {
    let s = state();
    let buf = draw(&s, 120, 30);
    let text = buffer_text(&buf);
    insta::assert_snapshot!("lifecycle_column_120x30", text);
    assert!(row(&text, "plane").contains("! 2026-05-22"), "{text}");
    assert!(row(&text, "acme").contains("! credit 4%"), "{text}");
    let beta = row(&text, "beta");
    assert!(beta.contains("2026-09-15") && !beta.contains('!'), "{text}");
    assert!(!row(&text, "gamma").contains('!'), "{text}");
    // The detail pane words the selected scope's facts as `test` does.
    assert!(
        text.contains("Lifecycle   gpt-4o retires 2026-05-22 (in 84 days);"),
        "{text}"
    );
    // The marker is in the warning colour (the symbol alone carries it too).
    let warn = Theme::default_colours().style(Slot::Warn).fg.unwrap();
    let y = (0..buf.area.height)
        .find(|&y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .contains("credit 4%")
        })
        .unwrap();
    let x = (0..buf.area.width)
        .find(|&x| buf[(x, y)].symbol() == "!")
        .unwrap();
    assert_eq!(buf[(x, y)].fg, warn);
}

#[test]
fn the_w_filter_keeps_the_scopes_retiring_or_running_out() {
    let mut s = state();
    s.list.at_risk_on = Some(NOW.date());
    s.list.refilter();
    let text = buffer_text(&draw(&s, 120, 30));
    insta::assert_snapshot!("lifecycle_filter_120x30", text);
    assert!(text.contains("Instances (2 of 4)"), "{text}");
    assert!(text.contains("retiring or running out"), "{text}");
    assert!(!text.contains("beta") && !text.contains("gamma"), "{text}");

    // A narrower window leaves only the credit.
    s.list.lifecycle = LifecycleWindow {
        days: 30,
        ..LifecycleWindow::default()
    };
    s.list.refilter();
    let text = buffer_text(&draw(&s, 120, 30));
    assert!(text.contains("Instances (1 of 4)"), "{text}");
    assert!(row(&text, "acme").contains("! credit 4%"), "{text}");
}

#[test]
fn a_list_without_facts_has_no_column() {
    let mut s = loaded_state(NOW);
    s.list
        .set_entries(vec![summary(None, None), summary(Some("acme"), None)], None);
    let text = buffer_text(&draw(&s, 120, 30));
    assert!(!text.contains("credit") && !text.contains('!'), "{text}");
}
