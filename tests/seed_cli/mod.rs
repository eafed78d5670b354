//! Helpers of the CLI tests against the seed-only server: run the real
//! binary in remote mode with the superadmin token, write a config.toml, and
//! scan outputs and files for any 8-byte window of a key.
#![allow(dead_code)]

use std::process::Output;

#[path = "../support/file_tree.rs"]
mod file_tree;

use file_tree::files_under;

use crate::cli_env::{Env, contains_key_fragment, stderr, stdout};
use crate::seed_server::ADMIN_TOKEN;

/// Runs `llmcfg ARGS` against `url` with the superadmin token.
pub fn run(env: &Env, url: &str, args: &[&str], stdin: &str) -> Output {
    run_with(env, url, ADMIN_TOKEN, args, stdin)
}

pub fn run_with(env: &Env, url: &str, token: &str, args: &[&str], stdin: &str) -> Output {
    env.cmd()
        .env("LLMCFG_REMOTE", url)
        .env("LLMCFG_TOKEN", token)
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap()
}

pub fn config(env: &Env, text: &str) {
    let dir = env.path().join("config").join("llmcfg");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

/// Asserts no file llmcfg wrote (config, state, cache, log) holds `key`.
pub fn assert_no_key_in_files(env: &Env, key: &str) {
    for path in files_under(env.path()) {
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !contains_key_fragment(&bytes, key),
            "{} holds the key",
            path.display()
        );
    }
}

/// Asserts neither output nor the log holds any 8-byte window of `key`.
pub fn assert_no_key(env: &Env, out: &Output, key: &str) {
    assert!(
        !contains_key_fragment(&out.stdout, key),
        "stdout: {}",
        stdout(out)
    );
    assert!(
        !contains_key_fragment(&out.stderr, key),
        "stderr: {}",
        stderr(out)
    );
    if let Ok(log) = std::fs::read(env.log_file()) {
        assert!(!contains_key_fragment(&log, key), "the log holds the key");
    }
}

pub fn create(env: &Env, url: &str, instance: Option<&str>, key: &str) -> Output {
    let mut args = vec!["--json"];
    if let Some(i) = instance {
        args.extend(["-i", i]);
    }
    args.extend([
        "create",
        "--provider",
        "anthropic",
        "--model",
        "claude-sonnet-4-5",
    ]);
    run(env, url, &args, &format!("  {key}  \n"))
}
