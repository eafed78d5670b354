//! `llmcfg update`: change some fields; the rest stay as they are.

use clap::Args;

use super::key_input::KeySourceArgs;
use super::{CliError, Context, output};
use crate::domain::ConfigPatch;

/// Arguments of `update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// New provider (needs a new key).
    #[arg(long)]
    pub provider: Option<String>,
    /// New model.
    #[arg(long)]
    pub model: Option<String>,
    /// New base-URL override (needs a new key).
    #[arg(long, value_name = "URL", conflicts_with = "clear_base_url")]
    pub base_url: Option<String>,
    /// Remove the base-URL override (needs a new key).
    #[arg(long)]
    pub clear_base_url: bool,
    /// Prompt for a new API key (hidden input).
    #[arg(long, conflicts_with_all = ["api_key_stdin", "api_key_env"])]
    pub api_key_prompt: bool,
    /// Where a new API key comes from, if the key changes.
    #[command(flatten)]
    pub key: KeySourceArgs,
}

/// Runs `update`.
pub async fn run(ctx: &Context, args: UpdateArgs) -> Result<(), CliError> {
    let api_key = if args.key.given() || args.api_key_prompt {
        Some(args.key.read(&ctx.scope)?)
    } else {
        None
    };
    let base_url = match (args.base_url, args.clear_base_url) {
        (Some(u), _) => Some(Some(u)),
        (None, true) => Some(None),
        (None, false) => None,
    };
    let patch = ConfigPatch {
        provider: args.provider,
        model: args.model,
        api_key,
        base_url,
    };
    if patch.is_empty() {
        return Err(CliError::Usage(
            "nothing to update: give --provider, --model, --base-url, --clear-base-url or a new key \
             (--api-key-stdin, --api-key-env VAR, --api-key-prompt)"
                .into(),
        ));
    }
    let view = ctx.handle.update(&ctx.scope, patch).await?;
    if ctx.json {
        output::print_json(&view);
    } else {
        println!("Updated the LLM configuration of the {}.", ctx.scope);
        println!("{}", output::config(&ctx.scope, &view));
    }
    Ok(())
}
