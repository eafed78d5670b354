//! `llmcfg test`: test the stored credentials of one scope, or of all.

use std::io::IsTerminal;

use clap::Args;

use super::{CliError, Context, output};
use crate::domain::Scope;
use crate::service::TestProgress;

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
    let mut rx = ctx.handle.test_all(concurrency).await?;
    // The bar goes to stderr and only on a terminal, so piped or --json
    // output stays clean.
    let bar = if !ctx.json && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        // Redrawn while nothing finishes too, so a rate-limit wait and the
        // elapsed time stay current.
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "testing {bar:30} {pos}/{len} scopes ({elapsed}){msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut rows: Vec<(Scope, Result<crate::domain::TestResult, String>)> = Vec::new();
    while let Some(event) = rx.recv().await {
        match event {
            TestProgress::Started { total } => bar.set_length(total as u64),
            TestProgress::Finished { scope, result } => {
                rows.push((scope, result.map_err(|e| e.to_string())));
                bar.set_message("");
                bar.inc(1);
            }
            TestProgress::Waiting { wait } => bar.set_message(format!(
                " · the server's rate limit: waiting {:.0} s",
                wait.as_secs_f64().ceil()
            )),
        }
    }
    bar.finish_and_clear();
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
            "total": rows.len(), "failed": failed, "results": items
        }));
    } else {
        println!("{:<32} {:<20} {:>8}  MESSAGE", "SCOPE", "STATUS", "MS");
        for (scope, r) in &rows {
            let name = scope.instance_id().unwrap_or("(control plane)");
            match r {
                Ok(t) => println!(
                    "{:<32} {:<20} {:>8}  {}",
                    name,
                    format!(
                        "{} {}",
                        if t.success { "✓" } else { "✗" },
                        t.status.as_str()
                    ),
                    t.latency_ms,
                    t.message
                ),
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
    if failed == 0 {
        Ok(())
    } else {
        Err(CliError::TestFailed(format!(
            "{failed} of {} connection tests failed",
            rows.len()
        )))
    }
}
