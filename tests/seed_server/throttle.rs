//! A fixed-window rate limit in front of the seed routes, as NestJS's
//! `ThrottlerGuard` or a gateway applies one: at most `per_window` requests
//! in each `window` (counted from the server's start); above that, 429 with
//! `Retry-After` in whole seconds until the window ends.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::State;

/// The limit.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub per_window: usize,
    /// The window's length.
    pub window: Duration,
    /// How a refused request is answered.
    pub answer: Refusal,
}

/// How a request above the limit is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Refusal {
    /// 429 with `Retry-After` in seconds (NestJS, most gateways).
    #[default]
    TooManySeconds,
    /// 503 with `Retry-After` as an HTTP date (a proxy shedding load).
    UnavailableUntilDate,
}

/// `None` when the request is within the limit (and counted), else the
/// wait until the window ends.
pub fn admit(limit: &RateLimit, state: &mut State) -> Option<Duration> {
    let elapsed = state.started.elapsed();
    let window = limit.window.as_nanos();
    let index = elapsed.as_nanos() / window;
    if state.window.0 != index {
        state.window = (index, 0);
    }
    if state.window.1 < limit.per_window {
        state.window.1 += 1;
        return None;
    }
    state.throttled += 1;
    let ends = Duration::from_nanos(((index + 1) * window) as u64);
    Some(ends.saturating_sub(elapsed))
}

/// The refusal: 429 with `Retry-After` rounded up to whole seconds, or 503
/// with the HTTP date the window ends (rounded up to the next second).
pub fn refuse(limit: &RateLimit, wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    match limit.answer {
        Refusal::TooManySeconds => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", secs.to_string())],
            axum::Json(
                json!({"statusCode": 429, "message": "ThrottlerException: Too Many Requests"}),
            ),
        )
            .into_response(),
        Refusal::UnavailableUntilDate => {
            let at = std::time::SystemTime::now() + Duration::from_secs(secs);
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [("retry-after", httpdate::fmt_http_date(at))],
                "<html><body>Service Unavailable</body></html>",
            )
                .into_response()
        }
    }
}
