//! The fleet commands in remote mode against a real `llmcfg serve` child
//! process: apply creates and updates over HTTP, a second plan finds no
//! changes (stored fingerprints come from the server's audit log), and
//! export shows fingerprints and masks, never a key.

mod cli_env;
#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;

use cli_env::{Env, KEY, KEY2, code, contains_key_fragment, stderr, stdout};
use llmcfg_process::ServeChild;

/// `llmcfg serve` in `env`'s home, on its store.
fn serve(env: &Env) -> ServeChild {
    ServeChild::spawn(env.std_cmd(llmcfg_process::BIN))
}

#[test]
fn plan_apply_export_over_a_remote_server_converge() {
    let server_env = Env::new();
    server_env.create(Some("acme"), "openai", "gpt-4o", KEY);
    let out = server_env.run(
        &["token", "create", "--name", "ops", "--role", "superadmin"],
        "",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let token = stdout(&out).trim().to_string();
    let server = serve(&server_env);
    let url = server.url.clone();

    let client = Env::new();
    std::fs::write(
        client.path().join("fleet.toml"),
        "[defaults]\nprovider = \"openai\"\nmodel = \"gpt-4.1\"\napi_key_env = \"FLEET_KEY\"\n\
         [instances.acme]\nkeep_key = true\n[instances.globex]\n",
    )
    .unwrap();
    let remote = |args: &[&str]| {
        let mut cmd = client.cmd();
        cmd.current_dir(client.path())
            .env("LLMCFG_TOKEN", &token)
            .env("FLEET_KEY", KEY2)
            .arg("--remote")
            .arg(&url)
            .args(args);
        cmd.write_stdin("").output().unwrap()
    };

    let out = remote(&["plan", "-f", "fleet.toml", "--detailed-exitcode"]);
    assert_eq!(code(&out), 8, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("model:    gpt-4o -> gpt-4.1"),
        "{}",
        stdout(&out)
    );
    let out = remote(&[
        "plan",
        "-f",
        "fleet.toml",
        "--resolve-keys",
        "--out",
        "plan.json",
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    // A remote server has no transaction across scopes: said in one line.
    let out = remote(&["apply", "-f", "fleet.toml", "--yes", "--atomic"]);
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--atomic needs the local store"),
        "{}",
        stderr(&out)
    );
    assert_eq!(server_env.get_json(Some("acme"))["model"], "gpt-4o");
    let out = remote(&["apply", "-f", "fleet.toml", "--yes"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("Apply: 2 applied"),
        "{}",
        stdout(&out)
    );
    let out = remote(&[
        "plan",
        "-f",
        "fleet.toml",
        "--resolve-keys",
        "--detailed-exitcode",
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    // The plan saved before that apply is stale now, over HTTP too.
    let out = remote(&["apply", "plan.json"]);
    assert_eq!(code(&out), 4, "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("tenant: acme"), "{}", stderr(&out));

    let out = remote(&["export"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    for key in [KEY, KEY2] {
        assert!(!contains_key_fragment(&out.stdout, key), "{}", stdout(&out));
    }
    // Keyed by the server store's fingerprint key: ask that store.
    let found = server_env.run(&["--json", "keys", "find"], &format!("{KEY2}\n"));
    let found: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
    let fp = found["key_fingerprint"].as_str().unwrap().to_string();
    assert!(fp.starts_with("hmac:"), "{fp}");
    assert!(stdout(&out).contains(&fp), "{}", stdout(&out));
    assert_eq!(server_env.get_json(Some("globex"))["model"], "gpt-4.1");
}
