//! The audit and key-map screens size their columns to the terminal,
//! rendered into a `TestBackend` at 80 and 200 columns: a long token name,
//! field list, provider id or model is shown whole when the terminal has
//! room, instead of being cut at a fixed width while the last column stands
//! blank.

#[path = "support/tui_frame.rs"]
mod tui_frame;

use llmcfg::domain::{AuditEntry, KeyGroup, KeyUse, Scope};
use llmcfg::tui::screens::Screen;
use llmcfg::tui::screens::audit::AuditState;
use llmcfg::tui::screens::key_map::KeyMapState;
use time::macros::datetime;
use tui_frame::{NOW, loaded_state, render};

const ACTOR: &str = "token:ci-deploy-production-eu";
const FIELDS: &str = "provider,model,api_key,base_url";

fn audit_state() -> llmcfg::tui::state::AppState {
    let mut s = loaded_state(NOW);
    let entry = AuditEntry {
        id: 1,
        at: datetime!(2026-02-20 09:00 UTC),
        actor: ACTOR.into(),
        instance_id: None,
        action: "update".into(),
        fields: FIELDS.split(',').map(str::to_string).collect(),
        key_fingerprint: Some("hmac:3f9a1c0b7d2e4a6f8b1c0d2e4a6f8b1c".into()),
        detail: None,
    };
    s.screen = Screen::Audit(AuditState {
        scope: Scope::Global,
        entries: Some(Ok(vec![entry])),
        offset: 0,
    });
    s
}

#[test]
fn the_audit_screen_shows_whole_values_when_there_is_room() {
    let s = audit_state();
    let wide = render(&s, 200, 30);
    let row = wide.lines().find(|l| l.contains("update")).unwrap();
    assert!(row.contains(ACTOR), "the whole actor at 200:\n{wide}");
    assert!(row.contains(FIELDS), "the whole field list at 200:\n{wide}");
    assert!(row.contains("key hmac:"), "and the detail:\n{wide}");
    insta::assert_snapshot!("audit_wide_200x30", wide);
    insta::assert_snapshot!("audit_wide_80x24", render(&s, 80, 24));
}

const MODEL: &str = "meta-llama/Llama-3.3-70B-Instruct-Turbo";

fn key_map_state() -> llmcfg::tui::state::AppState {
    let mut s = loaded_state(NOW);
    let key_use = KeyUse {
        instance_id: Some("acme-prod".into()),
        provider: "openai-compatible".into(),
        model: MODEL.into(),
        api_key_masked: "sk-...abcd".into(),
        key_fingerprint: "hmac:3f9a1c0b7d2e4a6f8b1c0d2e4a6f8b1c".into(),
        last_test: None,
    };
    let mut k = KeyMapState::loaded(Ok(vec![KeyGroup {
        key_fingerprint: key_use.key_fingerprint.clone(),
        api_key_masked: key_use.api_key_masked.clone(),
        providers: vec!["openai-compatible".into()],
        scope_count: 1,
        scopes: vec![key_use],
    }]));
    k.toggle();
    s.screen = Screen::KeyMap(k);
    s
}

#[test]
fn the_key_map_shows_whole_providers_and_models_when_there_is_room() {
    let s = key_map_state();
    let wide = render(&s, 200, 30);
    let row = wide.lines().find(|l| l.contains("acme-prod")).unwrap();
    assert!(
        row.contains("openai-compatible"),
        "the whole provider at 200:\n{wide}"
    );
    assert!(row.contains(MODEL), "the whole model at 200:\n{wide}");
    insta::assert_snapshot!("key_map_wide_200x30", wide);
    insta::assert_snapshot!("key_map_wide_80x24", render(&s, 80, 24));
}
