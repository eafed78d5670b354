//! The JSON response of every handler: the value written straight into a
//! `Vec` sized for a config view, then handed to the body without a copy.
//!
//! axum's own `Json` writes through a `BytesMut` that starts at 128 bytes:
//! a config view grows it twice, and each of serde's small writes goes
//! through `BufMut`'s capacity checks (`docs/benchmarks.md`, "The GET hot
//! path, fourth round"). Request bodies are still read by axum's
//! extractor ([`super::extract::JsonBody`]).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// First capacity of a body: a config view with every optional field set
/// fits, so the common answers never grow their buffer.
const FIRST_CAPACITY: usize = 512;

/// The content type of every JSON answer.
const JSON_TYPE: HeaderValue = HeaderValue::from_static("application/json");

/// A value answered as `application/json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(FIRST_CAPACITY);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => ([(header::CONTENT_TYPE, JSON_TYPE)], body).into_response(),
            Err(e) => {
                // Our types always serialise; this names the fault without
                // echoing the value, which may hold a key.
                tracing::error!(error = %e, "a response could not be serialised");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    [(header::CONTENT_TYPE, JSON_TYPE)],
                    r#"{"detail":"the response could not be serialised"}"#,
                )
                    .into_response()
            }
        }
    }
}
