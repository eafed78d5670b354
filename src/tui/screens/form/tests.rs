//! The form's rules, driven by keys as a user would.

use super::*;
use crate::domain::{ConfigFields, ViewRecord};
use crate::tui::action::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn type_text(form: &mut FormState, text: &str) {
    for c in text.chars() {
        form.on_key(
            &KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
            Catalog::builtin(),
        );
    }
}

fn view() -> ConfigView {
    let t = time::macros::datetime!(2026-01-01 00:00 UTC);
    ConfigView::new(
        ViewRecord {
            id: uuid::Uuid::nil().into(),
            api_key_masked: "sk-...abcd".into(),
            instance_id: None,
            created_at: t,
            updated_at: t,
        },
        ConfigFields::new("openai", "gpt-4o"),
    )
}

#[test]
fn create_blocks_save_until_key_given() {
    let cat = Catalog::builtin();
    let mut f = FormState::create(Scope::Global, cat);
    assert!(matches!(
        f.on_action(Action::Save, cat),
        FormOutcome::Nothing
    ));
    assert!(
        f.status.as_deref().unwrap().contains("api_key"),
        "{:?}",
        f.status
    );
    assert_eq!(f.focus, Field::ApiKey);
    type_text(&mut f, "sk-test-123");
    assert!(matches!(
        f.on_action(Action::Save, cat),
        FormOutcome::Save(SaveRequest::Create { .. })
    ));
}

#[test]
fn edit_provider_change_demands_a_key_inline() {
    let cat = Catalog::builtin();
    let mut f = FormState::edit(Scope::Global, view(), cat);
    assert!(f.problems(cat).is_empty());
    f.on_key(&KeyEvent::new(KeyCode::Left, KeyModifiers::NONE), cat);
    let p = f.problems(cat);
    assert!(
        p.iter()
            .any(|(fl, r)| *fl == Field::ApiKey && r.contains("new key is required")),
        "{p:?}"
    );
}

#[test]
fn reveal_remasks_on_leaving_the_field() {
    let cat = Catalog::builtin();
    let mut f = FormState::create(Scope::Global, cat);
    f.focus = Field::ApiKey;
    type_text(&mut f, "secret");
    assert_eq!(f.key_display(), "••••••");
    f.on_action(Action::Reveal, cat);
    assert_eq!(f.key_display(), "secret");
    f.on_action(Action::NextField, cat);
    f.on_action(Action::PrevField, cat);
    assert_eq!(f.key_display(), "••••••");
}
