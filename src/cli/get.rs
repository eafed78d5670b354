//! `llmcfg get`: the scope's configuration, or `null` / a notice when empty.

use super::{CliError, Context, output};

/// Runs `get`.
pub async fn run(ctx: &Context) -> Result<(), CliError> {
    let view = ctx.handle.get(&ctx.scope).await?;
    match (&view, ctx.json) {
        (_, true) => output::print_json(&view),
        (Some(v), false) => println!("{}", output::config(&ctx.scope, v)),
        (None, false) => println!(
            "No LLM configuration for the {}; AI features there are disabled. Create one with `llmcfg{} create`.",
            ctx.scope,
            ctx.scope
                .instance_id()
                .map(|i| format!(" -i {i}"))
                .unwrap_or_default()
        ),
    }
    Ok(())
}
