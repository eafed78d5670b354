//! Extractors: the scope from `X-Instance-Id`, the authenticated caller, and
//! JSON bodies and queries whose rejections become `{"detail"}` errors.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::unique_keys::first_duplicate;
use crate::api::INSTANCE_HEADER;
use crate::domain::{Scope, ValidationError};
use crate::service::ServiceHandle;

/// The scope selected by `X-Instance-Id`: absent is the control plane;
/// present but empty, repeated, non-UTF-8 or invalid is a 400, never global.
pub struct RequestScope(pub Scope);

impl<S: Send + Sync> FromRequestParts<S> for RequestScope {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        scope_of(&parts.headers).map(RequestScope)
    }
}

/// The scope `X-Instance-Id` in `headers` selects (see [`RequestScope`]).
pub fn scope_of(headers: &HeaderMap) -> Result<Scope, ApiError> {
    let mut values = headers.get_all(INSTANCE_HEADER).iter();
    let Some(first) = values.next() else {
        return Ok(Scope::Global);
    };
    if values.next().is_some() {
        return Err(ApiError::bad_scope(ValidationError::new(
            "instance_id",
            "must be sent once",
        )));
    }
    let raw = first.to_str().map_err(|_| {
        ApiError::bad_scope(ValidationError::new("instance_id", "must be visible ASCII"))
    })?;
    Scope::from_optional(Some(raw)).map_err(ApiError::bad_scope)
}

/// The service handle of an authenticated superadmin, auditing under the
/// token's name; put in the request by the auth middleware.
#[derive(Clone)]
pub struct Caller(pub ServiceHandle);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        // Taken, not cloned: each handler extracts its caller once.
        parts.extensions.remove::<Caller>().ok_or_else(|| {
            // Only reachable if a route was mounted without the auth layer.
            ApiError::new(axum::http::StatusCode::UNAUTHORIZED, "missing bearer token")
        })
    }
}

/// A JSON body; rejections mapped by [`ApiError::from_json`]. The body is
/// parsed as JSON first and only then read as `T`, so malformed JSON is a
/// 400 even where serde would have met a type error first (an unclosed `[`
/// for an object type), and only well-formed JSON can be a 422. A key named
/// twice in one object is a 400 naming it ([`super::unique_keys`]).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        // The bytes first (within the body limit), so that after axum's own
        // JSON checks (content type, syntax) the text is still there to look
        // for repeated keys, which `Value` would silently fold.
        let headers = req.headers().clone();
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(ApiError::from_bytes)?;
        let mut again = Request::new(Body::from(bytes.clone()));
        *again.headers_mut() = headers;
        let Json(value) = Json::<serde_json::Value>::from_request(again, state)
            .await
            .map_err(ApiError::from_json)?;
        if let Some(duplicate) = first_duplicate(&bytes) {
            return Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                format!("invalid request body: {duplicate}; each key may appear once"),
            ));
        }
        serde_path_to_error::deserialize(value)
            .map(JsonBody)
            .map_err(|e| ApiError::invalid_body(&e))
    }
}

/// The body of a route that takes none: empty, or a JSON object without
/// fields; anything else gets the same 415 / 413 / 400 / 422 as a JSON body.
pub struct NoBody;

impl<S: Send + Sync> FromRequest<S> for NoBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let empty = req
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() == b"0")
            || (!req
                .headers()
                .contains_key(axum::http::header::CONTENT_LENGTH)
                && !req
                    .headers()
                    .contains_key(axum::http::header::TRANSFER_ENCODING));
        if empty {
            return Ok(NoBody);
        }
        let JsonBody(fields) =
            JsonBody::<serde_json::Map<String, serde_json::Value>>::from_request(req, state)
                .await?;
        match fields.keys().next() {
            None => Ok(NoBody),
            Some(name) => Err(ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                format!("invalid request body: unknown field `{name}`; this route takes no fields"),
            )),
        }
    }
}

/// A query string; rejections mapped by [`ApiError::from_query`].
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| QueryParams(v))
            .map_err(ApiError::from_query)
    }
}
