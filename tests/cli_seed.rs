//! The seed's semantics through the real binary: create, view with the mask,
//! conflicts, partial updates, empty scopes, tenant isolation, and keys bound
//! to their destination.

mod cli_env;

use cli_env::{Env, KEY, KEY2, code, stderr, stdout};

#[test]
fn create_then_view_shows_the_mask_not_the_key() {
    let env = Env::new();
    let out = env.run(
        &[
            "--json",
            "create",
            "--provider",
            "anthropic",
            "--model",
            "claude-sonnet-4-5",
        ],
        &format!("{KEY}\n"),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        created["api_key_masked"],
        format!("sk-ant-...{}", &KEY[KEY.len() - 4..])
    );
    let view = env.get_json(None);
    assert_eq!(view, created);
    assert_eq!(view["provider"], "anthropic");
    assert_eq!(view["model"], "claude-sonnet-4-5");
    assert_eq!(view["instance_id"], serde_json::Value::Null);
    assert!(view.get("api_key").is_none());
    assert!(!stdout(&out).contains(KEY));
    // Human output shows the mask too.
    let human = env.run(&["get"], "");
    assert!(stdout(&human).contains("sk-ant-..."), "{}", stdout(&human));
    assert!(!stdout(&human).contains(KEY));
}

#[test]
fn second_create_exits_4_and_changes_nothing() {
    let env = Env::new();
    env.create(Some("acme"), "openai", "gpt-4o", KEY2);
    let before = env.get_json(Some("acme"));
    let out = env.run(
        &[
            "-i",
            "acme",
            "create",
            "--provider",
            "anthropic",
            "--model",
            "x",
        ],
        &format!("{KEY}\n"),
    );
    assert_eq!(code(&out), 4);
    assert!(
        stderr(&out).contains("already has an LLM configuration"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.get_json(Some("acme")), before);
}

#[test]
fn partial_update_keeps_untouched_fields_and_moves_updated_at() {
    let env = Env::new();
    env.create(None, "openai", "gpt-4o", KEY2);
    let before = env.get_json(None);
    // Timestamps have whole-second precision: let one second pass.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = env.run(&["--json", "update", "--model", "gpt-4.1"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let after = env.get_json(None);
    assert_eq!(after["model"], "gpt-4.1");
    for field in [
        "id",
        "provider",
        "api_key_masked",
        "instance_id",
        "base_url",
        "created_at",
    ] {
        assert_eq!(after[field], before[field], "{field} changed");
    }
    assert!(after["updated_at"].as_str() > before["updated_at"].as_str());
}

#[test]
fn update_delete_and_test_on_an_empty_scope_exit_3() {
    let env = Env::new();
    for args in [
        vec!["-i", "ghost", "update", "--model", "m"],
        vec!["-i", "ghost", "delete", "--yes"],
        vec!["-i", "ghost", "test"],
        vec!["update", "--model", "m"],
    ] {
        let out = env.run(&args, "");
        assert_eq!(code(&out), 3, "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("no LLM configuration"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn get_on_an_empty_scope_prints_null_and_exits_0() {
    let env = Env::new();
    let out = env.run(&["--json", "-i", "nobody", "get"], "");
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out).trim(), "null");
}

#[test]
fn a_tenant_never_sees_the_global_config() {
    let env = Env::new();
    env.create(None, "anthropic", "claude-sonnet-4-5", KEY);
    assert_eq!(env.get_json(Some("acme")), serde_json::Value::Null);
    env.create(Some("acme"), "openai", "gpt-4o", KEY2);
    assert_eq!(env.get_json(Some("acme"))["provider"], "openai");
    assert_eq!(env.get_json(None)["provider"], "anthropic");
    assert_eq!(env.get_json(Some("acme"))["instance_id"], "acme");
    // Deleting the tenant's config leaves the control plane's alone.
    let out = env.run(&["-i", "acme", "delete", "--yes"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(env.get_json(Some("acme")), serde_json::Value::Null);
    assert_eq!(env.get_json(None)["provider"], "anthropic");
}

#[test]
fn changing_provider_or_base_url_without_a_new_key_exits_2() {
    let env = Env::new();
    env.create(None, "openai", "gpt-4o", KEY2);
    let before = env.get_json(None);
    for args in [
        vec!["update", "--provider", "anthropic"],
        vec!["update", "--base-url", "https://gateway.example.com/v1"],
    ] {
        let out = env.run(&args, "");
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(stderr(&out).contains("api_key"), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("new key is required"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(env.get_json(None), before);
    // With a new key the change goes through, and the mask follows the key.
    let out = env.run(
        &[
            "update",
            "--provider",
            "anthropic",
            "--model",
            "claude-haiku-4-5",
            "--api-key-stdin",
        ],
        &format!("{KEY}\n"),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let after = env.get_json(None);
    assert_eq!(after["provider"], "anthropic");
    assert!(
        after["api_key_masked"]
            .as_str()
            .unwrap()
            .starts_with("sk-ant-...")
    );
}

#[test]
fn delete_without_yes_on_a_pipe_is_refused() {
    let env = Env::new();
    env.create(None, "openai", "gpt-4o", KEY2);
    let out = env.run(&["delete"], "y\n");
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--yes"));
    assert_ne!(env.get_json(None), serde_json::Value::Null);
}

#[test]
fn instances_lists_control_plane_first_and_config_toml_entries() {
    let env = Env::new();
    let cfg = env.path().join("config.toml");
    std::fs::write(&cfg, "[[instances]]\nid = \"zeta\"\nname = \"Zeta Corp\"\n").unwrap();
    env.create(Some("acme"), "openai", "gpt-4o", KEY2);
    let out = env.run(
        &[
            "--config",
            cfg.to_str().unwrap(),
            "instances",
            "add",
            "beta",
            "--name",
            "Beta",
        ],
        "",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = env.run(
        &["--config", cfg.to_str().unwrap(), "--json", "instances"],
        "",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["instance_id"].as_str().unwrap_or("(cp)").to_string())
        .collect();
    assert_eq!(ids, ["(cp)", "acme", "beta", "zeta"]);
    assert_eq!(list[1]["config"]["provider"], "openai");
    assert_eq!(list[2]["name"], "Beta");
    assert_eq!(list[3]["name"], "Zeta Corp");
    assert!(!stdout(&out).contains(KEY2));
}

#[test]
fn audit_records_who_did_what_without_the_key() {
    let env = Env::new();
    env.create(Some("acme"), "openai", "gpt-4o", KEY2);
    env.run(&["-i", "acme", "update", "--model", "gpt-4.1"], "");
    env.run(&["-i", "acme", "delete", "--yes"], "");
    let out = env.run(&["-i", "acme", "--json", "audit"], "");
    let entries: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let actions: Vec<_> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["delete", "update", "create"]);
    assert_eq!(entries[0]["actor"], "local:tester");
    assert_eq!(entries[1]["fields"], serde_json::json!(["model"]));
    assert!(
        entries[2]["key_fingerprint"]
            .as_str()
            .unwrap()
            .starts_with("hmac:")
    );
    assert!(!cli_env::contains_key_fragment(&out.stdout, KEY2));
}
