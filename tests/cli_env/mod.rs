//! Shared helpers for tests that drive the real `llmcfg` binary: an isolated
//! environment (temp XDG dirs, temp store, trace logging) and small parsers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// A key whose every 8-char window is distinctive, so a scan for fragments
/// cannot be fooled by ordinary text.
pub const KEY: &str = "sk-ant-api03-Zq8vN2xKp4Lm7Rt1Yw9Bc3Df6Gh0Jk5QsUe";
/// A second key.
pub const KEY2: &str = "sk-proj-Hy7Tn3Mw8Qa2Vz5Xc1Lp6Rk9Bd4Fg0JsWu";

/// An isolated llmcfg environment in a temp dir.
pub struct Env {
    pub dir: TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn store(&self) -> PathBuf {
        self.path().join("data").join("llmcfg.db")
    }

    pub fn log_file(&self) -> PathBuf {
        self.path().join("state").join("llmcfg").join("llmcfg.log")
    }

    /// `program` with this environment (a clean env, temp XDG dirs, temp store).
    pub fn std_cmd(&self, program: &str) -> std::process::Command {
        let mut c = std::process::Command::new(program);
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("USER", "tester")
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("xdgdata"))
            .env("XDG_STATE_HOME", self.path().join("state"))
            .env("LLMCFG_STORE", self.store())
            .env("LLMCFG_LOG", "trace");
        c
    }

    /// `llmcfg` with this environment.
    pub fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd(env!("CARGO_BIN_EXE_llmcfg")))
    }

    /// Runs `llmcfg ARGS` with `stdin`.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        self.cmd().args(args).write_stdin(stdin).output().unwrap()
    }

    /// Creates a config for `instance` (None = control plane); asserts success.
    pub fn create(&self, instance: Option<&str>, provider: &str, model: &str, key: &str) {
        self.create_with(instance, &["--provider", provider, "--model", model], key);
    }

    /// Creates a config for `instance` (None = control plane) that calls
    /// the provider at `base_url`; asserts success.
    pub fn create_at(
        &self,
        instance: Option<&str>,
        provider: &str,
        model: &str,
        base_url: &str,
        key: &str,
    ) {
        let fields = [
            "--provider",
            provider,
            "--model",
            model,
            "--base-url",
            base_url,
        ];
        self.create_with(instance, &fields, key);
    }

    /// `create` with `fields`, the key typed on stdin; asserts success.
    fn create_with(&self, instance: Option<&str>, fields: &[&str], key: &str) {
        let mut args = vec![];
        if let Some(i) = instance {
            args.extend(["-i", i]);
        }
        args.push("create");
        args.extend(fields);
        let out = self.run(&args, &format!("{key}\n"));
        assert_eq!(code(&out), 0, "create failed: {}", stderr(&out));
    }

    /// `get --json` of a scope, parsed.
    pub fn get_json(&self, instance: Option<&str>) -> serde_json::Value {
        let mut args = vec![];
        if let Some(i) = instance {
            args.extend(["-i", i]);
        }
        args.extend(["--json", "get"]);
        let out = self.run(&args, "");
        assert_eq!(code(&out), 0, "get failed: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Every file of the store: the database, its WAL, shared memory and journal.
    pub fn store_files(&self) -> Vec<PathBuf> {
        files_named_from(self.store().parent().unwrap(), "llmcfg.db")
    }
}

/// The files in `dir` whose name starts with `prefix`.
pub fn files_named_from(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect()
}

pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// True when `haystack` contains `key` or any 8-byte window of it.
pub fn contains_key_fragment(haystack: &[u8], key: &str) -> bool {
    key_fragment_in(haystack, key).is_some()
}

/// The first 8-byte window of the secret part of `key` (after the public
/// prefix that masks show on purpose, like `sk-proj-`) found in `haystack`.
pub fn key_fragment_in(haystack: &[u8], key: &str) -> Option<String> {
    let secret = llmcfg::domain::mask::KNOWN_PREFIXES
        .iter()
        .filter(|p| key.starts_with(**p))
        .map(|p| &key[p.len()..])
        .min_by_key(|s| s.len())
        .unwrap_or(key);
    secret
        .as_bytes()
        .windows(8)
        .find(|w| haystack.windows(w.len()).any(|h| h == *w))
        .map(|w| String::from_utf8_lossy(w).into_owned())
}
