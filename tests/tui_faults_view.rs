//! Real-PTY runs of the built binary for the reported TUI faults about
//! finding things: the "test all" results could not be navigated, the list
//! could not be paged, text was cut where it matters, and the model
//! suggestions collapsed. Each test failed before its fix.

mod tui_support;

use tui_support::fake_provider::{self, BAD_KEY, GOOD_KEY};
use tui_support::pty::{Pty, Spawn, Store, tenant_ids};

fn count_tests(store: &Store) -> usize {
    let (code, out) = store.cli(&["audit", "--all", "--limit", "10000", "--json"]);
    assert_eq!(code, 0, "audit: {out}");
    let entries: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    entries.iter().filter(|e| e["action"] == "test").count()
}

/// The detail line of the results view (the full message of the selected row).
fn detail_has(screen: &str, needle: &str) -> bool {
    screen.lines().any(|l| l.starts_with(needle))
}

/// Fault 3: ~25 of 1,611 rows visible, in completion order, messages cut
/// without an ellipsis; `j`, `PgDn`, `G` and `/` did nothing.
#[test]
fn test_all_results_can_be_navigated() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("");
    let ids = tenant_ids(40);
    store.seed(&ids[..20], GOOD_KEY, &base);
    store.seed(&ids[20..], BAD_KEY, &base);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (41)"));
    pty.send("T");
    pty.wait("the run done", |s| s.contains("done: 40/40"));
    // Failures first, sorted by scope: the first row is t020's failure.
    pty.wait("the first failure selected", |s| {
        detail_has(s, "tenant: t020: ")
    });
    let screen = pty.contents();
    let first_row = screen
        .lines()
        .find(|l| l.contains("t0") && l.starts_with('│') && !l.contains("rows"))
        .unwrap();
    assert!(first_row.contains("✗"), "failures first: {first_row}");
    pty.send("j");
    pty.wait("j moves", |s| detail_has(s, "tenant: t021: "));
    pty.send("G");
    pty.wait("G: the last row", |s| {
        detail_has(s, "tenant: t019: Connection successful")
    });
    pty.send("g");
    pty.wait("g: the first row", |s| detail_has(s, "tenant: t020: "));
    pty.send("\x1b[6~"); // PgDn: one page of 29 rows
    pty.wait("PgDn: a page down", |s| detail_has(s, "tenant: t009: "));
    pty.send("f");
    pty.wait("status filter", |s| {
        s.contains("20 of 40 rows") && s.contains("status: failed")
    });
    pty.send("f");
    pty.wait("status filter ok", |s| s.contains("status: ok"));
    pty.send("f");
    pty.send("/t03\r");
    pty.wait("text filter", |s| s.contains("10 of 40 rows"));
    pty.send("\r");
    pty.wait("Enter jumps to the scope", |s| {
        s.contains("Instances") && s.contains("│ tenant: t030")
    });
    let tested = count_tests(&store);
    pty.send("v");
    pty.wait("the last results, reopened", |s| s.contains("done: 40/40"));
    assert_eq!(count_tests(&store), tested, "reopening runs nothing");
    pty.send("\x1b");
    pty.wait("back", |s| s.contains("Instances (41)"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

/// Fault 4: `PgUp`, `PgDn`, `Ctrl-d` and `Ctrl-u` did nothing in the list.
#[test]
fn the_list_pages() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("");
    store.seed(&tenant_ids(60), GOOD_KEY, &base);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (61)"));
    // 40 rows: header, footer and two borders leave 36 list rows.
    pty.send("\x1b[6~");
    pty.wait("PgDn", |s| s.contains("│ tenant: t035"));
    pty.send("\x04");
    pty.wait("Ctrl-d (clamped to the end)", |s| {
        s.contains("│ tenant: t059")
    });
    pty.send("\x15");
    pty.wait("Ctrl-u", |s| s.contains("│ tenant: t023"));
    pty.send("\x1b[5~");
    pty.wait("PgUp", |s| s.contains("│ control plane"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

/// Fault 8: text cut where it matters — the header at 60 columns, a
/// 128-character id, write hints in read-only mode, no form keys in help,
/// error toasts with no log to read them in full.
#[test]
fn text_is_not_cut_where_it_matters() {
    let long = format!("{}-eu-west-2-prod", "a".repeat(113));
    assert_eq!(long.len(), 128);
    let store = Store::new(&format!("[[instances]]\nid = \"{long}\"\n"));
    let mut pty = Pty::spawn(
        &store,
        Spawn {
            cols: 60,
            rows: 20,
            ..Spawn::default()
        },
    );
    pty.wait("the list", |s| s.contains("Instances (2)"));
    pty.send("j");
    pty.wait("the long id in the header, its end shown", |s| {
        let header = s.lines().next().unwrap_or("");
        header.contains("-eu-west-2-prod") && !header.contains("llmcfg.db")
    });
    assert!(
        pty.contents().contains("…st-2-prod") || pty.contents().contains("…-2-prod"),
        "the row shows the end of the id:\n{}",
        pty.contents()
    );
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);

    let mut pty = Pty::spawn(&store, Spawn::with_args(&["--read-only"]));
    pty.wait("the list", |s| s.contains("READ-ONLY"));
    let footer = pty.contents().lines().last().unwrap_or("").to_string();
    for hint in [" new", " edit", " delete"] {
        assert!(
            !footer.contains(hint),
            "read-only footer offers{hint}: {footer}"
        );
    }
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);

    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (2)"));
    pty.send("n");
    pty.wait("the form", |s| s.contains("Create configuration"));
    pty.send("?");
    pty.wait("form help", |s| {
        s.contains("Help: Form") && s.contains("Save") && s.contains("Next field")
    });
    pty.send("\x1b");
    pty.wait("help closed", |s| !s.contains("Help: Form"));
    pty.send("\x1bOP"); // F1 works on any field
    pty.wait("form help again", |s| s.contains("Help: Form"));
    pty.send("\x1b");
    pty.wait("help closed", |s| !s.contains("Help: Form"));
    pty.send("\x1b"); // nothing typed: Esc just closes
    pty.wait("the list", |s| s.contains("Instances (2)"));
    pty.send("t");
    pty.wait("a toast", |s| s.contains("nothing to test"));
    pty.send("L");
    pty.wait("the message log, in full", |s| {
        s.contains("Messages (")
            && s.contains("nothing to test: no configuration here; n creates one")
    });
    pty.send("\x1b");
    pty.wait("the log closed", |s| !s.contains("Messages ("));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

/// Fault 9: after `Ctrl-l`, the first `↓` filled in the first model and the
/// suggestions shrank to that one entry.
#[test]
fn model_suggestions_stay_after_picking() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("");
    store.seed(&[None], GOOD_KEY, &base);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("openai"));
    pty.send("e");
    pty.wait("the edit form", |s| s.contains("Edit configuration"));
    pty.send("\t\x0c");
    pty.wait("the live list", |s| s.contains("live list, 2 models"));
    let both = |s: &str| s.contains("gpt-4o · fake-model-live");
    pty.wait("both live models suggested", both);
    pty.send("\x1b[B");
    pty.wait("a model picked", |s| {
        s.contains("Model     fake-model-live")
    });
    assert!(both(&pty.contents()), "the list stays:\n{}", pty.contents());
    pty.send("\x1b[B");
    pty.wait("the next one", |s| s.contains("Model     gpt-4o▏"));
    assert!(both(&pty.contents()), "the list stays:\n{}", pty.contents());
    // Back on the stored model: nothing changed, so Esc just closes.
    pty.send("\x1b");
    pty.wait("the list", |s| s.contains("Instances"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}
