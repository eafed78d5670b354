//! The bulk keys at fleet scale: `d`, `m`, `P`, `t` and `T` with
//! all 100,001 rows marked, each from the key to its dialog, through the
//! app's own key handling (`App::on_terminal_event`) in this process. They
//! used to look each marked scope up with a linear search (40–58 s each at
//! 100,001 scopes); the target is 100 ms.

use criterion::Criterion;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use llmcfg::tui::app::App;
use llmcfg::tui::state::Popup;

use super::{BIG, seed_store, state};

/// Criterion: each bulk key on `BIG` + 1 marked rows, to its dialog.
pub fn bulk_keys(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Toasts and the list load spawn tasks: the app needs a runtime, and a
    // service to hold; the list it shows is the bench's own, never reloaded.
    let _guard = rt.enter();
    let dir = tempfile::tempdir().unwrap();
    let global = seed_store(dir.path(), 1);
    let (handle, _, _) = rt.block_on(llmcfg::cli::open_service(&global)).unwrap();
    let mut app = App::new(handle, state(BIG), false, 4);
    app.on_terminal_event(Event::Resize(120, 40));
    app.state.list.mark_all_visible();
    assert_eq!(app.state.list.marked_count(), BIG + 1);
    for (key, name) in [
        ('d', "bulk key d (delete), 100,001 marked"),
        ('m', "bulk key m (set model), 100,001 marked"),
        ('P', "bulk key P (set provider), 100,001 marked"),
        ('t', "bulk key t (test marked), 100,001 marked"),
        ('T', "bulk key T (test all), 100,001 scopes"),
    ] {
        let event = Event::Key(KeyEvent::new(KeyCode::Char(key), KeyModifiers::NONE));
        c.bench_function(name, |b| {
            b.iter(|| {
                // The list was drawn: the key may act (the type-ahead rule).
                app.frame_flushed();
                app.on_terminal_event(event.clone());
                let popup = app.state.popup.take();
                assert!(
                    matches!(popup, Some(Popup::Confirm(_) | Popup::BulkEdit(_))),
                    "{key} opened no dialog"
                );
                popup
            })
        });
    }
}
