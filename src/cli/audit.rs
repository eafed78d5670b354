//! `llmcfg audit`: who changed or tested what, newest first.

use clap::Args;

use super::{CliError, Context, output};

/// Arguments of `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Every scope, not just the selected one.
    #[arg(long, conflicts_with = "instance")]
    pub all: bool,
    /// How many entries.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

/// Runs `audit`.
pub async fn run(ctx: &Context, args: AuditArgs) -> Result<(), CliError> {
    let scope = (!args.all).then_some(&ctx.scope);
    let entries = ctx.handle.audit(scope, args.limit).await?;
    if ctx.json {
        output::print_json(&entries);
    } else {
        for e in &entries {
            println!("{}", output::audit_line(e));
        }
    }
    Ok(())
}
