//! `llmcfg serve`: the `/llm-config` HTTP API of design §3 on axum.
//!
//! The router is built from one route table ([`routes::ROUTES`]), which also
//! feeds `/openapi.json`. Every `/llm-config` route sits behind the bearer
//! auth middleware; handlers only extract, call the [`ServiceHandle`] and
//! serialize; [`error::ApiError`] is the one place statuses are chosen.
//! Around the router, one service (`edge.rs`) applies what every request
//! gets: secret headers marked sensitive, the access log, the body-size
//! refusal, the request timeout and `{"detail"}` error bodies. Like
//! mini-redis, [`run`] takes a bound listener and a shutdown future, so tests
//! run a real server on `127.0.0.1:0`.

mod access_log;
mod auth;
mod body_limit;
mod connections;
mod edge;
mod error;
mod extract;
mod fleet;
mod handlers;
pub mod jobs;
mod json;
pub mod metrics;
pub mod openapi;
mod parity;
mod rotation;
pub mod routes;
mod sensitive;
pub mod serve;
mod shutdown;
pub mod tls;
mod unique_keys;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tokio::net::TcpListener;

pub use error::ApiError;
pub use serve::ServeOptions;
pub use shutdown::shutdown_signal;

use crate::api::MAX_BODY_BYTES;
use crate::service::ServiceHandle;

/// Longest a request may run before it is answered 408; longer than the
/// prober's 20 s total bound so a slow connection test still completes.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Shared state of every handler: the service. Behind one `Arc`, since the
/// auth middleware clones the state for each request and one reference
/// count is cheaper than the handle's three.
#[derive(Clone)]
pub struct AppState {
    /// The service, auditing as the server until a token names the caller.
    pub handle: std::sync::Arc<ServiceHandle>,
}

/// What the server runs: the routes inside the edge, as one cloneable
/// service that is always ready. [`router_with`] builds ours; a plain
/// [`Router`] (the `/metrics` listener) is one too.
pub trait App:
    tower::Service<
        axum::extract::Request,
        Response = axum::response::Response,
        Error = std::convert::Infallible,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> App for S where
    S: tower::Service<
            axum::extract::Request,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// The full router: routes, auth, limits, timeouts, error bodies, access log.
pub fn router(handle: ServiceHandle) -> impl App {
    router_with(handle, Router::new())
}

/// [`router`] plus `extra` routes (`serve`'s `/metrics`), which get the
/// same error bodies, limits and access log as the API's own.
pub fn router_with(handle: ServiceHandle, extra: Router) -> impl App {
    let state = AppState {
        handle: std::sync::Arc::new(handle),
    };
    let mut protected = Router::new();
    let mut public = Router::new();
    for route in routes::ROUTES {
        if route.auth {
            protected = protected.route(route.path, (route.handler)());
        } else {
            public = public.route(route.path, (route.handler)());
        }
    }
    let protected = protected.route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        auth::require_superadmin,
    ));
    let api = public.merge(protected).with_state(state).merge(extra);
    // The edge wraps the router once, as one service, served as it is.
    // Added with `Router::layer` it wrapped every route in its own boxed
    // copy, and since axum clones a boxed route to call it, each request
    // cloned that chain of boxes again at every level (`docs/benchmarks.md`,
    // "The GET hot path, second round"); put in an outer router as its
    // fallback, it cost every request a second routing, a box and a clone
    // ("fourth round").
    tower::ServiceBuilder::new()
        .layer(edge::EdgeLayer::new(REQUEST_TIMEOUT))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .service(api)
}

/// Serves `handle` on `listener` until `shutdown` completes, then stops
/// accepting and lets in-flight requests finish within the drain time.
pub async fn run(
    listener: TcpListener,
    handle: ServiceHandle,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    run_with(listener, handle, shutdown, ServeOptions::default()).await
}

/// [`run`] with these connection timeouts.
pub async fn run_with(
    listener: TcpListener,
    handle: ServiceHandle,
    shutdown: impl Future<Output = ()> + Send + 'static,
    opts: ServeOptions,
) -> std::io::Result<()> {
    run_app(listener, router(handle), shutdown, opts, None).await
}

/// [`run_with`] for a router built by the caller ([`router_with`]), over
/// TLS when `tls` is given.
pub async fn run_app(
    listener: TcpListener,
    app: impl App,
    shutdown: impl Future<Output = ()> + Send + 'static,
    opts: ServeOptions,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, tls = tls.is_some(), "llmcfg server listening");
    }
    serve::serve_over(listener, app, shutdown, opts, tls).await?;
    tracing::info!("llmcfg server stopped");
    Ok(())
}
