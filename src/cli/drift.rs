//! `llmcfg drift -f fleet.toml`: a one-screen summary of the scopes that
//! differ from the fleet file. It reads no key references unless
//! `--resolve-keys` (it runs where the keys are not available); keys are
//! checked against the fingerprints `export` recorded.

use std::path::PathBuf;

use clap::Args;

use super::{CliError, Context, output};
use crate::fleet::pipeline::plan_path_reaching;
use crate::fleet::plan::KeyCheck;
use crate::fleet::{PlanOptions, render};

/// Arguments of `drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The fleet file.
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub file: PathBuf,
    /// Exit 8 when any scope differs (0 when none does).
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Read every key reference (run `api_key_command`, read `api_key_file`)
    /// and compare keys by fingerprint. Without it nothing is run or read.
    #[arg(long)]
    pub resolve_keys: bool,
}

/// Runs `drift`.
pub async fn run(ctx: &Context, args: DriftArgs) -> Result<(), CliError> {
    let options = PlanOptions {
        prune: false,
        keys: KeyCheck::when(args.resolve_keys),
    };
    let (_, plan) = plan_path_reaching(
        &ctx.handle,
        &args.file,
        options,
        ctx.settings.fleet.key_file_reach(),
    )
    .await?;
    let drifted = !plan.drifted().is_empty();
    if ctx.json {
        output::print_json(&plan);
    } else {
        println!("{}", render::drift(&plan));
    }
    super::plan::pending(args.detailed_exitcode && drifted)
}
