//! `llmcfg rotate-key`: replace one key everywhere it is used. The key to
//! replace is named by fingerprint (`--fingerprint`, see `llmcfg keys`) or
//! given as the first line of stdin (`--from-stdin-old`); the new key is the
//! next line of stdin (or a hidden prompt on a terminal), never an
//! argument. The new key is tested against every affected scope first; see
//! [`crate::service::rotation`] for what is swapped. Exit 5 when any scope
//! still has the old key (kept or unreachable). The rotation runs as a job:
//! Ctrl-c cancels it cleanly (no new test or swap starts, those under way
//! finish, the report is printed, exit code 130).

use std::io::{BufRead, IsTerminal};

use clap::Args;
use tokio::sync::mpsc;
use zeroize::Zeroizing;

use super::job_follow::{Interrupt, follow};
use super::{CliError, Context, output};
use crate::domain::ApiKey;
use crate::service::rotation::{
    OldKey, RotationProgress, RotationReport, RotationRequest, ScopeOutcome, SwapMode,
};

/// Connection tests run at once unless `--concurrency` says otherwise.
const DEFAULT_CONCURRENCY: usize = 16;

/// Arguments of `rotate-key`.
#[derive(Debug, Args)]
pub struct RotateKeyArgs {
    /// The fingerprint of the key to replace (`hmac:…`, from `llmcfg keys`).
    #[arg(long, value_name = "FP", required_unless_present = "from_stdin_old")]
    pub fingerprint: Option<String>,
    /// Read the key to replace from the first line of stdin (the new key is
    /// the second line).
    #[arg(long, conflicts_with = "fingerprint")]
    pub from_stdin_old: bool,
    /// How many connection tests run at once.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// Swap every scope in one transaction if all tests pass, else none.
    #[arg(long, conflicts_with = "dry_run")]
    pub atomic: bool,
    /// Test the new key everywhere; swap nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs `rotate-key`.
pub async fn run(ctx: &Context, args: RotateKeyArgs) -> Result<(), CliError> {
    if args.concurrency == 0 {
        return Err(CliError::Usage("--concurrency: must be at least 1".into()));
    }
    let old = match args.fingerprint {
        // Checked here, before the service: a key given as --fingerprint
        // must not come back in an error (and so in the log).
        Some(fp) => OldKey::Fingerprint(
            crate::domain::validation::validate_fingerprint(&fp)
                .map_err(|e| CliError::Usage(format!("--{e}")))?,
        ),
        None => OldKey::Key(read_key("the key to replace")?),
    };
    let new_key = read_key("the new key")?;
    let mode = if args.dry_run {
        SwapMode::DryRun
    } else if args.atomic {
        SwapMode::Atomic
    } else {
        SwapMode::Passed
    };
    let request = RotationRequest {
        old,
        new_key,
        mode,
        concurrency: args.concurrency,
    };
    let mut interrupt = Interrupt::install();
    let (tx, rx) = mpsc::unbounded_channel();
    let bar = tokio::spawn(show_progress(
        rx,
        !ctx.json && std::io::stderr().is_terminal(),
    ));
    let job = ctx.handle.start_rotation(request, tx);
    let report = follow(&ctx.handle, job, &mut interrupt, |_| {}).await;
    let _ = bar.await;
    let report = report?;
    if ctx.json {
        output::print_json(&report);
    } else {
        print!("{}", table(&report));
    }
    if interrupt.fired() {
        let tested = report
            .scopes
            .iter()
            .filter(|s| s.test_status.is_some())
            .count();
        return Err(CliError::Cancelled(format!(
            "cancelled: {tested} of {} scopes tested, {} swapped; no test or swap started after the cancel",
            report.scopes.len(),
            report.count(ScopeOutcome::Swapped)
        )));
    }
    if report.any_left() {
        return Err(CliError::TestFailed(format!(
            "{} scope(s) still use the old key {}",
            report
                .scopes
                .iter()
                .filter(|s| matches!(s.outcome, ScopeOutcome::Kept | ScopeOutcome::Unreachable))
                .count(),
            report.old_fingerprint
        )));
    }
    Ok(())
}

/// One key: the next line of stdin, or a hidden prompt on a terminal.
fn read_key(what: &str) -> Result<ApiKey, CliError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let key = Zeroizing::new(
            rpassword::prompt_password(format!("{what} (input hidden): "))
                .map_err(|e| CliError::Usage(format!("api_key: cannot read the prompt: {e}")))?,
        );
        return Ok(ApiKey::new(key.trim()));
    }
    let mut line = Zeroizing::new(String::new());
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Usage(format!("api_key: cannot read stdin: {e}")))?;
    if line.trim().is_empty() {
        return Err(CliError::Usage(format!(
            "api_key: {what} must be a line of stdin, and it is empty"
        )));
    }
    Ok(ApiKey::new(line.trim()))
}

/// The progress bar on stderr, only on a terminal.
async fn show_progress(mut rx: mpsc::UnboundedReceiver<RotationProgress>, visible: bool) {
    let bar = if visible {
        indicatif::ProgressBar::new(0)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "testing the new key {bar:30} {pos}/{len} scopes ({elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    while let Some(event) = rx.recv().await {
        match event {
            RotationProgress::Testing { total } => bar.set_length(total as u64),
            RotationProgress::Tested { .. } => bar.inc(1),
            RotationProgress::Swapping => bar.set_message("swapping"),
        }
    }
    bar.finish_and_clear();
}

/// The summary under the table: how many scopes ended each way (a dry
/// run's passed, a real run's swapped), then the rotation's id with the
/// command that undoes it when it swapped anything.
fn summary(report: &RotationReport) -> String {
    let count = |o: ScopeOutcome| report.count(o);
    let done = match report.mode {
        SwapMode::DryRun => format!(
            "{} passed (dry run, nothing swapped)",
            count(ScopeOutcome::Passed)
        ),
        SwapMode::Passed | SwapMode::Atomic => format!("{} swapped", count(ScopeOutcome::Swapped)),
    };
    let mut line = format!(
        "{} -> {}: {done}, {} kept, {} unreachable, {} already rotated",
        report.old_fingerprint,
        report.new_fingerprint,
        count(ScopeOutcome::Kept),
        count(ScopeOutcome::Unreachable),
        count(ScopeOutcome::AlreadyRotated),
    );
    match (report.undo_id(), &report.rotation_id) {
        (Some(id), _) => line.push_str(&format!(
            "\nrotation {id} (undo: llmcfg rollback --rotation {id})"
        )),
        (None, Some(id)) => line.push_str(&format!(
            "\nrotation {id} (nothing swapped, nothing to undo)"
        )),
        (None, None) => {}
    }
    line
}

/// The per-scope table and a summary line.
fn table(report: &RotationReport) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:<24} {:<16} {:<30} {:<16} REASON\n",
        "SCOPE", "PROVIDER", "MODEL", "RESULT"
    ));
    for s in &report.scopes {
        out.push_str(&format!(
            "{:<24} {:<16} {:<30} {:<16} {}\n",
            s.instance_id.as_deref().unwrap_or("(control plane)"),
            s.provider,
            s.model,
            s.outcome.as_str(),
            s.reason.as_deref().unwrap_or("")
        ));
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::rotation::ScopeReport;

    fn report(mode: SwapMode, outcomes: &[ScopeOutcome]) -> RotationReport {
        RotationReport {
            rotation_id: (mode != SwapMode::DryRun).then(|| "r1".to_string()),
            old_fingerprint: "hmac:old".into(),
            new_fingerprint: "hmac:new".into(),
            mode,
            scopes: outcomes
                .iter()
                .map(|&outcome| ScopeReport {
                    instance_id: Some("acme".into()),
                    provider: "openai".into(),
                    model: "gpt-4o".into(),
                    outcome,
                    test_status: None,
                    reason: None,
                })
                .collect(),
            test_ms: 0,
            swap_ms: 0,
        }
    }

    #[test]
    fn a_real_run_counts_swaps_and_offers_the_undo_only_when_it_swapped() {
        let swapped = summary(&report(
            SwapMode::Passed,
            &[ScopeOutcome::Swapped, ScopeOutcome::Kept],
        ));
        assert!(
            swapped.contains(": 1 swapped, 1 kept, 0 unreachable"),
            "{swapped}"
        );
        assert!(!swapped.contains("dry run"), "{swapped}");
        assert!(
            swapped.contains("undo: llmcfg rollback --rotation r1"),
            "{swapped}"
        );

        let none = summary(&report(SwapMode::Passed, &[ScopeOutcome::Unreachable]));
        assert!(
            none.contains(": 0 swapped, 0 kept, 1 unreachable"),
            "{none}"
        );
        assert!(!none.contains("undo:"), "{none}");
        assert!(none.contains("nothing swapped, nothing to undo"), "{none}");
    }

    #[test]
    fn a_dry_run_counts_passes_and_names_no_rotation() {
        let dry = summary(&report(SwapMode::DryRun, &[ScopeOutcome::Passed]));
        assert!(
            dry.contains(": 1 passed (dry run, nothing swapped), 0 kept"),
            "{dry}"
        );
        assert!(!dry.contains("swapped,"), "{dry}");
        assert!(!dry.contains("rotation "), "{dry}");
    }
}
