//! `llmcfg test`: test the stored credentials of one scope, or of all. `--all`
//! runs as a job of the service's one job engine: a progress bar on a
//! terminal, and Ctrl-c cancels it cleanly (the tests under way finish, no
//! new one starts, the partial report is printed, exit code 130).

use clap::Args;

use super::job_follow::{Followed, Interrupt, follow_events, job_bar, show_on_bar};
use super::{CliError, Context, output};
use crate::domain::Scope;
use crate::service::jobs::{JobEvent, JobPhase, JobSpec, RowOutcome};

/// Default parallelism of `test --all`.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// Arguments of `test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Test every configured scope.
    #[arg(long)]
    pub all: bool,
    /// How many tests run at once with --all.
    #[arg(long, value_name = "N", requires = "all")]
    pub concurrency: Option<usize>,
}

/// Runs `test`.
pub async fn run(ctx: &Context, args: TestArgs) -> Result<(), CliError> {
    if args.all {
        return run_all(ctx, args).await;
    }
    let result = ctx.handle.test_connection(&ctx.scope).await?;
    if ctx.json {
        output::print_json(&result);
    } else {
        println!("{}", output::test_line(&result));
    }
    if result.success {
        Ok(())
    } else {
        Err(CliError::TestFailed(format!(
            "connection test of the {} failed: {}",
            ctx.scope,
            result.status.as_str()
        )))
    }
}

async fn run_all(ctx: &Context, args: TestArgs) -> Result<(), CliError> {
    let concurrency = args
        .concurrency
        .or(ctx.settings.prober.concurrency)
        .unwrap_or(DEFAULT_CONCURRENCY);
    if concurrency == 0 {
        return Err(CliError::Usage("--concurrency: must be at least 1".into()));
    }
    let mut interrupt = Interrupt::install();
    let mut ticket = ctx
        .handle
        .start_job(JobSpec::TestAll { concurrency })
        .await?;
    let bar = job_bar(
        ctx.json,
        "testing {bar:30} {pos}/{len} scopes ({elapsed}){msg}",
    );
    let mut phase = JobPhase::Running;
    follow_events(&ctx.handle, &mut ticket, &mut interrupt, |followed| {
        show_on_bar(&bar, &followed, "the tests");
        if let Followed::Event(JobEvent::Ended(ended)) = followed {
            phase = ended;
        }
    })
    .await;
    bar.finish_and_clear();
    let report = ctx.handle.job(ticket.id);
    let total = report.as_ref().map_or(0, |r| r.total);
    let mut rows: Vec<(Scope, Result<crate::domain::TestResult, String>)> = report
        .map(|r| r.rows)
        .unwrap_or_default()
        .into_iter()
        .map(|row| {
            let result = match row.outcome {
                RowOutcome::Tested { result } => Ok(result),
                RowOutcome::Done { message } | RowOutcome::Failed { message } => Err(message),
            };
            (row.scope, result)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let failed = rows
        .iter()
        .filter(|(_, r)| !matches!(r, Ok(t) if t.success))
        .count();
    if ctx.json {
        let items: Vec<_> = rows
            .iter()
            .map(|(scope, r)| match r {
                Ok(t) => serde_json::json!({"instance_id": scope.instance_id(), "result": t}),
                Err(e) => serde_json::json!({"instance_id": scope.instance_id(), "error": e}),
            })
            .collect();
        output::print_json(&serde_json::json!({
            "total": rows.len(), "failed": failed, "results": items,
            "cancelled": phase == JobPhase::Cancelled, "scopes": total
        }));
    } else {
        println!("{:<32} {:<20} {:>8}  MESSAGE", "SCOPE", "STATUS", "MS");
        for (scope, r) in &rows {
            let name = scope.instance_id().unwrap_or("(control plane)");
            match r {
                Ok(t) => {
                    println!(
                        "{:<32} {:<20} {:>8}  {}",
                        name,
                        format!(
                            "{} {}",
                            if t.success { "✓" } else { "✗" },
                            t.status.as_str()
                        ),
                        t.latency_ms,
                        t.message
                    );
                    for line in output::lifecycle_lines(t.lifecycle.as_deref()) {
                        println!("{line}");
                    }
                }
                Err(e) => println!("{:<32} {:<20} {:>8}  {}", name, "✗ error", "-", e),
            }
        }
        println!(
            "{} tested, {} ok, {} failed",
            rows.len(),
            rows.len() - failed,
            failed
        );
    }
    if phase == JobPhase::Cancelled {
        return Err(CliError::Cancelled(format!(
            "cancelled: {} of {total} scopes tested; no test started after the cancel",
            rows.len()
        )));
    }
    if let JobPhase::Failed(e) = phase {
        return Err(CliError::Other(e));
    }
    if failed == 0 {
        Ok(())
    } else {
        Err(CliError::TestFailed(format!(
            "{failed} of {} connection tests failed",
            rows.len()
        )))
    }
}
