//! Access log: method, path, status and latency of every request. Headers,
//! query strings and bodies are never logged: they can carry the bearer
//! token, an `x-api-key` or the API key being saved.

use std::time::Instant;

use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;

/// A request being served: logged when it starts (debug) and when it ends.
pub struct RequestLog {
    method: Method,
    path: String,
    started: Instant,
}

impl RequestLog {
    /// Notes `request`'s start, before it is handed on.
    pub fn start(request: &Request) -> RequestLog {
        let log = RequestLog {
            method: request.method().clone(),
            path: request.uri().path().to_string(),
            started: Instant::now(),
        };
        tracing::debug!(method = %log.method, path = %log.path, "request started");
        log
    }

    /// The line for the request's end, with the status it is answered.
    pub fn finish(self, response: &Response) {
        tracing::info!(
            method = %self.method,
            path = %self.path,
            status = response.status().as_u16(),
            latency_ms = self.started.elapsed().as_millis() as u64,
            "request"
        );
    }
}
