//! `llmcfg apply -f fleet.toml`: shows the plan, asks (unless `--yes`), then
//! writes each scope on its own and reports per scope. `--test` tries each
//! new or changed key first and skips the scopes whose key is refused;
//! `--atomic` writes all scopes in one transaction or none. A scope that
//! changed since the plan was shown refuses the run (exit 4).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;

use super::{CliError, Context, output};
use crate::fleet::apply::{ApplyOptions, apply};
use crate::fleet::pipeline::plan_path;
use crate::fleet::plan::KeyCheck;
use crate::fleet::{FleetError, PlanOptions, render};

/// Arguments of `apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The fleet file.
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub file: PathBuf,
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
    let options = PlanOptions {
        prune: args.prune,
        keys: KeyCheck::Resolve,
    };
    let (file, plan) = plan_path(&ctx.handle, &args.file, options).await?;
    if !ctx.json {
        println!("{}", render::plan(&plan));
    }
    if !plan.has_changes() {
        if ctx.json {
            output::print_json(&serde_json::json!({ "plan": plan, "report": null }));
        }
        return Ok(());
    }
    if !args.yes && !confirm(&plan)? {
        eprintln!("Not applied.");
        return Ok(());
    }
    let plan_json = ctx.json.then(|| serde_json::to_value(&plan));
    let report = apply(
        &ctx.handle,
        plan,
        &file.source,
        ApplyOptions {
            test: args.test,
            atomic: args.atomic,
        },
    )
    .await?;
    if let Some(plan_json) = plan_json {
        let plan_json = plan_json.map_err(|e| CliError::Other(e.to_string()))?;
        output::print_json(&serde_json::json!({ "plan": plan_json, "report": report }));
    } else {
        println!("{}", render::report(&report));
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
