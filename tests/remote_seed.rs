//! The configuration commands through the real binary against a strict
//! seed-only server (not `llmcfg serve`): what a superadmin sees when
//! `--remote` is the product's own control plane. The key must reach the
//! server trimmed, exactly once, and never appear in any output, log or file.
//! The other commands are in `remote_seed_ops.rs`.

mod cli_env;
mod seed_cli;
mod seed_server;

use cli_env::{Env, KEY, KEY2, code, stderr, stdout};
use seed_cli::{assert_no_key, assert_no_key_in_files, create, run, run_with};
use seed_server::{DeleteAnswer, Ids, SeedOptions, SeedServer, VIEWER_TOKEN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_get_update_delete_with_integer_ids_and_microsecond_times() {
    let seed = SeedServer::default_variant(&[]).await;
    let env = Env::new();
    let out = create(&env, &seed.url, Some("acme"), KEY);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_no_key(&env, &out, KEY);
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The server's integer id is kept as an integer; its +00:00 microsecond
    // time is shown in UTC.
    assert_eq!(created["id"], 1);
    let at = created["created_at"].as_str().unwrap();
    assert!(at.ends_with('Z') && at.contains('.'), "{at}");
    assert_eq!(
        created["api_key_masked"],
        format!("sk-ant-...{}", &KEY[KEY.len() - 4..])
    );

    // The key arrived trimmed, in exactly one request.
    assert_eq!(seed.stored_key(Some("acme")).as_deref(), Some(KEY));
    assert_eq!(seed.requests_containing(KEY), 1);

    let out = run(&env, &seed.url, &["-i", "acme", "get"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("id:             1"),
        "{}",
        stdout(&out)
    );

    let out = run(
        &env,
        &seed.url,
        &[
            "-i",
            "acme",
            "--json",
            "update",
            "--model",
            " claude-opus-4-1 ",
        ],
        "",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(seed.row(Some("acme")).unwrap().model, "claude-opus-4-1");

    let out = run(&env, &seed.url, &["-i", "acme", "delete", "--yes"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(seed.row(Some("acme")).is_none());
    let out = run(&env, &seed.url, &["-i", "acme", "delete", "--yes"], "");
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_eq!(seed.requests_containing(KEY), 1);
    // The scope memory and the feature cache were written, and hold no key.
    assert!(env.path().join("state/llmcfg/remotes").is_dir());
    assert!(env.path().join(".cache/llmcfg/servers").is_dir());
    assert_no_key_in_files(&env, KEY);
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_delete_with_a_body_and_uuid_ids_work_too() {
    let seed = SeedServer::start(SeedOptions {
        ids: Ids::Uuid,
        delete: DeleteAnswer::OkWithBody,
        ..SeedOptions::default()
    })
    .await;
    let env = Env::new();
    let out = create(&env, &seed.url, None, KEY);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(created["id"].as_str().unwrap().len() == 36, "{created}");
    let out = run(&env, &seed.url, &["delete", "--yes"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(seed.row(None).is_none());
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_field_test_answers_good_and_bad_key() {
    let seed = SeedServer::default_variant(&[KEY]).await;
    let env = Env::new();
    assert_eq!(code(&create(&env, &seed.url, Some("good"), KEY)), 0);
    assert_eq!(code(&create(&env, &seed.url, Some("bad"), KEY2)), 0);

    let out = run(&env, &seed.url, &["-i", "good", "test"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("✓ ok"), "{}", stdout(&out));
    assert!(stdout(&out).contains("Connection successful"));

    let out = run(&env, &seed.url, &["-i", "bad", "--json", "test"], "");
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["success"], false);
    assert_eq!(result["status"], "no_reason");
    assert_eq!(
        result["message"],
        "Authentication failed: the provider rejected the API key"
    );
    let human = run(&env, &seed.url, &["-i", "bad", "test"], "");
    assert_eq!(code(&human), 5);
    assert!(
        stdout(&human).contains("the server gave no reason"),
        "{}",
        stdout(&human)
    );
    assert!(
        !stderr(&human).contains("unexpected body"),
        "{}",
        stderr(&human)
    );
    assert_no_key(&env, &human, KEY2);
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_side_rules_hold_before_anything_is_sent() {
    let seed = SeedServer::default_variant(&[]).await;
    let env = Env::new();
    // An empty stdin is refused, not sent as "".
    let out = run(
        &env,
        &seed.url,
        &["create", "--provider", "openai", "--model", "gpt-4o"],
        "\n",
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("api_key"), "{}", stderr(&out));
    assert!(
        seed.seen().iter().all(|s| s.method != "POST"),
        "{:?}",
        seed.seen()
    );
    // A key with a line break inside is refused too.
    let out = run(
        &env,
        &seed.url,
        &["create", "--provider", "openai", "--model", " "],
        "sk-x\n",
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("model"), "{}", stderr(&out));
    let out = run(
        &env,
        &seed.url,
        &[
            "create",
            "--provider",
            "openai",
            "--model",
            "m",
            "--base-url",
            "http://gw.example/v1",
        ],
        &format!("{KEY}\n"),
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("base_url"), "{}", stderr(&out));
    assert!(seed.seen().iter().all(|s| s.method != "POST"));

    // The re-key rule: a new provider without a new key is never sent.
    assert_eq!(code(&create(&env, &seed.url, None, KEY)), 0);
    let out = run(&env, &seed.url, &["update", "--provider", "openai"], "");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("new key is required"),
        "{}",
        stderr(&out)
    );
    assert!(seed.seen().iter().all(|s| s.method != "PATCH"));
    assert_eq!(seed.row(None).unwrap().provider, "anthropic");
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fastapi_422_lists_show_every_field_with_exit_2() {
    let seed = SeedServer::default_variant(&[]).await;
    let env = Env::new();
    // Both pass llmcfg's rules (no provider catalog offered; model ≤ 256)
    // but break the product's own: its provider list and 100-char models.
    let long_model = "m".repeat(150);
    let out = run(
        &env,
        &seed.url,
        &["create", "--provider", "mistral-x", "--model", &long_model],
        &format!("{KEY}\n"),
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("provider: Input should be 'openai'"), "{err}");
    assert!(
        err.contains("model: String should have between 1 and 100 characters"),
        "{err}"
    );
    assert!(!err.contains("Unprocessable Entity"), "{err}");
    assert_no_key(&env, &out, KEY);
    // A provider the catalog lacks but the product knows is accepted.
    let out = run(
        &env,
        &seed.url,
        &["create", "--provider", "acme-llm", "--model", "m1"],
        &format!("{KEY}\n"),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_base_url_is_a_warning_and_a_non_zero_exit() {
    let seed = SeedServer::start(SeedOptions {
        keeps_base_url: false,
        ..SeedOptions::default()
    })
    .await;
    let env = Env::new();
    let out = run(
        &env,
        &seed.url,
        &[
            "create",
            "--provider",
            "openai",
            "--model",
            "gpt-4o",
            "--base-url",
            "https://gw.example.com/v1",
        ],
        &format!("{KEY2}\n"),
    );
    assert_ne!(code(&out), 0);
    let err = stderr(&out);
    assert!(err.contains("warning") && err.contains("base_url"), "{err}");
    assert!(err.contains("https://gw.example.com/v1"), "{err}");
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_tokens_exit_6_with_the_servers_reason() {
    let seed = SeedServer::default_variant(&[]).await;
    let env = Env::new();
    let out = run_with(&env, &seed.url, "not-a-token", &["get"], "");
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Not authenticated"),
        "{}",
        stderr(&out)
    );
    let out = run_with(&env, &seed.url, VIEWER_TOKEN, &["get"], "");
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Superadmin access required"),
        "{}",
        stderr(&out)
    );
    seed.stop().await;
}
