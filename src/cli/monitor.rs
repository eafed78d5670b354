//! `llmcfg monitor`: the monitor on its own, without the HTTP server, until
//! SIGTERM or Ctrl-C. Several may run on one store; the lease makes one of
//! them test at a time.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::context::{load_settings, open_local, probe_guard};
use super::{CliError, GlobalArgs};
use crate::monitor::Metrics;

/// Runs `monitor`.
pub async fn run(global: &GlobalArgs) -> Result<(), CliError> {
    if global.remote.is_some() {
        return Err(CliError::Usage(
            "monitor works on the local store; drop --remote / LLMCFG_REMOTE".into(),
        ));
    }
    let (settings, paths) = load_settings(global)?;
    let mut config = settings
        .monitor
        .config()
        .map_err(|e| CliError::Config(format!("{}: {e}", paths.config_file.display())))?;
    // The same guard as `serve`: this process sends stored keys to stored
    // base URLs just as `serve`'s monitor does.
    let guard = probe_guard(&settings)?;
    config.target_guard = Some(guard.clone());
    config.lifecycle = settings.lifecycle.window();
    let (handle, _, _) = open_local(global, settings, paths, Some(guard)).await?;
    let admin = handle
        .admin()
        .ok_or_else(|| CliError::Other("the local store has no admin access".into()))?;
    let stop = CancellationToken::new();
    let signal = crate::server::shutdown_signal();
    let on_signal = stop.clone();
    tokio::spawn(async move {
        signal.await;
        on_signal.cancel();
    });
    println!(
        "llmcfg: monitoring every scope every {}s",
        config.interval.as_secs_f64()
    );
    crate::monitor::run(admin.health(), config, Arc::new(Metrics::new(None)), stop).await;
    Ok(())
}
