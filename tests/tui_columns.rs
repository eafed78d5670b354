//! The audit screen sizes its columns to the terminal, rendered into a
//! `TestBackend` at 80 and 200 columns: a long token name and a long field
//! list are shown whole when the terminal has room, instead of being cut at a
//! fixed width while the detail column stands blank.

#[path = "support/tui_frame.rs"]
mod tui_frame;

use llmcfg::domain::{AuditEntry, Scope};
use llmcfg::tui::screens::Screen;
use llmcfg::tui::screens::audit::AuditState;
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
