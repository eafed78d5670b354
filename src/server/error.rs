//! The one place that turns failures into HTTP responses: every service
//! error, every extractor rejection, and every bare error status produced by
//! a layer (timeouts, unknown paths, wrong methods) leaves as `{"detail": …}`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::json::Json;
use crate::api::ErrorBody;
use crate::domain::validation::Against;
use crate::service::ServiceError;

/// An error response: a status and a human message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The `detail` text; never an API key.
    pub detail: String,
}

impl ApiError {
    /// An error with this status and message.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            detail: detail.into(),
        }
    }

    /// A 400 for a bad `X-Instance-Id`.
    pub fn bad_scope(e: crate::domain::ValidationError) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("invalid X-Instance-Id header: {}", e.reason),
        )
    }

    /// The JSON body rejections of design §3: malformed 400, unknown or
    /// missing fields 422, wrong content type 415, too large 413.
    pub fn from_json(rejection: JsonRejection) -> ApiError {
        let status = rejection.status();
        let detail = match &rejection {
            JsonRejection::JsonDataError(e) => {
                format!("invalid request body: {}", redact_values(&source_text(e)))
            }
            JsonRejection::JsonSyntaxError(_) => "malformed JSON in the request body".into(),
            JsonRejection::MissingJsonContentType(_) => {
                "the request body must be JSON with `Content-Type: application/json`".into()
            }
            _ if status == StatusCode::PAYLOAD_TOO_LARGE => too_large_detail(),
            other => format!("cannot read the request body: {}", other.body_text()),
        };
        ApiError::new(status, detail)
    }

    /// The 413 of a body over [`crate::api::MAX_BODY_BYTES`].
    pub fn too_large() -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, too_large_detail())
    }

    /// The error of a body that could not be read (over the size limit, or
    /// cut off), before it is parsed as JSON.
    pub fn from_bytes(rejection: axum::extract::rejection::BytesRejection) -> ApiError {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::too_large();
        }
        ApiError::new(
            status,
            format!("cannot read the request body: {}", rejection.body_text()),
        )
    }

    /// A 422 for well-formed JSON that is not the expected shape (unknown
    /// or missing field, wrong type), naming the field it met the problem
    /// at when that field's path is shaped like a name (a path through a
    /// map would hold the client's own keys).
    pub fn invalid_body(e: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
        let path = e.path().to_string();
        let problem = redact_values(&e.inner().to_string());
        let detail = match crate::domain::echo::echoable(&path) {
            Some(field) if field != "." => format!("invalid request body: {field}: {problem}"),
            _ => format!("invalid request body: {problem}"),
        };
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
    }

    /// A 400 for a malformed query string.
    pub fn from_query(rejection: QueryRejection) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "invalid query string: {}",
                redact_values(&rejection.body_text())
            ),
        )
    }
}

/// The innermost message of a serde error (axum wraps it in a preamble).
fn source_text(e: &dyn std::error::Error) -> String {
    let mut inner: &dyn std::error::Error = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    inner.to_string()
}

/// Serde quotes offending values (`invalid type: string "…"`); a client that
/// put a key in the wrong place must not see it echoed, so quoted values,
/// the value of an unknown enum variant and backticked tokens not shaped
/// like a name are elided. Backticked field names stay.
fn redact_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(['"', '`']) {
        let quote = rest[start..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find(quote) else {
            out.push('…');
            return out;
        };
        let inner = &after[..end];
        // Serde names the offending value of an enum in backticks too
        // (`unknown variant `…``); that value is the client's, so it is
        // elided like a quoted one, and any other backticked token is kept
        // only when it is shaped like a field name.
        let a_value = out.ends_with("unknown variant `");
        if quote == '`' && !a_value && crate::domain::echo::echoable(inner).is_some() {
            out.push_str(inner);
        } else {
            out.push('…');
        }
        out.push(quote);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The one mapping from service errors to HTTP statuses.
impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        let status = match &e {
            ServiceError::NotFound { .. }
            | ServiceError::NoSuchToken { .. }
            | ServiceError::NoSuchVersion { .. }
            | ServiceError::NoSuchKey { .. }
            | ServiceError::NoSuchRotation { .. } => StatusCode::NOT_FOUND,
            ServiceError::AlreadyExists { .. }
            | ServiceError::Changed { .. }
            | ServiceError::ChangedSinceRotation { .. } => StatusCode::CONFLICT,
            ServiceError::Invalid(v) if v.against == Against::StoredConfig => StatusCode::CONFLICT,
            ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ServiceError::Forbidden(_) | ServiceError::ReadOnly(_) => StatusCode::FORBIDDEN,
            ServiceError::Remote(_) => StatusCode::BAD_GATEWAY,
            // The request was fine; the provider behind it failed (or the
            // SSRF guard refused it): not a fault of this server.
            ServiceError::ModelList { .. } => StatusCode::FAILED_DEPENDENCY,
            ServiceError::NotOffered(_) => StatusCode::NOT_IMPLEMENTED,
            ServiceError::Stopped => StatusCode::SERVICE_UNAVAILABLE,
            ServiceError::Integrity { .. }
            | ServiceError::Store(_)
            | ServiceError::MasterKey(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            tracing::error!(error = %e, "request failed");
        }
        ApiError::new(status, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                detail: self.detail,
            }),
        )
            .into_response()
    }
}

/// Gives a `{"detail"}` body to error responses that layers or axum's
/// defaults produced without one (404 on unknown paths, 405, timeouts).
/// A plain function of the response, applied by the edge
/// ([`super::edge`]) to every answer.
pub fn detail_bodies(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let detail = match status {
        StatusCode::NOT_FOUND => "no such route".to_string(),
        StatusCode::METHOD_NOT_ALLOWED => "method not allowed on this route".to_string(),
        StatusCode::REQUEST_TIMEOUT => "the request took too long and was cancelled".to_string(),
        StatusCode::PAYLOAD_TOO_LARGE => too_large_detail(),
        other => other
            .canonical_reason()
            .unwrap_or("request failed")
            .to_string(),
    };
    let mut fresh = ApiError::new(status, detail).into_response();
    // Keep headers such as `Allow` on a 405.
    for (name, value) in response.headers() {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            fresh.headers_mut().insert(name.clone(), value.clone());
        }
    }
    fresh
}

/// The detail of a 413.
fn too_large_detail() -> String {
    format!(
        "the request body is larger than {} bytes",
        crate::api::MAX_BODY_BYTES
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_elided() {
        assert_eq!(
            redact_values(r#"invalid type: string "sk-ant-secret", expected a map"#),
            r#"invalid type: string "…", expected a map"#
        );
        assert_eq!(
            redact_values("unknown field `extra`, expected one of `provider`"),
            "unknown field `extra`, expected one of `provider`"
        );
        assert_eq!(redact_values("open \"sk-abc"), "open \"…");
        assert_eq!(
            redact_values("unknown variant `dry`, expected one of `passed`, `dry_run`"),
            "unknown variant `…`, expected one of `passed`, `dry_run`"
        );
        assert_eq!(
            redact_values("unknown field `sk-ant-api03-x`, expected `model`"),
            "unknown field `…`, expected `model`"
        );
    }

    #[test]
    fn service_errors_map_once() {
        let e = ApiError::from(ServiceError::NotFound {
            scope: crate::domain::Scope::Global,
        });
        assert_eq!(e.status, StatusCode::NOT_FOUND);
        let e = ApiError::from(ServiceError::Invalid(crate::domain::ValidationError::new(
            "model",
            "must not be empty",
        )));
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.detail, "invalid model: must not be empty");
    }
}
