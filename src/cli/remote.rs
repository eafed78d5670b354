//! `llmcfg remote check`: probe a remote without writing, before trusting
//! it with a fleet; `--json` for CI. Exit 0 when every seed route works, 6
//! when the credentials were refused, 1 otherwise.

use clap::Subcommand;

use super::context::{config_dir, load_settings, normalised_remote, remote_options, remote_url};
use super::{CliError, GlobalArgs, output};
use crate::remote::check::{CheckReport, Verdict};
use crate::remote::{RemoteClient, credentials};
use crate::service::ServiceError;

/// `llmcfg remote …`.
#[derive(Debug, Subcommand)]
pub enum RemoteCommand {
    /// Probe the remote read-only: seed routes, extensions, id and time
    /// styles, error shape, rate limit.
    Check,
}

/// Runs `remote check`.
pub async fn run(global: &GlobalArgs, command: RemoteCommand) -> Result<(), CliError> {
    let RemoteCommand::Check = command;
    let (settings, paths) = load_settings(global)?;
    let Some(url) = remote_url(global, &settings) else {
        return Err(CliError::Usage(
            "remote check needs the server: --remote URL, LLMCFG_REMOTE or [remote] url".into(),
        ));
    };
    let url = normalised_remote(&url)?;
    let token =
        credentials::resolve(&url, &config_dir(&paths)).map_err(super::context::remote_error)?;
    let mut options = remote_options(&url, token, &settings, &paths).await?;
    // A probe learns afresh: no cached answer of an earlier run.
    options.cache_dir = None;
    let client =
        RemoteClient::with_options(options).map_err(|e| CliError::Config(e.to_string()))?;
    let report = client.check().await;
    if global.json {
        output::print_json(&report);
    } else {
        print_human(&report);
    }
    if report.refused() {
        return Err(CliError::Service(ServiceError::Unauthorized(
            "the server refused the credentials; see above".into(),
        )));
    }
    if !report.all_work() {
        return Err(CliError::Other(
            "not every seed route works; see above".into(),
        ));
    }
    Ok(())
}

fn print_human(r: &CheckReport) {
    println!("remote check of {}", r.url);
    println!("seed routes (probed on a scope that cannot exist, nothing written):");
    for route in &r.routes {
        let mark = match route.verdict {
            Verdict::Works => "✓",
            Verdict::Missing | Verdict::Refused | Verdict::Failed => "✗",
        };
        println!("  {mark} {:<40} {}", route.route, route.note);
    }
    let list = |offered: Option<bool>| {
        let names: Vec<&str> = r
            .extensions
            .iter()
            .filter(|e| e.offered == offered)
            .map(|e| e.route.as_str())
            .collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    println!(
        "OpenAPI document: {}",
        if r.openapi { "published" } else { "none" }
    );
    println!("extension routes offered: {}", list(Some(true)));
    println!("extension routes not offered: {}", list(Some(false)));
    println!("extension routes not probed (writes): {}", list(None));
    let seen = |v: &Option<String>| {
        v.clone()
            .unwrap_or_else(|| "not seen (the control plane has no configuration)".into())
    };
    println!("ids: {}", seen(&r.id_style));
    println!("timestamps: {}", seen(&r.timestamp_style));
    let shapes: Vec<&str> = r.error_shapes.iter().map(|s| s.describe()).collect();
    println!(
        "error bodies: {}",
        if shapes.is_empty() {
            "none seen".to_string()
        } else {
            shapes.join(", ")
        }
    );
    match r.throttled_answers {
        0 => println!("rate limit: none answered"),
        n => println!(
            "rate limit: answered {n} time(s) with 429/503; the requests waited and were sent again"
        ),
    }
}
