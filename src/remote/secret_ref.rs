//! Where a secret of the remote's auth (a session cookie, a fixed header)
//! comes from: an environment variable, a helper command, or the OS
//! keyring. Never a flag: argv shows in `ps` and in shell history.

use std::time::Duration;

use zeroize::Zeroizing;

use super::RemoteError;
use crate::crypto::keyring;

/// Longest run of a secret's helper command.
pub const SECRET_COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// A reference to a secret (or, for a header that is no secret, its value).
#[derive(Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// The value of this environment variable.
    Env(String),
    /// The first line this program (and arguments, no shell) prints.
    Command(Vec<String>),
    /// The OS keyring entry of this account (llmcfg's service).
    Keyring(String),
    /// A plain value written in `config.toml`; only for headers that are
    /// not secret.
    Plain(String),
}

impl std::fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretRef::Env(var) => write!(f, "Env({var})"),
            SecretRef::Command(argv) => write!(f, "Command({:?})", argv.first()),
            SecretRef::Keyring(account) => write!(f, "Keyring({account})"),
            SecretRef::Plain(_) => f.write_str("Plain(..)"),
        }
    }
}

impl SecretRef {
    /// Reads the secret; errors name `what` and the source, never a value.
    pub async fn resolve(&self, what: &str) -> Result<Zeroizing<String>, RemoteError> {
        let fail = |why: String| RemoteError::Client(format!("{what}: {why}"));
        let value = match self {
            SecretRef::Env(var) => Zeroizing::new(
                std::env::var(var)
                    .map_err(|_| fail(format!("the environment variable {var} is not set")))?,
            ),
            SecretRef::Command(argv) => {
                let out = super::helper::run(argv, SECRET_COMMAND_TIMEOUT)
                    .await
                    .map_err(|e| fail(format!("command {e}")))?;
                let text = std::str::from_utf8(&out)
                    .map_err(|_| fail("the command printed something that is not UTF-8".into()))?;
                Zeroizing::new(text.lines().next().unwrap_or_default().to_string())
            }
            SecretRef::Keyring(account) => {
                let store = keyring::os_store()
                    .ok_or_else(|| fail("no OS keyring is available here".into()))?;
                keyring::get(&store, account)
                    .map_err(|e| fail(format!("the keyring refused: {e}")))?
                    .ok_or_else(|| fail(format!("the keyring has no entry {account:?}")))?
            }
            SecretRef::Plain(value) => Zeroizing::new(value.clone()),
        };
        let trimmed = Zeroizing::new(value.trim().to_string());
        if trimmed.is_empty() {
            return Err(fail(format!("{self:?} gave an empty value")));
        }
        Ok(trimmed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[tokio::test]
    async fn commands_give_their_first_line_and_errors_hide_values() {
        let r = SecretRef::Command(vec!["printf".into(), "  s3cret \\nsecond".into()]);
        assert_eq!(r.resolve("x").await.unwrap().as_str(), "s3cret");
        let r = SecretRef::Env("LLMCFG_TEST_SURELY_UNSET_VAR".into());
        let e = r.resolve("[remote.cookie]").await.unwrap_err().to_string();
        assert!(
            e.contains("[remote.cookie]") && e.contains("is not set"),
            "{e}"
        );
        let r = SecretRef::Command(vec![
            "sh".into(),
            "-c".into(),
            "echo SECRET >&2; exit 1".into(),
        ]);
        let e = r.resolve("h").await.unwrap_err().to_string();
        assert!(e.contains("failed") && !e.contains("SECRET"), "{e}");
        assert_eq!(format!("{:?}", SecretRef::Plain("v".into())), "Plain(..)");
    }
}
