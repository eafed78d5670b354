//! The fleet commands in remote mode against a strict seed-only server (not
//! `llmcfg serve`: no audit log, no instance list of its own): export, plan,
//! apply and drift work for the scopes the instance list knows (here the
//! `[[instances]]` of config.toml), a saved plan is refused when another
//! client changed a scope meanwhile, `--atomic` is refused in one line, and
//! no key appears in any output or file.

mod cli_env;
mod seed_cli;
mod seed_server;

use cli_env::{Env, KEY, KEY2, code, stderr, stdout};
use seed_cli::{assert_no_key, assert_no_key_in_files, config};
use seed_server::{ADMIN_TOKEN, SeedServer};

const FLEET: &str = "[defaults]\nprovider = \"openai\"\nmodel = \"gpt-4.1\"\nkeep_key = true\n\
                     [control_plane]\n[instances.acme]\n\
                     [instances.beta]\napi_key_env = \"BETA_KEY\"\n";

fn fleet(env: &Env, url: &str, args: &[&str]) -> std::process::Output {
    let mut cmd = env.cmd();
    cmd.current_dir(env.path())
        .env("LLMCFG_REMOTE", url)
        .env("LLMCFG_TOKEN", ADMIN_TOKEN)
        .env("BETA_KEY", KEY2)
        .args(args);
    let out = cmd.write_stdin("").output().unwrap();
    assert_no_key(env, &out, KEY);
    assert_no_key(env, &out, KEY2);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_plan_apply_drift_against_a_seed_only_server() {
    let seed = SeedServer::default_variant(&[]).await;
    seed.insert(None, "openai", "gpt-4o", KEY);
    seed.insert(Some("acme"), "openai", "gpt-4o", KEY);
    let env = Env::new();
    config(
        &env,
        "[[instances]]\nid = \"acme\"\n\n[[instances]]\nid = \"beta\"\n",
    );
    std::fs::write(env.path().join("fleet.toml"), FLEET).unwrap();
    let url = seed.url.clone();

    let out = fleet(&env, &url, &["export"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("[instances.acme]"), "{text}");
    assert!(
        !text.contains("[instances.beta]"),
        "beta has no config: {text}"
    );
    assert!(text.contains("gpt-4o"), "{text}");

    let out = fleet(
        &env,
        &url,
        &["plan", "-f", "fleet.toml", "--detailed-exitcode"],
    );
    assert_eq!(code(&out), 8, "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("model:    gpt-4o -> gpt-4.1"), "{text}");
    assert!(text.contains("tenant: beta"), "{text}");

    let out = fleet(
        &env,
        &url,
        &["apply", "-f", "fleet.toml", "--yes", "--atomic"],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
    assert_eq!(seed.row(Some("acme")).unwrap().model, "gpt-4o");

    let out = fleet(
        &env,
        &url,
        &[
            "plan",
            "-f",
            "fleet.toml",
            "--resolve-keys",
            "--out",
            "plan.json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = fleet(&env, &url, &["apply", "-f", "fleet.toml", "--yes"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("Apply: 3 applied"),
        "{}",
        stdout(&out)
    );
    assert_eq!(seed.row(None).unwrap().model, "gpt-4.1");
    assert_eq!(seed.row(Some("acme")).unwrap().model, "gpt-4.1");
    assert_eq!(seed.stored_key(Some("acme")).as_deref(), Some(KEY), "kept");
    assert_eq!(seed.stored_key(Some("beta")).as_deref(), Some(KEY2));

    // Applied, the plan saved before is stale; so is one saved now once
    // another client changes a scope.
    let out = fleet(&env, &url, &["apply", "plan.json"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let out = fleet(
        &env,
        &url,
        &["drift", "-f", "fleet.toml", "--detailed-exitcode"],
    );
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let out = fleet(
        &env,
        &url,
        &[
            "plan",
            "-f",
            "fleet.toml",
            "--resolve-keys",
            "--out",
            "plan.json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    seed.insert(Some("acme"), "openai", "o3", KEY);
    let out = fleet(&env, &url, &["apply", "plan.json"]);
    assert_eq!(code(&out), 4, "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("tenant: acme"), "{}", stderr(&out));
    assert_eq!(
        seed.row(Some("acme")).unwrap().model,
        "o3",
        "not overwritten"
    );

    let out = fleet(
        &env,
        &url,
        &["drift", "-f", "fleet.toml", "--detailed-exitcode"],
    );
    assert_eq!(code(&out), 8, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("acme"), "{}", stdout(&out));
    assert_no_key_in_files(&env, KEY);
    assert_no_key_in_files(&env, KEY2);
    seed.stop().await;
}
