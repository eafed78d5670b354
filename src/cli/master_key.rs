//! `llmcfg master-key rotate`: re-seal every stored key under a new master
//! key, in one transaction.

use std::path::PathBuf;

use clap::Subcommand;

use super::{CliError, Context, output};

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
}

/// Runs `master-key`.
pub async fn run(ctx: &Context, cmd: MasterKeyCommand) -> Result<(), CliError> {
    let MasterKeyCommand::Rotate { new_key_file } = cmd;
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
