//! `llmcfg lifecycle`: every scope at risk by what its provider said at the
//! last test — a model retiring inside the `[lifecycle]` window, credit at
//! or below the threshold, a key expiring — soonest first. Read from the
//! instance list, so it works the same on the local store and on a remote
//! `llmcfg serve`; a server that reports no lifecycle facts (a seed-only
//! control plane) is said so in one line, not shown as a healthy fleet.

use super::{CliError, Context, output};
use crate::domain::lifecycle::NOT_REPORTED;
use crate::domain::lifecycle_risk::{ScopeRisk, at_risk};

/// Runs `lifecycle`.
pub async fn run(ctx: &Context) -> Result<(), CliError> {
    if !ctx.handle.reports_lifecycle().await? {
        return Err(CliError::NotFound(NOT_REPORTED.into()));
    }
    let list = ctx.handle.list_instances().await?;
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
