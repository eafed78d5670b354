//! The shutdown future of `llmcfg serve`: SIGTERM (service managers,
//! containers) or Ctrl-C. The server then stops accepting and lets in-flight
//! requests finish within its drain time.

use std::future::Future;

/// Completes on SIGTERM or Ctrl-C. The SIGTERM handler is installed when
/// this is called, not when the future is first polled, so a SIGTERM that
/// arrives while the server is still starting is not the default
/// (immediate, unlogged) termination.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            if tokio::signal::ctrl_c().await.is_err() {
                // No Ctrl-C handler available: rely on SIGTERM alone.
                std::future::pending::<()>().await;
            }
        };
        #[cfg(unix)]
        let terminate = async move {
            match terminate {
                Some(mut sig) => {
                    sig.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => tracing::info!("Ctrl-C received; finishing in-flight requests"),
            () = terminate => tracing::info!("SIGTERM received; finishing in-flight requests"),
        }
    }
}
