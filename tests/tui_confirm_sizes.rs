//! Every confirm dialog keeps its button row and its `y/n` keys on screen,
//! at every terminal size from the minimum up, whatever wraps: a long scope
//! name, a bulk list, the restore's before/after. Rendered into a ratatui
//! `TestBackend` through the real `ui::render`. The dialogs used to be sized
//! from their line count, so any wrapped line pushed the buttons out.

#[path = "support/tui_frame.rs"]
mod tui_frame;

use llmcfg::domain::Scope;
use llmcfg::tui::screens::chrome::{MIN_HEIGHT, MIN_WIDTH};
use llmcfg::tui::state::Popup;
use llmcfg::tui::widgets::confirm::{ConfirmKind, ConfirmState};
use tui_frame::{NOW, loaded_state, render, scope};

/// The longest instance id there may be.
const LONG_ID: &str = "acme-corporation-europe-west-production-tenant-with-a-very-long-name-that-wraps-in-every-dialog-0123456789-abcdefghijklmno";

fn kinds() -> Vec<ConfirmKind> {
    let many: Vec<Scope> = (0..150).map(|i| scope(&format!("tenant-{i:04}"))).collect();
    vec![
        ConfirmKind::Delete {
            scope: scope(LONG_ID),
        },
        ConfirmKind::Delete {
            scope: scope("acme"),
        },
        ConfirmKind::BulkDelete {
            scopes: many.clone(),
        },
        ConfirmKind::RunTests {
            scopes: many,
            all: true,
        },
        ConfirmKind::Restore {
            scope: scope(LONG_ID),
            version: 7,
            held: "anthropic · claude-sonnet-4-5-20250929 · key sk-ant-…abcd".into(),
            current: "openai · gpt-4.1-mini-2025-04-14 · key sk-proj-…wxyz".into(),
        },
        ConfirmKind::DiscardForm,
        ConfirmKind::QuitDiscard,
    ]
}

fn sizes() -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    for w in (MIN_WIDTH..=160)
        .step_by(9)
        .chain([MIN_WIDTH + 1, 64, 65, 66])
    {
        for h in (MIN_HEIGHT..=45).step_by(4).chain([MIN_HEIGHT + 1, 24]) {
            out.push((w, h));
        }
    }
    out
}

#[test]
fn the_buttons_and_keys_show_at_every_size_down_to_the_minimum() {
    for kind in kinds() {
        let what: String = format!("{kind:?}").chars().take(40).collect();
        let mut state = loaded_state(NOW);
        state.popup = Some(Popup::Confirm(ConfirmState::new(kind)));
        for (w, h) in sizes() {
            let text = render(&state, w, h);
            let buttons = text
                .lines()
                .find(|l| l.contains("y/n · ←/→ · Enter"))
                .unwrap_or_else(|| panic!("{what} at {w}×{h}: no keys\n{text}"));
            assert!(
                buttons.contains("[ No ]") && buttons.contains("Yes"),
                "{what} at {w}×{h}: the default is not shown\n{text}"
            );
        }
    }
}

#[test]
fn with_room_the_whole_question_shows_above_the_buttons() {
    let mut state = loaded_state(NOW);
    state.popup = Some(Popup::Confirm(ConfirmState::new(ConfirmKind::Delete {
        scope: scope(LONG_ID),
    })));
    let text = render(&state, 120, 40);
    let ends = text.find("created.").expect(&text);
    let keys = text.find("y/n · ←/→ · Enter").expect(&text);
    assert!(ends < keys, "{text}");
}
