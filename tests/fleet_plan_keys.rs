//! `plan` and `drift` read no key reference unless asked: a
//! fleet file arrives in a pull request, and a review bot running `plan
//! --json` or a CI gate running `plan --detailed-exitcode` must not run the
//! author's `api_key_command`. Here that command would write a file; plan
//! and drift leave it unwritten and say "key reference not read", and only
//! `--resolve-keys` runs it — without our `LLMCFG_*` secrets in its
//! environment.

mod cli_env;

use std::process::Output;

use cli_env::{Env, KEY, KEY2, code, stderr, stdout};

const TOKEN: &str = "llmcfg_tok_not-for-a-key-command";

/// The control plane on openai/gpt-4o; a fleet file that moves it to
/// gpt-4.1 with a key from a command that records that it ran.
fn env_with_fleet() -> Env {
    let env = Env::new();
    env.create(None, "openai", "gpt-4o", KEY);
    std::fs::write(
        env.path().join("fleet.toml"),
        format!(
            "[control_plane]\nprovider = \"openai\"\nmodel = \"gpt-4.1\"\n\
             api_key_command = \"sh -c 'env > ran.txt; echo {KEY2}'\"\n"
        ),
    )
    .unwrap();
    env
}

fn llmcfg(env: &Env, args: &[&str]) -> Output {
    let mut cmd = env.cmd();
    cmd.current_dir(env.path())
        .env("LLMCFG_TOKEN", TOKEN)
        .env(
            "LLMCFG_MASTER_KEY_FILE",
            env.store().parent().unwrap().join("master.key"),
        )
        .args(args);
    cmd.write_stdin("").output().unwrap()
}

fn ran(env: &Env) -> Option<String> {
    std::fs::read_to_string(env.path().join("ran.txt")).ok()
}

#[test]
fn plan_and_drift_run_no_key_command_unless_asked() {
    let env = env_with_fleet();
    let out = llmcfg(&env, &["plan", "-f", "fleet.toml"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(ran(&env).is_none(), "plan ran the api_key_command");
    let text = stdout(&out);
    assert!(text.contains("model:    gpt-4o -> gpt-4.1"), "{text}");
    assert!(text.contains("key reference not read"), "{text}");

    let out = llmcfg(&env, &["plan", "-f", "fleet.toml", "--detailed-exitcode"]);
    assert_eq!(code(&out), 8, "{}", stderr(&out));
    let out = llmcfg(&env, &["--json", "plan", "-f", "fleet.toml"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["scopes"][0]["key_reference"], "not_read", "{v}");
    let out = llmcfg(&env, &["drift", "-f", "fleet.toml"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(ran(&env).is_none(), "plan or drift ran the api_key_command");

    // A saved plan must cover the keys apply writes, so it needs them read.
    let out = llmcfg(&env, &["plan", "-f", "fleet.toml", "--out", "plan.json"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--resolve-keys"), "{}", stderr(&out));
    assert!(ran(&env).is_none());
}

#[test]
fn resolve_keys_runs_the_command_without_our_secrets() {
    let env = env_with_fleet();
    let out = llmcfg(&env, &["plan", "-f", "fleet.toml", "--resolve-keys"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("key:      "), "{}", stdout(&out));
    let seen = ran(&env).expect("--resolve-keys runs the api_key_command");
    assert!(seen.lines().any(|l| l.starts_with("PATH=")), "{seen}");
    assert!(!seen.contains(TOKEN), "{seen}");
    for name in ["LLMCFG_TOKEN=", "LLMCFG_MASTER_KEY_FILE=", "LLMCFG_STORE="] {
        assert!(
            !seen.lines().any(|l| l.starts_with(name)),
            "{name} reached the key command:\n{seen}"
        );
    }
}
