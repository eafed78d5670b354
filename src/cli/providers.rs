//! `llmcfg providers`: the provider catalog.

use super::{CliError, Context, output};
use crate::domain::BaseUrlRule;

/// Runs `providers`.
pub async fn run(ctx: &Context) -> Result<(), CliError> {
    let providers = ctx.handle.providers().await?;
    if ctx.json {
        output::print_json(&providers);
        return Ok(());
    }
    println!("{:<18} {:<18} {:<40} MODELS", "ID", "NAME", "BASE URL");
    for p in providers {
        let base = match p.base_url_rule {
            BaseUrlRule::Required => "(required)".to_string(),
            BaseUrlRule::Allowed => p.base_url.clone(),
        };
        println!(
            "{:<18} {:<18} {:<40} {}",
            p.id,
            p.name,
            base,
            p.models.join(", ")
        );
    }
    Ok(())
}
