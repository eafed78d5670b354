//! `llmcfg lifecycle`: every scope at risk by what its provider said at the
//! last test — a model retiring inside the `[lifecycle]` window, credit at
//! or below the threshold, a key expiring — soonest first. Read from the
//! instance list, so it works the same on the local store and on a remote
//! `llmcfg serve`; a server that reports no test results (a seed-only
//! control plane) is said so in one line, not shown as a healthy fleet.

use super::{CliError, Context, output};
use crate::domain::lifecycle_risk::{ScopeRisk, at_risk};

/// Says why a remote list has no facts to read.
pub const NO_FACTS_REMOTE: &str = "this server reports no test results, so no lifecycle facts \
     (a seed-only server has no GET /llm-config/instances; on llmcfg serve, run `llmcfg test --all` first)";

/// Runs `lifecycle`.
pub async fn run(ctx: &Context) -> Result<(), CliError> {
    let list = ctx.handle.list_instances().await?;
    let remote = matches!(
        ctx.handle.info(),
        crate::service::BackendInfo::Remote { .. }
    );
    let configured = list.iter().filter(|s| s.config.is_some()).count();
    if remote && configured > 0 && list.iter().all(|s| s.last_test.is_none()) {
        return Err(CliError::NotFound(NO_FACTS_REMOTE.into()));
    }
    let window = ctx.settings.lifecycle.window();
    let today = crate::store::rows_now().date();
    let rows = at_risk(&list, today, window);
    if ctx.json {
        output::print_json(&rows);
    } else if rows.is_empty() {
        println!(
            "no scope is at risk: nothing retires or expires within {} days, no credit at or below {:.0}%",
            window.days,
            window.credit_fraction * 100.0
        );
    } else {
        println!("{:<24} {:<32} FACTS", "SCOPE", "PROVIDER/MODEL");
        for r in &rows {
            println!("{}", line(r));
        }
    }
    Ok(())
}

fn line(r: &ScopeRisk) -> String {
    format!(
        "{:<24} {:<32} {}",
        r.instance_id.as_deref().unwrap_or("(control plane)"),
        format!("{}/{}", r.provider, r.model),
        r.facts.join(" · ")
    )
}
