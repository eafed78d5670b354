//! Verdicts must be proven: base URLs with or without the API
//! version segment reach the same endpoint for every catalog provider, a 404
//! never blames the model unless the key was proven by the list, model ids
//! with `/` go through the list (as a LiteLLM proxy needs), and a 200 counts
//! only when it is the model asked for. Every provider is a real HTTP fake
//! on loopback.

#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/fake_provider_probe.rs"]
mod probe_support;

use fake_provider::{Canned, FakeProvider, Flavor};
use llmcfg::domain::ConfigFields;
use llmcfg::domain::{ApiKey, Catalog, TestStatus};
use llmcfg::prober::{ProbeOutcome, ProbeTarget};
use probe_support::*;
use serde_json::json;

const NOT_FOUND_HINT: &str = "the endpoint was not found — is the base URL right?";

async fn probe_at(provider: &str, base: &str, model: &str, key: &str) -> ProbeOutcome {
    let spec = Catalog::builtin().get(provider).unwrap();
    let key = ApiKey::new(key);
    prober()
        .test(ProbeTarget::new(
            spec,
            &ConfigFields::new(&spec.id, model).with("base_url", base),
            &key,
        ))
        .await
}

/// One catalog provider: the fake that imitates it, the base-URL suffixes
/// people type (after the fake's address), a model and the paths the probe
/// must request.
struct Case {
    provider: &'static str,
    flavor: Flavor,
    typed: &'static [&'static str],
    model: &'static str,
    paths: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        provider: "anthropic",
        flavor: Flavor::Anthropic,
        typed: &["", "/v1", "/v1/"],
        model: "claude-x",
        paths: &["/v1/models/claude-x"],
    },
    Case {
        provider: "openai",
        flavor: Flavor::OpenAi,
        typed: &["", "/v1"],
        model: "gpt-4o",
        paths: &["/v1/models/gpt-4o"],
    },
    Case {
        provider: "azure-openai",
        flavor: Flavor::Azure,
        typed: &["", "/openai", "/openai/v1"],
        model: "my-deployment",
        paths: &["/openai/models"],
    },
    Case {
        provider: "gemini",
        flavor: Flavor::Gemini,
        typed: &["", "/v1beta", "/v1"],
        model: "gemini-2.5-pro",
        paths: &["/v1beta/models/gemini-2.5-pro"],
    },
    Case {
        provider: "mistral",
        flavor: Flavor::OpenAi,
        typed: &["", "/v1"],
        model: "mistral-large-latest",
        paths: &["/v1/models"],
    },
    Case {
        provider: "groq",
        flavor: Flavor::OpenAi,
        typed: &["/openai", "/openai/v1"],
        model: "llama-3.1-8b-instant",
        paths: &["/openai/v1/models/llama-3.1-8b-instant"],
    },
    Case {
        provider: "cohere",
        flavor: Flavor::Cohere,
        typed: &["", "/v1"],
        model: "command-r",
        paths: &["/v1/models"],
    },
    Case {
        provider: "deepseek",
        flavor: Flavor::DeepSeek,
        typed: &["", "/v1"],
        model: "deepseek-chat",
        // The balance endpoint first: a prober without a store has no
        // earlier answer to reuse.
        paths: &["/user/balance", "/models"],
    },
    Case {
        provider: "xai",
        flavor: Flavor::XAi,
        typed: &["", "/v1"],
        model: "grok-4",
        paths: &["/v1/api-key", "/v1/models/grok-4"],
    },
    Case {
        provider: "openrouter",
        flavor: Flavor::OpenRouter,
        typed: &["/api", "/api/v1"],
        model: "openai/gpt-4o",
        paths: &["/api/v1/key", "/api/v1/models"],
    },
    Case {
        provider: "together",
        flavor: Flavor::Together,
        typed: &["", "/v1"],
        model: "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        paths: &["/v1/models"],
    },
    Case {
        provider: "fireworks",
        flavor: Flavor::OpenAi,
        typed: &["/inference", "/inference/v1"],
        model: "accounts/fireworks/models/x",
        paths: &["/inference/v1/models"],
    },
    Case {
        provider: "ollama",
        flavor: Flavor::Ollama,
        typed: &["", "/v1", "/api"],
        model: "llama3",
        paths: &["/api/tags"],
    },
    Case {
        provider: "openai-compatible",
        flavor: Flavor::OpenAi,
        typed: &["", "/v1"],
        model: "local-model",
        paths: &["/v1/models/local-model"],
    },
];

#[tokio::test]
async fn every_provider_accepts_its_base_url_with_or_without_the_version_segment() {
    let catalog = Catalog::builtin();
    let covered: Vec<&str> = CASES.iter().map(|c| c.provider).collect();
    for spec in catalog.providers() {
        assert!(
            covered.contains(&spec.id.as_str()),
            "{} has no case",
            spec.id
        );
    }
    for case in CASES {
        let models = [case.model, "llama3:latest"];
        let fake = FakeProvider::start(case.flavor, &[GOOD], &models).await;
        for typed in case.typed {
            fake.reset_counts();
            let base = format!("{}{typed}", fake.base_url());
            let o = probe_at(case.provider, &base, case.model, GOOD).await;
            assert_status(&o, TestStatus::Ok, &format!("{} at {base}", case.provider));
            let seen: Vec<String> = fake.seen().into_iter().map(|s| s.path).collect();
            assert_eq!(seen, case.paths, "{} at {base}", case.provider);
            for p in &seen {
                let segs: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
                assert!(
                    segs.windows(2).all(|w| w[0] != w[1]),
                    "doubled segment in {p}"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_404_from_an_unknown_route_is_unexpected_with_the_base_url_hint() {
    // A base URL that points at a web server without the API: every route
    // is a plain 404, the key was never checked.
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["gpt-4o"]).await;
    fake.configure(|c| c.always = Some(Canned::text(404, "404 page not found")));
    let o = probe_at("openai", &fake.base_url(), "gpt-4o", BAD).await;
    assert_status(&o, TestStatus::UnexpectedResponse, "plain 404");
    assert!(o.message.contains(NOT_FOUND_HINT), "{}", o.message);
    assert!(!o.message.contains("is valid"), "{}", o.message);

    fake.configure(|c| c.always = Some(Canned::html(404)));
    let o = probe_at("openai", &fake.base_url(), "gpt-4o", GOOD).await;
    assert_status(&o, TestStatus::UnexpectedResponse, "HTML 404");
    assert!(o.message.contains(NOT_FOUND_HINT), "{}", o.message);

    // A gateway's JSON "no such route" is no better.
    fake.configure(|c| {
        c.always = Some(Canned::json(404, json!({"detail": "Not Found"})));
    });
    let o = probe_at("anthropic", &fake.base_url(), "claude-x", GOOD).await;
    assert_status(&o, TestStatus::UnexpectedResponse, "gateway 404");
    assert!(o.message.contains(NOT_FOUND_HINT), "{}", o.message);
}

#[tokio::test]
async fn model_not_found_needs_a_list_that_proved_the_key() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["gpt-4o"]).await;
    // Get-one-model 404s; the list then fails with a bad key: the list's
    // verdict stands, the 404 is not turned into "model not found".
    let o = probe("openai", &fake, "gpt-5", BAD).await;
    assert_status(&o, TestStatus::InvalidKey, "bad key");
    // Get-one-model 404s and the list answers 500: inconclusive, never the
    // model's fault.
    fake.configure(|c| {
        c.script
            .push_back(Canned::json(404, json!({"detail": "Not Found"})));
        c.script.push_back(fake_provider::errors::internal());
        c.script.push_back(fake_provider::errors::internal());
    });
    let o = probe("openai", &fake, "gpt-5", GOOD).await;
    assert_status(&o, TestStatus::UnexpectedResponse, "list failed");
    assert!(!o.message.contains("is valid"), "{}", o.message);
    // With a good key the list proves it, and then the model is blamed.
    let o = probe("openai", &fake, "gpt-5", GOOD).await;
    assert_status(&o, TestStatus::ModelNotFound, "model missing");
}

#[tokio::test]
async fn model_ids_with_a_slash_are_resolved_through_the_list() {
    // A LiteLLM proxy routes /v1/models/team/x to a 404 before the key.
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["team/llama-3.1-8b"]).await;
    fake.configure(|c| c.slash_ids_404_before_auth = true);
    let base = format!("{}/v1", fake.base_url());
    for provider in ["openai", "openai-compatible"] {
        let o = probe_at(provider, &base, "team/llama-3.1-8b", BAD).await;
        assert_status(&o, TestStatus::InvalidKey, provider);
        let o = probe_at(provider, &base, "team/llama-3.1-8b", GOOD).await;
        assert_status(&o, TestStatus::Ok, provider);
        let o = probe_at(provider, &base, "team/other", GOOD).await;
        assert_status(&o, TestStatus::ModelNotFound, provider);
    }
    assert!(
        fake.seen().iter().all(|s| !s.path.contains("/models/")),
        "get-one-model was asked for a slash id: {:?}",
        fake.seen()
    );
}

#[tokio::test]
async fn a_200_counts_only_when_it_is_the_model_asked_for() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["gpt-4o"]).await;
    let bodies = [
        json!({"error": {"message": "upstream said no", "type": "server_error"}}),
        json!({"id": "gpt-4o-mini", "object": "model"}),
        json!({"object": "list", "data": []}),
    ];
    for body in bodies {
        fake.configure(|c| c.script.push_back(Canned::json(200, body.clone())));
        let o = probe("openai", &fake, "gpt-4o", GOOD).await;
        assert_status(&o, TestStatus::UnexpectedResponse, &body.to_string());
        assert!(o.message.contains("HTTP 200"), "{}", o.message);
    }
    // The real model object is ok.
    let o = probe("openai", &fake, "gpt-4o", GOOD).await;
    assert_status(&o, TestStatus::Ok, "model object");

    // OpenRouter's key endpoint must answer with its key object.
    let or = FakeProvider::start(Flavor::OpenRouter, &[GOOD], &["openai/gpt-4o"]).await;
    or.configure(|c| {
        c.script
            .push_back(Canned::json(200, json!({"error": {"message": "nope"}})))
    });
    let o = probe("openrouter", &or, "openai/gpt-4o", GOOD).await;
    assert_status(&o, TestStatus::UnexpectedResponse, "openrouter key 200");
}

#[tokio::test]
async fn anthropic_aliases_resolve_to_their_dated_id() {
    let fake = FakeProvider::start(Flavor::Anthropic, &[GOOD], &["claude-sonnet-4-5"]).await;
    let dated = json!({"type": "model", "id": "claude-sonnet-4-5-20250929", "display_name": "Claude Sonnet 4.5"});
    fake.configure(|c| c.script.push_back(Canned::json(200, dated.clone())));
    let o = probe("anthropic", &fake, "claude-sonnet-4-5", GOOD).await;
    assert_status(&o, TestStatus::Ok, "alias");
    // A different family is not an alias.
    fake.configure(|c| c.script.push_back(Canned::json(200, dated)));
    let o = probe("anthropic", &fake, "claude-sonnet-4", GOOD).await;
    assert_status(&o, TestStatus::UnexpectedResponse, "other model");
}

#[tokio::test]
async fn the_base_url_hint_follows_each_providers_rule() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["m"]).await;
    fake.configure(|c| c.always = Some(Canned::text(404, "404 page not found")));
    let sdk = probe_at("openai-compatible", &fake.base_url(), "m", GOOD).await;
    assert!(
        sdk.message.contains("the part before /models"),
        "{}",
        sdk.message
    );
    let native = probe_at("openai", &fake.base_url(), "m", GOOD).await;
    assert!(
        native
            .message
            .contains("with or without its version segment"),
        "{}",
        native.message
    );
    for o in [sdk, native] {
        assert!(!o.message.contains("usually end in /v1"), "{}", o.message);
    }
}
