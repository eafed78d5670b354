//! The command hook: one program per event, split into words at load (no
//! shell, so an event's text can never become a command), the event JSON
//! on its stdin, killed after its timeout. It is how Slack, PagerDuty or
//! email are reached without llmcfg writing a client for each.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use super::metrics::{Delivery, Metrics, Sink};

/// Runs `argv` with `body` on stdin; true when it exited 0 in time.
pub async fn run(argv: &[String], body: &[u8], timeout: Duration, metrics: &Metrics) -> bool {
    let ok = match attempt(argv, body, timeout).await {
        Ok(()) => true,
        Err(why) => {
            tracing::warn!(
                program = argv.first().map(String::as_str),
                why,
                "command hook failed"
            );
            false
        }
    };
    metrics.delivery(
        Sink::Command,
        if ok {
            Delivery::Delivered
        } else {
            Delivery::GaveUp
        },
    );
    ok
}

async fn attempt(argv: &[String], body: &[u8], timeout: Duration) -> Result<(), String> {
    let (program, args) = argv.split_first().ok_or("no program")?;
    let mut child = crate::child::command(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let run = async {
        // A program that exits without reading its stdin is not a failure.
        let _ = stdin.write_all(body).await;
        drop(stdin);
        child.wait().await
    };
    match tokio::time::timeout(timeout, run).await {
        Err(_) => Err(format!("still running after {timeout:?}; killed")),
        Ok(Err(e)) => Err(format!("wait failed: {e}")),
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(format!("exited with {status}")),
    }
}
