//! `llmcfg serve`: the `/llm-config` HTTP API over the local store, with the
//! SSRF guard on, until SIGTERM or Ctrl-C (in-flight requests finish).

use std::sync::Arc;

use clap::Args;

use super::context::{load_settings, open_local, probe_guard};
use super::{CliError, GlobalArgs};
use crate::server::tls::Reloadable;

/// Listen address when neither `--listen` nor `[server] listen` is given.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8787";

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default `[server] listen`, else 127.0.0.1:8787).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
}

/// Runs `serve`.
pub async fn run(global: &GlobalArgs, args: ServeArgs) -> Result<(), CliError> {
    if global.remote.is_some() {
        return Err(CliError::Usage(
            "serve works on the local store; drop --remote / LLMCFG_REMOTE".into(),
        ));
    }
    let (settings, paths) = load_settings(global)?;
    let guard = probe_guard(&settings)?;
    let listen = args
        .listen
        .or_else(|| settings.server.listen.clone())
        .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
    let serve_options = settings
        .server
        .serve_options()
        .map_err(|e| CliError::Config(format!("{}: {e}", paths.config_file.display())))?;
    let mut monitor = settings
        .monitor
        .config()
        .map_err(|e| CliError::Config(format!("{}: {e}", paths.config_file.display())))?;
    monitor.target_guard = Some(guard.clone());
    monitor.lifecycle = settings.lifecycle.window();
    let config_dir = paths
        .config_file
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let tls = match settings
        .server
        .tls_files(&config_dir)
        .map_err(|e| CliError::Config(e.to_string()))?
    {
        Some(files) => {
            let pair = Reloadable::load(files).map_err(CliError::Config)?;
            #[cfg(unix)]
            pair.reload_on_sighup();
            Some(pair.acceptor().map_err(CliError::Config)?)
        }
        None => None,
    };
    let (handle, _, _) = open_local(global, settings, paths, Some(guard)).await?;
    if handle.list_tokens().await?.is_empty() {
        eprintln!(
            "llmcfg: no API tokens yet, so every /llm-config request will get 401; \
             create one with `llmcfg token create --name NAME`"
        );
    }
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| CliError::Usage(format!("cannot listen on {listen}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::Other(e.to_string()))?;
    if tls.is_none() && !addr.ip().is_loopback() {
        let warning = format!(
            "listening on {addr} without TLS: bearer tokens and API keys cross the network \
             in clear; set [server] tls_cert and tls_key, or put a TLS proxy in front"
        );
        tracing::warn!("{warning}");
        eprintln!("llmcfg: warning: {warning}");
    }
    let scheme = if tls.is_some() { "https" } else { "http" };
    // On stdout, one line, so scripts and tests can find an ephemeral port.
    println!("llmcfg: serving the /llm-config API on {scheme}://{addr}");
    // The monitor, when enabled, runs beside the server and
    // stops with it.
    let stop = tokio_util::sync::CancellationToken::new();
    let metrics = Arc::new(crate::monitor::Metrics::new(
        monitor.metrics.per_scope_limit,
    ));
    // `/metrics`: on this address with its token, and/or alone on its own.
    let extra = match monitor.metrics.token.clone() {
        Some(token) => crate::server::metrics::router(metrics.clone(), Some(token)),
        None => axum::Router::new(),
    };
    let app = crate::server::router_with(handle.with_caller("server"), extra);
    if let Some(addr) = monitor.metrics.listen.clone() {
        let l = tokio::net::TcpListener::bind(&addr).await.map_err(|e| {
            CliError::Usage(format!(
                "cannot listen on {addr} (monitor.metrics_listen): {e}"
            ))
        })?;
        let bound = l.local_addr().map_err(|e| CliError::Other(e.to_string()))?;
        println!("llmcfg: serving /metrics on http://{bound}");
        let only = crate::server::metrics::router(metrics.clone(), None);
        let until = stop.clone();
        tokio::spawn(async move {
            let _ = crate::server::serve::serve(
                l,
                only,
                async move { until.cancelled().await },
                crate::server::ServeOptions::default(),
            )
            .await;
        });
    }
    let monitoring = match handle.admin() {
        Some(admin) if monitor.enabled => Some(tokio::spawn(crate::monitor::run(
            admin.health(),
            monitor,
            metrics.clone(),
            stop.clone(),
        ))),
        _ => None,
    };
    let signal = crate::server::shutdown_signal();
    let served = crate::server::run_app(listener, app, signal, serve_options, tls).await;
    stop.cancel();
    if let Some(m) = monitoring {
        let _ = m.await;
    }
    served.map_err(|e| CliError::Other(format!("server error: {e}")))
}
