//! `llmcfg` run in a clean home against the TLS server: killed past a
//! generous bound so a statement stuck on a lock cannot hang the suite, and
//! its output and every file it wrote scanned for the password, the master
//! key and the API key.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use super::file_tree::files_under;
use super::{KEY, MASTER_HEX, PASSWORD};
use crate::llmcfg_process::{llmcfg_command, spawn_with_stdin};

/// `llmcfg ARGS` in a clean home on `store_url` (none: from config.toml).
pub fn llmcfg(home: &Path, store_url: Option<&str>, args: &[&str], stdin: &str) -> Output {
    let mut c = llmcfg_command(home, MASTER_HEX);
    c.env("USER", "tester").env("LLMCFG_LOG", "trace");
    if let Some(u) = store_url {
        c.env("LLMCFG_STORE", u);
    }
    let child = spawn_with_stdin(c.args(args), stdin);
    // A statement stuck on a lock must not hang the suite: past a generous
    // bound the child is killed, and its missing exit code fails the test.
    let pid = child.id() as i32;
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if finished.recv_timeout(Duration::from_secs(120)).is_err() {
            // SAFETY: kill(2) on our own child's pid, which is not yet
            // reaped (wait_with_output below still holds it).
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    });
    let out = child.wait_with_output().unwrap();
    let _ = done.send(());
    watchdog.join().unwrap();
    assert_no_secret(home, &out);
    out
}

/// Neither the password, the master key nor the API key in the output or
/// in any file llmcfg wrote (its log included).
pub fn assert_no_secret(home: &Path, out: &Output) {
    let mut texts = vec![
        ("stdout".to_string(), out.stdout.clone()),
        ("stderr".to_string(), out.stderr.clone()),
    ];
    for path in files_under(home) {
        if !path.ends_with("config.toml") {
            texts.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    for (name, bytes) in texts {
        let text = String::from_utf8_lossy(&bytes);
        for secret in [PASSWORD, MASTER_HEX, &KEY[14..]] {
            assert!(!text.contains(secret), "a secret in {name}: {text}");
        }
    }
}

pub fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `config.toml` in `home`, its directory created.
pub fn config_file(home: &Path) -> PathBuf {
    let config = home.join("config/llmcfg/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    config
}

/// Creates a config and reads it back: the store works end to end.
pub fn create_and_get(home: &Path, store_url: Option<&str>) {
    let out = llmcfg(
        home,
        store_url,
        &[
            "create",
            "--provider",
            "anthropic",
            "--model",
            "claude-sonnet-4-5",
        ],
        &format!("{KEY}\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = llmcfg(home, store_url, &["--json", "get"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(view["model"], "claude-sonnet-4-5");
}
