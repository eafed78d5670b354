//! CLI conventions through the real binary: a closed pipe ends
//! quietly, completions and a man page come from the clap definitions,
//! `token revoke` of an unknown name exits 3, `models` in local mode never
//! says "remote server error", and the files llmcfg creates (store, log,
//! rotated logs) are private to the user, and the terminal UI started
//! without a terminal says so instead of failing on the device, and
//! `--help` names the secret-bearing variables without their values.

mod cli_env;

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use cli_env::{Env, KEY2, code, files_named_from, stderr, stdout};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let env = Env::new();
    env.create(Some("acme"), "openai", "gpt-4o", KEY2);
    for args in [
        &["instances"][..],
        &["providers"],
        &["--json", "instances"],
        &["man"],
    ] {
        // The reader is gone before llmcfg writes its first byte, as with
        // `llmcfg instances | head -0`; deterministic, unlike racing `head`.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = env
            .std_cmd(env!("CARGO_BIN_EXE_llmcfg"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        let quiet = out.status.success() || out.status.signal() == Some(libc::SIGPIPE);
        assert!(quiet, "{args:?}: {:?} {err}", out.status);
    }
}

#[test]
fn completions_for_every_shell_come_from_the_clap_definitions() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = env.run(&["completions", shell], "");
        assert_eq!(code(&out), 0, "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for word in [
            "llmcfg",
            "instances",
            "master-key",
            "completions",
            "api-key-stdin",
        ] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
    }
    let out = env.run(&["completions", "tcsh"], "");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn the_man_page_is_generated_roff() {
    let env = Env::new();
    let out = env.run(&["man"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let page = stdout(&out);
    assert!(
        page.contains(".TH llmcfg 1"),
        "{}",
        &page[..page.len().min(300)]
    );
    for word in ["completions", "master\\-key", "serve", "\\-\\-instance"] {
        let plain = word.replace('\\', "");
        assert!(
            page.contains(word) || page.contains(&plain),
            "man page lacks {plain}"
        );
    }
}

#[test]
fn revoking_an_unknown_token_exits_3() {
    let env = Env::new();
    let out = env.run(&["token", "revoke", "nobody"], "");
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("nobody"), "{}", stderr(&out));
    let out = env.run(&["token", "create", "--name", "ci"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = env.run(&["token", "revoke", "ci"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = env.run(&["token", "revoke", "ci"], "");
    assert_eq!(code(&out), 3, "revoked twice: {}", stderr(&out));
}

#[test]
fn models_errors_in_local_mode_do_not_blame_a_remote_server() {
    let env = Env::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base_url = format!("http://127.0.0.1:{port}/v1");
    env.create_at(None, "openai-compatible", "m", &base_url, KEY2);
    let out = env.run(&["models"], "");
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains("remote server error"), "{err}");
    assert!(
        err.contains("could not list models") && err.contains("unreachable"),
        "{err}"
    );
}

#[test]
fn store_and_log_files_are_created_private() {
    let env = Env::new();
    env.create(None, "openai", "gpt-4o", KEY2);
    let files = env.store_files();
    assert!(!files.is_empty());
    for f in files {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    assert_eq!(mode(env.store().parent().unwrap()), 0o700);
    assert_eq!(mode(&env.log_file()), 0o600);
}

#[test]
fn the_log_rotates_by_size_and_keeps_five_files() {
    let env = Env::new();
    env.create(None, "openai", "gpt-4o", KEY2);
    for _ in 0..12 {
        let out = env
            .cmd()
            .env("LLMCFG_LOG_ROTATE_BYTES", "2048")
            .args(["--json", "instances"])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let dir = env.log_file().parent().unwrap().to_path_buf();
    let rotated = files_named_from(&dir, "llmcfg.log.");
    assert!(!rotated.is_empty(), "no rotation in {}", dir.display());
    assert!(rotated.len() <= 5, "{rotated:?}");
    for f in rotated.iter().chain([&env.log_file()]) {
        assert_eq!(mode(f), 0o600, "{}", f.display());
        let len = std::fs::metadata(f).unwrap().len();
        // BytesSurpassed: a file ends with the first line past the limit.
        assert!(len < 2048 + 64 * 1024, "{} is {len} bytes", f.display());
    }
}

#[test]
fn the_tui_without_a_terminal_says_it_needs_one_and_exits_2() {
    let env = Env::new();
    // No subcommand, stdin and stdout pipes: as from a script or CI.
    let out = env.run(&[], "");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("needs a terminal"), "{err}");
    assert!(err.contains("llmcfg --help"), "{err}");
    assert!(!err.contains("os error"), "{err}");
}

#[test]
fn help_shows_no_value_of_a_secret_bearing_variable() {
    let env = Env::new();
    for args in [&["--help"][..], &["get", "--help"], &["plan", "--help"]] {
        let out = env
            .cmd()
            .env("LLMCFG_REMOTE", "https://ops:hunter2-remote@cp.example.com")
            .env(
                "LLMCFG_STORE",
                "postgres://u:hunter2-store@db.example.com/x",
            )
            .env("LLMCFG_MASTER_KEY_FILE", "/run/secrets/hunter2-keyfile")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        // The variables are named, their values never shown.
        assert!(text.contains("LLMCFG_REMOTE"), "{args:?}: {text}");
        assert!(!text.contains("hunter2"), "{args:?}: {text}");
    }
}
