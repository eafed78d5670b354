//! `GET /metrics`: the monitor's Prometheus metrics in the text format
//! (OpenMetrics 1.0). Kept out of `/openapi.json` on purpose: it is not
//! part of the `/llm-config` API, and its own access rule (a metrics token,
//! never an API token, or a separate listen address with no token) would
//! not fit the document's one security scheme.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::monitor::Metrics;

/// The path.
pub const METRICS_PATH: &str = "/metrics";
/// The content type of the OpenMetrics text format.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone)]
struct MetricsState {
    metrics: Arc<Metrics>,
    token: Option<Arc<SecretString>>,
}

/// A router serving only `GET /metrics`; with `token`, a request must carry
/// `Authorization: Bearer <token>`.
pub fn router(metrics: Arc<Metrics>, token: Option<SecretString>) -> Router {
    Router::new()
        .route(METRICS_PATH, get(serve_metrics))
        .with_state(MetricsState {
            metrics,
            token: token.map(Arc::new),
        })
}

async fn serve_metrics(State(s): State<MetricsState>, headers: HeaderMap) -> Response {
    if let Some(token) = &s.token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        // Hashes compared in constant time: neither the token's length nor
        // a matching prefix shows in the response time.
        let a = Sha256::digest(given.as_bytes());
        let b = Sha256::digest(token.expose_secret().as_bytes());
        if !bool::from(a.ct_eq(&b)) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                super::json::Json(
                    serde_json::json!({"detail": "a valid metrics token is required"}),
                ),
            )
                .into_response();
        }
    }
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], s.metrics.render()).into_response()
}
