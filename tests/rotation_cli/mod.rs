//! What the CLI tests of `rotate-key` and `rollback` share: creating a
//! scope through the binary, running it off the async runtime, and reading
//! its `--json` report.

use std::process::Output;
use std::sync::Arc;

use super::cli_env::{Env, stderr, stdout};

/// Creates the OpenAI config of `id` through the binary, `key` on stdin.
pub fn create(env: &Env, id: &str, model: &str, base_url: &str, key: &str) {
    env.create_at(Some(id), "openai", model, base_url, key);
}

/// Runs the binary with `args` and `stdin` on a blocking thread, so the
/// fake provider on this runtime keeps answering.
pub async fn run(env: &Arc<Env>, args: &[&str], stdin: &str) -> Output {
    let (env, stdin) = (env.clone(), stdin.to_string());
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        env.run(&args, &stdin)
    })
    .await
    .unwrap()
}

/// The run's stdout as JSON.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(out), stderr(out)))
}
