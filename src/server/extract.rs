//! Extractors: the scope from `X-Instance-Id`, the authenticated caller, and
//! JSON bodies and queries whose rejections become `{"detail"}` errors.

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::api::INSTANCE_HEADER;
use crate::domain::{Scope, ValidationError};
use crate::service::ServiceHandle;

/// The scope selected by `X-Instance-Id`: absent is the control plane;
/// present but empty, repeated, non-UTF-8 or invalid is a 400, never global.
pub struct RequestScope(pub Scope);

impl<S: Send + Sync> FromRequestParts<S> for RequestScope {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let mut values = parts.headers.get_all(INSTANCE_HEADER).iter();
        let Some(first) = values.next() else {
            return Ok(RequestScope(Scope::Global));
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
        Scope::from_optional(Some(raw))
            .map(RequestScope)
            .map_err(ApiError::bad_scope)
    }
}

/// The service handle of an authenticated superadmin, auditing under the
/// token's name; put in the request by the auth middleware.
#[derive(Clone)]
pub struct Caller(pub ServiceHandle);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(|| {
            // Only reachable if a route was mounted without the auth layer.
            ApiError::new(axum::http::StatusCode::UNAUTHORIZED, "missing bearer token")
        })
    }
}

/// A JSON body; rejections mapped by [`ApiError::from_json`].
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| JsonBody(v))
            .map_err(ApiError::from_json)
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
