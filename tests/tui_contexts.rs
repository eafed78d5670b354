//! The production marker rendered into a `TestBackend`: the header shows the
//! context's name in its colour (and set apart without colour), and a bulk
//! write on a context with `confirm = "name"` shows the typed-name dialog.

#[path = "support/tui_frame.rs"]
mod tui_frame;

use llmcfg::settings::{ContextSetting, Settings};
use llmcfg::tui::context_mark::ContextMark;
use llmcfg::tui::state::Popup;
use llmcfg::tui::widgets::type_name::{NamedWrite, TypeNameState};
use ratatui::style::Color;
use tui_frame::{NOW, draw, loaded_state, render, scope};

fn production() -> ContextSetting {
    let settings = Settings::parse(
        "[[tui.contexts]]\ntarget = \"/data/llmcfg/llmcfg.db\"\nname = \"production\"\n\
         colour = \"magenta\"\nconfirm = \"name\"\n",
    )
    .unwrap();
    settings.tui.contexts[0].clone()
}

#[test]
fn the_header_shows_the_context_name_in_its_colour() {
    let mut state = loaded_state(NOW);
    state.env.context = Some(ContextMark::from_setting(&production()));
    let buffer = draw(&state, 80, 24);
    let header: String = (0..80).map(|x| buffer[(x, 0)].symbol()).collect();
    let at = header.find("production").expect("the name in the header") as u16;
    // Multi-byte symbols earlier in the line would shift the byte offset.
    assert!(header.is_char_boundary(at as usize));
    let x = header[..at as usize].chars().count() as u16;
    assert_eq!(buffer[(x, 0)].bg, Color::Magenta, "{header}");
    insta::assert_snapshot!("context_header_80x24", render(&state, 80, 24));
}

#[test]
fn a_bulk_delete_on_a_named_context_asks_for_the_name() {
    let mut state = loaded_state(NOW);
    state.env.context = Some(ContextMark::from_setting(&production()));
    let write = NamedWrite::Delete {
        scopes: vec![scope("t1"), scope("t2")],
    };
    state.popup = Some(Popup::TypeName(TypeNameState::new("production", write)));
    let text = render(&state, 80, 24);
    assert!(text.contains("Type production to confirm"), "{text}");
    assert!(text.contains("type its name to delete the"), "{text}");
    assert!(text.contains("Enter confirms · Esc cancels"), "{text}");
    insta::assert_snapshot!("context_type_name_80x24", text);
}
