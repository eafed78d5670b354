//! `llmcfg health`: each configured scope's health from the monitor's
//! history — state, since when, the last ok, flaps and p50 latency over a
//! window. `--failing` shows only failing scopes; `--json` prints them as
//! a JSON array.

use clap::Args;

use super::{CliError, Context, output};
use crate::monitor::report::{self, ScopeHealth};
use crate::store::SampleQuery;

/// Arguments of `health`.
#[derive(Debug, Args)]
pub struct HealthArgs {
    /// Only scopes that are failing.
    #[arg(long)]
    pub failing: bool,
    /// Hours of history behind flaps and p50 latency.
    #[arg(long, default_value_t = 24, value_name = "HOURS",
          value_parser = clap::value_parser!(u32).range(1..=24 * 366))]
    pub window_hours: u32,
}

/// Runs `health`.
pub async fn run(ctx: &Context, args: HealthArgs) -> Result<(), CliError> {
    let admin = ctx.handle.admin().ok_or_else(|| {
        CliError::Usage(
            "health reads the monitor's history in the local store; run it on the server host"
                .into(),
        )
    })?;
    let access = admin.health();
    let since = crate::store::rows_now() - time::Duration::hours(i64::from(args.window_hours));
    let targets = access.targets().await?;
    let states = access.states().await?;
    let samples = access.samples(SampleQuery::Since(since)).await?;
    let mut rows = report::build(&targets, &states, &samples);
    // The facts ride on each scope's last test, which the monitor keeps
    // fresh: one read of the instance list, no provider call.
    let facts: std::collections::HashMap<Option<String>, _> = ctx
        .handle
        .list_instances()
        .await?
        .into_iter()
        .filter_map(|s| Some((s.instance_id, s.last_test?.lifecycle?)))
        .collect();
    for r in &mut rows {
        r.lifecycle = facts.get(&r.instance_id).cloned();
    }
    if args.failing {
        rows.retain(|r| r.state == crate::domain::HealthState::Failing);
    }
    if ctx.json {
        output::print_json(&rows);
    } else if rows.is_empty() {
        println!(
            "{}",
            if args.failing {
                "no scope is failing"
            } else {
                "no configured scope"
            }
        );
    } else {
        println!(
            "{:<24} {:<8} {:<21} {:<21} {:>5} {:>8}  provider/model",
            "SCOPE", "STATE", "SINCE", "LAST OK", "FLAPS", "P50 MS"
        );
        for r in &rows {
            println!("{}", line(r));
            for fact in output::lifecycle_lines(r.lifecycle.as_deref()) {
                println!("{fact}");
            }
        }
    }
    Ok(())
}

fn line(r: &ScopeHealth) -> String {
    let t = |t: Option<time::OffsetDateTime>| t.map(output::time).unwrap_or_else(|| "-".into());
    format!(
        "{:<24} {:<8} {:<21} {:<21} {:>5} {:>8}  {}/{}",
        r.instance_id.as_deref().unwrap_or("(control plane)"),
        r.state.as_str(),
        t(r.since),
        t(r.last_ok),
        r.flaps,
        r.p50_latency_ms
            .map(|v| v.to_string())
            .unwrap_or_else(|| "-".into()),
        r.provider,
        r.model
    )
}
