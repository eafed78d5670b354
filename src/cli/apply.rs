//! `llmcfg apply -f fleet.toml`: shows the plan, asks (unless `--yes`), then
//! writes each scope on its own and reports per scope. `--test` tries each
//! new or changed key first and skips the scopes whose key is refused;
//! `--atomic` writes all scopes in one transaction or none. A scope that
//! changed since the plan was shown refuses the run (exit 4); `apply
//! PLANFILE` applies a plan saved by `plan --out`, exactly as saved or not
//! at all.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;

use super::job_follow::{Interrupt, follow, job_bar, show_on_bar};
use super::{CliError, Context, output};
use crate::fleet::apply::{ApplyOptions, start_apply};
use crate::fleet::pipeline::plan_path_reaching;
use crate::fleet::plan::KeyCheck;
use crate::fleet::saved::SavedPlan;
use crate::fleet::{FleetError, PlanOptions, render};

/// Arguments of `apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The fleet file.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "PATH",
        required_unless_present = "plan_file",
        conflicts_with = "plan_file"
    )]
    pub file: Option<PathBuf>,
    /// A plan saved by `plan --out`: applied without asking, exactly as
    /// saved, or refused (exit 4) when the fleet file or a scope changed.
    #[arg(value_name = "PLANFILE", conflicts_with = "prune")]
    pub plan_file: Option<PathBuf>,
    /// Also delete configured scopes the file does not mention.
    #[arg(long)]
    pub prune: bool,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Test each new or changed key against its provider before writing it;
    /// skip the scopes whose key fails.
    #[arg(long)]
    pub test: bool,
    /// Write every scope in one transaction: all or nothing (local store
    /// only).
    #[arg(long)]
    pub atomic: bool,
}

/// Runs `apply`.
pub async fn run(ctx: &Context, args: ApplyArgs) -> Result<(), CliError> {
    if args.atomic && ctx.handle.admin().is_none() {
        // Said before anything is read, so no key command runs for nothing.
        return Err(FleetError::AtomicNeedsLocal.into());
    }
    let saved = args.plan_file.as_deref().map(SavedPlan::read).transpose()?;
    let reach = ctx.settings.fleet.key_file_reach();
    let (file, plan) = match (&saved, &args.file) {
        (Some(saved), _) => {
            let (file, plan) =
                plan_path_reaching(&ctx.handle, &saved.fleet_file, saved.options(), reach).await?;
            saved.matches(&plan)?;
            (file, plan)
        }
        (None, Some(path)) => {
            let options = PlanOptions {
                prune: args.prune,
                keys: KeyCheck::Resolve,
            };
            plan_path_reaching(&ctx.handle, path, options, reach).await?
        }
        (None, None) => {
            return Err(CliError::Usage(
                "apply needs a fleet file (-f PATH) or a saved plan (PLANFILE)".into(),
            ));
        }
    };
    if !ctx.json {
        println!("{}", render::plan(&plan));
    }
    if !plan.has_changes() {
        if ctx.json {
            output::print_json(&serde_json::json!({ "plan": plan, "report": null }));
        }
        return Ok(());
    }
    // A saved plan was reviewed when it was made.
    if saved.is_none() && !args.yes && !confirm(&plan)? {
        eprintln!("Not applied.");
        return Ok(());
    }
    let plan_json = ctx.json.then(|| serde_json::to_value(&plan));
    let mut interrupt = Interrupt::install();
    let job = start_apply(
        &ctx.handle,
        plan,
        &file.source,
        ApplyOptions {
            test: args.test,
            atomic: args.atomic,
        },
    );
    let bar = job_bar(
        ctx.json,
        "applying {bar:30} {pos}/{len} scopes ({elapsed}){msg}",
    );
    let report = follow(&ctx.handle, job, &mut interrupt, |followed| {
        show_on_bar(&bar, &followed, "the scopes")
    })
    .await;
    bar.finish_and_clear();
    let report = report?;
    if let Some(plan_json) = plan_json {
        let plan_json = plan_json.map_err(|e| CliError::Other(e.to_string()))?;
        output::print_json(&serde_json::json!({ "plan": plan_json, "report": report }));
    } else {
        println!("{}", render::report(&report));
    }
    if report.cancelled {
        return Err(CliError::Cancelled(format!(
            "cancelled: {} of {} scopes done, {} not started; no scope started after the cancel",
            report.scopes.len(),
            report.scopes.len() + report.not_started,
            report.not_started
        )));
    }
    if report.failed > 0 && report.atomic {
        return Err(CliError::Other(
            "the atomic apply wrote nothing: a scope failed (see above)".into(),
        ));
    }
    if report.failed > 0 {
        return Err(CliError::Other(format!(
            "{} of {} scopes failed to apply",
            report.failed,
            report.scopes.len()
        )));
    }
    if report.skipped > 0 && report.atomic {
        return Err(CliError::TestFailed(format!(
            "the atomic apply wrote nothing: {} key test(s) failed",
            report.skipped
        )));
    }
    if report.skipped > 0 {
        return Err(CliError::TestFailed(format!(
            "{} scopes skipped after a failed key test",
            report.skipped
        )));
    }
    Ok(())
}

fn confirm(plan: &crate::fleet::Plan) -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "refusing to apply without confirmation: pass --yes when stdin is not a terminal"
                .into(),
        ));
    }
    let s = &plan.summary;
    eprint!(
        "Apply {} create(s), {} update(s) and {} delete(s)? [y/N] ",
        s.create, s.update, s.delete
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::Other(e.to_string()))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}
