//! `llmcfg token create|list|revoke`: bearer tokens of `llmcfg serve`. The
//! secret is printed once at creation; only its SHA-256 is stored.

use clap::Subcommand;

use super::{CliError, Context, output};
use crate::domain::Role;

/// `token` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a token and print it once (stdout), e.g. `TOKEN=$(llmcfg token create --name ci)`.
    Create {
        /// Unique name; audit entries of its requests name it as the actor.
        #[arg(long)]
        name: String,
        /// `superadmin` may use the API; `viewer` is refused (403).
        #[arg(long, default_value = "superadmin", value_parser = ["superadmin", "viewer"])]
        role: String,
    },
    /// List tokens (names and roles; secrets are never stored).
    List,
    /// Revoke a token by name; its requests get 401 from then on.
    Revoke {
        /// The token's name.
        name: String,
    },
}

/// Runs `token`.
pub async fn run(ctx: &Context, command: TokenCommand) -> Result<(), CliError> {
    match command {
        TokenCommand::Create { name, role } => {
            let role = Role::parse(&role)
                .ok_or_else(|| CliError::Usage(format!("unknown role {role:?}")))?;
            let issued = ctx.handle.create_token(&name, role).await?;
            if ctx.json {
                output::print_json(&serde_json::json!({
                    "name": issued.info.name,
                    "role": issued.info.role,
                    "token": issued.secret.as_str(),
                }));
            } else {
                eprintln!(
                    "llmcfg: token {:?} ({}) created; it is shown only this once:",
                    issued.info.name, issued.info.role
                );
                println!("{}", issued.secret.as_str());
            }
        }
        TokenCommand::List => {
            let tokens = ctx.handle.list_tokens().await?;
            if ctx.json {
                output::print_json(&tokens);
            } else if tokens.is_empty() {
                println!("No tokens. Create one with `llmcfg token create --name NAME`.");
            } else {
                println!("{:<32} {:<12} CREATED", "NAME", "ROLE");
                for t in tokens {
                    println!(
                        "{:<32} {:<12} {}",
                        t.name,
                        t.role,
                        output::time(t.created_at)
                    );
                }
            }
        }
        TokenCommand::Revoke { name } => {
            ctx.handle.revoke_token(&name).await?;
            if ctx.json {
                output::print_json(&serde_json::json!({"revoked": name}));
            } else {
                println!("Revoked token {name:?}.");
            }
        }
    }
    Ok(())
}
