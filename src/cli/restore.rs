//! `llmcfg restore -i ID --version N`: make a kept version of the scope's
//! config current again, also after the config was deleted. The restore is
//! itself a new version, so it can be undone the same way.

use clap::Args;

use super::{CliError, Context, output};

/// Arguments of `restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The version to make current (see `llmcfg history`).
    #[arg(long, value_name = "N")]
    pub version: u64,
}

/// Runs `restore`.
pub async fn run(ctx: &Context, args: RestoreArgs) -> Result<(), CliError> {
    let view = ctx.handle.restore(&ctx.scope, args.version).await?;
    if ctx.json {
        output::print_json(&view);
    } else {
        println!("Restored version {} of the {}.", args.version, ctx.scope);
        println!("{}", output::config(&ctx.scope, &view));
    }
    Ok(())
}
