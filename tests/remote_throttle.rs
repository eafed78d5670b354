//! Remote mode against a control plane behind a rate limit (429 with
//! `Retry-After` above N requests per window), through the real binary: the
//! wait is taken and the request sent again, so `test --all` and the
//! instance list finish with every scope; a server still throttling past
//! `[remote] throttle_wait_secs` makes the run name each scope it could not
//! reach, never pass one as unconfigured. Windows are scaled down to 1 s
//! (NestJS's default is 10 per minute) so the tests take seconds.

mod cli_env;
mod seed_cli;
mod seed_server;

use std::time::{Duration, Instant};

use cli_env::{Env, KEY, code, stderr, stdout};
use seed_cli::{config, run};
use seed_server::{RateLimit, Refusal, SeedOptions, SeedServer};

async fn throttled(per_window: usize, window: Duration) -> SeedServer {
    throttled_with(per_window, window, Refusal::TooManySeconds).await
}

async fn throttled_with(per_window: usize, window: Duration, answer: Refusal) -> SeedServer {
    SeedServer::start(SeedOptions {
        rate_limit: Some(RateLimit {
            per_window,
            window,
            answer,
        }),
        good_keys: vec![KEY.into()],
        ..SeedOptions::default()
    })
    .await
}

/// `count` tenants `t00`… configured on the server and listed in an
/// instances file (the seed server has no instance list).
fn tenants(seed: &SeedServer, env: &Env, count: usize, extra: &str) -> Vec<String> {
    let ids: Vec<String> = (0..count).map(|i| format!("t{i:02}")).collect();
    for id in &ids {
        seed.insert(Some(id), "anthropic", "claude-sonnet-4-5", KEY);
    }
    let file = env.path().join("tenants.txt");
    std::fs::write(&file, ids.join("\n")).unwrap();
    config(
        env,
        &format!("[remote]\ninstances_file = \"{}\"\n{extra}", file.display()),
    );
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_all_over_50_scopes_behind_a_rate_limit_tests_every_scope() {
    let per_window = 25;
    let seed = throttled(per_window, Duration::from_secs(1)).await;
    let env = Env::new();
    let ids = tenants(&seed, &env, 50, "");
    let started = Instant::now();
    let out = run(&env, &seed.url, &["--json", "test", "--all"], "");
    let wall = started.elapsed();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["total"], 50, "{report}");
    assert_eq!(report["failed"], 0, "{report}");
    let tested = seed.tested();
    for id in &ids {
        assert_eq!(tested.get(&Some(id.clone())), Some(&1), "{id}: {tested:?}");
    }
    // The limit was really hit: the run waited, it did not just fit.
    assert!(seed.throttled() > 0);
    // The figure for docs/benchmarks.md: admitted requests need at least
    // ⌈n / per_window⌉ − 1 whole windows after the first.
    let admitted = seed.seen().len() - seed.throttled();
    let minimum = Duration::from_secs((admitted.div_ceil(per_window) - 1) as u64);
    eprintln!(
        "test --all over 50 scopes at {per_window}/s: {admitted} requests admitted, {} throttled, \
         wall {wall:.2?}, minimum {minimum:?}",
        seed.throttled()
    );
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_nestjs_default_limit_scaled_down_the_instance_list_is_built_whole() {
    let seed = throttled(10, Duration::from_secs(1)).await;
    let env = Env::new();
    let ids = tenants(&seed, &env, 20, "");
    let started = Instant::now();
    let out = run(&env, &seed.url, &["--json", "instances"], "");
    let wall = started.elapsed();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    // The control plane and every tenant, each with its configuration.
    assert_eq!(list.len(), 21, "{list:?}");
    for id in &ids {
        let entry = list
            .iter()
            .find(|e| e["instance_id"] == id.as_str())
            .unwrap_or_else(|| panic!("{id} skipped"));
        assert_eq!(entry["config"]["provider"], "anthropic", "{entry}");
    }
    assert!(seed.throttled() > 0);
    let admitted = seed.seen().len() - seed.throttled();
    let minimum = Duration::from_secs((admitted.div_ceil(10) - 1) as u64);
    eprintln!(
        "instances over 21 scopes at 10/s: {admitted} requests admitted, {} throttled, \
         wall {wall:.2?}, minimum {minimum:?}",
        seed.throttled()
    );
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_with_an_http_date_is_waited_out_too() {
    let seed = throttled_with(8, Duration::from_secs(1), Refusal::UnavailableUntilDate).await;
    let env = Env::new();
    let ids = tenants(&seed, &env, 8, "");
    let out = run(&env, &seed.url, &["--json", "test", "--all"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["total"], ids.len(), "{report}");
    assert_eq!(report["failed"], 0, "{report}");
    assert!(seed.throttled() > 0);
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_apply_behind_the_limit_changes_every_scope() {
    let seed = throttled(10, Duration::from_secs(1)).await;
    let env = Env::new();
    let ids = tenants(&seed, &env, 15, "");
    let mut file = String::from(
        "[defaults]\nprovider = \"anthropic\"\nmodel = \"claude-opus-4-1\"\nkeep_key = true\n",
    );
    for id in &ids {
        file.push_str(&format!("[instances.{id}]\n"));
    }
    std::fs::write(env.path().join("fleet.toml"), file).unwrap();
    let out = env
        .cmd()
        .current_dir(env.path())
        .env("LLMCFG_REMOTE", &seed.url)
        .env("LLMCFG_TOKEN", seed_server::ADMIN_TOKEN)
        .args(["apply", "-f", "fleet.toml", "--yes"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    for id in &ids {
        assert_eq!(seed.row(Some(id)).unwrap().model, "claude-opus-4-1", "{id}");
    }
    assert!(seed.throttled() > 0);
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_wait_budget_each_unreached_scope_is_named_never_unconfigured() {
    // Three requests per 30 s window; a wait of up to 30 s is more than the
    // 1 s allowed, so each throttled request fails at once.
    let seed = throttled(3, Duration::from_secs(30)).await;
    let env = Env::new();
    let ids = tenants(&seed, &env, 3, "throttle_wait_secs = 1\n");
    seed.insert(None, "anthropic", "claude-sonnet-4-5", KEY);
    let out = run(&env, &seed.url, &["--json", "test", "--all"], "");
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = report["results"].as_array().unwrap();
    // Every scope is in the report, each with why it was not tested.
    assert_eq!(results.len(), 4, "{report}");
    assert_eq!(report["failed"], 4, "{report}");
    for r in results {
        let e = r["error"].as_str().unwrap_or_else(|| panic!("{r}"));
        assert!(e.contains("rate limiting") && e.contains("HTTP 429"), "{e}");
        assert!(e.contains("throttle_wait_secs"), "{e}");
    }
    for id in &ids {
        assert!(
            results.iter().any(|r| r["instance_id"] == id.as_str()),
            "{id}"
        );
    }

    let seed = throttled(3, Duration::from_secs(30)).await;
    let env = Env::new();
    tenants(&seed, &env, 3, "throttle_wait_secs = 1\n");
    let out = run(&env, &seed.url, &["instances"], "");
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "{err}");
    assert!(err.contains("instance list is incomplete"), "{err}");
    assert!(err.contains("rate limiting"), "{err}");
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_throttle_wait_is_refused_when_the_config_loads() {
    let env = Env::new();
    config(&env, "[remote]\nthrottle_wait_secs = -1\n");
    let out = run(&env, "http://127.0.0.1:9", &["get"], "");
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(err.contains("remote.throttle_wait_secs"), "{err}");
    assert!(err.contains("above 0"), "{err}");
}
