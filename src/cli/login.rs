//! `llmcfg login --remote URL`: reads a server token (first line of stdin,
//! or a hidden prompt on a terminal), checks it against the server, and
//! stores it in the OS keyring or a 0600 file for later `--remote` use.

use std::io::{BufRead, IsTerminal};

use zeroize::Zeroizing;

use super::context::{config_dir, load_settings};
use super::{CliError, GlobalArgs};
use crate::remote::credentials::{self, TokenLocation};
use crate::remote::{RemoteClient, RemoteError, normalise_url};
use crate::service::ServiceError;

/// Runs `login`.
pub async fn run(global: &GlobalArgs) -> Result<(), CliError> {
    let (settings, paths) = load_settings(global)?;
    let Some(url) = global.remote.clone().or(settings.remote.url) else {
        return Err(CliError::Usage(
            "login needs the server: llmcfg login --remote URL".into(),
        ));
    };
    let usage = |e: RemoteError| CliError::Usage(e.to_string());
    let url = normalise_url(&url).map_err(usage)?;
    let token = read_token(&url)?;
    if token.is_empty() {
        return Err(CliError::Usage("no token given".into()));
    }
    // Check before storing: a mistyped token should fail here, not later.
    let client = RemoteClient::new(&url, token.clone()).map_err(usage)?;
    match client.instances().await {
        Ok(_) => {}
        Err(e @ (ServiceError::Unauthorized(_) | ServiceError::Forbidden(_))) => {
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    }
    let at = credentials::store(&url, &token, &config_dir(&paths))
        .map_err(|e| CliError::Other(e.to_string()))?;
    match at {
        TokenLocation::Keyring => println!("Logged in to {url}; the token is in the OS keyring."),
        TokenLocation::File(p) => {
            let why = crate::crypto::keyring::unavailable_reason()
                .map(|r| format!("; no OS keyring: {r}"))
                .unwrap_or_default();
            println!(
                "Logged in to {url}; the token is in {} (mode 0600{why}).",
                p.display()
            )
        }
    }
    Ok(())
}

fn read_token(url: &str) -> Result<Zeroizing<String>, CliError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = Zeroizing::new(String::new());
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::Usage(format!("cannot read the token from stdin: {e}")))?;
        return Ok(Zeroizing::new(line.trim().to_string()));
    }
    let secret = Zeroizing::new(
        rpassword::prompt_password(format!("API token for {url} (input hidden): "))
            .map_err(|e| CliError::Usage(format!("cannot read the prompt: {e}")))?,
    );
    Ok(Zeroizing::new(secret.trim().to_string()))
}
