//! `llmcfg models`: the live model ids the stored key can use.

use super::{CliError, Context, output};

/// Runs `models`.
pub async fn run(ctx: &Context) -> Result<(), CliError> {
    let models = ctx.handle.list_models(&ctx.scope).await?;
    if ctx.json {
        output::print_json(&models);
    } else {
        for m in models {
            println!("{m}");
        }
    }
    Ok(())
}
