//! The master key: a wrong or malformed key is a clear error at open (exit 7)
//! with nothing written; a lost key file is never silently replaced; the key
//! file is created 0600 in a 0700 directory; rotation re-seals every key.

mod cli_env;

use cli_env::{Env, KEY, KEY2, code, stderr, stdout};

fn audit_count(env: &Env) -> usize {
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    conn.query_row("SELECT COUNT(*) FROM audit", [], |r| r.get::<_, i64>(0))
        .unwrap() as usize
}

#[test]
fn first_run_creates_a_private_key_file_with_a_notice() {
    let env = Env::new();
    let out = env.run(
        &["create", "--provider", "openai", "--model", "gpt-4o"],
        &format!("{KEY}\n"),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("created a new master key"),
        "{}",
        stderr(&out)
    );
    let key_file = env.store().with_file_name("master.key");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dir_mode = std::fs::metadata(key_file.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
    // Only once.
    let out = env.run(&["get"], "");
    assert!(!stderr(&out).contains("created a new master key"));
}

#[test]
fn a_wrong_master_key_exits_7_and_writes_nothing() {
    let env = Env::new();
    env.create(None, "openai", "gpt-4o", KEY);
    let before_get = env.get_json(None);
    let before_audit = audit_count(&env);
    let wrong = "11".repeat(32);
    for args in [
        vec!["get"],
        vec![
            "-i",
            "acme",
            "create",
            "--provider",
            "openai",
            "--model",
            "m",
        ],
        vec!["update", "--model", "other"],
        vec!["delete", "--yes"],
    ] {
        let out = env
            .cmd()
            .args(&args)
            .env("LLMCFG_MASTER_KEY", &wrong)
            .write_stdin(format!("{KEY2}\n"))
            .output()
            .unwrap();
        assert_eq!(code(&out), 7, "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("does not match this store"),
            "{}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty());
    }
    assert_eq!(env.get_json(None), before_get);
    assert_eq!(env.get_json(Some("acme")), serde_json::Value::Null);
    assert_eq!(audit_count(&env), before_audit);
}

#[test]
fn a_malformed_master_key_exits_7() {
    let env = Env::new();
    let out = env
        .cmd()
        .arg("get")
        .env("LLMCFG_MASTER_KEY", "not-hex")
        .output()
        .unwrap();
    assert_eq!(code(&out), 7);
    assert!(
        stderr(&out).contains("LLMCFG_MASTER_KEY is malformed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_env_key_is_used_and_no_file_is_written() {
    let env = Env::new();
    let key = "ab".repeat(32);
    let out = env
        .cmd()
        .args(["create", "--provider", "openai", "--model", "m"])
        .env("LLMCFG_MASTER_KEY", &key)
        .write_stdin(format!("{KEY}\n"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!env.store().with_file_name("master.key").exists());
    // Without it, the store refuses to open rather than minting a new key.
    let out = env.run(&["get"], "");
    assert_eq!(code(&out), 7);
    assert!(
        stderr(&out).contains("already holds sealed keys"),
        "{}",
        stderr(&out)
    );
    assert!(!env.store().with_file_name("master.key").exists());
}

#[test]
fn a_lost_key_file_is_never_silently_replaced() {
    let env = Env::new();
    env.create(None, "openai", "gpt-4o", KEY);
    let key_file = env.store().with_file_name("master.key");
    std::fs::remove_file(&key_file).unwrap();
    let out = env.run(&["get"], "");
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("restore the key file"),
        "{}",
        stderr(&out)
    );
    assert!(!key_file.exists());
}

#[test]
fn a_world_readable_key_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.create(None, "openai", "gpt-4o", KEY);
    let key_file = env.store().with_file_name("master.key");
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = env.run(&["get"], "");
    assert_eq!(code(&out), 7);
    assert!(stderr(&out).contains("must be 600"), "{}", stderr(&out));
}

#[test]
fn an_explicit_key_file_is_used() {
    let env = Env::new();
    let file = env.path().join("mk");
    let out = env
        .cmd()
        .args([
            "--master-key-file",
            file.to_str().unwrap(),
            "create",
            "--provider",
            "openai",
            "--model",
            "m",
        ])
        .write_stdin(format!("{KEY}\n"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(file.exists());
    assert!(!env.store().with_file_name("master.key").exists());
    let out = env
        .cmd()
        .args(["get"])
        .env("LLMCFG_MASTER_KEY_FILE", &file)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn rotation_reseals_every_key_under_a_new_master_key() {
    let env = Env::new();
    env.create(None, "openai", "gpt-4o", KEY);
    env.create(Some("acme"), "anthropic", "claude-sonnet-4-5", KEY2);
    let key_file = env.store().with_file_name("master.key");
    let old_key = std::fs::read_to_string(&key_file).unwrap();
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let sealed = |c: &rusqlite::Connection| -> Vec<Vec<u8>> {
        let mut st = c
            .prepare("SELECT sealed_key FROM configs ORDER BY scope")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let before = sealed(&conn);
    let out = env.run(&["master-key", "rotate"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("2 stored API key(s) re-sealed"),
        "{}",
        stdout(&out)
    );
    let new_key = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(old_key, new_key);
    assert!(!key_file.with_file_name("master.key.new").exists());
    let after = sealed(&conn);
    assert_ne!(before, after);
    // The old key no longer opens the store; the new one does, and every key
    // still opens (a second rotation decrypts them all).
    let out = env
        .cmd()
        .arg("get")
        .env("LLMCFG_MASTER_KEY", old_key.trim())
        .output()
        .unwrap();
    assert_eq!(code(&out), 7);
    let out = env.run(&["master-key", "rotate"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(env.get_json(Some("acme"))["provider"], "anthropic");
}

#[test]
fn rotation_with_an_env_key_needs_a_new_key_file() {
    let env = Env::new();
    let key = "cd".repeat(32);
    let run = |args: &[&str]| {
        env.cmd()
            .args(args)
            .env("LLMCFG_MASTER_KEY", &key)
            .write_stdin(format!("{KEY}\n"))
            .output()
            .unwrap()
    };
    assert_eq!(
        code(&run(&["create", "--provider", "openai", "--model", "m"])),
        0
    );
    let out = run(&["master-key", "rotate"]);
    assert_eq!(code(&out), 7);
    assert!(stderr(&out).contains("--new-key-file"), "{}", stderr(&out));
    let target = env.path().join("next.key");
    let out = run(&[
        "master-key",
        "rotate",
        "--new-key-file",
        target.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = env
        .cmd()
        .args([
            "--master-key-file",
            target.to_str().unwrap(),
            "get",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn rotation_refuses_a_tampered_store_and_changes_nothing() {
    let env = Env::new();
    env.create(None, "openai", "gpt-4o", KEY);
    env.create(Some("acme"), "openai", "gpt-4o", KEY2);
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let mut blob: Vec<u8> = conn
        .query_row(
            "SELECT sealed_key FROM configs WHERE scope = 'acme'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let last = blob.len() - 1;
    blob[last] ^= 0x01;
    conn.execute(
        "UPDATE configs SET sealed_key = ?1 WHERE scope = 'acme'",
        [&blob],
    )
    .unwrap();
    let key_file = env.store().with_file_name("master.key");
    let old_key = std::fs::read_to_string(&key_file).unwrap();
    let out = env.run(&["master-key", "rotate"], "");
    assert_eq!(code(&out), 7);
    assert!(stderr(&out).contains("tenant: acme"), "{}", stderr(&out));
    assert!(stderr(&out).contains("integrity"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), old_key);
    assert!(!key_file.with_file_name("master.key.new").exists());
    let out = env.run(&["get"], "");
    assert_eq!(
        code(&out),
        0,
        "the old key still opens the store: {}",
        stderr(&out)
    );
}
