//! `llmcfg export`: every configured scope as a fleet file (TOML, or JSON
//! with `--json`) — provider, model, base URL, key fingerprint and mask,
//! never a key.

use super::{CliError, Context, output};
use crate::fleet::{current, export};

/// Runs `export`.
pub async fn run(ctx: &Context) -> Result<(), CliError> {
    let state = current::read(&ctx.handle).await?;
    for note in &state.notes {
        eprintln!("note: {note}");
    }
    let doc = export::build(&state);
    if ctx.json {
        output::print_json(&doc);
    } else {
        let text = export::to_toml(&doc).map_err(|e| CliError::Other(e.to_string()))?;
        print!("{text}");
    }
    Ok(())
}
