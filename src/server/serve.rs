//! The accept loop of `llmcfg serve`, on hyper-util rather than
//! `axum::serve`, because `axum::serve` sets no header-read timeout (a
//! client that sends half a request line keeps its socket forever) and its
//! graceful shutdown waits for every connection without a bound (one such
//! socket kept the server alive after SIGTERM).
//!
//! Here every connection is closed once it has had no request in flight for
//! [`ServeOptions::header_read_timeout`], whatever it sends or does not send
//! (see [`super::connections`]); HTTP/2 pings run at the same interval
//! beneath that rule. Hyper's HTTP/1 header-read timer is off: that rule
//! already closes a connection whose next request head is late (the idle
//! time runs from the end of the last response, so it ends no later than
//! hyper's timer would), and hyper's timer cost every request a timer set
//! and cleared in the runtime's timer wheel and an extra read. At most
//! [`ServeOptions::max_connections`] are open at once, fewer when the file
//! descriptor limit is lower. On shutdown the listener closes,
//! every connection is asked to finish its in-flight request, and whatever
//! is still open after [`ServeOptions::drain_timeout`] is dropped.
//!
//! Malformed HTTP (a bad request line, a header that is not HTTP) is
//! answered by hyper itself with an empty 400 before any of our code runs;
//! those are the only error answers without a `{"detail"}` body.

use std::future::Future;
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use super::App;

use super::connections::{Admission, BUSY_RESPONSE, Connections, Slot};

/// Longest a client may take to send a request head, and longest an idle
/// keep-alive connection stays open.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest shutdown waits for in-flight requests before it closes their
/// connections (below Docker's default 10 s stop grace).
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(8);
/// Most connections open at once, unless the descriptor limit is lower.
pub const MAX_CONNECTIONS: usize = 1024;
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
    /// Most connections open at once (lowered to fit the descriptor limit).
    pub max_connections: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_read_timeout: HEADER_READ_TIMEOUT,
            drain_timeout: DRAIN_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then drains within
/// the bound of `opts`.
pub async fn serve(
    listener: TcpListener,
    app: impl App,
    shutdown: impl Future<Output = ()> + Send + 'static,
    opts: ServeOptions,
) -> std::io::Result<()> {
    serve_over(listener, app, shutdown, opts, None).await
}

/// [`serve`], over TLS when `tls` is given: the handshake too must finish
/// within the header-read timeout.
pub async fn serve_over(
    listener: TcpListener,
    app: impl App,
    shutdown: impl Future<Output = ()> + Send + 'static,
    opts: ServeOptions,
    tls: Option<TlsAcceptor>,
) -> std::io::Result<()> {
    let (close_tx, close_rx) = watch::channel(());
    let mut conns = JoinSet::new();
    let table = Connections::new(Connections::cap_for_descriptors(opts.max_connections));
    tracing::debug!(max_connections = table.max(), "connection cap");
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
                let slot = match table.admit() {
                    Admission::Admitted(slot) => slot,
                    Admission::Full => {
                        // One non-blocking write: a client that does not read
                        // must not hold the accept loop.
                        let _ = stream.try_write(BUSY_RESPONSE);
                        tracing::warn!(open = table.len(), "every connection busy; answered 503");
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let (app, close, tls) = (app.clone(), close_rx.clone(), tls.clone());
                conns.spawn(async move {
                    match tls {
                        None => connection(TokioIo::new(stream), app, slot, close, opts).await,
                        Some(acceptor) => {
                            let handshake = tokio::select! {
                                done = acceptor.accept(stream) => done,
                                () = slot.must_close(opts.header_read_timeout) => return,
                            };
                            match handshake {
                                Ok(tls) => connection(TokioIo::new(tls), app, slot, close, opts).await,
                                Err(e) => tracing::debug!(error = %e, "TLS handshake failed"),
                            }
                        }
                    }
                });
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
async fn connection<I>(
    io: I,
    app: impl App,
    slot: Slot,
    mut close: watch::Receiver<()>,
    opts: ServeOptions,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(None)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(opts.header_read_timeout)
        .keep_alive_timeout(opts.header_read_timeout);
    let activity = slot.activity();
    // hyper's own `service_fn` borrows this closure for each request, where
    // a tower service behind `TowerToHyperService` was cloned first.
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let busy = activity.busy();
        // An [`App`] is always ready, so it is called without `poll_ready`.
        let response = app.clone().call(req.map(Body::new));
        async move {
            let response = response.await;
            drop(busy);
            response
        }
    });
    let conn = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        // No request is in flight, so nothing is lost by dropping it.
        () = slot.must_close(opts.header_read_timeout) => {}
        _ = close.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}
