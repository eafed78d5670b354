//! Snapshots of a rotation started from the key map, rendered from fixed
//! data into a `TestBackend` at 80×24 and 120×40: the masked key dialog
//! (after typing a key), the progress gauge, and the report with a swapped,
//! a kept (with its reason) and an unreachable scope. The typed key is
//! never in any frame.

#[path = "support/tui_frame.rs"]
mod tui_frame;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use llmcfg::domain::{KeyGroup, Scope, TestStatus};
use llmcfg::service::rotation::{
    RotationProgress, RotationReport, ScopeOutcome, ScopeReport, SwapMode,
};
use llmcfg::tui::screens::Screen;
use llmcfg::tui::screens::key_map::KeyMapState;
use llmcfg::tui::screens::rotation::{RotationPhase, RotationView};
use llmcfg::tui::state::{AppState, Popup};
use llmcfg::tui::widgets::rotate_key::{RotateKeyState, RotateOutcome};
use tui_frame::{NOW, loaded_state, render};

const FP_OLD: &str = "hmac:3f9a1c0b7d2e4a6f8b1c0d2e4a6f8b1c";
const FP_NEW: &str = "hmac:77aa1c0b7d2e4a6f8b1c0d2e4a6f0000";
const NEW_KEY: &str = "sk-proj-NEWKEY0123456789abcdef";

fn key_map() -> KeyMapState {
    KeyMapState::loaded(Ok(vec![KeyGroup {
        key_fingerprint: FP_OLD.into(),
        api_key_masked: "sk-proj-...abcd".into(),
        providers: vec!["openai".into()],
        scope_count: 3,
        scopes: Vec::new(),
    }]))
}

/// The key map with `rotation` drawn in place of its table.
fn rotating(rotation: RotationView) -> KeyMapState {
    let mut k = key_map();
    k.rotation = Some(rotation);
    k
}

fn state(k: KeyMapState) -> AppState {
    let mut s = loaded_state(NOW);
    s.screen = Screen::KeyMap(k);
    s
}

fn dialog_state() -> AppState {
    let mut d = RotateKeyState::new(FP_OLD.into(), "sk-proj-...abcd".into(), 3);
    for c in NEW_KEY.chars() {
        let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert!(matches!(d.on_key(&key), RotateOutcome::Pending));
    }
    let mut s = state(key_map());
    s.popup = Some(Popup::RotateKey(d));
    s
}

fn scope(id: Option<&str>, outcome: ScopeOutcome, reason: Option<&str>) -> ScopeReport {
    ScopeReport {
        instance_id: id.map(str::to_string),
        provider: "openai".into(),
        model: "gpt-4o".into(),
        outcome,
        test_status: Some(match outcome {
            ScopeOutcome::Kept => TestStatus::InvalidKey,
            ScopeOutcome::Unreachable => TestStatus::Unreachable,
            _ => TestStatus::Ok,
        }),
        reason: reason.map(str::to_string),
    }
}

fn report_state() -> AppState {
    let report = RotationReport {
        rotation_id: Some("97e1d63c-680a-44c0-bf54-6d6a2f0b1e00".into()),
        old_fingerprint: FP_OLD.into(),
        new_fingerprint: FP_NEW.into(),
        mode: SwapMode::Passed,
        scopes: vec![
            scope(None, ScopeOutcome::Swapped, None),
            scope(
                Some("acme-prod"),
                ScopeOutcome::Kept,
                Some("Incorrect API key provided"),
            ),
            scope(
                Some("beta"),
                ScopeOutcome::Unreachable,
                Some("connection refused"),
            ),
        ],
        test_ms: 120,
        swap_ms: 4,
    };
    let mut view = RotationView::new(FP_OLD.into(), 3);
    view.phase = RotationPhase::Done(Ok(report));
    state(rotating(view))
}

fn progress_state() -> AppState {
    let mut view = RotationView::new(FP_OLD.into(), 3);
    view.advance(RotationProgress::Testing { total: 3 });
    for _ in 0..2 {
        view.advance(RotationProgress::tested(
            Scope::Global,
            TestStatus::Ok,
            "Connection successful",
        ));
    }
    state(rotating(view))
}

#[test]
fn rotation_screens_at_two_sizes() {
    for (name, s) in [
        ("rotate_dialog", dialog_state()),
        ("rotate_progress", progress_state()),
        ("rotate_report", report_state()),
    ] {
        for (w, h) in [(80, 24), (120, 40)] {
            let text = render(&s, w, h);
            assert!(!text.contains(NEW_KEY), "the key is on screen:\n{text}");
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
        }
    }
}

#[test]
fn the_dialog_masks_the_key_and_enter_hands_it_over() {
    let text = render(&dialog_state(), 120, 40);
    assert!(text.contains(&"•".repeat(NEW_KEY.len())), "{text}");
    assert!(
        text.contains("Replace sk-proj-...abcd in 3 scopes"),
        "{text}"
    );
    let mut d = RotateKeyState::new(FP_OLD.into(), "m".into(), 1);
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    assert!(
        matches!(d.on_key(&enter), RotateOutcome::Pending),
        "an empty key is refused"
    );
    d.on_key(&KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
    match d.on_key(&enter) {
        RotateOutcome::Start(k) => assert_eq!(k.expose(), "x"),
        other => panic!("{other:?}"),
    }
    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    assert!(matches!(d.on_key(&esc), RotateOutcome::Close));
}

#[test]
fn the_report_names_each_outcome_and_the_reason() {
    let text = render(&report_state(), 120, 40);
    let row = |who: &str| {
        text.lines()
            .find(|l| l.contains(who))
            .unwrap_or_else(|| panic!("{who} in\n{text}"))
            .to_string()
    };
    assert!(row("control plane").contains("swapped"));
    let kept = row("tenant: acme-prod");
    assert!(
        kept.contains("kept") && kept.contains("Incorrect API key"),
        "{kept}"
    );
    assert!(row("tenant: beta").contains("unreachable"));
    assert!(
        text.contains("1 swapped · 1 kept · 1 unreachable"),
        "{text}"
    );
    assert!(text.contains(FP_NEW), "{text}");
    let progress = render(&progress_state(), 120, 40);
    assert!(
        progress.contains("testing the new key: 2/3 scopes"),
        "{progress}"
    );
}

#[test]
fn a_server_without_the_route_says_so_in_one_line() {
    let line = "this server does not offer key rotation (llmcfg serve extension routes)";
    let mut view = RotationView::new(FP_OLD.into(), 3);
    view.phase = RotationPhase::Done(Err(line.into()));
    let s = state(rotating(view));
    let text = render(&s, 120, 40);
    let shown: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("does not offer"))
        .collect();
    assert_eq!(shown.len(), 1, "{text}");
    assert!(shown[0].contains(line), "{text}");
}

#[test]
fn the_first_frame_counts_the_scopes_and_the_header_shows_the_rotation() {
    // Before the service reports its first progress: the key map's count.
    let s = state(rotating(RotationView::new(FP_OLD.into(), 3)));
    let text = render(&s, 120, 40);
    assert!(text.contains("testing the new key: 0/3 scopes"), "{text}");
    assert!(!text.contains("0/0"), "{text}");
    let header = text.lines().next().unwrap_or_default();
    assert!(header.contains("⟳ rotating 0/3"), "{header}");
}
