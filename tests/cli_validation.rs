//! Every validation rule of design §2, through the real binary: exit code 2
//! and a message that names the field and the rule; nothing is written.

mod cli_env;

use cli_env::{Env, KEY, code, stderr};

/// Runs a create expecting a rejection; returns stderr.
fn rejected(env: &Env, args: &[&str], key_env: Option<&str>, stdin: &str) -> String {
    let mut cmd = env.cmd();
    cmd.args(args);
    if let Some(k) = key_env {
        cmd.env("TEST_KEY", k);
    }
    let out = cmd.write_stdin(stdin).output().unwrap();
    assert_eq!(
        code(&out),
        2,
        "{args:?} should be rejected: {}",
        stderr(&out)
    );
    let err = stderr(&out);
    let errors: Vec<_> = err
        .lines()
        .filter(|l| l.starts_with("llmcfg: error:"))
        .collect();
    assert_eq!(errors.len(), 1, "one clear error line: {err}");
    assert_eq!(
        err.lines().filter(|l| !l.starts_with("llmcfg: ")).count(),
        0,
        "{err}"
    );
    errors[0].to_string()
}

fn create_args<'a>(provider: &'a str, model: &'a str) -> Vec<&'a str> {
    vec![
        "create",
        "--provider",
        provider,
        "--model",
        model,
        "--api-key-env",
        "TEST_KEY",
    ]
}

#[test]
fn api_key_rules() {
    let env = Env::new();
    let args = create_args("openai", "gpt-4o");
    for (key, rule) in [
        ("", "api_key: must not be empty"),
        ("   \t ", "api_key: must not be empty"),
        (
            "sk-abc\r\nX-Evil: 1",
            "api_key: must not contain control characters",
        ),
        (
            "sk-abc\u{7}def",
            "api_key: must not contain control characters",
        ),
    ] {
        let err = rejected(&env, &args, Some(key), "");
        assert!(err.contains(rule), "{key:?}: {err}");
    }
    let long = "k".repeat(4097);
    let err = rejected(&env, &args, Some(&long), "");
    assert!(
        err.contains("api_key: must be at most 4096 characters"),
        "{err}"
    );
    // A missing variable names it.
    let err = rejected(
        &env,
        &[
            "create",
            "--provider",
            "openai",
            "--model",
            "m",
            "--api-key-env",
            "NOPE_UNSET",
        ],
        None,
        "",
    );
    assert!(err.contains("NOPE_UNSET"), "{err}");
    // Empty first line of stdin.
    let err = rejected(
        &env,
        &["create", "--provider", "openai", "--model", "m"],
        None,
        "\n",
    );
    assert!(err.contains("api_key: must not be empty"), "{err}");
    assert_eq!(env.get_json(None), serde_json::Value::Null);
}

#[test]
fn model_rules() {
    let env = Env::new();
    let long = "m".repeat(257);
    for (model, rule) in [
        ("", "model: must not be empty"),
        ("   ", "model: must not be empty"),
        (long.as_str(), "model: must be at most 256 characters"),
        (
            "gpt\u{1b}[31m",
            "model: must not contain control characters",
        ),
    ] {
        let err = rejected(&env, &create_args("openai", model), Some(KEY), "");
        assert!(err.contains(rule), "{model:?}: {err}");
    }
}

#[test]
fn provider_rules() {
    let env = Env::new();
    let err = rejected(&env, &create_args("acme-llm", "m"), Some(KEY), "");
    assert!(
        err.contains("provider: unknown provider \"acme-llm\""),
        "{err}"
    );
    assert!(err.contains("anthropic"), "lists the catalog: {err}");
    let err = rejected(&env, &create_args("", "m"), Some(KEY), "");
    assert!(err.contains("provider: must not be empty"), "{err}");
}

#[test]
fn instance_id_rules() {
    let env = Env::new();
    let long = "x".repeat(129);
    for (id, rule) in [
        ("", "instance_id: must not be empty"),
        ("  ", "instance_id: must not be empty"),
        ("-rf", "instance_id: must not start with '.' or '-'"),
        (".hidden", "instance_id: must not start with '.' or '-'"),
        ("acme corp", "instance_id: may contain only"),
        ("../etc", "instance_id: may contain only"),
        (long.as_str(), "instance_id: must be at most 128 characters"),
    ] {
        let flag = format!("--instance={id}");
        let mut args = vec![flag.as_str()];
        args.extend(create_args("openai", "m"));
        let err = rejected(&env, &args, Some(KEY), "");
        assert!(err.contains(rule), "{id:?}: {err}");
    }
    let err = rejected(&env, &["instances", "add", "a/b"], None, "");
    assert!(err.contains("instance_id: may contain only"), "{err}");
}

#[test]
fn base_url_rules() {
    let env = Env::new();
    for (url, rule) in [
        (
            "http://gateway.example.com/v1",
            "base_url: must use https (http is allowed only for a loopback host)",
        ),
        ("ftp://example.com", "base_url: must use https, not ftp"),
        (
            "https://user:pw@example.com",
            "base_url: must not contain a user name or password",
        ),
        (
            "https://example.com/v1?key=abc",
            "base_url: must not contain a query string",
        ),
        (
            "https://example.com/v1#frag",
            "base_url: must not contain a fragment",
        ),
        ("not a url", "base_url: is not a valid absolute URL"),
    ] {
        let mut args = create_args("openai", "m");
        args.extend(["--base-url", url]);
        let err = rejected(&env, &args, Some(KEY), "");
        assert!(err.contains(rule), "{url:?}: {err}");
    }
    let err = rejected(
        &env,
        &create_args("azure-openai", "my-deployment"),
        Some(KEY),
        "",
    );
    assert!(
        err.contains("base_url: is required for provider azure-openai"),
        "{err}"
    );
    // Loopback http is fine (local gateways, Ollama).
    let mut args = create_args("ollama", "llama3.2");
    args.extend(["--base-url", "http://127.0.0.1:11434"]);
    let out = env
        .cmd()
        .args(&args)
        .env("TEST_KEY", "none")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn update_with_nothing_to_change_is_refused() {
    let env = Env::new();
    env.create(None, "openai", "gpt-4o", KEY);
    let err = rejected(&env, &["update"], None, "");
    assert!(err.contains("nothing to update"), "{err}");
}

#[test]
fn bad_config_file_is_reported_with_the_key_name() {
    let env = Env::new();
    let cfg = env.path().join("bad.toml");
    std::fs::write(&cfg, "[prober]\ntotal_timeout = 3\n").unwrap();
    let err = rejected(&env, &["--config", cfg.to_str().unwrap(), "get"], None, "");
    assert!(err.contains("total_timeout"), "{err}");
}

#[test]
fn a_probe_timeout_of_zero_is_refused_naming_the_key() {
    // It used to be dropped in silence, leaving the default timeout in force.
    let env = Env::new();
    let cfg = env.path().join("zero.toml");
    std::fs::write(&cfg, "[prober]\nconnect_timeout_secs = 0\n").unwrap();
    let err = rejected(&env, &["--config", cfg.to_str().unwrap(), "get"], None, "");
    assert!(
        err.contains("prober.connect_timeout_secs: must be a number of seconds above 0"),
        "{err}"
    );
    assert!(err.contains("zero.toml"), "the file is named: {err}");
}

#[test]
fn a_probe_concurrency_of_zero_is_refused_naming_the_key_not_the_flag() {
    // It used to pass the load and then be reported as `--concurrency`, a
    // flag the user never gave.
    let env = Env::new();
    let cfg = env.path().join("zero.toml");
    std::fs::write(&cfg, "[prober]\nconcurrency = 0\n").unwrap();
    let err = rejected(
        &env,
        &["--config", cfg.to_str().unwrap(), "test", "--all"],
        None,
        "",
    );
    assert!(
        err.contains("prober.concurrency: must be at least 1"),
        "{err}"
    );
    assert!(!err.contains("--concurrency"), "{err}");
}
