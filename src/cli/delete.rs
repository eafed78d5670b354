//! `llmcfg delete`: remove the scope's configuration, after confirmation.

use std::io::{BufRead, IsTerminal, Write};

use clap::Args;

use super::{CliError, Context};

/// Arguments of `delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// Runs `delete`.
pub async fn run(ctx: &Context, args: DeleteArgs) -> Result<(), CliError> {
    if !args.yes {
        // Check first, so the question is only asked about something real.
        if ctx.handle.get(&ctx.scope).await?.is_none() {
            return Err(crate::service::ServiceError::NotFound {
                scope: ctx.scope.clone(),
            }
            .into());
        }
        if !std::io::stdin().is_terminal() {
            return Err(CliError::Usage(
                "refusing to delete without confirmation: pass --yes when stdin is not a terminal"
                    .into(),
            ));
        }
        eprint!(
            "Delete the LLM configuration of the {}? AI features there stay disabled until a new one is created. [y/N] ",
            ctx.scope
        );
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map_err(|e| CliError::Other(e.to_string()))?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
            eprintln!("Not deleted.");
            return Ok(());
        }
    }
    ctx.handle.delete(&ctx.scope).await?;
    if ctx.json {
        super::output::print_json(
            &serde_json::json!({"deleted": true, "instance_id": ctx.scope.instance_id()}),
        );
    } else {
        println!("Deleted the LLM configuration of the {}.", ctx.scope);
    }
    Ok(())
}
