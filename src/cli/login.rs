//! `llmcfg login --remote URL`: reads a server token (first line of stdin,
//! or a hidden prompt on a terminal), checks it against the server, and
//! stores it in the OS keyring or a 0600 file for later `--remote` use.

use std::io::{BufRead, IsTerminal};

use zeroize::Zeroizing;

use super::context::{config_dir, load_settings, normalised_remote, remote_options, remote_url};
use super::{CliError, GlobalArgs};
use crate::domain::Scope;
use crate::remote::RemoteClient;
use crate::remote::credentials::{self, TokenLocation};

/// Runs `login`.
pub async fn run(global: &GlobalArgs) -> Result<(), CliError> {
    let (settings, paths) = load_settings(global)?;
    let Some(url) = remote_url(global, &settings) else {
        return Err(CliError::Usage(
            "login needs the server: llmcfg login --remote URL".into(),
        ));
    };
    let url = normalised_remote(&url)?;
    let token = read_token(&url)?;
    if token.is_empty() {
        return Err(CliError::Usage("no token given".into()));
    }
    // Check before storing: a mistyped token should fail here, not later.
    // `GET /llm-config/` is the seed's own route, so every server answers it.
    let options = remote_options(&url, token.clone(), &settings, &paths).await?;
    let client =
        RemoteClient::with_options(options).map_err(|e| CliError::Config(e.to_string()))?;
    client.get(&Scope::Global).await?;
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
