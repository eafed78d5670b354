//! Every CLI command through the real binary against a strict seed-only
//! server (not `llmcfg serve`): what a superadmin sees when `--remote` is
//! the product's own control plane. The key must reach the server trimmed,
//! exactly once, and never appear in any output or log.

mod common;
mod seed_server;

use std::process::Output;

use common::{Env, KEY, KEY2, code, contains_key_fragment, stderr, stdout};
use seed_server::{ADMIN_TOKEN, DeleteAnswer, Ids, SeedOptions, SeedServer, VIEWER_TOKEN};

/// Runs `llmcfg ARGS` against `url` with the superadmin token.
fn run(env: &Env, url: &str, args: &[&str], stdin: &str) -> Output {
    run_with(env, url, ADMIN_TOKEN, args, stdin)
}

fn run_with(env: &Env, url: &str, token: &str, args: &[&str], stdin: &str) -> Output {
    env.cmd()
        .env("LLMCFG_REMOTE", url)
        .env("LLMCFG_TOKEN", token)
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap()
}

fn config(env: &Env, text: &str) {
    let dir = env.path().join("config").join("llmcfg");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

/// Asserts no file llmcfg wrote (config, state, cache, log) holds `key`.
fn assert_no_key_in_files(env: &Env, key: &str) {
    let mut dirs = vec![env.path().to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                assert!(
                    !contains_key_fragment(&bytes, key),
                    "{} holds the key",
                    path.display()
                );
            }
        }
    }
}

/// Asserts neither output nor the log holds any 8-byte window of `key`.
fn assert_no_key(env: &Env, out: &Output, key: &str) {
    assert!(
        !contains_key_fragment(&out.stdout, key),
        "stdout: {}",
        stdout(out)
    );
    assert!(
        !contains_key_fragment(&out.stderr, key),
        "stderr: {}",
        stderr(out)
    );
    if let Ok(log) = std::fs::read(env.log_file()) {
        assert!(!contains_key_fragment(&log, key), "the log holds the key");
    }
}

fn create(env: &Env, url: &str, instance: Option<&str>, key: &str) -> Output {
    let mut args = vec!["--json"];
    if let Some(i) = instance {
        args.extend(["-i", i]);
    }
    args.extend([
        "create",
        "--provider",
        "anthropic",
        "--model",
        "claude-sonnet-4-5",
    ]);
    run(env, url, &args, &format!("  {key}  \n"))
}

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
async fn extension_commands_say_in_one_line_what_the_server_lacks() {
    let seed = SeedServer::default_variant(&[]).await;
    let env = Env::new();
    assert_eq!(code(&create(&env, &seed.url, None, KEY)), 0);
    for (args, what) in [
        (vec!["audit"], "an audit log"),
        (vec!["providers"], "its provider list"),
        (vec!["models"], "live model lists"),
        (vec!["instances", "add", "newco"], "registering instances"),
    ] {
        let out = run(&env, &seed.url, &args, "");
        assert_eq!(code(&out), 1, "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("this server does not offer {what}")),
            "{args:?}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("404"), "{args:?}: {err}");
    }
    // Token management and master-key rotation stay on the server host.
    for args in [vec!["token", "list"], vec!["master-key", "rotate"]] {
        let out = run(&env, &seed.url, &args, "");
        assert_ne!(code(&out), 0, "{args:?}");
        assert!(
            stderr(&out).contains("run it on the server host"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // Nothing of that reached the server.
    assert!(
        seed.seen()
            .iter()
            .all(|s| !s.path.contains("token") && !s.path.contains("master"))
    );
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_and_test_all_without_a_server_list() {
    let seed = SeedServer::default_variant(&[KEY]).await;
    let env = Env::new();
    let list_file = env.path().join("tenants.txt");
    std::fs::write(&list_file, "# tenants\nfrom-file\n").unwrap();
    config(
        &env,
        &format!(
            "[[instances]]\nid = \"configured\"\nname = \"Configured Co\"\n\n[remote]\n\
             instances_command = [\"sh\", \"-c\", \"echo '[\\\"from-command\\\"]'; echo noise >&2\"]\n\
             instances_file = {:?}\n",
            list_file.display().to_string()
        ),
    );
    assert_eq!(code(&create(&env, &seed.url, None, KEY)), 0);
    assert_eq!(code(&create(&env, &seed.url, Some("used-before"), KEY2)), 0);
    assert_eq!(code(&create(&env, &seed.url, Some("from-file"), KEY)), 0);

    let out = run(&env, &seed.url, &["--json", "instances"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<Option<&str>> = list.iter().map(|s| s["instance_id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            None,
            Some("configured"),
            Some("from-command"),
            Some("from-file"),
            Some("used-before")
        ]
    );
    assert_eq!(list[1]["name"], "Configured Co");
    assert!(list[3]["config"].is_object() && list[2]["config"].is_null());
    assert!(!stderr(&out).contains("noise"));

    // test --all tests every configured scope with the seed's own route.
    let out = run(&env, &seed.url, &["--json", "test", "--all"], "");
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(all["total"], 3);
    assert_eq!(all["failed"], 1);
    assert_no_key(&env, &out, KEY2);

    // A remembered scope can be forgotten; it stays on the server.
    let out = run(&env, &seed.url, &["instances", "forget", "used-before"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run(&env, &seed.url, &["--json", "instances"], "");
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(list.iter().all(|s| s["instance_id"] != "used-before"));
    assert!(seed.row(Some("used-before")).is_some());
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urls_with_a_prefix_or_a_trailing_llm_config_and_a_custom_auth_header() {
    let seed = SeedServer::start(SeedOptions {
        prefix: "/api",
        auth_header: Some("x-api-key"),
        ..SeedOptions::default()
    })
    .await;
    let env = Env::new();
    config(&env, "[remote]\nauth_header = \"X-Api-Key\"\n");
    let with_suffix = format!("{}/llm-config/", seed.url);
    let out = run(&env, &with_suffix, &["get"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = create(&env, &with_suffix, None, KEY);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        seed.seen()
            .iter()
            .all(|s| !s.path.contains("/llm-config/llm-config"))
    );
    assert!(seed.seen().iter().all(|s| s.path.starts_with("/api/")));
    // Without the prefix the routes are missing: said so, never shown as
    // "no configuration" or a bare 404.
    let root = seed.url.trim_end_matches("/api").to_string();
    let out = run(&env, &root, &["get"], "");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("check the remote URL"),
        "{}",
        stderr(&out)
    );
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_is_never_followed_with_the_token() {
    let elsewhere = SeedServer::default_variant(&[]).await;
    let seed = SeedServer::start(SeedOptions {
        redirect_to: Some(elsewhere.url.clone()),
        ..SeedOptions::default()
    })
    .await;
    let env = Env::new();
    let out = run(&env, &seed.url, &["get"], "");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("never follows a redirect"),
        "{}",
        stderr(&out)
    );
    assert!(elsewhere.seen().is_empty());
    seed.stop().await;
    elsewhere.stop().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_checks_the_token_with_the_seed_route() {
    let seed = SeedServer::default_variant(&[]).await;
    let env = Env::new();
    let login = |token: &str| {
        env.cmd()
            .args(["login", "--remote", &seed.url])
            .write_stdin(format!("{token}\n"))
            .output()
            .unwrap()
    };
    let out = login("wrong-token");
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    let out = login(VIEWER_TOKEN);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    let out = login(ADMIN_TOKEN);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        seed.seen()
            .iter()
            .all(|s| s.path == "/llm-config/" && s.method == "GET")
    );
    // The stored token then works without LLMCFG_TOKEN.
    let out = env
        .cmd()
        .args(["--remote", &seed.url, "get"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_server_offers_is_learned_once_and_cached() {
    let seed = SeedServer::start(SeedOptions {
        openapi: true,
        ..SeedOptions::default()
    })
    .await;
    let env = Env::new();
    for _ in 0..2 {
        let out = run(&env, &seed.url, &["audit"], "");
        assert_eq!(code(&out), 1);
        assert!(stderr(&out).contains("this server does not offer an audit log"));
    }
    let seen = seed.seen();
    // The OpenAPI document said it; the audit route itself was never tried.
    assert_eq!(
        seen.iter().filter(|s| s.path == "/openapi.json").count(),
        1,
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .all(|s| !s.path.starts_with("/llm-config/audit"))
    );
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_openapi_document_the_first_404_is_remembered() {
    let seed = SeedServer::default_variant(&[]).await;
    let env = Env::new();
    for _ in 0..2 {
        let out = run(&env, &seed.url, &["providers"], "");
        assert_eq!(code(&out), 1);
        assert!(stderr(&out).contains("this server does not offer its provider list"));
    }
    let seen = seed.seen();
    let tries = seen
        .iter()
        .filter(|s| s.path == "/llm-config/providers")
        .count();
    assert_eq!(tries, 1, "{seen:?}");
    seed.stop().await;
}
