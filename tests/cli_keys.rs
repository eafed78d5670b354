//! `keys` and `keys find` through the real binary: scopes grouped by keyed
//! fingerprint with provider, mask, count, ids and last test (text and
//! JSON); `keys find` reads the key on stdin, answers which scopes use it,
//! exits 3 when none does, and the key lands in no output, log or file.

mod cli_env;

use cli_env::{Env, KEY, KEY2, code, contains_key_fragment, stderr, stdout};

#[test]
fn keys_groups_scopes_by_fingerprint_and_find_answers_where_a_key_is() {
    let env = Env::new();
    for id in ["acme", "beta", "gamma"] {
        env.create(Some(id), "anthropic", "claude-3", KEY);
    }
    env.create(None, "openai", "gpt-4o", KEY2);

    let out = env.run(&["--json", "keys"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let groups: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let groups = groups.as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["scope_count"], 3);
    assert_eq!(groups[0]["providers"], serde_json::json!(["anthropic"]));
    assert_eq!(groups[0]["api_key_masked"], "sk-ant-...QsUe");
    let ids: Vec<&str> = groups[0]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["instance_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["acme", "beta", "gamma"]);
    assert_eq!(
        groups[1]["scopes"][0]["instance_id"],
        serde_json::Value::Null
    );
    let fp = groups[0]["key_fingerprint"].as_str().unwrap().to_string();
    assert!(fp.starts_with("hmac:"), "{fp}");

    let out = env.run(&["keys"], "");
    let text = stdout(&out);
    assert!(
        text.contains(&format!("{fp}  sk-ant-...QsUe  anthropic  3 scopes")),
        "{text}"
    );
    assert!(text.contains("last test: never"), "{text}");

    let out = env.run(&["keys", "find"], &format!("{KEY}\n"));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("3 scopes"), "{}", stdout(&out));
    let out = env.run(&["--json", "keys", "find"], &format!("  {KEY2}  \n"));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found["used_by"]["scope_count"], 1);

    let unused = "sk-proj-Unused9Tn3Mw8Qa2Vz5Xc1Lp6Rk9Bd4Fg0";
    let out = env.run(&["keys", "find"], &format!("{unused}\n"));
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stdout(&out).contains("no scope uses this key"));

    let mut seen = Vec::new();
    seen.extend(std::fs::read(env.log_file()).unwrap_or_default());
    for f in env.store_files() {
        seen.extend(std::fs::read(f).unwrap());
    }
    for key in [KEY, KEY2, unused] {
        assert!(!contains_key_fragment(&seen, key), "{key}");
    }
    assert!(
        !seen.windows(7).any(|w| w == b"sha256:"),
        "no unkeyed fingerprint is stored"
    );
}
