//! Lifecycle facts end to end through the binary: each provider's free
//! answer, served in its documented shape by a fake provider on
//! 127.0.0.1:0, shows up in `test --json`, in `test`'s lines and in
//! `instances --json`; a blocked xAI key and a disabled OpenRouter key are
//! `blocked_key`, never `ok`; and the fake's request log proves the extra
//! key endpoints are called at most once a day per key, across processes.

mod cli_env;
#[path = "support/fake_provider.rs"]
mod fake_provider;

use std::process::Output;
use std::sync::Arc;

use cli_env::{Env, KEY, KEY2, code, stderr, stdout};
use fake_provider::{Canned, FakeProvider, Flavor};
use serde_json::{Value, json};

/// Runs `llmcfg ARGS` off the runtime that serves the fake.
async fn run(env: &Arc<Env>, args: &[&str]) -> Output {
    let (env, args): (_, Vec<String>) = (env.clone(), args.iter().map(|a| a.to_string()).collect());
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        env.run(&args, "")
    })
    .await
    .unwrap()
}

/// `test --json` of the control plane: its exit code and answer.
async fn test_json(env: &Arc<Env>) -> (i32, Value) {
    let out = run(env, &["--json", "test"]).await;
    let answer = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
    (code(&out), answer)
}

/// A control plane configured for `provider`/`model` at the fake.
async fn configured(fake: &FakeProvider, provider: &str, model: &str) -> Arc<Env> {
    let env = Arc::new(Env::new());
    let (e, provider, model, base) = (
        env.clone(),
        provider.to_string(),
        model.to_string(),
        fake.base_url(),
    );
    tokio::task::spawn_blocking(move || e.create_at(None, &provider, &model, &base, KEY))
        .await
        .unwrap();
    env
}

#[tokio::test(flavor = "multi_thread")]
async fn openai_shutdown_date_is_reported_and_wins_over_the_catalog() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[KEY], &["gpt-4o", "gpt-3.5-turbo"]).await;
    fake.configure(|c| {
        c.model_facts
            .insert("gpt-4o".into(), json!({"shutdown_date": "2027-03-01"}));
    });
    let env = configured(&fake, "openai", "gpt-4o").await;
    let (status, answer) = test_json(&env).await;
    assert_eq!(status, 0, "{answer}");
    assert_eq!(
        answer["lifecycle"]["retirement"],
        json!({"model": "gpt-4o", "retires_on": "2027-03-01", "source": "api"})
    );
    let out = run(&env, &["test"]).await;
    assert!(
        stdout(&out).contains("  gpt-4o retires 2027-03-01 (in "),
        "{}",
        stdout(&out)
    );
    // The facts ride on the last test, so the instance list carries them.
    let out = run(&env, &["--json", "instances"]).await;
    let list: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        list[0]["last_test"]["lifecycle"]["retirement"]["retires_on"], "2027-03-01",
        "{list}"
    );

    // gpt-3.5-turbo is in the dated catalog; without an API date the
    // catalog's row stands, with one the API wins.
    let out = run(&env, &["update", "--model", "gpt-3.5-turbo"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (_, answer) = test_json(&env).await;
    assert_eq!(
        answer["lifecycle"]["retirement"],
        json!({"model": "gpt-3.5-turbo", "retires_on": "2026-10-23",
               "successor": "gpt-4.1-mini", "source": "catalog"})
    );
    fake.configure(|c| {
        c.model_facts.insert(
            "gpt-3.5-turbo".into(),
            json!({"shutdown_date": "2027-06-30"}),
        );
    });
    let (_, answer) = test_json(&env).await;
    assert_eq!(
        answer["lifecycle"]["retirement"]["retires_on"],
        "2027-06-30"
    );
    assert_eq!(answer["lifecycle"]["retirement"]["source"], "api");
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_deprecation_inference_is_the_retirement() {
    let fake = FakeProvider::start(Flavor::Azure, &[KEY], &["gpt-4o"]).await;
    fake.configure(|c| {
        c.model_facts.insert(
            "gpt-4o".into(),
            json!({"lifecycle_status": "generally-available",
                   "deprecation": {"fine_tune": 1677662127, "inference": 1798761600}}),
        );
    });
    let env = configured(&fake, "azure-openai", "gpt-4o").await;
    let (status, answer) = test_json(&env).await;
    assert_eq!(status, 0, "{answer}");
    assert_eq!(
        answer["lifecycle"]["retirement"],
        json!({"model": "gpt-4o", "retires_on": "2027-01-01", "source": "api"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mistral_deprecation_names_the_replacement() {
    let fake = FakeProvider::start(Flavor::Mistral, &[KEY], &["mistral-large-2407"]).await;
    fake.configure(|c| {
        c.model_facts.insert(
            "mistral-large-2407".into(),
            json!({"deprecation": "2027-02-01T12:00:00Z",
                   "deprecation_replacement_model": "mistral-large-2411"}),
        );
    });
    let env = configured(&fake, "mistral", "mistral-large-2407").await;
    let (status, answer) = test_json(&env).await;
    assert_eq!(status, 0, "{answer}");
    assert_eq!(
        answer["lifecycle"]["retirement"],
        json!({"model": "mistral-large-2407", "retires_on": "2027-02-01",
               "successor": "mistral-large-2411", "source": "api"})
    );
    let out = run(&env, &["test"]).await;
    assert!(
        stdout(&out).contains("; successor mistral-large-2411"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn openrouter_credit_expiry_and_model_expiration_read_from_calls_already_made() {
    let fake = FakeProvider::start(Flavor::OpenRouter, &[KEY], &["z-ai/glm-4.7"]).await;
    fake.configure(|c| {
        c.key_info = Some(json!({"label": "sk-or-v1-au7...890", "limit": 100,
            "limit_remaining": 4, "usage": 96, "expires_at": "2027-01-02T00:00:00Z"}));
        c.model_facts.insert(
            "z-ai/glm-4.7".into(),
            json!({"expiration_date": "2026-12-31"}),
        );
    });
    let env = configured(&fake, "openrouter", "z-ai/glm-4.7").await;
    let (status, answer) = test_json(&env).await;
    assert_eq!(status, 0, "{answer}");
    let l = &answer["lifecycle"];
    assert_eq!(l["credit"]["limit"], 100.0);
    assert_eq!(l["credit"]["remaining"], 4.0);
    assert_eq!(l["key_expires_at"], "2027-01-02T00:00:00Z");
    assert_eq!(l["retirement"]["retires_on"], "2026-12-31");
    // The key endpoint and the list, as before: nothing extra.
    assert_eq!(fake.requests(), 2, "{:?}", fake.seen());
    let out = run(&env, &["test"]).await;
    assert!(
        stdout(&out).contains("  credit 4% left"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("  key expires 2027-01-02"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disabled_openrouter_key_is_blocked_key_never_ok() {
    let fake = FakeProvider::start(Flavor::OpenRouter, &[KEY], &["z-ai/glm-4.7"]).await;
    fake.configure(|c| {
        c.key_info = Some(json!({"label": "sk-or-v1-au7...890", "disabled": true,
            "limit": null, "usage": 3.5}));
    });
    let env = configured(&fake, "openrouter", "z-ai/glm-4.7").await;
    let (status, answer) = test_json(&env).await;
    assert_eq!(status, 5, "{answer}");
    assert_eq!(answer["status"], "blocked_key");
    assert_eq!(answer["success"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_blocked_xai_key_is_blocked_key_and_is_read_again_at_the_next_test() {
    let fake = FakeProvider::start(Flavor::XAi, &[KEY], &["grok-4"]).await;
    for flag in ["api_key_blocked", "api_key_disabled", "team_blocked"] {
        let mut info = json!({"acls": ["api-key:model:*"], "api_key_blocked": false,
            "api_key_disabled": false, "team_blocked": false});
        info[flag] = json!(true);
        fake.configure(|c| c.key_info = Some(info));
        let env = configured(&fake, "xai", "grok-4").await;
        fake.reset_counts();
        let (status, answer) = test_json(&env).await;
        assert_eq!(status, 5, "{answer}");
        assert_eq!(answer["status"], "blocked_key", "{flag}");
        assert!(
            answer["message"].as_str().unwrap().contains(flag),
            "{answer}"
        );
        // The key endpoint answered; the model was never asked for.
        assert_eq!(fake.requests_to("/v1/api-key"), 1);
        assert_eq!(fake.requests_to("/v1/models/grok-4"), 0);
        // A blocked answer is not reused: the next test asks again, so an
        // unblocked key shows at once.
        let (_, answer) = test_json(&env).await;
        assert_eq!(answer["status"], "blocked_key");
        assert_eq!(fake.requests_to("/v1/api-key"), 2);
    }
    fake.configure(|c| c.key_info = None);
    let env = configured(&fake, "xai", "grok-4").await;
    let (status, answer) = test_json(&env).await;
    assert_eq!((status, &answer["status"]), (0, &json!("ok")), "{answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_xai_key_whose_acl_leaves_out_the_model_is_permission_denied() {
    let fake = FakeProvider::start(Flavor::XAi, &[KEY], &["grok-3", "grok-4"]).await;
    fake.configure(|c| {
        c.key_info = Some(
            json!({"acls": ["api-key:model:grok-3", "api-key:endpoint:chat"],
            "api_key_blocked": false, "api_key_disabled": false, "team_blocked": false}),
        );
    });
    let env = configured(&fake, "xai", "grok-4").await;
    let (status, answer) = test_json(&env).await;
    assert_eq!(status, 5, "{answer}");
    assert_eq!(answer["status"], "permission_denied");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_xai_key_endpoint_is_called_once_a_day_per_key_across_processes() {
    let fake = FakeProvider::start(Flavor::XAi, &[KEY], &["grok-4"]).await;
    let env = configured(&fake, "xai", "grok-4").await;
    fake.reset_counts();
    for _ in 0..3 {
        let (status, answer) = test_json(&env).await;
        assert_eq!(status, 0, "{answer}");
    }
    // Three tests, three model calls, one key-endpoint call.
    assert_eq!(fake.requests_to("/v1/models/grok-4"), 3);
    assert_eq!(fake.requests_to("/v1/api-key"), 1, "{:?}", fake.seen());
    assert_eq!(fake.requests(), 4);

    // A day later (the stored answer's time moved back), it is read again.
    let db = rusqlite::Connection::open(env.store()).unwrap();
    let moved = db
        .execute(
            "UPDATE key_facts SET fetched_at = '2000-01-01T00:00:00Z'",
            [],
        )
        .unwrap();
    assert_eq!(moved, 1);
    drop(db);
    let (status, _) = test_json(&env).await;
    assert_eq!(status, 0);
    assert_eq!(fake.requests_to("/v1/api-key"), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rotation_pre_check_keeps_the_new_keys_facts_for_later_tests() {
    let fake = FakeProvider::start(Flavor::XAi, &[KEY, KEY2], &["grok-4"]).await;
    let env = configured(&fake, "xai", "grok-4").await;
    fake.reset_counts();
    let (e, stdin) = (env.clone(), format!("{KEY}\n{KEY2}\n"));
    let out =
        tokio::task::spawn_blocking(move || e.run(&["rotate-key", "--from-stdin-old"], &stdin))
            .await
            .unwrap();
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    // The pre-check read the new key's facts, with the new key.
    let reads: Vec<_> = fake
        .seen()
        .into_iter()
        .filter(|s| s.path == "/v1/api-key")
        .collect();
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].credential.as_deref(), Some(KEY2));
    // A test after the swap reuses them: no second read.
    let (status, answer) = test_json(&env).await;
    assert_eq!(status, 0, "{answer}");
    assert_eq!(fake.requests_to("/v1/api-key"), 1, "{:?}", fake.seen());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limited_key_endpoint_decides_nothing_and_is_asked_again() {
    let fake = FakeProvider::start(Flavor::XAi, &[KEY], &["grok-4"]).await;
    let env = configured(&fake, "xai", "grok-4").await;
    let limited = || Canned::json(429, json!({"error": "rate limited"}));
    // The key endpoint and its one retry are both rate limited.
    fake.configure(|c| c.script.extend([limited(), limited()]));
    fake.reset_counts();
    let (status, answer) = test_json(&env).await;
    assert_eq!((status, &answer["status"]), (0, &json!("ok")), "{answer}");
    assert_eq!(fake.requests_to("/v1/api-key"), 2);
    // Nothing was kept, so the next test asks again, and keeps that answer.
    test_json(&env).await;
    test_json(&env).await;
    assert_eq!(fake.requests_to("/v1/api-key"), 3, "{:?}", fake.seen());
}

#[tokio::test(flavor = "multi_thread")]
async fn deepseek_balance_is_the_credit_and_is_read_once_a_day() {
    let fake = FakeProvider::start(Flavor::DeepSeek, &[KEY], &["deepseek-chat"]).await;
    let env = configured(&fake, "deepseek", "deepseek-chat").await;
    fake.reset_counts();
    let (status, answer) = test_json(&env).await;
    assert_eq!(status, 0, "{answer}");
    assert_eq!(
        answer["lifecycle"]["credit"],
        json!({"remaining": 110.0, "currency": "USD"})
    );
    let out = run(&env, &["test"]).await;
    assert!(
        stdout(&out).contains("  credit 110.00 USD left"),
        "{}",
        stdout(&out)
    );
    assert_eq!(fake.requests_to("/user/balance"), 1);
    assert_eq!(fake.requests_to("/models"), 2);

    // An account that cannot pay is a quota failure, read again next time.
    fake.configure(|c| {
        c.key_info = Some(json!({"is_available": false, "balance_infos": [
            {"currency": "USD", "total_balance": "0.00", "granted_balance": "0.00",
             "topped_up_balance": "0.00"}]}));
    });
    let db = rusqlite::Connection::open(env.store()).unwrap();
    db.execute(
        "UPDATE key_facts SET fetched_at = '2000-01-01T00:00:00Z'",
        [],
    )
    .unwrap();
    drop(db);
    let (status, answer) = test_json(&env).await;
    assert_eq!(status, 5, "{answer}");
    assert_eq!(answer["status"], "quota");
    assert_eq!(answer["lifecycle"]["credit"]["remaining"], 0.0);
}

/// The key endpoints answer about the key it is asked with; what is kept of
/// that answer (credit, flags, the models allowed) and every output of the
/// test never carry the key itself: not stdout, not stderr, not any file
/// of the store.
#[tokio::test(flavor = "multi_thread")]
async fn key_facts_never_carry_the_key_in_output_or_store() {
    let fake = FakeProvider::start(Flavor::XAi, &[KEY], &["grok-4"]).await;
    let env = configured(&fake, "xai", "grok-4").await;
    for args in [
        &["--json", "test"][..],
        &["test"][..],
        &["--json", "instances"][..],
    ] {
        let out = run(&env, args).await;
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert!(!stdout(&out).contains(KEY), "{args:?} printed the key");
        assert!(!stderr(&out).contains(KEY), "{args:?} logged the key");
    }
    assert_eq!(
        fake.requests_to("/v1/api-key"),
        1,
        "the key endpoint was read"
    );
    for file in env.store_files() {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "{} holds the key in plain text",
            file.display()
        );
    }
}
