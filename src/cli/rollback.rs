//! `llmcfg rollback --rotation ID`: undo a key rotation. Each scope the
//! rotation swapped is restored to its version before the swap (a restore
//! like `llmcfg restore`, so it is a new version with its audit entry).
//! Refuses, naming them, when scopes changed since the rotation (exit 4),
//! unless `--force`. All or nothing: one transaction. Run again after it
//! completed, it says there is nothing to roll back (exit 0).

use clap::Args;

use super::{CliError, Context, output};

/// Arguments of `rollback`.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The rotation to undo (printed by `rotate-key`).
    #[arg(long, value_name = "ID")]
    pub rotation: String,
    /// Restore scopes changed since the rotation too.
    #[arg(long)]
    pub force: bool,
}

/// Runs `rollback`.
pub async fn run(ctx: &Context, args: RollbackArgs) -> Result<(), CliError> {
    let report = ctx
        .handle
        .rollback_rotation(args.rotation.trim(), args.force)
        .await?;
    if ctx.json {
        output::print_json(&report);
        return Ok(());
    }
    if report.restored.is_empty() {
        println!(
            "Nothing to roll back: rotation {} has no swapped scope left \
             (it was rolled back already, or swapped none).",
            report.rotation_id
        );
        return Ok(());
    }
    for r in &report.restored {
        println!(
            "{:<24} restored version {}",
            r.instance_id.as_deref().unwrap_or("(control plane)"),
            r.restored_version
        );
    }
    println!(
        "Rolled back rotation {}: {} scope(s) restored.",
        report.rotation_id,
        report.restored.len()
    );
    Ok(())
}
