//! A fake OpenAI-shaped provider on 127.0.0.1:0 for TUI tests:
//! `GET /v1/models/{model}` answers 200 for [`GOOD_KEY`], waits for
//! [`SLOW_KEY`] (to test cancelling), a little for [`WAIT_KEY`], and 401 with OpenAI's error body for
//! anything else; `GET /v1/models` lists two models for the good key.

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use serde_json::{Value, json};

/// A key the fake accepts.
pub const GOOD_KEY: &str = "sk-good-0123456789abcdefghij";
/// A key the fake answers only after a long wait.
pub const SLOW_KEY: &str = "sk-slow-0123456789abcdefghij";
/// A key the fake accepts after [`WAIT`] (a run that lasts long enough to cancel).
pub const WAIT_KEY: &str = "sk-wait-0123456789abcdefghij";
/// How long the fake takes for [`WAIT_KEY`].
pub const WAIT: Duration = Duration::from_millis(300);
/// A key the fake rejects.
pub const BAD_KEY: &str = "sk-bad-0123456789abcdefghijk";

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::to_string)
}

fn unauthorized() -> (StatusCode, Json<Value>) {
    (
        StatusCode::UNAUTHORIZED,
        Json(
            json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}),
        ),
    )
}

async fn get_model(Path(model): Path<String>, headers: HeaderMap) -> (StatusCode, Json<Value>) {
    match bearer(&headers).as_deref() {
        Some(GOOD_KEY) => (
            StatusCode::OK,
            Json(json!({"id": model, "object": "model", "owned_by": "fake"})),
        ),
        Some(WAIT_KEY) => {
            tokio::time::sleep(WAIT).await;
            (
                StatusCode::OK,
                Json(json!({"id": model, "object": "model"})),
            )
        }
        Some(SLOW_KEY) => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            (
                StatusCode::OK,
                Json(json!({"id": model, "object": "model"})),
            )
        }
        _ => unauthorized(),
    }
}

async fn list_models(headers: HeaderMap) -> (StatusCode, Json<Value>) {
    match bearer(&headers).as_deref() {
        Some(GOOD_KEY) => (
            StatusCode::OK,
            Json(json!({"object": "list", "data": [{"id": "gpt-4o"}, {"id": "fake-model-live"}]})),
        ),
        _ => unauthorized(),
    }
}

/// Starts the fake; returns its base URL (`http://127.0.0.1:PORT`).
pub async fn start() -> String {
    let app = Router::new()
        .route("/v1/models/{model}", get(get_model))
        .route("/v1/models", get(list_models));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://127.0.0.1:{}", addr.port())
}
