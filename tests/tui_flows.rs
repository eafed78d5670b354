//! In-process runs of the real app loop (`run_loop`) with scripted keys,
//! against a temp store and a fake OpenAI-shaped provider. Every wait is on
//! the app's observed state with a generous deadline, never a fixed sleep.
//! The harness is `tui_support::flow`.

mod tui_support;

use crossterm::event::{Event, KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use llmcfg::domain::Scope;

use tui_support::fake_provider::{self, BAD_KEY, GOOD_KEY, SLOW_KEY};
use tui_support::flow::{Harness, global, instance, seed};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switch_scope_with_picker_and_filter() {
    let mut h = Harness::start().await;
    h.key(KeyCode::Char(':'));
    h.wait("the picker", |o| o.text.contains("Switch scope"))
        .await;
    h.type_str("glbx");
    h.key(KeyCode::Enter);
    let o = h
        .wait("globex selected", |o| {
            o.scope == Some(instance("globex")) && !o.text.contains("Switch scope")
        })
        .await;
    assert!(
        o.text.contains("tenant: globex"),
        "header names the scope:\n{}",
        o.text
    );
    h.key(KeyCode::Char('/'));
    h.type_str("acm");
    h.key(KeyCode::Enter);
    h.wait("acme-prod selected", |o| {
        o.scope == Some(instance("acme-prod"))
    })
    .await;
    // Ctrl-p opens the same picker; the last scope switched to ranks right after the control plane.
    h.ctrl('p');
    h.wait("the picker", |o| o.text.contains("Switch scope"))
        .await;
    h.key(KeyCode::Esc);
    h.wait("picker closed", |o| !o.text.contains("Switch scope"))
        .await;
    // Esc clears the filter; then a mouse click on the first row selects it.
    h.key(KeyCode::Esc);
    h.wait("filter cleared", |o| o.text.contains("Instances (3)"))
        .await;
    h.keys
        .send(Ok(Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 5,
            row: 2,
            modifiers: KeyModifiers::NONE,
        })))
        .unwrap();
    h.wait("control plane clicked", |o| o.scope == Some(Scope::Global))
        .await;
    h.keys
        .send(Ok(Event::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollDown,
            column: 5,
            row: 2,
            modifiers: KeyModifiers::NONE,
        })))
        .unwrap();
    h.wait("scrolled down", |o| o.scope != Some(Scope::Global))
        .await;
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_through_the_form_then_test_ok() {
    let base = fake_provider::start().await;
    let mut h = Harness::start().await;
    h.ctrl('p');
    h.type_str("globex");
    h.key(KeyCode::Enter);
    h.wait("globex", |o| o.scope == Some(instance("globex")))
        .await;
    h.key(KeyCode::Char('n'));
    h.wait("the form", |o| o.screen == "form").await;
    h.key(KeyCode::Right); // anthropic → openai
    h.wait("openai", |o| o.text.contains("OpenAI (openai)"))
        .await;
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.type_str(GOOD_KEY);
    let o = h.wait("masked key", |o| o.text.contains("••••••••")).await;
    assert!(!o.text.contains(GOOD_KEY));
    h.key(KeyCode::Tab);
    h.type_str(&base);
    h.ctrl('s');
    let o = h
        .wait("saved", |o| {
            o.screen == "main" && o.text.contains("OpenAI (openai)")
        })
        .await;
    assert!(!o.text.contains(GOOD_KEY));
    let stored = h
        .handle
        .get(&instance("globex"))
        .await
        .unwrap()
        .expect("created");
    assert_eq!(stored.model, "gpt-4o");
    assert_eq!(stored.base_url.as_deref(), Some(base.as_str()));
    h.key(KeyCode::Char('t'));
    h.wait("test result", |o| {
        o.pending_tests == 0 && o.text.contains("Connection successful")
    })
    .await;
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_model_only_and_refuse_provider_change_without_key() {
    let base = fake_provider::start().await;
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path(), &Scope::Global, GOOD_KEY, &base).await;
    let mut h = Harness::start_in(dir, false).await;
    let before = h.handle.get(&Scope::Global).await.unwrap().unwrap();
    h.key(KeyCode::Char('e'));
    h.wait("edit form", |o| o.text.contains("Edit configuration"))
        .await;
    h.key(KeyCode::Tab);
    h.ctrl('u'); // clear the model field
    h.type_str("gpt-4.1");
    h.ctrl('s');
    h.wait("saved", |o| {
        o.screen == "main" && o.text.contains("gpt-4.1")
    })
    .await;
    let after = h.handle.get(&Scope::Global).await.unwrap().unwrap();
    assert_eq!(after.model, "gpt-4.1");
    assert_eq!(
        after.api_key_masked, before.api_key_masked,
        "the stored key is kept"
    );

    h.key(KeyCode::Char('e'));
    h.wait("edit form", |o| o.text.contains("Edit configuration"))
        .await;
    h.key(KeyCode::Left); // a different provider
    h.wait("inline refusal", |o| {
        o.text.contains("a new key is required")
    })
    .await;
    h.ctrl('s');
    h.wait("save blocked", |o| {
        o.screen == "form" && o.text.contains("Cannot save")
    })
    .await;
    h.key(KeyCode::Esc);
    h.wait("discard question", |o| o.text.contains("Discard"))
        .await;
    h.key(KeyCode::Char('y'));
    h.wait("back on the list", |o| o.screen == "main").await;
    assert_eq!(
        h.handle
            .get(&Scope::Global)
            .await
            .unwrap()
            .unwrap()
            .provider,
        "openai"
    );
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_failure_shows_invalid_key() {
    let base = fake_provider::start().await;
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path(), &Scope::Global, BAD_KEY, &base).await;
    let mut h = Harness::start_in(dir, false).await;
    h.key(KeyCode::Char('t'));
    h.wait("failed test", |o| {
        o.pending_tests == 0 && o.text.contains("✗ invalid_key")
    })
    .await;
    h.key(KeyCode::Char('T'));
    h.wait("test all done", |o| {
        o.screen == "results" && o.text.contains("done: 1/1")
    })
    .await;
    h.key(KeyCode::Esc);
    h.wait("back", |o| o.screen == "main").await;
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_cancels_a_running_test() {
    let base = fake_provider::start().await;
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path(), &Scope::Global, SLOW_KEY, &base).await;
    let mut h = Harness::start_in(dir, false).await;
    h.key(KeyCode::Char('t'));
    h.wait("test running", |o| {
        o.pending_tests == 1 && o.text.contains("testing…")
    })
    .await;
    h.key(KeyCode::Esc);
    h.wait("test cancelled", |o| {
        o.pending_tests == 0 && o.text.contains("cancelled")
    })
    .await;
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_asks_and_defaults_to_no() {
    let base = fake_provider::start().await;
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path(), &Scope::Global, GOOD_KEY, &base).await;
    let mut h = Harness::start_in(dir, false).await;
    h.key(KeyCode::Char('d'));
    h.wait("confirm", |o| {
        o.text
            .contains("Delete the LLM configuration of the control plane?")
    })
    .await;
    h.key(KeyCode::Enter); // default No
    h.wait("dialog closed", |o| !o.text.contains("Delete the LLM"))
        .await;
    assert!(h.handle.get(&Scope::Global).await.unwrap().is_some());
    h.key(KeyCode::Char('d'));
    h.wait("confirm", |o| {
        o.text.contains("Delete the LLM configuration")
    })
    .await;
    h.key(KeyCode::Char('y'));
    h.wait("deleted", |o| {
        o.text
            .contains("No LLM configuration for the control plane")
    })
    .await;
    assert!(h.handle.get(&Scope::Global).await.unwrap().is_none());
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_refuses_writes_and_says_so() {
    let mut h = Harness::start_in(tempfile::tempdir().unwrap(), true).await;
    h.wait("badge", |o| o.text.contains("READ-ONLY")).await;
    h.key(KeyCode::Char('n'));
    h.wait("refusal", |o| {
        o.text.contains("read-only mode: create is disabled")
    })
    .await;
    assert_eq!(h.obs.borrow().screen, "main");
    h.key(KeyCode::Char('a'));
    h.wait("refusal", |o| {
        o.text.contains("adding an instance is disabled")
    })
    .await;
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_instance_validates_and_registers() {
    let mut h = Harness::start().await;
    h.key(KeyCode::Char('a'));
    h.wait("dialog", |o| o.text.contains("Add instance")).await;
    h.type_str("-bad");
    h.wait("inline error", |o| o.text.contains("✗ instance id"))
        .await;
    h.ctrl('u');
    h.type_str("initech");
    h.key(KeyCode::Enter);
    h.wait("added and selected", |o| {
        o.scope == Some(instance("initech"))
    })
    .await;
    h.key(KeyCode::Char('?'));
    h.wait("help", |o| {
        o.text.contains("Help") && o.text.contains("llmcfg.db")
    })
    .await;
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('h'));
    h.wait("audit", |o| {
        o.screen == "audit" && o.text.contains("add_instance")
    })
    .await;
    h.key(KeyCode::Esc);
    h.wait("back", |o| o.screen == "main").await;
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_l_fetches_the_live_model_list() {
    let base = fake_provider::start().await;
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path(), &Scope::Global, GOOD_KEY, &base).await;
    let mut h = Harness::start_in(dir, false).await;
    h.key(KeyCode::Char('e'));
    h.wait("edit form", |o| o.text.contains("Edit configuration"))
        .await;
    h.key(KeyCode::Tab);
    h.ctrl('l'); // with the stored key: destination unchanged, key field empty
    h.wait("live list", |o| o.text.contains("live list, 2 models"))
        .await;
    h.ctrl('u');
    h.wait("all live suggestions", |o| {
        o.text.contains("fake-model-live")
    })
    .await;
    h.key(KeyCode::Esc); // `q` would be typed into the form
    h.wait("discard question", |o| o.text.contains("Discard"))
        .await;
    h.key(KeyCode::Char('y'));
    h.wait("back on the list", |o| o.screen == "main").await;
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_conflicts_are_reported_at_start_and_overrides_apply() {
    let dir = tempfile::tempdir().unwrap();
    global(dir.path(), false); // writes the key file and a config.toml
    std::fs::write(
        dir.path().join("config.toml"),
        "[[instances]]\nid = \"globex\"\n\n[keys]\ntest = \"e\"\nhistory = \"y\"\n\n[theme]\nok = \"chartreuse-ish\"\n",
    )
    .unwrap();
    let mut h = Harness::start_in(dir, false).await;
    h.wait("conflict toast", |o| o.text.contains("bound to both"))
        .await;
    h.wait("theme problem", |o| o.text.contains("unknown colour"))
        .await;
    h.key(KeyCode::Char('y'));
    h.wait("history on the overridden key", |o| o.screen == "audit")
        .await;
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('?'));
    h.wait("help shows the override", |o| {
        o.text.contains("y               Audit history")
    })
    .await;
    h.key(KeyCode::Esc);
    h.wait("help closed", |o| !o.text.contains("Audit history of"))
        .await;
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_scrolling_stops_at_the_end_and_each_popup_has_help() {
    let mut h = Harness::start().await;
    h.key(KeyCode::Char('?'));
    let top = h.wait("help", |o| o.text.contains("Help: Instances")).await;
    for _ in 0..200 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::End);
    let end = h
        .wait("scrolled to the end", |o| {
            o.text != top.text && o.text.contains("Help")
        })
        .await;
    // One step up from the end moves at once: the offset stopped at the end
    // instead of counting 200 steps past it.
    h.key(KeyCode::Up);
    h.wait("one line up", |o| o.text != end.text).await;
    h.key(KeyCode::Esc);
    h.wait("help closed", |o| !o.text.contains("Help:")).await;
    // A popup's help lists the popup's keys, and closing it returns to the popup.
    h.ctrl('p');
    h.wait("the picker", |o| o.text.contains("Switch scope"))
        .await;
    h.key(KeyCode::F(1));
    h.wait("popup help", |o| {
        o.text.contains("Help: Popups") && o.text.contains("Close without acting")
    })
    .await;
    h.key(KeyCode::Esc);
    h.wait("back in the picker", |o| {
        o.text.contains("Switch scope") && !o.text.contains("Help:")
    })
    .await;
    h.key(KeyCode::Esc);
    h.wait("picker closed", |o| !o.text.contains("Switch scope"))
        .await;
    h.quit().await;
}
