//! `llmcfg master-key rotate`: re-seal every stored key under a new master
//! key, in one transaction; `llmcfg master-key verify`: open every sealed
//! key without changing anything.

use std::path::PathBuf;

use clap::Subcommand;

use super::{CliError, Context, output};
use crate::service::{MasterKeyError, ServiceError};

/// `master-key` subcommands.
#[derive(Debug, Subcommand)]
pub enum MasterKeyCommand {
    /// Generate a new master key and re-seal every stored API key with it.
    Rotate {
        /// Write the new key to this new file (mode 0600) instead of replacing
        /// the current key file; required when the key comes from LLMCFG_MASTER_KEY.
        #[arg(long, value_name = "PATH")]
        new_key_file: Option<PathBuf>,
    },
    /// Open every stored API key and kept version under the master key,
    /// changing nothing, and print the counts (run it before and after a
    /// rotation). Exits 7 if any key does not open.
    Verify,
}

/// Runs `master-key`.
pub async fn run(ctx: &Context, cmd: MasterKeyCommand) -> Result<(), CliError> {
    match cmd {
        MasterKeyCommand::Rotate { new_key_file } => rotate(ctx, new_key_file).await,
        MasterKeyCommand::Verify => verify(ctx).await,
    }
}

async fn rotate(ctx: &Context, new_key_file: Option<PathBuf>) -> Result<(), CliError> {
    let target = new_key_file.clone();
    let count = ctx.handle.rotate_master_key(new_key_file).await?;
    if ctx.json {
        output::print_json(&serde_json::json!({"resealed": count}));
    } else {
        println!("Rotated the master key: {count} stored API key(s) re-sealed.");
        if let Some(p) = target {
            println!(
                "The new key is in {}; use it from now on (--master-key-file or LLMCFG_MASTER_KEY).",
                p.display()
            );
        }
    }
    Ok(())
}

async fn verify(ctx: &Context) -> Result<(), CliError> {
    let check = ctx.handle.verify_master_key().await?;
    if ctx.json {
        output::print_json(&check);
    } else {
        println!(
            "Opened {} configuration key(s) and {} kept version key(s) under the master key.",
            check.configs_opened, check.versions_opened
        );
        for f in &check.failures {
            match f.version {
                Some(v) => println!("  FAILED {} version {v}: {}", f.scope, f.error),
                None => println!("  FAILED {}: {}", f.scope, f.error),
            }
        }
    }
    if check.passed() {
        return Ok(());
    }
    let failed = check.failures.len();
    Err(CliError::Service(ServiceError::MasterKey(
        MasterKeyError::Unopened {
            failed,
            total: failed + check.configs_opened + check.versions_opened,
        },
    )))
}
