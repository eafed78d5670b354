//! The prober against a fake provider on loopback: every outcome row for
//! every auth style, provider quirks (xAI, Gemini, Azure, OpenRouter,
//! Together, Ollama) and pagination. Calls `Prober` directly with catalog
//! specs whose base URL points at the fake; safety is in `prober_safety.rs`.

#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/fake_provider_probe.rs"]
mod probe_support;

use std::time::Duration;

use fake_provider::{Canned, FakeProvider, Flavor, errors};
use llmcfg::domain::ConfigFields;
use llmcfg::domain::{ApiKey, Catalog, TestStatus};
use llmcfg::prober::{ProbeSettings, ProbeTarget, Prober, SUCCESS_MESSAGE};
use probe_support::*;

/// Runs the rows every key-carrying style shares: ok, bad key, 403, model
/// not found, 402, 429 insufficient_quota, 429, 529, 503, HTML, non-JSON.
async fn outcome_rows(provider: &str, flavor: Flavor, model: &str, bad_key_status: u16) {
    let fake = FakeProvider::start(flavor, &[GOOD], &[model, "other-model"]).await;
    let o = probe(provider, &fake, model, GOOD).await;
    assert_status(&o, TestStatus::Ok, "ok");
    assert_eq!(o.message, SUCCESS_MESSAGE);

    let o = probe(provider, &fake, model, BAD).await;
    assert_status(&o, TestStatus::InvalidKey, "bad key");
    assert_names(&o, bad_key_status, "bad key");

    let o = probe(provider, &fake, "no-such-model", GOOD).await;
    assert_status(&o, TestStatus::ModelNotFound, "missing model");
    assert!(o.message.contains("no-such-model"), "{}", o.message);

    let rows: Vec<(Canned, TestStatus, u16, &str)> = vec![
        (
            errors::forbidden(flavor),
            TestStatus::PermissionDenied,
            403,
            "403",
        ),
        (errors::payment_required(), TestStatus::Quota, 402, "402"),
        (
            errors::insufficient_quota(),
            TestStatus::Quota,
            429,
            "insufficient_quota",
        ),
        (
            errors::rate_limited(flavor),
            TestStatus::RateLimited,
            429,
            "429",
        ),
        (errors::overloaded_529(), TestStatus::Overloaded, 529, "529"),
        (
            errors::unavailable(flavor),
            TestStatus::Overloaded,
            503,
            "503",
        ),
        (
            errors::internal(),
            TestStatus::UnexpectedResponse,
            500,
            "500",
        ),
        (
            Canned::html(403),
            TestStatus::UnexpectedResponse,
            403,
            "HTML 403",
        ),
        (
            Canned::html(200),
            TestStatus::UnexpectedResponse,
            200,
            "HTML 200",
        ),
        (
            Canned::text(200, "hello, not json"),
            TestStatus::UnexpectedResponse,
            200,
            "non-JSON",
        ),
        (
            Canned::json(418, serde_json::json!({"error": "teapot"})),
            TestStatus::UnexpectedResponse,
            418,
            "418",
        ),
    ];
    for (canned, want, code, case) in rows {
        fake.configure(|c| c.always = Some(canned));
        let o = probe(provider, &fake, model, GOOD).await;
        assert_status(&o, want, &format!("{provider} {case}"));
        assert_names(&o, code, &format!("{provider} {case}"));
        fake.configure(|c| c.always = None);
    }
    // Transport rows.
    fake.configure(|c| c.hang = true);
    let quick = Prober::new(ProbeSettings {
        total_timeout: Duration::from_millis(300),
        ..ProbeSettings::default()
    });
    let o = probe_with(&quick, provider, &fake, model, GOOD).await;
    assert_status(&o, TestStatus::Timeout, "timeout");
    let closed = closed_port().await;
    let spec = Catalog::builtin().get(provider).unwrap();
    let key = ApiKey::new(GOOD);
    let base = format!("http://127.0.0.1:{closed}");
    let o = prober()
        .test(ProbeTarget::new(
            spec,
            &ConfigFields::new(&spec.id, model).with("base_url", &base),
            &key,
        ))
        .await;
    assert_status(&o, TestStatus::Unreachable, "closed port");
}

#[tokio::test]
async fn anthropic_style_rows() {
    outcome_rows("anthropic", Flavor::Anthropic, "claude-sonnet-4-5", 401).await;
}

#[tokio::test]
async fn bearer_style_rows() {
    outcome_rows("openai", Flavor::OpenAi, "gpt-4o", 401).await;
    outcome_rows("openai-compatible", Flavor::OpenAi, "meta/llama-3", 401).await;
    outcome_rows(
        "together",
        Flavor::Together,
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        401,
    )
    .await;
    outcome_rows("cohere", Flavor::Cohere, "command-r", 401).await;
}

#[tokio::test]
async fn xai_bad_key_is_a_400() {
    outcome_rows("xai", Flavor::XAi, "grok-4", 400).await;
}

#[tokio::test]
async fn google_style_rows_and_api_key_invalid_400() {
    outcome_rows("gemini", Flavor::Gemini, "gemini-2.5-pro", 400).await;
}

#[tokio::test]
async fn gemini_key_travels_in_the_header_never_the_query() {
    let fake = FakeProvider::start(Flavor::Gemini, &[GOOD], &["gemini-2.5-pro"]).await;
    let o = probe("gemini", &fake, "models/gemini-2.5-pro", GOOD).await;
    assert_status(&o, TestStatus::Ok, "prefixed id");
    for s in fake.seen() {
        assert_eq!(s.credential.as_deref(), Some(GOOD));
        assert!(!s.query.unwrap_or_default().contains("key="));
    }
}

#[tokio::test]
async fn gemini_plain_400_is_not_a_bad_key() {
    let fake = FakeProvider::start(Flavor::Gemini, &[GOOD], &["gemini-2.5-pro"]).await;
    fake.configure(|c| {
        c.always = Some(Canned::json(400, serde_json::json!({"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT", "details": [{"reason": "SOMETHING_ELSE"}]}})))
    });
    let o = probe("gemini", &fake, "gemini-2.5-pro", GOOD).await;
    assert_status(&o, TestStatus::UnexpectedResponse, "plain 400");
}

#[tokio::test]
async fn azure_style_rows_say_what_was_verified() {
    let fake = FakeProvider::start(Flavor::Azure, &[GOOD], &["gpt-4o"]).await;
    let o = probe("azure-openai", &fake, "my-deployment", GOOD).await;
    assert_status(&o, TestStatus::Ok, "azure ok");
    assert!(o.message.contains("API key verified"), "{}", o.message);
    assert!(
        o.message.contains("\"my-deployment\" was not verified"),
        "{}",
        o.message
    );
    let seen = fake.seen();
    assert_eq!(seen[0].path, "/openai/models");
    assert_eq!(seen[0].query.as_deref(), Some("api-version=2024-10-21"));
    assert_eq!(seen[0].credential.as_deref(), Some(GOOD));

    let o = probe("azure-openai", &fake, "my-deployment", BAD).await;
    assert_status(&o, TestStatus::InvalidKey, "azure bad key");
    assert_names(&o, 401, "azure bad key");
    for (canned, want, code) in [
        (
            errors::forbidden(Flavor::Azure),
            TestStatus::PermissionDenied,
            403,
        ),
        (
            errors::rate_limited(Flavor::Azure),
            TestStatus::RateLimited,
            429,
        ),
        (errors::insufficient_quota(), TestStatus::Quota, 429),
        (
            errors::unavailable(Flavor::Azure),
            TestStatus::Overloaded,
            503,
        ),
        (Canned::html(404), TestStatus::UnexpectedResponse, 404),
        (
            Canned::text(200, "not json"),
            TestStatus::UnexpectedResponse,
            200,
        ),
    ] {
        fake.configure(|c| c.always = Some(canned));
        let o = probe("azure-openai", &fake, "my-deployment", GOOD).await;
        assert_status(&o, want, "azure row");
        assert_names(&o, code, "azure row");
    }
}

#[tokio::test]
async fn ollama_sends_no_key_and_matches_latest_tags() {
    let fake = FakeProvider::start(Flavor::Ollama, &[], &["llama3.2:latest", "qwen2.5:7b"]).await;
    let o = probe("ollama", &fake, "llama3.2", GOOD).await;
    assert_status(&o, TestStatus::Ok, "ollama ok");
    let o = probe("ollama", &fake, "mistral", GOOD).await;
    assert_status(&o, TestStatus::ModelNotFound, "ollama missing");
    assert!(
        fake.seen()
            .iter()
            .all(|s| s.credential.is_none() && s.path == "/api/tags")
    );
    for (canned, want, code) in [
        (
            errors::unavailable(Flavor::Ollama),
            TestStatus::Overloaded,
            503,
        ),
        (errors::internal(), TestStatus::UnexpectedResponse, 500),
        (Canned::html(200), TestStatus::UnexpectedResponse, 200),
        (
            Canned::text(200, "Ollama is running"),
            TestStatus::UnexpectedResponse,
            200,
        ),
    ] {
        fake.configure(|c| c.always = Some(canned));
        let o = probe("ollama", &fake, "llama3.2", GOOD).await;
        assert_status(&o, want, "ollama row");
        assert_names(&o, code, "ollama row");
    }
    fake.configure(|c| c.always = None);
    assert_eq!(
        list("ollama", &fake, "").await.unwrap(),
        ["llama3.2:latest", "qwen2.5:7b"]
    );
}

#[tokio::test]
async fn openrouter_checks_the_key_before_the_public_list() {
    let fake = FakeProvider::start(Flavor::OpenRouter, &[GOOD], &["openai/gpt-4o"]).await;
    let o = probe("openrouter", &fake, "openai/gpt-4o", GOOD).await;
    assert_status(&o, TestStatus::Ok, "openrouter ok");
    let paths: Vec<String> = fake.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(paths, ["/api/v1/key", "/api/v1/models"]);
    // The public list would answer anything; the key endpoint does not.
    let o = probe("openrouter", &fake, "openai/gpt-4o", BAD).await;
    assert_status(&o, TestStatus::InvalidKey, "openrouter bad key");
    let o = probe("openrouter", &fake, "nope/model", GOOD).await;
    assert_status(&o, TestStatus::ModelNotFound, "openrouter missing model");
    fake.configure(|c| c.script.push_back(errors::payment_required()));
    let o = probe("openrouter", &fake, "openai/gpt-4o", GOOD).await;
    assert_status(&o, TestStatus::Quota, "openrouter 402");
}

#[tokio::test]
async fn second_page_models_are_found_anthropic_and_gemini() {
    let models: Vec<String> = (0..7).map(|i| format!("model-{i}")).collect();
    let refs: Vec<&str> = models.iter().map(String::as_str).collect();
    for (provider, flavor) in [
        ("anthropic", Flavor::Anthropic),
        ("gemini", Flavor::Gemini),
        ("cohere", Flavor::Cohere),
    ] {
        let fake = FakeProvider::start(flavor, &[GOOD], &refs).await;
        fake.configure(|c| {
            c.page_size = 3;
            // No get-one-model endpoint: the test must walk the list.
            c.no_get_model = true;
        });
        let o = probe(provider, &fake, "model-5", GOOD).await;
        assert_status(&o, TestStatus::Ok, provider);
        let o = probe(provider, &fake, "model-9", GOOD).await;
        assert_status(&o, TestStatus::ModelNotFound, provider);
        assert_eq!(
            list(provider, &fake, GOOD).await.unwrap(),
            models,
            "{provider}"
        );
        let pages = fake
            .seen()
            .iter()
            .filter(|s| s.path.ends_with("/models"))
            .count();
        assert!(
            pages >= 3 * 3,
            "{provider}: three pages per listing, saw {pages}"
        );
    }
}

#[tokio::test]
async fn list_models_strips_gemini_prefix_and_reads_bare_arrays() {
    let fake = FakeProvider::start(
        Flavor::Gemini,
        &[GOOD],
        &["gemini-2.5-pro", "gemini-2.5-flash"],
    )
    .await;
    assert_eq!(
        list("gemini", &fake, GOOD).await.unwrap(),
        ["gemini-2.5-pro", "gemini-2.5-flash"]
    );
    let fake = FakeProvider::start(Flavor::Together, &[GOOD], &["a/b", "c/d"]).await;
    assert_eq!(list("together", &fake, GOOD).await.unwrap(), ["a/b", "c/d"]);
    let err = list("together", &fake, BAD).await.unwrap_err();
    assert_eq!(err.status, TestStatus::InvalidKey);
}

#[tokio::test]
async fn get_model_404_on_a_gateway_falls_back_to_the_list() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["model-a"]).await;
    fake.configure(|c| c.no_get_model = true);
    let o = probe("openai-compatible", &fake, "model-a", GOOD).await;
    assert_status(&o, TestStatus::Ok, "via list");
    let o = probe("openai-compatible", &fake, "model-b", GOOD).await;
    assert_status(&o, TestStatus::ModelNotFound, "not in list");
    assert!(fake.seen().iter().any(|s| s.path == "/v1/models/model-a"));
    assert!(fake.seen().iter().any(|s| s.path == "/v1/models"));
}

#[tokio::test]
async fn anthropic_sends_its_version_header() {
    let fake = FakeProvider::start(Flavor::Anthropic, &[GOOD], &["claude-sonnet-4-5"]).await;
    let o = probe("anthropic", &fake, "claude-sonnet-4-5", GOOD).await;
    // The fake answers 400 without `anthropic-version: 2023-06-01`.
    assert_status(&o, TestStatus::Ok, "version header");
    assert_eq!(fake.seen()[0].path, "/v1/models/claude-sonnet-4-5");
}
