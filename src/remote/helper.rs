//! Running an operator's helper program (`[remote] instances_command`, a
//! secret's `command`): directly, without a shell (as git credential
//! helpers and kubectl exec plugins do), so no quoting or injection
//! questions arise; an operator who wants a pipeline writes
//! `["sh", "-c", "…"]`. It gets no stdin and none of our secret `LLMCFG_*`
//! variables (`crate::child`; design §8: a child never inherits a secret of ours), must
//! finish within its time limit, and its stderr is discarded, since a
//! helper that talks to an inventory or a vault may print secrets.

use std::process::Stdio;
use std::time::Duration;

use zeroize::Zeroizing;

/// Largest output of a helper, in bytes.
pub const MAX_OUTPUT_BYTES: usize = 4 * 1024 * 1024;

/// Runs `argv` and returns its stdout; the error says why in one line and
/// never quotes the output or stderr.
pub async fn run(argv: &[String], limit: Duration) -> Result<Zeroizing<Vec<u8>>, String> {
    let Some((program, args)) = argv.split_first() else {
        return Err("is empty; give the program and its arguments".into());
    };
    // The one rule for what a child of ours may see (src/child.rs).
    let child = crate::child::command(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run {program:?}: {e}"))?;
    // On timeout the future (and with it the child, `kill_on_drop`) is dropped.
    let output = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .map_err(|_| {
            format!(
                "{program:?} did not finish within {:.1} s and was stopped",
                limit.as_secs_f64()
            )
        })?
        .map_err(|e| format!("{program:?}: {e}"))?;
    let stdout = Zeroizing::new(output.stdout);
    if !output.status.success() {
        return Err(format!(
            "{program:?} failed ({}); its stderr is not shown, run it yourself to see why",
            output.status
        ));
    }
    if stdout.len() > MAX_OUTPUT_BYTES {
        return Err(format!("printed more than {MAX_OUTPUT_BYTES} bytes"));
    }
    Ok(stdout)
}
