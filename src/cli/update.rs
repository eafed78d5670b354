//! `llmcfg update`: change some fields; the rest stay as they are.

use clap::Args;

use super::config_args::ChangeArgs;
use super::key_input::KeySourceArgs;
use super::{CliError, Context, output};

/// Arguments of `update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The fields to change.
    #[command(flatten)]
    pub changes: ChangeArgs,
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
    let patch = args.changes.patch(api_key);
    if patch.is_empty() {
        return Err(CliError::Usage(format!(
            "nothing to update: give {} or a new key \
             (--api-key-stdin, --api-key-env VAR, --api-key-prompt)",
            ChangeArgs::flags()
        )));
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
