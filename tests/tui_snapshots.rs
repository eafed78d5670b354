//! Snapshots of every screen and dialog, rendered from fixed data into a
//! `TestBackend` at 80×24 and 120×40 (plus the too-small notice at 40×10),
//! and the check that a typed API key never reaches the screen unless it is
//! revealed.

#[path = "support/tui_frame.rs"]
mod tui_frame;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use llmcfg::domain::{
    AuditEntry, Catalog, ConfigFields, ConfigView, InstanceSummary, Scope, TestResult, TestStatus,
    ViewRecord,
};
use llmcfg::tui::action::Action;
use llmcfg::tui::drift::DriftMarks;
use llmcfg::tui::job::{JobKind, JobRow, JobState, Phase, RowOutcome};
use llmcfg::tui::screens::Screen;
use llmcfg::tui::screens::audit::AuditState;
use llmcfg::tui::screens::form::FormState;
use llmcfg::tui::screens::results::ResultsView;
use llmcfg::tui::state::{AppState, Popup};
use llmcfg::tui::theme::Theme;
use llmcfg::tui::widgets::add_instance::AddInstanceState;
use llmcfg::tui::widgets::confirm::{ConfirmKind, ConfirmState};
use llmcfg::tui::widgets::picker::PickerState;
use llmcfg::tui::widgets::toast::Level;
use time::macros::datetime;
use tui_frame::{NOW, loaded_state, render, scope};
use uuid::Uuid;

const SECRET: &str = "sk-proj-PLAINTEXTSECRET0123456789abcd";

fn view(instance: Option<&str>, provider: &str, model: &str, masked: &str) -> ConfigView {
    ConfigView::new(
        ViewRecord {
            id: Uuid::nil().into(),
            api_key_masked: masked.into(),
            instance_id: instance.map(str::to_string),
            created_at: datetime!(2026-02-20 09:00 UTC),
            updated_at: datetime!(2026-02-26 17:30 UTC),
        },
        ConfigFields::new(provider, model),
    )
}

fn test(success: bool, status: TestStatus, message: &str, mins_ago: i64) -> TestResult {
    TestResult {
        success,
        ..TestResult::new(
            "openai",
            "gpt-4o",
            status,
            message,
            231,
            NOW - time::Duration::minutes(mins_ago),
        )
    }
}

fn summaries() -> Vec<InstanceSummary> {
    vec![
        InstanceSummary {
            instance_id: None,
            name: None,
            config: Some(view(
                None,
                "anthropic",
                "claude-sonnet-4-5",
                "sk-ant-...WXYZ",
            )),
            // A test of the config shown (a test of another provider or
            // model would be drawn as stale).
            last_test: Some(TestResult {
                provider: "anthropic".into(),
                model: "claude-sonnet-4-5".into(),
                ..test(true, TestStatus::Ok, "Connection successful", 3)
            }),
        },
        InstanceSummary {
            instance_id: Some("acme-prod".into()),
            name: Some("ACME (production)".into()),
            config: Some(view(
                Some("acme-prod"),
                "openai",
                "gpt-4o",
                "sk-proj-...abcd",
            )),
            last_test: Some(test(
                false,
                TestStatus::InvalidKey,
                "HTTP 401: the provider rejected the API key",
                125,
            )),
        },
        InstanceSummary {
            instance_id: Some("beta".into()),
            name: None,
            config: Some(view(
                Some("beta"),
                "groq",
                "llama-3.3-70b-versatile",
                "gsk_...9f3e",
            )),
            last_test: None,
        },
        InstanceSummary {
            instance_id: Some("globex".into()),
            name: None,
            config: None,
            last_test: None,
        },
    ]
}

fn state() -> AppState {
    let mut s = loaded_state(NOW);
    s.list.set_entries(summaries(), None);
    s
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn type_into(form: &mut FormState, text: &str) {
    for c in text.chars() {
        form.on_key(&key(KeyCode::Char(c)), Catalog::builtin());
    }
}

/// A create form with the secret typed into the key field (focus still on it).
fn create_form(reveal: bool) -> FormState {
    let mut f = FormState::create(scope("globex"), Catalog::builtin());
    f.on_key(&key(KeyCode::Right), Catalog::builtin()); // openai
    f.on_action(Action::NextField, Catalog::builtin());
    f.on_action(Action::NextField, Catalog::builtin());
    type_into(&mut f, SECRET);
    if reveal {
        f.on_action(Action::Reveal, Catalog::builtin());
    }
    f
}

/// A "test all" run over three scopes: one ok, one failed test, one that
/// could not be tested; `done` adds the third row.
fn results_state(phase: Phase, done: bool) -> AppState {
    let mut s = state();
    let mut job = JobState::new(1, &JobKind::Test, true, 3);
    job.record(JobRow {
        scope: Scope::Global,
        outcome: RowOutcome::tested(test(true, TestStatus::Ok, "Connection successful", 0)),
    });
    job.record(JobRow {
        scope: scope("acme-prod"),
        outcome: RowOutcome::tested(test(
            false,
            TestStatus::InvalidKey,
            "HTTP 401: the provider rejected the API key; check it at platform.openai.com/api-keys and enter it again with e",
            0,
        )),
    });
    if done {
        job.record(JobRow {
            scope: scope("beta"),
            outcome: RowOutcome::failed("the service has stopped"),
        });
    }
    job.phase = phase;
    job.flush();
    let mut view = ResultsView::default();
    view.flush(&job);
    s.job = Some(job);
    s.screen = Screen::Results(view);
    s
}

/// Every screen and dialog, by name.
fn all_states() -> Vec<(&'static str, AppState)> {
    let mut out = Vec::new();
    out.push(("main", state()));

    let mut s = state();
    s.list.select_scope(&scope("acme-prod"));
    out.push(("main_failed_test_selected", s));

    let mut s = state();
    s.list.select_scope(&scope("globex"));
    out.push(("main_no_config", s));

    let mut s = state();
    s.list.filter = Some(tui_input::Input::new("acm".into()));
    s.list.filter_typing = true;
    s.list.refilter();
    out.push(("main_filter", s));

    let mut s = state();
    s.narrow_detail = true;
    out.push(("main_narrow_detail", s));

    let mut s = state();
    s.env.read_only = true;
    out.push(("main_read_only", s));

    let mut s = state();
    s.tests.start(&Scope::Global);
    out.push(("main_test_pending", s));

    let mut s = state();
    s.list = Default::default();
    s.loading = true;
    out.push(("main_empty", s));

    let mut s = state();
    s.toasts
        .push(Level::Ok, "control plane: Connection successful");
    s.toasts.push(
        Level::Error,
        "tenant: acme-prod: HTTP 401: the provider rejected the API key",
    );
    out.push(("toasts", s));

    let mut s = state();
    s.list.select_scope(&scope("globex"));
    s.screen = Screen::Form(Box::new(create_form(false)));
    out.push(("form_create", s));

    let mut s = state();
    let mut f = FormState::create(scope("globex"), Catalog::builtin());
    f.on_action(Action::Save, Catalog::builtin());
    s.screen = Screen::Form(Box::new(f));
    out.push(("form_create_blocked", s));

    let mut s = state();
    s.list.select_scope(&scope("acme-prod"));
    let current = s.list.selected().unwrap().summary.config.clone().unwrap();
    let mut f = FormState::edit(scope("acme-prod"), current, Catalog::builtin());
    f.on_key(&key(KeyCode::Left), Catalog::builtin());
    s.screen = Screen::Form(Box::new(f));
    out.push(("form_edit_provider_changed", s));

    let mut s = state();
    s.screen = Screen::Form(Box::new(create_form(false)));
    s.popup = Some(Popup::Confirm(ConfirmState::new(ConfirmKind::DiscardForm)));
    out.push(("confirm_discard", s));

    let mut s = state();
    s.list.select_scope(&scope("acme-prod"));
    s.popup = Some(Popup::Confirm(ConfirmState::new(ConfirmKind::Delete {
        scope: scope("acme-prod"),
    })));
    out.push(("confirm_delete", s));

    let mut s = state();
    let mut p = PickerState::new(&s.list, &[scope("globex")]);
    for c in "acm".chars() {
        p.on_key(&key(KeyCode::Char(c)), &s.list, &[]);
    }
    s.popup = Some(Popup::Picker(p));
    out.push(("picker_fragment", s));

    let mut s = state();
    s.popup = Some(Popup::Picker(PickerState::new(&s.list, &[scope("globex")])));
    out.push(("picker_recent_first", s));

    let mut s = state();
    let mut a = AddInstanceState::default();
    for c in "-bad id".chars() {
        a.on_key(&key(KeyCode::Char(c)));
    }
    s.popup = Some(Popup::AddInstance(a));
    out.push(("add_instance_invalid", s));

    let mut s = state();
    s.popup = Some(Popup::Help {
        context: llmcfg::tui::action::KeyContext::List,
        scroll: 0,
        under: None,
    });
    out.push(("help", s));

    let mut s = state();
    s.screen = Screen::Form(Box::new(create_form(false)));
    s.popup = Some(Popup::Help {
        context: llmcfg::tui::action::KeyContext::List,
        scroll: 0,
        under: None,
    });
    out.push(("help_form", s));

    let mut s = state();
    let entries = vec![
        AuditEntry {
            id: 2,
            at: datetime!(2026-02-26 17:30 UTC),
            actor: "local:admin".into(),
            instance_id: None,
            action: "update".into(),
            fields: vec!["model".into()],
            key_fingerprint: None,
            detail: None,
        },
        AuditEntry {
            id: 1,
            at: datetime!(2026-02-20 09:00 UTC),
            actor: "local:admin".into(),
            instance_id: None,
            action: "create".into(),
            fields: vec!["provider".into(), "model".into(), "api_key".into()],
            key_fingerprint: Some("a1b2c3d4".into()),
            detail: None,
        },
    ];
    s.screen = Screen::Audit(AuditState {
        scope: Scope::Global,
        entries: Some(Ok(entries)),
        offset: 0,
    });
    out.push(("audit", s));

    out.push(("test_all_running", results_state(Phase::Running, false)));
    out.push(("test_all_done", results_state(Phase::Done, true)));

    let mut s = state();
    s.list.move_by(1);
    s.list.toggle_mark();
    s.list.move_by(1);
    s.list.toggle_mark();
    out.push(("marked_list", s));

    let mut s = state();
    let many: Vec<Scope> = (0..12).map(|i| scope(&format!("tenant-{i:02}"))).collect();
    s.popup = Some(Popup::Confirm(ConfirmState::new(ConfirmKind::BulkDelete {
        scopes: many,
    })));
    out.push(("confirm_bulk_delete", s));

    let mut s = state();
    s.messages.push(NOW, Level::Error, "acme-prod: test failed: remote server error: HTTP 502 from the gateway at https://llm-gateway.internal.example.com/v1/models/gpt-4o after 3 retries; the upstream answered with an HTML error page");
    s.messages.push(
        NOW,
        Level::Ok,
        "saved the configuration of the tenant: acme-prod",
    );
    s.popup = Some(Popup::Messages { scroll: 0 });
    out.push(("messages", s));

    out.push(("main_drift", drift_state()));
    out
}

/// The list with a `[fleet] file` configured: acme-prod and globex drifted.
fn drift_state() -> AppState {
    let mut s = state();
    s.drift = Some(DriftMarks {
        file: "fleet.toml".into(),
        drifted: [scope("acme-prod"), scope("globex")].into_iter().collect(),
        error: None,
    });
    s
}

#[test]
fn drift_marks_only_the_drifted_scopes_and_only_with_a_fleet_file() {
    let text = render(&drift_state(), 120, 40);
    assert!(text.contains("2 drifted from fleet.toml"), "{text}");
    let row = |id: &str| {
        text.lines()
            .find(|l| l.contains(id) && !l.contains("tenant:"))
            .unwrap_or_else(|| panic!("no row of {id}:\n{text}"))
            .to_string()
    };
    for id in ["acme-prod", "globex"] {
        assert!(row(id).contains("≠"), "{id}: {}", row(id));
    }
    for id in ["control plane", "beta"] {
        assert!(!row(id).contains("≠"), "{id}: {}", row(id));
    }
    let plain = render(&state(), 120, 40);
    assert!(
        !plain.contains("≠") && !plain.contains("drifted"),
        "{plain}"
    );
    let mut failed = drift_state();
    failed.drift.as_mut().unwrap().error = Some("cannot read the fleet file".into());
    assert!(render(&failed, 120, 40).contains("fleet.toml: cannot compare"));
}

#[test]
fn every_screen_at_two_sizes() {
    for (name, s) in all_states() {
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(&s, w, h));
        }
    }
}

#[test]
fn narrow_header_keeps_the_scope_and_long_ids_keep_both_ends() {
    let long = format!("{}-eu-west-2-prod", "a".repeat(112));
    let mut list = summaries();
    list.push(InstanceSummary {
        instance_id: Some(long.clone()),
        name: None,
        config: None,
        last_test: None,
    });
    let mut s = state();
    s.list.set_entries(list, Some(&scope(&long)));
    let text = render(&s, 60, 20);
    let header = text.lines().next().unwrap();
    assert!(
        !header.contains("/data/llmcfg"),
        "the path went first: {header}"
    );
    assert!(
        header.contains("prod"),
        "the end of the id is shown: {header}"
    );
    assert!(text.contains("…"), "ids get a middle ellipsis:\n{text}");
    insta::assert_snapshot!("long_id_60x20", text);
}

#[test]
fn too_small() {
    let text = render(&state(), 40, 10);
    assert!(text.contains("Terminal too small"));
    insta::assert_snapshot!("too_small_40x10", text);
}

#[test]
fn no_color_keeps_every_mark() {
    let mut s = state();
    s.theme = Theme::monochrome();
    let text = render(&s, 120, 40);
    for mark in ["✓", "✗", "·"] {
        assert!(text.contains(mark), "{mark} missing:\n{text}");
    }
}

#[test]
fn plaintext_key_only_when_revealed() {
    for (name, s) in all_states() {
        for (w, h) in [(80, 24), (120, 40), (40, 10)] {
            assert!(
                !render(&s, w, h).contains(SECRET),
                "{name} {w}x{h} shows the key"
            );
        }
    }
    let mut s = state();
    s.screen = Screen::Form(Box::new(create_form(true)));
    assert!(render(&s, 120, 40).contains(SECRET), "reveal shows the key");
    // Leaving the field masks it again.
    if let Screen::Form(f) = &mut s.screen {
        f.on_action(Action::NextField, Catalog::builtin());
    }
    assert!(!render(&s, 120, 40).contains(SECRET));
}
