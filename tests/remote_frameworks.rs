//! Remote mode against control planes written in each common framework
//! (FastAPI, NestJS, RFC 9457, Spring Boot, Laravel, Rails, Django REST,
//! `{"error": …}` text and object), through the real binary: what the
//! superadmin sees and the exit code, which follows the status whatever the
//! body's shape. A scope's 404 is "no configuration"; only a router's 404
//! with `GET /llm-config/` missing too is a wrong URL.

mod cli_env;
mod seed_cli;
mod seed_server;

use cli_env::{Env, KEY, code, stderr};
use seed_cli::{assert_no_key, create, run};
use seed_server::{SeedOptions, SeedServer, Style};

const STYLES: [Style; 9] = [
    Style::FastApi,
    Style::NestJs,
    Style::Problem,
    Style::Spring,
    Style::Laravel,
    Style::Rails,
    Style::Drf,
    Style::ErrorText,
    Style::ErrorObject,
];

async fn server(style: Style, prefix: &'static str) -> SeedServer {
    SeedServer::start(SeedOptions {
        style,
        prefix,
        ..SeedOptions::default()
    })
    .await
}

/// The product's two rules as each style words them.
fn rule_texts(style: Style) -> Vec<&'static str> {
    match style {
        Style::FastApi => vec![
            "Input should be 'openai', 'anthropic', 'gemini', 'groq', 'acme-llm'",
            "String should have between 1 and 100 characters",
        ],
        // The OpenAI-style error object names one field only.
        Style::ErrorObject => {
            vec!["must be one of the following values: openai, anthropic, gemini, groq, acme-llm"]
        }
        _ => vec![
            "must be one of the following values: openai, anthropic, gemini, groq, acme-llm",
            "must be shorter than or equal to 100 characters",
        ],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_errors_of_every_framework_show_each_message_in_full_with_exit_2() {
    let long_model = "m".repeat(150);
    for style in STYLES {
        let seed = server(style, "").await;
        let env = Env::new();
        let out = run(
            &env,
            &seed.url,
            &["create", "--provider", "mistral-x", "--model", &long_model],
            &format!("{KEY}\n"),
        );
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{style:?}: {err}");
        for text in rule_texts(style) {
            assert!(err.contains(text), "{style:?}: {text:?} missing from {err}");
        }
        // Text, not the raw body.
        assert!(!err.contains("{\""), "{style:?}: {err}");
        assert!(err.contains("provider"), "{style:?}: {err}");
        assert_no_key(&env, &out, KEY);
        seed.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scopes_404_is_no_configuration_in_every_framework() {
    for style in STYLES {
        let seed = server(style, "/api/v1").await;
        let env = Env::new();
        // The NestJS report: test on an empty scope, and a second delete.
        let out = run(&env, &seed.url, &["-i", "globex", "test"], "");
        let err = stderr(&out);
        assert_eq!(code(&out), 3, "{style:?}: {err}");
        assert!(
            err.contains("no LLM configuration for the tenant: globex"),
            "{style:?}: {err}"
        );
        assert!(!err.contains("check the remote URL"), "{style:?}: {err}");

        assert_eq!(
            code(&create(&env, &seed.url, Some("globex"), KEY)),
            0,
            "{style:?}"
        );
        let out = run(&env, &seed.url, &["-i", "globex", "get"], "");
        assert_eq!(code(&out), 0, "{style:?}: {}", stderr(&out));
        // A second create is a conflict: exit 4 whatever the body.
        let out = create(&env, &seed.url, Some("globex"), KEY);
        assert_eq!(code(&out), 4, "{style:?}: {}", stderr(&out));
        let out = run(&env, &seed.url, &["-i", "globex", "delete", "--yes"], "");
        assert_eq!(code(&out), 0, "{style:?}: {}", stderr(&out));
        let out = run(&env, &seed.url, &["-i", "globex", "delete", "--yes"], "");
        let err = stderr(&out);
        assert_eq!(code(&out), 3, "{style:?}: {err}");
        assert!(
            err.contains("no LLM configuration for the tenant: globex"),
            "{style:?}: {err}"
        );
        // An empty scope reads as "none", not as an error.
        let out = run(&env, &seed.url, &["-i", "globex", "--json", "get"], "");
        assert_eq!(code(&out), 0, "{style:?}: {}", stderr(&out));
        assert_eq!(cli_env::stdout(&out).trim(), "null", "{style:?}");
        seed.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_url_is_named_only_when_the_router_shows_the_routes_missing() {
    for style in STYLES {
        // The API hangs off /api/v1; the URL given lacks the prefix.
        let seed = server(style, "/api/v1").await;
        let wrong = seed.url.trim_end_matches("/api/v1").to_string();
        let env = Env::new();
        for args in [
            vec!["-i", "globex", "test"],
            vec!["get"],
            vec!["delete", "--yes"],
        ] {
            let out = run(&env, &wrong, &args, "");
            let err = stderr(&out);
            assert_eq!(code(&out), 1, "{style:?} {args:?}: {err}");
            assert!(
                err.contains("check the remote URL"),
                "{style:?} {args:?}: {err}"
            );
        }
        seed.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_exit_6_with_the_servers_words_in_every_framework() {
    for style in STYLES {
        let seed = server(style, "").await;
        let env = Env::new();
        let out = seed_cli::run_with(&env, &seed.url, seed_server::VIEWER_TOKEN, &["get"], "");
        let err = stderr(&out);
        assert_eq!(code(&out), 6, "{style:?}: {err}");
        assert!(
            err.contains("Superadmin access required"),
            "{style:?}: {err}"
        );
        // The words, not the raw body.
        assert!(!err.contains("{\""), "{style:?}: {err}");
        seed.stop().await;
    }
}
