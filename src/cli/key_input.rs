//! Reading an API key without it ever being a command-line argument: the
//! first line of stdin, an environment variable named on the command line, or
//! a hidden prompt on a terminal.

use std::io::{BufRead, IsTerminal};

use clap::Args;
use zeroize::Zeroizing;

use super::CliError;
use crate::domain::{ApiKey, Scope};

/// Where the key comes from.
#[derive(Debug, Clone, Args)]
pub struct KeySourceArgs {
    /// Read the API key from the first line of stdin.
    #[arg(long, conflicts_with = "api_key_env")]
    pub api_key_stdin: bool,
    /// Read the API key from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub api_key_env: Option<String>,
}

impl KeySourceArgs {
    /// True when a source was named explicitly.
    pub fn given(&self) -> bool {
        self.api_key_stdin || self.api_key_env.is_some()
    }

    /// Reads the key; with no explicit source, from stdin when it is not a
    /// terminal, else from a hidden prompt.
    pub fn read(&self, scope: &Scope) -> Result<ApiKey, CliError> {
        if let Some(var) = &self.api_key_env {
            let value = std::env::var(var).map_err(|_| {
                CliError::Usage(format!(
                    "api_key: environment variable {var} is not set (or not valid UTF-8)"
                ))
            })?;
            return Ok(ApiKey::new(Zeroizing::new(value).as_str()));
        }
        let stdin = std::io::stdin();
        if self.api_key_stdin || !stdin.is_terminal() {
            let mut line = Zeroizing::new(String::new());
            stdin
                .lock()
                .read_line(&mut line)
                .map_err(|e| CliError::Usage(format!("api_key: cannot read stdin: {e}")))?;
            return Ok(ApiKey::new(line.as_str()));
        }
        let prompt = format!("API key for the {scope} (input hidden): ");
        let key = Zeroizing::new(
            rpassword::prompt_password(prompt)
                .map_err(|e| CliError::Usage(format!("api_key: cannot read the prompt: {e}")))?,
        );
        Ok(ApiKey::new(key.as_str()))
    }
}
