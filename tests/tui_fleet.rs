//! The TUI as a fleet console, through the built binary in a real PTY: bulk
//! model change and bulk delete on 500 marked scopes (checked through the
//! CLI afterwards, one audit entry per scope), sort and facet filters that
//! keep the selection, auto-refresh after a CLI write in another process,
//! copy over OSC 52 without the key, and the persistent connection state in
//! remote mode.

mod tui_support;

use std::collections::HashMap;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use tui_support::fake_provider::{self, BAD_KEY, GOOD_KEY, WAIT_KEY};
use tui_support::pty::{Pty, Spawn, Store, osc52_payloads, tenant_ids};

/// Audit entries of `action`, per scope.
fn audit_per_scope(store: &Store, action: &str) -> HashMap<String, usize> {
    let (code, out) = store.cli(&["audit", "--all", "--limit", "100000", "--json"]);
    assert_eq!(code, 0, "audit: {out}");
    let entries: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let mut per = HashMap::new();
    for e in entries.iter().filter(|e| e["action"] == action) {
        *per.entry(e["instance_id"].as_str().unwrap_or("").to_string())
            .or_default() += 1;
    }
    per
}

fn instances(store: &Store) -> Vec<serde_json::Value> {
    let (code, out) = store.cli(&["instances", "--json"]);
    assert_eq!(code, 0, "instances: {out}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn bulk_model_change_and_bulk_delete_on_500_marked_scopes() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("");
    let n = 500;
    store.seed(&tenant_ids(n), GOOD_KEY, &base);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (501)"));
    pty.send("\x01"); // Ctrl-a: mark every visible row
    pty.wait("all marked", |s| s.contains("501 marked"));
    pty.send("m");
    pty.wait("the bulk dialog names the count", |s| {
        s.contains("Set the model of 500 scopes")
    });
    pty.send("gpt-4.1-mini\r");
    pty.wait("the bulk change done", |s| {
        s.contains("Bulk set model") && s.contains("done: 500/500 · 500 ✓ · 0 ✗")
    });
    let listed = instances(&store);
    let models: Vec<&str> = listed
        .iter()
        .filter(|i| !i["instance_id"].is_null())
        .map(|i| i["config"]["model"].as_str().unwrap_or("none"))
        .collect();
    assert_eq!(models.len(), n);
    assert!(models.iter().all(|m| *m == "gpt-4.1-mini"), "{models:?}");
    let updates = audit_per_scope(&store, "update");
    assert_eq!(updates.len(), n, "every scope audited");
    assert!(updates.values().all(|c| *c == 1), "one entry per scope");

    pty.send("\x1b");
    pty.wait("back on the list, marks kept", |s| s.contains("501 marked"));
    pty.send("d");
    pty.wait("one confirm naming the count and listing scopes", |s| {
        s.contains("Delete 500 configurations") && s.contains("t000") && s.contains("and 492 more")
    });
    pty.send("y");
    pty.wait("the bulk delete done", |s| {
        s.contains("Bulk delete") && s.contains("done: 500/500")
    });
    assert!(
        instances(&store).iter().all(|i| i["config"].is_null()),
        "every configuration deleted"
    );
    for id in ["t000", "t250", "t499"] {
        let (_, out) = store.cli(&["-i", id, "get", "--json"]);
        assert_eq!(out.trim(), "null", "{id}: {out}");
    }
    let deletes = audit_per_scope(&store, "delete");
    assert_eq!(deletes.len(), n);
    assert!(deletes.values().all(|c| *c == 1), "one entry per scope");
    // Tenants known only by their configuration leave the list with it.
    pty.send("\x1b");
    pty.wait("back", |s| s.contains("Instances (1) · 1 marked"));
    pty.send("\x1b");
    pty.wait("marks cleared", |s| !s.contains("marked"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

#[test]
fn sort_and_facets_keep_the_selection() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("");
    let ids = tenant_ids(6);
    store.seed(&ids[..3], GOOD_KEY, &base);
    store.seed(&ids[3..], BAD_KEY, &base);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (7)"));
    pty.send("T");
    pty.wait("tested", |s| s.contains("done: 6/6"));
    pty.send("\x1b");
    pty.wait("back", |s| s.contains("Instances (7)"));
    pty.send("/t004\r");
    pty.wait("t004", |s| s.contains("│ tenant: t004"));
    pty.send("\x1b");
    pty.wait("filter cleared", |s| s.contains("Instances (7)"));
    pty.send("f");
    pty.wait("failing only", |s| {
        s.contains("Instances (3 of 7) · failing only")
    });
    assert!(
        pty.contents().contains("│ tenant: t004"),
        "{}",
        pty.contents()
    );
    pty.send("s");
    pty.wait("sorted", |s| s.contains("sort: provider"));
    pty.send("sss");
    pty.wait("sorted by last test", |s| {
        s.contains("sort: scope") || s.contains("Instances (3 of 7) · failing only ─")
    });
    pty.send("p");
    pty.wait("provider filter", |s| s.contains("provider: openai"));
    assert!(
        pty.contents().contains("│ tenant: t004"),
        "{}",
        pty.contents()
    );
    pty.send("\x1b");
    pty.wait("facets cleared", |s| s.contains("Instances (7)"));
    assert!(
        pty.contents().contains("│ tenant: t004"),
        "{}",
        pty.contents()
    );
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

#[test]
fn auto_refresh_picks_up_a_cli_write_and_keeps_the_selection() {
    let store = Store::new("[[instances]]\nid = \"zeta\"\n");
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (2)"));
    pty.send("j");
    pty.wait("zeta selected", |s| s.contains("│ tenant: zeta"));
    let (code, out) = store.cli(&["instances", "add", "from-another-terminal"]);
    assert_eq!(code, 0, "{out}");
    pty.wait("the new instance, without R", |s| {
        s.contains("Instances (3)") && s.contains("from-another-terminal")
    });
    // The new row sorts before zeta; the selection follows the scope.
    assert!(
        pty.contents().contains("│ tenant: zeta"),
        "{}",
        pty.contents()
    );
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

#[test]
fn copy_goes_through_osc52_and_never_carries_the_key() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("");
    store.seed(&tenant_ids(1), GOOD_KEY, &base);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (2)"));
    pty.send("j");
    pty.wait("t000", |s| s.contains("│ tenant: t000"));
    pty.send("y");
    pty.wait("a toast", |s| s.contains("copied the id"));
    pty.send("Y");
    pty.wait("a toast", |s| s.contains("copied the configuration"));
    let payloads = osc52_payloads(&pty.raw());
    assert_eq!(
        payloads.first().map(String::as_str),
        Some("t000"),
        "{payloads:?}"
    );
    let json: serde_json::Value = serde_json::from_str(&payloads[1]).unwrap();
    assert_eq!(json["model"], "gpt-4o");
    assert!(json["api_key_masked"].as_str().unwrap().contains("..."));
    assert!(!payloads[1].contains(GOOD_KEY), "never the key");
    assert!(
        !pty.raw_contains(GOOD_KEY.as_bytes()),
        "never the key on screen"
    );
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

#[test]
fn remote_mode_shows_a_persistent_connection_state() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    // A port nothing listens on: bind, note it, close.
    let closed = rt.block_on(async {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    });
    let store = Store::new("");
    let url = format!("http://127.0.0.1:{closed}");
    let mut pty = Pty::spawn(
        &store,
        Spawn {
            args: &["--remote", &url],
            env: &[("LLMCFG_TOKEN", "token-for-the-test")],
            ..Spawn::default()
        },
    );
    pty.wait("disconnected", |s| s.contains("DISCONNECTED · R retries"));
    // Still there after the toasts have faded.
    std::thread::sleep(Duration::from_secs(5));
    assert!(
        pty.contents().contains("DISCONNECTED"),
        "{}",
        pty.contents()
    );
    pty.send("R");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        pty.contents().contains("DISCONNECTED"),
        "{}",
        pty.contents()
    );
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);

    // A server that refuses the token.
    let refusing = rt.block_on(async {
        let app = Router::new().fallback(|| async {
            (
                StatusCode::UNAUTHORIZED,
                axum::Json(serde_json::json!({"detail": "Invalid token"})),
            )
        });
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
        format!("http://127.0.0.1:{port}")
    });
    let mut pty = Pty::spawn(
        &store,
        Spawn {
            args: &["--remote", &refusing],
            env: &[("LLMCFG_TOKEN", "token-for-the-test")],
            ..Spawn::default()
        },
    );
    pty.wait("unauthorized", |s| s.contains("UNAUTHORIZED"));
    pty.send("?");
    pty.wait("help says there is no auto-refresh", |s| {
        s.contains("No auto-refresh in remote mode")
    });
    pty.send("\x1b");
    pty.wait("help closed", |s| !s.contains("No auto-refresh"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

#[test]
fn test_all_over_the_threshold_asks_first() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("");
    store.seed(&tenant_ids(120), GOOD_KEY, &base);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (121)"));
    pty.send("T");
    pty.wait("the question", |s| s.contains("Test 120 scopes"));
    pty.send("n");
    pty.wait("declined", |s| !s.contains("Test 120 scopes"));
    assert!(audit_per_scope(&store, "test").is_empty(), "nothing ran");
    pty.send("T");
    pty.wait("the question", |s| s.contains("Test 120 scopes"));
    pty.send("y");
    pty.wait("the run done", |s| s.contains("done: 120/120"));
    assert_eq!(audit_per_scope(&store, "test").len(), 120);
    pty.send("\x1b");
    pty.wait("back", |s| s.contains("Instances (121)"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

#[test]
fn bulk_provider_and_key_change_reports_per_scope_and_never_shows_the_key() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("");
    store.seed(&tenant_ids(3), GOOD_KEY, &base);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (4)"));
    pty.send("j   "); // mark t000, t001, t002 (Space marks and moves down)
    pty.wait("three marked", |s| s.contains("3 marked"));
    pty.send("P");
    pty.wait("the dialog", |s| {
        s.contains("Set provider and key of 3 scopes")
    });
    let screen = pty.contents();
    let line = screen.lines().find(|l| l.contains("◀")).unwrap();
    let id = line
        .rsplit_once('(')
        .and_then(|(_, r)| r.split_once(')'))
        .map(|(id, _)| id.to_string())
        .unwrap();
    let new_key = "sk-bulk-NEWKEY0123456789abcdefgh";
    pty.send("\tgpt-bulk\t");
    pty.send(new_key);
    pty.send("\t");
    pty.send(&base);
    pty.send("\r");
    pty.wait("the bulk change done", |s| {
        s.contains("Bulk set provider") && s.contains("done: 3/3 · 3 ✓")
    });
    for t in ["t000", "t001", "t002"] {
        let (code, out) = store.cli(&["-i", t, "get", "--json"]);
        assert_eq!(code, 0, "{out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["provider"], id.as_str(), "{out}");
        assert_eq!(v["model"], "gpt-bulk");
    }
    assert!(
        !pty.raw_contains(new_key.as_bytes()),
        "the key never reached the screen"
    );
    assert!(!store.cli(&["audit", "--all", "--json"]).1.contains(new_key));
    pty.send("\x1b");
    pty.wait("back", |s| s.contains("Instances (4)"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

#[test]
fn a_run_left_in_the_background_shows_in_the_header_and_toasts_when_done() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("[prober]\nconcurrency = 2\n");
    store.seed(&tenant_ids(20), WAIT_KEY, &base);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (21)"));
    pty.send("T");
    pty.wait("the run under way", |s| s.contains("testing 2/20"));
    pty.send("\r"); // jump to the first finished scope; the run goes on
    pty.wait("the header shows the run", |s| {
        s.contains("Instances (21)") && s.contains("⟳ test ")
    });
    pty.wait("a toast when it is done", |s| {
        s.contains("test finished: 20 scopes")
    });
    assert!(!pty.contents().contains("⟳ test "), "{}", pty.contents());
    pty.send("v");
    pty.wait("its results", |s| s.contains("done: 20/20"));
    pty.send("\x1b");
    pty.wait("back", |s| s.contains("Instances (21)"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}
