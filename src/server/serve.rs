//! The accept loop of `llmcfg serve`, on hyper-util rather than
//! `axum::serve`, because `axum::serve` sets no header-read timeout (a
//! client that sends half a request line keeps its socket forever) and its
//! graceful shutdown waits for every connection without a bound (one such
//! socket kept the server alive after SIGTERM).
//!
//! Here every HTTP/1 connection must deliver a complete request head within
//! [`ServeOptions::header_read_timeout`] — the timer also runs while a
//! keep-alive connection waits idle for its next request, so it is the idle
//! timeout as well; HTTP/2 connections are pinged at the same interval and
//! closed when the ping goes unanswered. On shutdown the listener closes,
//! every connection is asked to finish its in-flight request, and whatever
//! is still open after [`ServeOptions::drain_timeout`] is dropped.
//!
//! Malformed HTTP (a bad request line, a header that is not HTTP) is
//! answered by hyper itself with an empty 400 before any of our code runs;
//! those are the only error answers without a `{"detail"}` body.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Longest a client may take to send a request head, and longest an idle
/// keep-alive connection stays open.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest shutdown waits for in-flight requests before it closes their
/// connections (below Docker's default 10 s stop grace).
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(8);
/// Pause after a failed `accept` (out of file descriptors), so the loop
/// does not spin while the condition lasts.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The connection timeouts of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// Time to send a complete request head; also the keep-alive idle time.
    pub header_read_timeout: Duration,
    /// Time shutdown waits for in-flight requests.
    pub drain_timeout: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_read_timeout: HEADER_READ_TIMEOUT,
            drain_timeout: DRAIN_TIMEOUT,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then drains within
/// the bound of `opts`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    opts: ServeOptions,
) -> std::io::Result<()> {
    let (close_tx, close_rx) = watch::channel(());
    let mut conns = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _peer)) => stream,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                conns.spawn(connection(stream, app.clone(), close_rx.clone(), opts));
            }
        }
    }
    drop(listener);
    let _ = close_tx.send(());
    let open = conns.len();
    let drained = tokio::time::timeout(opts.drain_timeout, async {
        while conns.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            still_open = conns.len(),
            of = open,
            drain_ms = opts.drain_timeout.as_millis() as u64,
            "drain time over; closing the remaining connections"
        );
        conns.shutdown().await;
    }
    Ok(())
}

/// One connection: served until it ends, or asked to finish on shutdown.
async fn connection(
    stream: tokio::net::TcpStream,
    app: Router,
    mut close: watch::Receiver<()>,
    opts: ServeOptions,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(opts.header_read_timeout)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(opts.header_read_timeout)
        .keep_alive_timeout(opts.header_read_timeout);
    let conn =
        builder.serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(app));
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        _ = close.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}
