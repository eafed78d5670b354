//! `llmcfg create`: a new configuration for the scope.

use clap::Args;

use super::config_args::FieldArgs;
use super::key_input::KeySourceArgs;
use super::{CliError, Context, output};
use crate::domain::NewConfig;

/// Arguments of `create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The config fields.
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Where the API key comes from.
    #[command(flatten)]
    pub key: KeySourceArgs,
}

/// Runs `create`.
pub async fn run(ctx: &Context, args: CreateArgs) -> Result<(), CliError> {
    let api_key = args.key.read(&ctx.scope)?;
    let fields = args.fields.fields();
    let hint = crate::domain::Catalog::builtin()
        .get(fields.provider.trim())
        .and_then(|spec| spec.key_hint(api_key.expose().trim()));
    let view = ctx
        .handle
        .create(&ctx.scope, NewConfig::from_fields(fields, api_key))
        .await?;
    if ctx.json {
        output::print_json(&view);
    } else {
        println!("Created the LLM configuration of the {}.", ctx.scope);
        println!("{}", output::config(&ctx.scope, &view));
        if let Some(hint) = hint {
            eprintln!("note: {hint}; run `llmcfg test` to check the key.");
        }
    }
    Ok(())
}
