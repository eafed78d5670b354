//! `llmcfg plan -f fleet.toml`: what applying the fleet file would change,
//! like `terraform plan`. With `--detailed-exitcode` the exit status says
//! whether anything would change (8), so CI can gate on it. It runs no
//! `api_key_command` and reads no `api_key_file` unless `--resolve-keys`.
//! `--migrate-retiring` plans no file: it writes one, moving each scope
//! whose model retires to its successor (see [`crate::fleet::migrate`]).

use std::path::PathBuf;

use clap::Args;

use super::{CliError, Context, output};
use crate::fleet::migrate::Migration;
use crate::fleet::pipeline::plan_path_reaching;
use crate::fleet::plan::KeyCheck;
use crate::fleet::saved::SavedPlan;
use crate::fleet::{FleetError, PlanOptions, render};

/// Arguments of `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The fleet file.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "PATH",
        required_unless_present = "migrate_retiring"
    )]
    pub file: Option<PathBuf>,
    /// Instead of planning a file, print the fleet file that moves every
    /// scope whose model retires within the `[lifecycle]` window to the
    /// successor its provider named (review it, then `apply -f FILE --test`).
    #[arg(long, conflicts_with_all = ["file", "prune", "out", "resolve_keys", "detailed_exitcode"])]
    pub migrate_retiring: bool,
    /// Also delete configured scopes the file does not mention.
    #[arg(long)]
    pub prune: bool,
    /// Exit 8 when the plan has changes (0 when it has none).
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Also save the plan to PATH, for `llmcfg apply PATH` to apply exactly
    /// this plan (refused if the file or a scope changed meanwhile). Needs
    /// `--resolve-keys`: the saved plan covers the keys apply will write.
    #[arg(long, value_name = "PATH", requires = "resolve_keys")]
    pub out: Option<PathBuf>,
    /// Read every key reference (run `api_key_command`, read `api_key_file`)
    /// and compare keys by fingerprint. Without it nothing is run or read.
    #[arg(long)]
    pub resolve_keys: bool,
}

impl From<FleetError> for CliError {
    fn from(e: FleetError) -> CliError {
        match e {
            FleetError::Service(e) => CliError::Service(e),
            FleetError::Read { .. } | FleetError::Invalid(_) | FleetError::AtomicNeedsLocal => {
                CliError::Usage(e.to_string())
            }
            FleetError::Stale { .. } | FleetError::FileChanged { .. } => {
                CliError::Conflict(e.to_string())
            }
        }
    }
}

/// Runs `plan`.
pub async fn run(ctx: &Context, args: PlanArgs) -> Result<(), CliError> {
    let Some(file) = args.file else {
        return migrate_retiring(ctx).await;
    };
    let options = PlanOptions {
        prune: args.prune,
        keys: KeyCheck::when(args.resolve_keys),
    };
    let (_, plan) = plan_path_reaching(
        &ctx.handle,
        &file,
        options,
        ctx.settings.fleet.key_file_reach(),
    )
    .await?;
    if let Some(out) = &args.out {
        SavedPlan::of(&plan, &file, args.prune)?.write(out)?;
    }
    if ctx.json {
        output::print_json(&plan);
    } else {
        println!("{}", render::plan(&plan));
    }
    pending(args.detailed_exitcode && plan.has_changes())
}

/// `plan --migrate-retiring`: prints the fleet file that moves every
/// retiring scope to its successor; notes on stderr name those it cannot.
async fn migrate_retiring(ctx: &Context) -> Result<(), CliError> {
    if !ctx.handle.reports_lifecycle().await? {
        return Err(CliError::NotFound(
            crate::domain::lifecycle::NOT_REPORTED.into(),
        ));
    }
    let window = ctx.settings.lifecycle.window();
    let today = crate::store::rows_now().date();
    let list = ctx.handle.list_instances().await?;
    let risks = crate::domain::lifecycle_risk::at_risk(&list, today, window);
    let state = crate::fleet::current::read(&ctx.handle).await?;
    let migration = Migration::of(&state, &risks, today, window);
    for note in state.notes.iter().chain(&migration.notes) {
        eprintln!("note: {note}");
    }
    if migration.is_empty() {
        eprintln!(
            "note: no scope's model retires within {} days with a successor named",
            window.days
        );
    }
    if ctx.json {
        output::print_json(&migration.doc);
    } else {
        let text = migration
            .to_toml(today, window)
            .map_err(|e| CliError::Other(e.to_string()))?;
        print!("{text}");
    }
    Ok(())
}

/// `Err(ChangesPending)` when `pending`, for `--detailed-exitcode`.
pub(super) fn pending(pending: bool) -> Result<(), CliError> {
    if pending {
        Err(CliError::ChangesPending)
    } else {
        Ok(())
    }
}
