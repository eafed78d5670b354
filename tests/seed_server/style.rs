//! The framework a seed server is written in, as its error bodies show it:
//! an application error, a validation failure and a router's "no such
//! route", each in that framework's own shape (the shapes `llmcfg` must
//! read whatever the control plane is built with).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// How the server writes its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// FastAPI: `{"detail": text}`, 422 `{"detail": [{loc, msg, type}]}`.
    FastApi,
    /// NestJS: `{statusCode, message, error}`, 400 with a message list,
    /// `Cannot POST /…`; an empty 200 body for "no configuration", 201 for
    /// every POST, 200 with an empty body for DELETE.
    NestJs,
    /// RFC 9457 problem+json with `errors` pointers.
    Problem,
    /// Spring Boot's error attributes (message hidden, as by default).
    Spring,
    /// Laravel: `{message, errors: {field: [..]}}`.
    Laravel,
    /// Rails: `{errors: [..]}`; an HTML page for a missing route.
    Rails,
    /// Django REST framework: `{"detail": "Not found."}`, field dicts.
    Drf,
    /// `{"error": text}`; Go's `404 page not found`.
    ErrorText,
    /// `{"error": {"message", "param"}}`.
    ErrorObject,
}

fn phrase(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Error")
}

impl Style {
    /// An application error (`status` with `text`).
    pub fn error(self, status: StatusCode, text: &str, path: &str) -> Response {
        let body = match self {
            Style::FastApi => json!({ "detail": text }),
            Style::NestJs => {
                json!({"statusCode": status.as_u16(), "message": text, "error": phrase(status)})
            }
            Style::Problem => {
                return problem(
                    status,
                    json!({"type": "about:blank", "title": phrase(status), "status": status.as_u16(), "detail": text}),
                );
            }
            Style::Spring => {
                // `server.error.include-message=always`, as a product that
                // wants its users to read errors sets it.
                json!({"timestamp": "2026-02-27T10:00:00.000+00:00", "status": status.as_u16(),
                       "error": phrase(status), "message": text, "path": path})
            }
            Style::Laravel => json!({ "message": text }),
            Style::Rails => json!({ "errors": [text] }),
            Style::Drf => json!({ "detail": text }),
            Style::ErrorText => json!({ "error": text }),
            Style::ErrorObject => json!({"error": {"message": text, "code": status.as_u16()}}),
        };
        (status, axum::Json(body)).into_response()
    }

    /// "No configuration for this scope" as the framework's app says it.
    pub fn not_configured(self, path: &str) -> Response {
        let text = match self {
            Style::NestJs => "No LLM configuration found",
            Style::Drf => "Not found.",
            _ => "LLM config not found",
        };
        self.error(StatusCode::NOT_FOUND, text, path)
    }

    /// A validation failure: `(field, message)` pairs.
    pub fn invalid(self, problems: &[(String, String)]) -> Response {
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        let bad = StatusCode::BAD_REQUEST;
        let (status, body) = match self {
            Style::FastApi => (
                unprocessable,
                json!({"detail": problems.iter().map(|(f, m)| {
                    json!({"loc": ["body", f], "msg": m, "type": "value_error", "input": null})
                }).collect::<Vec<_>>()}),
            ),
            Style::NestJs => (
                bad,
                json!({"statusCode": 400, "error": "Bad Request",
                       "message": problems.iter().map(|(f, m)| format!("{f} {m}")).collect::<Vec<_>>()}),
            ),
            Style::Problem => {
                return problem(
                    unprocessable,
                    json!({"type": "https://example.com/validation", "title": "Your request is not valid.",
                           "status": 422, "detail": "The body has invalid fields.",
                           "errors": problems.iter().map(|(f, m)| json!({"pointer": format!("#/{f}"), "detail": m})).collect::<Vec<_>>()}),
                );
            }
            Style::Spring => (
                bad,
                json!({"timestamp": "2026-02-27T10:00:00.000+00:00", "status": 400, "error": "Bad Request",
                       "message": format!("Validation failed for object='llmConfigRequest'. Error count: {}", problems.len()),
                       "errors": problems.iter().map(|(f, m)| json!({"field": f, "defaultMessage": m, "code": "Size"})).collect::<Vec<_>>(),
                       "path": "/llm-config/"}),
            ),
            Style::Laravel => {
                let mut errors = serde_json::Map::new();
                for (f, m) in problems {
                    errors.insert(f.clone(), json!([format!("The {f} field {m}.")]));
                }
                let first = errors
                    .values()
                    .next()
                    .and_then(|v| v[0].as_str())
                    .unwrap_or_default()
                    .to_string();
                let more = problems.len().saturating_sub(1);
                (
                    unprocessable,
                    json!({"message": format!("{first} (and {more} more error)"), "errors": errors}),
                )
            }
            Style::Rails => (
                unprocessable,
                json!({"errors": problems.iter().map(|(f, m)| format!("{} {m}", capitalised(f))).collect::<Vec<_>>()}),
            ),
            Style::Drf => {
                let mut errors = serde_json::Map::new();
                for (f, m) in problems {
                    errors.insert(f.clone(), json!([m]));
                }
                (bad, Value::Object(errors))
            }
            Style::ErrorText => (
                unprocessable,
                json!({"error": problems.iter().map(|(f, m)| format!("{f} {m}")).collect::<Vec<_>>().join(", ")}),
            ),
            Style::ErrorObject => {
                let (f, m) = &problems[0];
                (bad, json!({"error": {"message": m, "param": f}}))
            }
        };
        (status, axum::Json(body)).into_response()
    }

    /// The router's answer for a path (or method) it has no handler for.
    pub fn no_route(self, method: &str, path: &str, method_known: bool) -> Response {
        let status = if method_known {
            StatusCode::METHOD_NOT_ALLOWED
        } else {
            StatusCode::NOT_FOUND
        };
        match self {
            Style::FastApi => {
                (status, axum::Json(json!({"detail": phrase(status)}))).into_response()
            }
            // Express routers have no 405: every miss is `Cannot METHOD path`.
            Style::NestJs => (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"statusCode": 404, "message": format!("Cannot {method} {path}"), "error": "Not Found"})),
            )
                .into_response(),
            Style::Problem => problem(
                status,
                json!({"type": "about:blank", "title": phrase(status), "status": status.as_u16()}),
            ),
            Style::Spring => (
                status,
                axum::Json(json!({"timestamp": "2026-02-27T10:00:00.000+00:00", "status": status.as_u16(),
                                  "error": phrase(status), "message": "", "path": path})),
            )
                .into_response(),
            Style::Laravel => (
                status,
                axum::Json(json!({"message": format!("The route {} could not be found.", path.trim_start_matches('/'))})),
            )
                .into_response(),
            Style::Rails | Style::Drf => (
                StatusCode::NOT_FOUND,
                [("content-type", "text/html")],
                "<!DOCTYPE html>\n<html><head><title>Not Found</title></head><body><h1>Not Found</h1></body></html>\n",
            )
                .into_response(),
            Style::ErrorText => (
                StatusCode::NOT_FOUND,
                [("content-type", "text/plain")],
                "404 page not found\n",
            )
                .into_response(),
            Style::ErrorObject => (
                status,
                axum::Json(json!({"error": {"message": phrase(status), "code": status.as_u16()}})),
            )
                .into_response(),
        }
    }
}

fn problem(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

fn capitalised(field: &str) -> String {
    let mut chars = field.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}
