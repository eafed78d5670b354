//! Tampering with the store: a flipped ciphertext byte, or a ciphertext copied
//! onto another scope's row, gives a clear integrity error for that scope
//! only; other scopes keep working and `get` still shows the stored mask.

mod cli_env;

use cli_env::{Env, KEY, KEY2, code, stderr, stdout};

/// A tiny Ollama-shaped provider on 127.0.0.1:0 (Ollama takes no key, so a
/// successful test proves the scope's row opened and the probe ran).
fn ollama() -> (String, std::thread::JoinHandle<()>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = axum::Router::new().route(
                "/api/tags",
                axum::routing::get(|| async {
                    axum::Json(serde_json::json!({"models": [{"name": "llama3.2"}]}))
                }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    let addr = rx.recv().unwrap();
    (format!("http://{addr}"), thread)
}

fn create_ollama(env: &Env, instance: &str, base: &str, key: &str) {
    env.create_at(Some(instance), "ollama", "llama3.2", base, key);
}

fn sealed(env: &Env, scope: &str) -> Vec<u8> {
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    conn.query_row(
        "SELECT sealed_key FROM configs WHERE scope = ?1",
        [scope],
        |r| r.get(0),
    )
    .unwrap()
}

fn set_sealed(env: &Env, scope: &str, blob: &[u8]) {
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let n = conn
        .execute(
            "UPDATE configs SET sealed_key = ?1 WHERE scope = ?2",
            rusqlite::params![blob, scope],
        )
        .unwrap();
    assert_eq!(n, 1);
}

fn assert_integrity_error(env: &Env, instance: &str) {
    let out = env.run(&["-i", instance, "test"], "");
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("tenant: {instance}")), "{err}");
    assert!(err.contains("integrity check"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

fn assert_test_ok(env: &Env, instance: &str) {
    let out = env.run(&["-i", instance, "--json", "test"], "");
    assert_eq!(code(&out), 0, "{} {}", stdout(&out), stderr(&out));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["status"], "ok");
    assert_eq!(result["message"], "Connection successful");
}

#[test]
fn a_flipped_ciphertext_byte_breaks_only_that_scope() {
    let (base, _server) = ollama();
    let env = Env::new();
    create_ollama(&env, "victim", &base, KEY);
    create_ollama(&env, "bystander", &base, KEY2);
    let mask = env.get_json(Some("victim"))["api_key_masked"].clone();
    let mut blob = sealed(&env, "victim");
    let mid = blob.len() / 2;
    blob[mid] ^= 0x40;
    set_sealed(&env, "victim", &blob);

    assert_integrity_error(&env, "victim");
    assert_test_ok(&env, "bystander");
    assert_eq!(env.get_json(Some("victim"))["api_key_masked"], mask);
    // test --all reports the broken scope and tests the rest.
    let out = env.run(&["--json", "test", "--all"], "");
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = all["results"].as_array().unwrap();
    let victim = results
        .iter()
        .find(|r| r["instance_id"] == "victim")
        .unwrap();
    assert!(
        victim["error"].as_str().unwrap().contains("integrity"),
        "{victim}"
    );
    let bystander = results
        .iter()
        .find(|r| r["instance_id"] == "bystander")
        .unwrap();
    assert_eq!(bystander["result"]["status"], "ok");
    // Re-entering the key repairs the scope.
    let out = env.run(
        &["-i", "victim", "update", "--api-key-stdin"],
        &format!("{KEY}\n"),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_test_ok(&env, "victim");
}

#[test]
fn a_ciphertext_copied_onto_another_row_fails_to_open() {
    let (base, _server) = ollama();
    let env = Env::new();
    create_ollama(&env, "source", &base, KEY);
    create_ollama(&env, "target", &base, KEY2);
    let target_mask = env.get_json(Some("target"))["api_key_masked"].clone();
    set_sealed(&env, "target", &sealed(&env, "source"));

    assert_integrity_error(&env, "target");
    assert_test_ok(&env, "source");
    assert_eq!(env.get_json(Some("target"))["api_key_masked"], target_mask);
    let out = env.run(&["-i", "target", "models"], "");
    assert_eq!(code(&out), 7, "{}", stderr(&out));
}
