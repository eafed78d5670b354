//! `rotate-key` and `rollback` in remote mode, through the real binary:
//! against a real `llmcfg serve` child (superadmin token, a fake OpenAI on
//! 127.0.0.1 it may reach) they run on the server through
//! `POST /llm-config/rotate-key` and `POST /llm-config/rollback`, with the
//! new key only in the body; a viewer token is refused; against a
//! seed-only server each says in one line what the server lacks.

mod cli_env;
#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;
mod seed_cli;
mod seed_server;

use std::process::Output;
use std::sync::Arc;

use cli_env::{Env, KEY, KEY2, code, contains_key_fragment, stderr, stdout};
use fake_provider::{FakeProvider, Flavor};
use llmcfg_process::ServeChild;
use seed_server::SeedServer;

const OLD: &str = KEY2;
const NEW: &str = "sk-proj-Nw4Rt8Yu2Io6Pa9Sd3Fg7Hj1Kl5Zx0CvQm";

/// `llmcfg serve` in `env`'s home, on its store.
fn serve(env: &Env) -> ServeChild {
    ServeChild::spawn(env.std_cmd(llmcfg_process::BIN))
}

fn token(env: &Env, name: &str, role: &str) -> String {
    let out = env.run(&["token", "create", "--name", name, "--role", role], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    stdout(&out).trim().to_string()
}

async fn remote(client: &Arc<Env>, url: &str, token: &str, args: &[&str], stdin: &str) -> Output {
    let (client, url, token, stdin) = (
        client.clone(),
        url.to_string(),
        token.to_string(),
        stdin.to_string(),
    );
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let mut cmd = client.cmd();
        cmd.env("LLMCFG_TOKEN", &token)
            .arg("--remote")
            .arg(&url)
            .args(&args);
        cmd.write_stdin(stdin).output().unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn rotation_and_rollback_run_on_the_server_over_its_extension_routes() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[OLD, NEW], &["gpt-4o"]).await;
    let server_env = Env::new();
    std::fs::create_dir_all(server_env.path().join("config/llmcfg")).unwrap();
    std::fs::write(
        server_env.path().join("config/llmcfg/config.toml"),
        "[server]\nallowed_targets = [\"127.0.0.1\"]\n",
    )
    .unwrap();
    for (id, model) in [("acme", "gpt-4o"), ("beta", "gpt-nope")] {
        server_env.create_at(Some(id), "openai", model, &fake.base_url(), OLD);
    }
    let admin = token(&server_env, "ops", "superadmin");
    let viewer = token(&server_env, "look", "viewer");
    let server = serve(&server_env);
    let url = server.url.clone();
    let client = Arc::new(Env::new());

    let out = remote(
        &client,
        &url,
        &viewer,
        &["rotate-key", "--from-stdin-old"],
        &format!("{OLD}\n{NEW}\n"),
    )
    .await;
    assert_eq!(code(&out), 6, "a viewer may not rotate: {}", stderr(&out));

    let out = remote(
        &client,
        &url,
        &admin,
        &["--json", "rotate-key", "--from-stdin-old"],
        &format!("{OLD}\n{NEW}\n"),
    )
    .await;
    assert_eq!(
        code(&out),
        5,
        "beta kept the old key: {}{}",
        stdout(&out),
        stderr(&out)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let outcomes: Vec<&str> = report["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, vec!["swapped", "kept"]);
    assert_eq!(
        server_env.get_json(Some("acme"))["api_key_masked"],
        "sk-proj-...CvQm"
    );

    let id = report["rotation_id"].as_str().unwrap();
    let back = remote(&client, &url, &admin, &["rollback", "--rotation", id], "").await;
    assert_eq!(code(&back), 0, "{}", stderr(&back));
    assert_eq!(
        server_env.get_json(Some("acme"))["api_key_masked"],
        "sk-proj-...JsWu"
    );
    let out = remote(
        &client,
        &url,
        &admin,
        &["rollback", "--rotation", "nope"],
        "",
    )
    .await;
    assert_eq!(code(&out), 3, "{}", stderr(&out));

    for o in [&report.to_string().into_bytes(), &back.stdout, &back.stderr] {
        assert!(!contains_key_fragment(o, NEW));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_a_seed_only_server_rotation_says_in_one_line_what_is_lacking() {
    let seed = SeedServer::default_variant(&[]).await;
    let env = Env::new();
    assert_eq!(code(&seed_cli::create(&env, &seed.url, None, KEY)), 0);
    for (args, stdin, what) in [
        (
            vec![
                "rotate-key",
                "--fingerprint",
                "hmac:00000000000000000000000000000000",
            ],
            format!("{NEW}\n"),
            "this server does not offer key rotation",
        ),
        (
            vec!["rollback", "--rotation", "r1"],
            String::new(),
            "this server does not offer rolling back key rotations",
        ),
    ] {
        let out = seed_cli::run(&env, &seed.url, &args, &stdin);
        assert_eq!(code(&out), 1, "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(what), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(!contains_key_fragment(err.as_bytes(), NEW), "{err}");
    }
    seed.stop().await;
}
