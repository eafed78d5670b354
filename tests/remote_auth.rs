//! Remote auth the way control planes do it, through the real binary: a
//! session cookie and fixed extra headers, each read from an environment
//! variable or a command (never a flag), sent with every request including
//! the `/openapi.json` fetch that a gateway in front also guards.

mod cli_env;
mod seed_cli;
mod seed_server;

use cli_env::{Env, KEY, code, stderr, stdout};
use seed_cli::config;
use seed_server::{ADMIN_TOKEN, SeedOptions, SeedServer};

const COOKIE: &str = "s3cret-session-7Hq2Lx9Vb4";
const GATEWAY_KEY: &str = "gw-key-5Mn8Pz1Rt6";

fn run(
    env: &Env,
    url: &str,
    cookie: Option<&str>,
    args: &[&str],
    stdin: &str,
) -> std::process::Output {
    let mut cmd = env.cmd();
    cmd.env("LLMCFG_REMOTE", url)
        .env("LLMCFG_TOKEN", ADMIN_TOKEN)
        .env_remove("CP_SESSION");
    if let Some(c) = cookie {
        cmd.env("CP_SESSION", c);
    }
    cmd.args(args).write_stdin(stdin).output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookie_and_fixed_headers_go_with_every_request_the_openapi_fetch_too() {
    let seed = SeedServer::start(SeedOptions {
        openapi: true,
        auth_everywhere: true,
        cookie: Some(("session", COOKIE)),
        extra_header: Some(("x-gateway-key", GATEWAY_KEY)),
        ..SeedOptions::default()
    })
    .await;
    let env = Env::new();
    config(
        &env,
        &format!(
            "[remote.cookie]\nname = \"session\"\nenv = \"CP_SESSION\"\n\
             [remote.headers]\nX-Gateway-Key = {{ command = [\"printf\", \"{GATEWAY_KEY}\\\\n\"] }}\n"
        ),
    );
    let out = run(
        &env,
        &seed.url,
        Some(COOKIE),
        &[
            "-i",
            "acme",
            "create",
            "--provider",
            "anthropic",
            "--model",
            "claude-sonnet-4-5",
        ],
        &format!("{KEY}\n"),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run(
        &env,
        &seed.url,
        Some(COOKIE),
        &["-i", "acme", "--json", "get"],
        "",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let seen = seed.seen();
    assert!(
        seen.iter().any(|s| s.path == "/openapi.json"),
        "the OpenAPI document was not asked for: {seen:?}"
    );
    for s in &seen {
        assert!(
            s.headers.contains(&format!("cookie: session={COOKIE}")),
            "{} {} without the cookie",
            s.method,
            s.path
        );
        assert!(
            s.headers.contains(&format!("x-gateway-key: {GATEWAY_KEY}")),
            "{} {} without the header",
            s.method,
            s.path
        );
    }
    // The OpenAPI fetch was answered, not refused: only the seed routes
    // were asked for, no extension route learned one by one.
    assert!(
        seen.iter()
            .all(|s| !s.path.contains("/llm-config/providers")),
        "{seen:?}"
    );
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_secret_is_named_by_its_source_and_no_secret_is_shown() {
    let seed = SeedServer::start(SeedOptions {
        cookie: Some(("session", COOKIE)),
        ..SeedOptions::default()
    })
    .await;
    let env = Env::new();
    config(
        &env,
        "[remote.cookie]\nname = \"session\"\nenv = \"CP_SESSION\"\n",
    );
    let out = run(&env, &seed.url, None, &["get"], "");
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(err.contains("[remote.cookie] session"), "{err}");
    assert!(err.contains("CP_SESSION is not set"), "{err}");
    assert!(seed.seen().is_empty(), "sent without the cookie");
    // A wrong cookie is the server's 401 (exit 6), and the value sent is
    // never shown.
    let out = run(
        &env,
        &seed.url,
        Some("wrong-cookie-value-123"),
        &["get"],
        "",
    );
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    for text in [stderr(&out), stdout(&out)] {
        assert!(!text.contains("wrong-cookie-value-123"), "{text}");
        assert!(!text.contains(ADMIN_TOKEN), "{text}");
    }
    seed.stop().await;
}
