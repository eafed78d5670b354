//! The list's first rows, drawn before the whole fleet is read, through the
//! app's own event and key handling in this process, with the rows the
//! service itself reads: the title says the list is not whole; mark all
//! and test all are refused (not queued) until a frame has shown the whole
//! list, even when the whole list has arrived but is not drawn yet; and the
//! whole list replaces the first rows keeping the selection, the marks and
//! the filter. The binary at 100,001 scopes is `tui_first_rows_pty.rs`.

mod tui_support;

#[path = "support/tui_frame.rs"]
mod tui_frame;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use llmcfg::cli::open_service;
use llmcfg::domain::Scope;
use llmcfg::domain::instances::ListStart;
use llmcfg::service::ServiceHandle;
use llmcfg::tui::app::App;
use llmcfg::tui::event::AppEvent;
use llmcfg::tui::state::ListCoverage;
use tui_support::flow::{global, instance, seed};

const KEY: &str = "sk-proj-firstrows-0123456789abcdefghij";
/// The first rows read: the control plane, `acme-prod` and `globex` (both
/// from `config.toml`, without a config) and `t1`.
const FIRST: usize = 4;

/// The service over a store with a config for the control plane and `t1`
/// to `t4`; its list has 7 scopes.
async fn service(dir: &std::path::Path) -> ServiceHandle {
    let tenants = ["t1", "t2", "t3", "t4"].map(instance);
    for scope in std::iter::once(Scope::Global).chain(tenants) {
        seed(dir, &scope, KEY, "http://127.0.0.1:9/v1").await;
    }
    open_service(&global(dir, false)).await.unwrap().0
}

/// The app before its list arrives. The first load it starts reports to a
/// queue nothing reads here: this test hands it the rows itself.
fn app(handle: ServiceHandle) -> App {
    let mut state = tui_frame::loaded_state(tui_frame::NOW);
    state.loading = true;
    let mut app = App::new(handle, state, false, 4);
    app.on_terminal_event(Event::Resize(120, 40));
    app
}

async fn first_rows(h: &ServiceHandle) -> AppEvent {
    match h.list_instances_start(FIRST).await.unwrap() {
        ListStart::FirstRows(rows) => AppEvent::FirstRowsLoaded { rows },
        whole => panic!("7 scopes are more than {FIRST}: {whole:?}"),
    }
}

async fn whole_list(h: &ServiceHandle) -> AppEvent {
    AppEvent::InstancesLoaded {
        result: h.list_instances().await,
        select: None,
    }
}

fn key(app: &mut App, code: KeyCode, mods: KeyModifiers) {
    app.on_terminal_event(Event::Key(KeyEvent::new(code, mods)));
}

fn title(app: &App) -> String {
    let screen = tui_frame::render(&app.state, 120, 40);
    screen
        .lines()
        .find(|l| l.contains(" Instances ("))
        .unwrap_or_default()
        .to_string()
}

fn selected(app: &App) -> Option<Scope> {
    app.state.list.selected().map(|e| e.scope.clone())
}

fn refusals(app: &App) -> usize {
    app.state
        .messages
        .iter()
        .filter(|m| m.text.contains("the list is still loading"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_keys_wait_for_the_whole_list_on_screen_and_the_swap_keeps_cursor_and_marks() {
    let dir = tempfile::tempdir().unwrap();
    let h = service(dir.path()).await;
    let mut app = app(h.clone());

    app.on_app_event(first_rows(&h).await);
    app.frame_flushed();
    assert_eq!(app.state.coverage, ListCoverage::FirstRows);
    assert_eq!(app.state.list.entries().len(), FIRST);
    assert!(
        title(&app).contains("Instances (first 4, loading the rest…)"),
        "{}",
        title(&app)
    );

    // Space marks the control plane and moves to acme-prod; then to t1.
    key(&mut app, KeyCode::Char(' '), KeyModifiers::NONE);
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    assert_eq!(selected(&app), Some(instance("t1")));
    assert_eq!(app.state.list.marked_count(), 1);

    // Mark all and test all would act on the first rows only: refused.
    key(&mut app, KeyCode::Char('a'), KeyModifiers::CONTROL);
    assert_eq!(
        app.state.list.marked_count(),
        1,
        "Ctrl-a marked the first rows"
    );
    key(&mut app, KeyCode::Char('T'), KeyModifiers::NONE);
    assert!(app.state.job.is_none(), "T tested the first rows");
    assert_eq!(refusals(&app), 2);

    // The whole list swaps in: the cursor stays on t1 and the mark on the
    // control plane. Until a frame shows it, mark all is still refused.
    app.on_app_event(whole_list(&h).await);
    assert_eq!(app.state.coverage, ListCoverage::Whole);
    assert_eq!(app.state.list.entries().len(), 7);
    assert_eq!(selected(&app), Some(instance("t1")));
    assert_eq!(app.state.list.marked_scopes(), vec![Scope::Global]);
    key(&mut app, KeyCode::Char('a'), KeyModifiers::CONTROL);
    assert_eq!(
        app.state.list.marked_count(),
        1,
        "Ctrl-a acted on an unseen list"
    );
    assert_eq!(refusals(&app), 3);

    // Drawn: the title counts the fleet, and mark all and test all act.
    app.frame_flushed();
    assert!(
        title(&app).contains("Instances (7) · 1 marked"),
        "{}",
        title(&app)
    );
    key(&mut app, KeyCode::Char('a'), KeyModifiers::CONTROL);
    assert_eq!(app.state.list.marked_count(), 7);
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    app.frame_flushed();
    key(&mut app, KeyCode::Char('T'), KeyModifiers::NONE);
    let job = app.state.job.as_ref().expect("T on the whole list runs");
    assert_eq!((job.all, job.total), (true, 5), "every configured scope");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filter_typed_over_the_first_rows_applies_to_the_whole_list() {
    let dir = tempfile::tempdir().unwrap();
    let h = service(dir.path()).await;
    let mut app = app(h.clone());
    app.on_app_event(first_rows(&h).await);
    app.frame_flushed();

    key(&mut app, KeyCode::Char('/'), KeyModifiers::NONE);
    app.frame_flushed();
    for c in "t3".chars() {
        key(&mut app, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    app.frame_flushed();
    assert_eq!(selected(&app), None, "t3 is not among the first rows");
    assert!(
        title(&app).contains("Instances (0 of the first 4,"),
        "{}",
        title(&app)
    );

    app.on_app_event(whole_list(&h).await);
    app.frame_flushed();
    assert_eq!(selected(&app), Some(instance("t3")));
    assert!(
        title(&app).contains("Instances (1 of 7)"),
        "{}",
        title(&app)
    );
    assert_eq!(
        app.state
            .list
            .filter
            .as_ref()
            .map(|f| f.value().to_string()),
        Some("t3".to_string())
    );
}
