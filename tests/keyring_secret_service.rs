//! The OS keyring on a Linux desktop, against a real
//! `gnome-keyring-daemon` on a private session bus (`dbus-run-session`):
//! the master key and the remote token go to the Secret Service and no key
//! or token file is written; without a Secret Service on the bus, llmcfg
//! falls back to the 0600 key file and says why. Needs Debian's
//! `gnome-keyring` and `dbus` packages, so the suite is behind the opt-in
//! `LLMCFG_TEST_KEYRING=1` (build.rs; `.ci/run` installs them and sets it):
//! without it the tests are reported as ignored, naming the variable.

mod cli_env;
#[path = "support/file_tree.rs"]
mod file_tree;
#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output, Stdio};

use cli_env::{Env, KEY2, code, stderr, stdout};
use file_tree::files_under;
use llmcfg_process::ServeChild;

fn require(tool: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{tool} is missing: install Debian's gnome-keyring and dbus packages (.ci/run does)"
    );
}

/// What answers on the session bus.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bus {
    /// A gnome-keyring, unlocked.
    Unlocked,
    /// Whatever D-Bus activates on demand: gnome-keyring, locked, with no
    /// way to prompt for its password.
    Activated,
    /// A bus that can activate nothing: no Secret Service at all.
    Bare,
}

/// A session-bus configuration with no service directories.
const BARE_BUS: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

/// Runs `script` (sh) inside a fresh session bus as `bus` says, in `env`'s
/// isolated environment.
fn in_session(env: &Env, bus: Bus, script: &str) -> Output {
    require("dbus-run-session");
    require("gnome-keyring-daemon");
    let start = if bus == Bus::Unlocked {
        // An empty login keyring unlocked with a throwaway password, so no
        // prompt is ever needed.
        "printf ci | gnome-keyring-daemon --unlock --components=secrets --replace >/dev/null 2>&1 &\n\
         i=0; until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
         org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true' \
         || [ $i -ge 100 ]; do sleep 0.1; i=$((i+1)); done\n"
    } else {
        ""
    };
    let llmcfg = env!("CARGO_BIN_EXE_llmcfg");
    let mut args = Vec::new();
    if bus == Bus::Bare {
        let config = env.path().join("bare-bus.conf");
        std::fs::write(&config, BARE_BUS).unwrap();
        args.push(format!("--config-file={}", config.display()));
    }
    args.extend(["--", "sh", "-ec"].map(String::from));
    args.push(format!("{start}LLMCFG={llmcfg}\n{script}"));
    env.std_cmd("dbus-run-session")
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn create_script() -> String {
    format!(
        "printf '%s\\n' {KEY2} | $LLMCFG create --provider openai --model gpt-4o\n\
         $LLMCFG --json get\n"
    )
}

#[test]
#[cfg_attr(
    not(llmcfg_test_keyring),
    ignore = "needs gnome-keyring and dbus: set LLMCFG_TEST_KEYRING=1 (docs/src/testing.md)"
)]
fn the_master_key_lives_in_the_secret_service_when_one_answers() {
    let env = Env::new();
    let out = in_session(&env, Bus::Unlocked, &create_script());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("OS keyring entry master-key"), "{err}");
    assert!(
        stdout(&out).contains("\"provider\": \"openai\""),
        "{}",
        stdout(&out)
    );
    let key_file = env.store().parent().unwrap().join("master.key");
    assert!(
        !key_file.exists(),
        "a key file was written beside the keyring"
    );
    assert!(!err.contains("no OS keyring"), "{err}");
}

#[test]
#[cfg_attr(
    not(llmcfg_test_keyring),
    ignore = "needs gnome-keyring and dbus: set LLMCFG_TEST_KEYRING=1 (docs/src/testing.md)"
)]
fn without_a_usable_secret_service_the_key_file_is_used_and_the_reason_shown() {
    for (bus, why) in [
        (Bus::Bare, "no OS keyring: no Secret Service answered"),
        (
            Bus::Activated,
            "no OS keyring: the keyring refused the entry",
        ),
    ] {
        let env = Env::new();
        let out = in_session(&env, bus, &create_script());
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(why), "{err}");
        let key_file = env.store().parent().unwrap().join("master.key");
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // The store opens again with the file.
        let out = in_session(&env, bus, "$LLMCFG --json get\n");
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
}

#[test]
#[cfg_attr(
    not(llmcfg_test_keyring),
    ignore = "needs gnome-keyring and dbus: set LLMCFG_TEST_KEYRING=1 (docs/src/testing.md)"
)]
fn the_remote_token_lives_in_the_secret_service_when_one_answers() {
    // The server runs outside the session, over its own store.
    let server_env = Env::new();
    let master = "2".repeat(64);
    let mut token_cmd = server_env.std_cmd(env!("CARGO_BIN_EXE_llmcfg"));
    let token = token_cmd
        .env("LLMCFG_MASTER_KEY", &master)
        .args(["token", "create", "--name", "desk"])
        .output()
        .unwrap();
    assert_eq!(code(&token), 0, "{}", stderr(&token));
    let token = stdout(&token).trim().to_string();
    let mut serve = server_env.std_cmd(env!("CARGO_BIN_EXE_llmcfg"));
    serve.env("LLMCFG_MASTER_KEY", &master);
    let server = ServeChild::spawn(serve);
    let url = server.url.clone();

    let env = Env::new();
    let script = format!(
        "printf '%s\\n' {token} | $LLMCFG login --remote {url}\n\
         $LLMCFG --remote {url} --json instances >/dev/null && echo REMOTE-OK\n"
    );
    let out = in_session(&env, Bus::Unlocked, &script);
    drop(server);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("the token is in the OS keyring"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("REMOTE-OK"), "{}", stdout(&out));
    let tokens = env.path().join("config").join("llmcfg").join("tokens");
    assert!(
        !tokens.exists(),
        "a token file was written beside the keyring"
    );
    // Nothing of the token in the session's files but the keyring's own
    // encrypted store.
    for entry in files_under(env.path()) {
        if entry.to_string_lossy().contains("keyrings") {
            continue;
        }
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&token),
            "token in {}",
            entry.display()
        );
    }
}
