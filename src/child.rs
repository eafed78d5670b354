//! The one way llmcfg starts a program the operator named: the monitor's
//! `[monitor] command` hook, a fleet file's `api_key_command` and
//! `[remote] instances_command`.
//!
//! Such a program runs with our environment minus every `LLMCFG_*`
//! variable except the few that hold no secret: the master key, the remote
//! token, a remote URL or PostgreSQL URL that may carry a password, and the
//! path of the master-key file are ours, and a hook that posts to Slack has
//! no use for them. The rule is an allow-list, so a variable added later is
//! withheld until someone decides it is harmless.

use std::ffi::OsStr;

/// The `LLMCFG_*` variables a child keeps: where the configuration is and
/// how to log, nothing that opens the store or reaches the remote.
pub const INHERITED_LLMCFG_VARS: &[&str] = &["LLMCFG_CONFIG", "LLMCFG_LOG"];

/// `program`, to be run with the environment of this process minus every
/// `LLMCFG_*` variable not in [`INHERITED_LLMCFG_VARS`].
pub fn command(program: impl AsRef<OsStr>) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(program);
    for (name, _) in std::env::vars_os() {
        if withheld(&name) {
            cmd.env_remove(&name);
        }
    }
    cmd
}

/// True for a variable a child must not see.
fn withheld(name: &OsStr) -> bool {
    let Some(name) = name.to_str() else {
        // Not UTF-8, so not one of ours by name; but compare bytes to be sure.
        return name.as_encoded_bytes().starts_with(b"LLMCFG_");
    };
    name.starts_with("LLMCFG_") && !INHERITED_LLMCFG_VARS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_withheld_and_the_harmless_few_kept() {
        for secret in [
            "LLMCFG_MASTER_KEY",
            "LLMCFG_MASTER_KEY_FILE",
            "LLMCFG_TOKEN",
            "LLMCFG_REMOTE",
            "LLMCFG_STORE",
            "LLMCFG_SOMETHING_NEW",
        ] {
            assert!(withheld(OsStr::new(secret)), "{secret}");
        }
        for kept in [
            "LLMCFG_CONFIG",
            "LLMCFG_LOG",
            "PATH",
            "HOME",
            "XLLMCFG_TOKEN",
        ] {
            assert!(!withheld(OsStr::new(kept)), "{kept}");
        }
    }
}
