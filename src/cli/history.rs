//! `llmcfg history`: the kept versions of the scope's config, newest first:
//! time, actor, the write, the fields it changed, key fingerprint and mask.

use std::fmt::Write;

use clap::Args;

use super::{CliError, Context, output};
use crate::domain::VersionEntry;

/// Arguments of `history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Every scope, not just the selected one.
    #[arg(long, conflicts_with = "instance")]
    pub all: bool,
    /// How many versions at most.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
}

/// Runs `history`.
pub async fn run(ctx: &Context, args: HistoryArgs) -> Result<(), CliError> {
    let scope = (!args.all).then_some(&ctx.scope);
    let versions = ctx.handle.history(scope, args.limit).await?;
    if ctx.json {
        output::print_json(&versions);
    } else if versions.is_empty() {
        println!("No versions kept for the {}.", ctx.scope);
    } else {
        for v in &versions {
            println!("{}", line(v, args.all));
        }
    }
    Ok(())
}

/// One version as a line (with its scope when several scopes are listed).
fn line(v: &VersionEntry, with_scope: bool) -> String {
    let mut out = format!("v{:<4} {}  {:<9}", v.version, output::time(v.at), v.action);
    if with_scope {
        let _ = write!(
            out,
            " {:<12}",
            v.instance_id.as_deref().unwrap_or("(control plane)")
        );
    }
    let _ = write!(out, " {}", v.actor);
    if v.deleted {
        out.push_str("  (deleted)");
    } else {
        if let Some(config) = &v.config {
            let _ = write!(out, "  {}", config.brief("/"));
        }
        let _ = write!(
            out,
            "  key={} {}",
            v.api_key_masked.as_deref().unwrap_or(""),
            crate::crypto::fingerprint::shown(v.key_fingerprint.as_deref().unwrap_or(""))
        );
    }
    if !v.fields.is_empty() {
        let _ = write!(out, "  changed={}", v.fields.join(","));
    }
    out
}
