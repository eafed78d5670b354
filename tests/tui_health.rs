//! The monitor's health in the TUI. Rendered frames (`TestBackend`): the
//! list's health column with "failing <age>", the detail pane's health
//! section and its `Sparkline` with each failed result's bar in the error
//! colour, and a frame without monitor data unchanged. In a real PTY: the
//! running binary shows a scope turn failing when monitor results land in
//! the store, without a key press and without an audit entry.

#[path = "support/tui_frame.rs"]
mod tui_frame;
mod tui_support;

use std::collections::HashMap;

use llmcfg::domain::{
    ConfigFields, ConfigView, HealthCheck, HealthPolicy, HealthRetention, HealthSample,
    HealthState, HealthStatus, InstanceSummary, Scope, TestStatus, ViewRecord,
};
use llmcfg::service::HealthBoard;
use llmcfg::tui::buffer_text;
use llmcfg::tui::state::AppState;
use llmcfg::tui::theme::{Slot, Theme};
use time::macros::datetime;
use tui_frame::{NOW, draw, loaded_state, scope};
use tui_support::pty::{Pty, Spawn, Store};
use uuid::Uuid;

fn summary(id: Option<&str>) -> InstanceSummary {
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
        last_test: None,
    }
}

fn status(scope: &Scope, state: HealthState, mins_ago: i64) -> HealthStatus {
    HealthStatus {
        scope: scope.clone(),
        state,
        since: NOW - time::Duration::minutes(mins_ago),
        failures: if state == HealthState::Failing { 2 } else { 0 },
        last_ok: Some(NOW - time::Duration::minutes(mins_ago + 15)),
        last_checked: Some(NOW),
        last_status: None,
    }
}

/// 24 results of acme: ok, with failures at 20 and 22..24 and a rate limit.
fn recent(s: &Scope) -> Vec<HealthSample> {
    (0..24)
        .map(|i| HealthSample {
            scope: s.clone(),
            status: match i {
                20 | 22 | 23 => TestStatus::InvalidKey,
                10 => TestStatus::RateLimited,
                _ => TestStatus::Ok,
            },
            http_status: Some(200),
            latency_ms: 100 + (i % 5) * 40,
            checked_at: NOW - time::Duration::minutes(5 * (24 - i as i64)),
        })
        .collect()
}

fn state(with_health: bool) -> AppState {
    let mut s = loaded_state(NOW);
    let acme = scope("acme");
    s.list.set_entries(
        vec![summary(None), summary(Some("acme")), summary(Some("beta"))],
        Some(&acme),
    );
    if with_health {
        let mut states = HashMap::new();
        states.insert(
            Scope::Global,
            status(&Scope::Global, HealthState::Healthy, 300),
        );
        states.insert(acme.clone(), status(&acme, HealthState::Failing, 40));
        s.health = Some(HealthBoard {
            mark: 7,
            states,
            focus: Some(acme.clone()),
            recent: recent(&acme),
        });
    }
    s
}

#[test]
fn health_column_and_sparkline_render() {
    let buf = draw(&state(true), 120, 40);
    let text = buffer_text(&buf);
    insta::assert_snapshot!("health_120x40", text);
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle) && l.contains("gpt-4o"))
            .unwrap_or_else(|| panic!("no row for {needle}:\n{text}"))
            .to_string()
    };
    assert!(line("acme").contains("failing 40m"), "{text}");
    assert!(line("control plane").contains("healthy"));
    assert!(
        line("beta").contains("unknown"),
        "a scope with no state yet"
    );
    assert!(
        text.contains("failing for 40m"),
        "the detail pane's health section"
    );
    assert!(text.contains("Latency, last 24 tests · 3 failed"), "{text}");

    // The sparkline: bars in the error colour are exactly the 3 failures.
    let error_fg = Theme::default_colours().style(Slot::Error).fg;
    let warn_fg = Theme::default_colours().style(Slot::Warn).fg;
    let caption_y = (0..buf.area.height)
        .find(|&y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .contains("Latency, last 24 tests")
        })
        .unwrap();
    let bar_row = caption_y + 3; // the bottom row: every bar has a cell here
    let cells: Vec<_> = (0..buf.area.width)
        .map(|x| &buf[(x, bar_row)])
        .filter(|c| c.symbol() != " " && c.symbol() != "│")
        .collect();
    assert_eq!(cells.len(), 24, "one bar per result");
    let red = cells.iter().filter(|c| c.fg == error_fg.unwrap()).count();
    assert_eq!(red, 3, "failures are marked");
    let amber = cells.iter().filter(|c| c.fg == warn_fg.unwrap()).count();
    assert_eq!(amber, 1, "the rate limit is marked apart");
}

#[test]
fn without_monitor_data_the_frame_has_no_health() {
    let text = buffer_text(&draw(&state(false), 120, 40));
    assert!(!text.contains("healthy") && !text.contains("unknown"));
    assert!(!text.contains("Latency, last"));
}

#[test]
fn pty_list_follows_monitor_results() {
    let store = Store::new("");
    store.seed(
        &[None, Some("acme".into())],
        "sk-proj-pty-0123456789abcdefghijklmnopqrstuv",
        "http://127.0.0.1:9",
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let handle = rt.block_on(async {
        let (h, _, _) = llmcfg::cli::open_service(&store.global()).await.unwrap();
        h
    });
    let record = |s: &Scope, status: TestStatus| {
        let access = handle.admin().unwrap().health();
        let check = HealthCheck {
            http_status: Some(401),
            latency_ms: 80,
            ..HealthCheck::new(s, "openai", "gpt-4o", status, llmcfg::store::rows_now())
        };
        rt.block_on(access.record(
            vec![check],
            HealthPolicy::default(),
            HealthRetention::default(),
        ))
        .unwrap();
    };
    let acme = scope("acme");
    record(&Scope::Global, TestStatus::Ok);
    record(&acme, TestStatus::Ok);
    let audit_before = store.cli(&["audit", "--all", "--json"]).1;
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("health column", |s| {
        s.contains("acme") && s.matches("healthy").count() >= 2
    });
    // Two conclusive failures land while the TUI runs.
    record(&acme, TestStatus::InvalidKey);
    record(&acme, TestStatus::InvalidKey);
    pty.wait("acme failing without a key press", |s| {
        s.lines()
            .any(|l| l.contains("acme") && l.contains("failing"))
    });
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
    assert_eq!(
        store.cli(&["audit", "--all", "--json"]).1,
        audit_before,
        "monitor results are not audit entries"
    );
}
