//! Access log: method, path, status and latency of every request. Headers,
//! query strings and bodies are never logged: they can carry the bearer
//! token, an `x-api-key` or the API key being saved.

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// Middleware: one line when a request starts (debug) and one when it ends.
pub async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = Instant::now();
    tracing::debug!(%method, %path, "request started");
    let response = next.run(request).await;
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}
