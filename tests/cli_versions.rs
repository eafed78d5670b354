//! `history` and `restore` through the real binary: the listing (text and
//! JSON), restoring a deleted scope, the exit codes (unknown version 3, a
//! deletion version 2), `[versions] keep` from config.toml, and no key in
//! any output, log or store file.

mod cli_env;

use cli_env::{Env, KEY, KEY2, code, contains_key_fragment, stderr, stdout};

fn history_json(env: &Env, instance: &str) -> Vec<serde_json::Value> {
    let out = env.run(&["-i", instance, "--json", "history"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn history_lists_every_write_and_restore_brings_a_deleted_scope_back() {
    let env = Env::new();
    env.create(Some("acme"), "anthropic", "claude-3", KEY);
    let out = env.run(&["-i", "acme", "update", "--model", "claude-4"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = env.run(&["-i", "acme", "delete", "--yes"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let out = env.run(&["-i", "acme", "history"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("v3") && lines[0].contains("(deleted)"),
        "{text}"
    );
    assert!(
        lines[1].contains("claude-4") && lines[1].contains("changed=model"),
        "{text}"
    );
    assert!(
        lines[2].contains("create") && lines[2].contains("sk-ant-...QsUe"),
        "{text}"
    );
    assert!(lines[2].contains("hmac:"), "{text}");

    let out = env.run(&["-i", "acme", "restore", "--version", "2"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let view = env.get_json(Some("acme"));
    assert_eq!(view["model"], "claude-4");
    assert_eq!(view["api_key_masked"], "sk-ant-...QsUe");
    let versions = history_json(&env, "acme");
    assert_eq!(versions[0]["version"], 4);
    assert_eq!(versions[0]["action"], "restore");
    assert_eq!(versions[1]["deleted"], true);

    let out = env.run(&["-i", "acme", "restore", "--version", "42"], "");
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("no version 42"), "{}", stderr(&out));
    let out = env.run(&["-i", "acme", "restore", "--version", "3"], "");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("version"), "{}", stderr(&out));

    let out = env.run(&["history", "--all"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("acme"));

    let mut seen = Vec::new();
    seen.extend(std::fs::read(env.log_file()).unwrap_or_default());
    for f in env.store_files() {
        seen.extend(std::fs::read(f).unwrap());
    }
    assert!(!contains_key_fragment(&seen, KEY));
}

#[test]
fn keep_in_config_toml_bounds_the_history() {
    let env = Env::new();
    let config = env.path().join("config").join("llmcfg");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), "[versions]\nkeep = 2\n").unwrap();
    env.create(None, "openai", "gpt-4o", KEY2);
    for m in ["gpt-4.1", "gpt-5"] {
        let out = env.run(&["update", "--model", m], "");
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let out = env.run(&["--json", "history"], "");
    let versions: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let numbers: Vec<u64> = versions
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, vec![3, 2]);
    let out = env.run(&["restore", "--version", "1"], "");
    assert_eq!(code(&out), 3, "a purged version is gone: {}", stderr(&out));

    std::fs::write(config.join("config.toml"), "[versions]\nkeep = 0\n").unwrap();
    let out = env.run(&["history"], "");
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("versions.keep"), "{}", stderr(&out));
}

#[test]
fn a_restore_keeps_the_original_creation_time() {
    let env = Env::new();
    env.create(Some("acme"), "anthropic", "claude-3", KEY);
    // Created long before the restore, so a restore that stamped its own
    // time as the creation would show (JSON times are whole seconds).
    let created = "2026-01-02T03:04:05Z";
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let n = conn
        .execute(
            "UPDATE configs SET created_at = ?1, updated_at = ?1 WHERE scope = 'acme'",
            [created],
        )
        .unwrap();
    assert_eq!(n, 1);
    drop(conn);
    assert_eq!(env.get_json(Some("acme"))["created_at"], created);
    let out = env.run(&["-i", "acme", "update", "--model", "claude-4"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = env.run(&["-i", "acme", "restore", "--version", "1"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let view = env.get_json(Some("acme"));
    assert_eq!(view["model"], "claude-3");
    assert_eq!(view["created_at"], created, "the restore is not a creation");
    assert_ne!(view["updated_at"], created, "the restore is an update");
}
