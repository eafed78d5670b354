//! Prober safety against a fake provider on loopback: scrubbing of echoed
//! keys, redirects never followed, the total time bound, the 1 MiB body
//! cap, the single capped retry, and the SSRF guard.

#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/fake_provider_probe.rs"]
mod probe_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_provider::{Canned, FakeProvider, Flavor, errors};
use llmcfg::domain::ConfigFields;
use llmcfg::domain::{ApiKey, Catalog, TestStatus};
use llmcfg::prober::{ProbeSettings, ProbeTarget, Prober, TargetPolicy};
use probe_support::*;

#[tokio::test]
async fn an_echoed_key_never_reaches_the_message() {
    for (provider, flavor, model) in [
        ("openai", Flavor::OpenAi, "gpt-4o"),
        ("xai", Flavor::XAi, "grok-4"),
        ("gemini", Flavor::Gemini, "gemini-2.5-pro"),
        ("anthropic", Flavor::Anthropic, "claude-sonnet-4-5"),
    ] {
        let fake = FakeProvider::start(flavor, &[GOOD], &[model]).await;
        fake.configure(|c| c.echo_key = true);
        let o = probe(provider, &fake, model, BAD).await;
        assert_eq!(o.status, TestStatus::InvalidKey, "{provider}");
        assert_no_fragment(&o.message, BAD);
    }
    // A model id that embeds the key is scrubbed too.
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &[]).await;
    let o = probe("openai", &fake, &format!("x{GOOD}"), GOOD).await;
    assert_eq!(o.status, TestStatus::ModelNotFound);
    assert_no_fragment(&o.message, GOOD);
}

#[tokio::test]
async fn redirects_are_reported_and_never_followed() {
    let elsewhere = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["gpt-4o"]).await;
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["gpt-4o"]).await;
    fake.configure(|c| c.redirect_to = Some(elsewhere.base_url()));
    let o = probe("openai", &fake, "gpt-4o", GOOD).await;
    assert_status(&o, TestStatus::UnexpectedResponse, "redirect");
    assert!(
        o.message.contains("redirect") && o.message.contains("HTTP 302"),
        "{}",
        o.message
    );
    assert_eq!(elsewhere.requests(), 0, "the redirect target was contacted");
    assert!(elsewhere.seen().iter().all(|s| s.credential.is_none()));
}

#[tokio::test]
async fn a_silent_provider_times_out_within_the_bound() {
    let fake = FakeProvider::start(Flavor::Anthropic, &[GOOD], &["claude-sonnet-4-5"]).await;
    fake.configure(|c| c.hang = true);
    let bound = Duration::from_millis(500);
    let p = Prober::new(ProbeSettings {
        total_timeout: bound,
        ..ProbeSettings::default()
    });
    let started = Instant::now();
    let o = probe_with(&p, "anthropic", &fake, "claude-sonnet-4-5", GOOD).await;
    assert_status(&o, TestStatus::Timeout, "hang");
    assert!(o.message.contains("500 ms"), "{}", o.message);
    // Generous slack for a loaded CI machine; the bound itself is the feature.
    assert!(
        started.elapsed() < bound + Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_64_mib_body_is_capped() {
    const HUGE_BYTES: usize = 64 * 1024 * 1024;
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["gpt-4o"]).await;
    fake.configure(|c| c.huge_body = Some(HUGE_BYTES));
    let o = probe("openai", &fake, "gpt-4o", GOOD).await;
    assert_status(&o, TestStatus::UnexpectedResponse, "huge get");
    assert!(o.message.contains("1024 KiB"), "{}", o.message);
    let err = list("openai", &fake, GOOD).await.unwrap_err();
    assert_eq!(err.status, TestStatus::UnexpectedResponse);
    // The reader stopped: only the cap plus socket buffers left the server.
    assert!(
        fake.huge_bytes_sent() < 16 * 1024 * 1024,
        "sent {}",
        fake.huge_bytes_sent()
    );
}

#[tokio::test]
async fn one_retry_only_for_429_and_5xx() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["gpt-4o"]).await;
    // A transient 503 followed by success: retried once, ok.
    fake.configure(|c| c.script.push_back(errors::unavailable(Flavor::OpenAi)));
    let o = probe("openai", &fake, "gpt-4o", GOOD).await;
    assert_status(&o, TestStatus::Ok, "retried");
    assert_eq!(fake.requests(), 2);
    // Persistent 529: exactly one retry.
    fake.reset_counts();
    fake.configure(|c| c.always = Some(errors::overloaded_529()));
    let o = probe("openai", &fake, "gpt-4o", GOOD).await;
    assert_status(&o, TestStatus::Overloaded, "529 twice");
    assert_eq!(fake.requests(), 2);
    // Auth errors and spent quota are never retried.
    fake.reset_counts();
    fake.configure(|c| c.always = None);
    let _ = probe("openai", &fake, "gpt-4o", BAD).await;
    assert_eq!(fake.requests(), 1);
    fake.reset_counts();
    fake.configure(|c| c.always = Some(errors::insufficient_quota()));
    let _ = probe("openai", &fake, "gpt-4o", GOOD).await;
    assert_eq!(fake.requests(), 1);
}

#[tokio::test]
async fn retry_after_is_capped() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["gpt-4o"]).await;
    // Retry-After: 120 is cut to the 2 s cap (the later header value wins).
    fake.configure(|c| {
        c.script
            .push_back(errors::rate_limited(Flavor::OpenAi).header("retry-after", "120"));
    });
    let started = Instant::now();
    let o = probe("openai", &fake, "gpt-4o", GOOD).await;
    assert_status(&o, TestStatus::Ok, "retry after capped wait");
    assert_eq!(fake.requests(), 2);
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    // A Retry-After longer than the time left: no retry, the 429 stands.
    fake.reset_counts();
    fake.configure(|c| {
        let r = Canned::json(
            429,
            serde_json::json!({"error": {"code": "rate_limit_exceeded"}}),
        )
        .header("retry-after", "2");
        c.script.push_back(r);
    });
    let p = Prober::new(ProbeSettings {
        total_timeout: Duration::from_secs(1),
        ..ProbeSettings::default()
    });
    let o = probe_with(&p, "openai", &fake, "gpt-4o", GOOD).await;
    assert_status(&o, TestStatus::RateLimited, "no time to retry");
    assert_eq!(fake.requests(), 1);
}

#[tokio::test]
async fn the_ssrf_guard_refuses_internal_targets_unless_allowed() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["gpt-4o"]).await;
    let spec = Catalog::builtin().get("openai").unwrap();
    let key = ApiKey::new(GOOD);
    let guarded = |policy: TargetPolicy| {
        Prober::new(ProbeSettings {
            guard: Some(Arc::new(policy)),
            ..ProbeSettings::default()
        })
    };
    let strict = guarded(TargetPolicy::default());
    for base in [fake.base_url(), format!("http://localhost:{}", fake.port())] {
        let o = strict
            .test(ProbeTarget::new(
                spec,
                &ConfigFields::new(&spec.id, "gpt-4o").with("base_url", &base),
                &key,
            ))
            .await;
        assert_status(&o, TestStatus::Blocked, &base);
        assert!(
            o.message.contains("server.allowed_targets"),
            "{}",
            o.message
        );
    }
    assert_eq!(fake.requests(), 0, "a refused target was contacted");
    let allowed = guarded(TargetPolicy::parse(&["127.0.0.1".into(), "localhost".into()]).unwrap());
    for base in [fake.base_url(), format!("http://localhost:{}", fake.port())] {
        let o = allowed
            .test(ProbeTarget::new(
                spec,
                &ConfigFields::new(&spec.id, "gpt-4o").with("base_url", &base),
                &key,
            ))
            .await;
        assert_status(&o, TestStatus::Ok, &base);
    }
}
