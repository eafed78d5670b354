//! The remaining commands through the real binary against a strict
//! seed-only server: extension commands that the server lacks, the instance
//! list and `test --all` without a server route, URL forms, custom auth
//! header, redirects, `login`, and learning what the server offers.

mod cli_env;
mod seed_cli;
mod seed_server;

use cli_env::{Env, KEY, KEY2, code, stderr};
use seed_cli::{assert_no_key, config, create, run};
use seed_server::{ADMIN_TOKEN, SeedOptions, SeedServer, VIEWER_TOKEN};

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
        // A missing feature is not a server fault.
        assert!(!err.contains("remote server error"), "{args:?}: {err}");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_all_runs_at_most_the_given_number_of_tests_at_once() {
    let seed = SeedServer::start(SeedOptions {
        good_keys: vec![KEY.to_string()],
        test_delay: std::time::Duration::from_millis(300),
        ..SeedOptions::default()
    })
    .await;
    let ids = ["t1", "t2", "t3", "t4", "t5", "t6"];
    for id in ids {
        seed.insert(Some(id), "openai", "gpt-4o", KEY);
    }
    let env = Env::new();
    let list = env.path().join("tenants.txt");
    std::fs::write(&list, ids.join("\n")).unwrap();
    config(
        &env,
        &format!(
            "[remote]\ninstances_file = {:?}\n",
            list.display().to_string()
        ),
    );
    let out = run(
        &env,
        &seed.url,
        &["--json", "test", "--all", "--concurrency", "2"],
        "",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(all["total"], 6);
    assert_eq!(seed.most_tests_at_once(), 2);
    seed.stop().await;
}
