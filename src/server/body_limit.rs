//! A body declared larger than the limit is refused before it is read.
//!
//! axum's body limit counts bytes as they arrive, so a client that declares
//! `Content-Length: 100000000` and then sends a few bytes held its request
//! until the request timeout (a 408 after 30 s) instead of hearing 413. The
//! declared length is a promise we can judge at once.

use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use crate::api::MAX_BODY_BYTES;

/// The 413 for a declared `Content-Length` over [`MAX_BODY_BYTES`], if any.
pub fn refuse_declared_oversize(request: &Request) -> Option<Response> {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(n) if n > MAX_BODY_BYTES as u64 => Some(ApiError::too_large().into_response()),
        _ => None,
    }
}
