//! `llmcfg keys`: every key in use, by fingerprint, with its provider,
//! mask, scope count, scope ids and the last test of each scope.
//! `llmcfg keys find` reads a key on stdin (or `--api-key-env`) and says
//! which scopes use it; the key is never stored, logged or printed.

use std::fmt::Write;

use clap::{Args, Subcommand};

use super::key_input::KeySourceArgs;
use super::{CliError, Context, output};
use crate::domain::{ApiKey, KeyGroup, Scope};

/// Arguments of `keys`.
#[derive(Debug, Args)]
pub struct KeysArgs {
    /// `find`: which scopes use a key; none lists every key.
    #[command(subcommand)]
    pub command: Option<KeysCommand>,
}

/// The subcommands of `keys`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Which scopes use the key read from stdin (exit 3 when none does).
    Find(FindArgs),
}

/// Arguments of `keys find`.
#[derive(Debug, Args)]
pub struct FindArgs {
    /// Where the key comes from.
    #[command(flatten)]
    pub key: KeySourceArgs,
}

/// Runs `keys`.
pub async fn run(ctx: &Context, args: KeysArgs) -> Result<(), CliError> {
    match args.command {
        None => list(ctx).await,
        Some(KeysCommand::Find(find)) => find_key(ctx, find).await,
    }
}

async fn list(ctx: &Context) -> Result<(), CliError> {
    let groups = ctx.handle.key_map().await?;
    if ctx.json {
        output::print_json(&groups);
        return Ok(());
    }
    if groups.is_empty() {
        println!("No keys in use.");
    }
    for g in &groups {
        println!("{}", group_text(g));
    }
    Ok(())
}

async fn find_key(ctx: &Context, args: FindArgs) -> Result<(), CliError> {
    let read = args.key.read(&Scope::Global)?;
    // The same trimming a create applies, so the fingerprint matches.
    let key = ApiKey::new(read.expose().trim());
    let (fingerprint, group) = ctx.handle.find_key(&key).await?;
    if ctx.json {
        output::print_json(&serde_json::json!({
            "key_fingerprint": fingerprint,
            "used_by": group,
        }));
    } else {
        match &group {
            Some(g) => println!("{}", group_text(g)),
            None => println!("{fingerprint}: no scope uses this key."),
        }
    }
    match group {
        Some(_) => Ok(()),
        None => Err(CliError::NotFound(format!(
            "no scope uses the key with fingerprint {fingerprint}"
        ))),
    }
}

/// One key and its scopes, one line each.
fn group_text(g: &KeyGroup) -> String {
    let mut out = format!(
        "{}  {}  {}  {} scope{}",
        g.key_fingerprint,
        g.api_key_masked,
        g.providers.join(","),
        g.scope_count,
        if g.scope_count == 1 { "" } else { "s" }
    );
    for s in &g.scopes {
        let _ = write!(
            out,
            "\n  {:<24} {}/{}",
            s.instance_id.as_deref().unwrap_or("(control plane)"),
            s.provider,
            s.model
        );
        match &s.last_test {
            Some(t) => {
                let _ = write!(
                    out,
                    "  last test: {} {}",
                    t.status.as_str(),
                    output::time(t.checked_at)
                );
            }
            None => out.push_str("  last test: never"),
        }
    }
    out
}
