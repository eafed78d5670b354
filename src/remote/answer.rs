//! Reading what a server answered: success bodies into typed values, and the
//! one mapping from an error status and body to a [`ServiceError`]. Every
//! message names the route and, for bodies that are not JSON, the status
//! and the body's first line; none is a raw decoder error.

use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::api::{self, Detail, FieldProblem};
use crate::domain::{Scope, ValidationError};
use crate::service::ServiceError;

/// Longest piece of a non-JSON body quoted in a message, in characters.
const QUOTE_CHARS: usize = 160;

/// Which kind of route a call went to, for the 404 mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    /// `GET /llm-config/`: the seed answers `null` for an empty scope, so a
    /// framework 404 here means the URL is wrong.
    SeedRead,
    /// A seed write or test: 404 means the scope has no configuration.
    SeedScoped,
    /// An extension route.
    Extension,
}

/// One answered request.
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The body.
    pub body: Vec<u8>,
    /// `METHOD path`, for messages.
    pub route: String,
}

impl Answer {
    /// The body as `T`; an empty body or `null` reads as `T`'s `null`.
    pub fn decode<T: DeserializeOwned>(&self, what: &str) -> Result<T, ServiceError> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &self.body
        };
        serde_json::from_slice(body).map_err(|e| {
            ServiceError::Remote(format!(
                "the server's answer to {} is not {what} ({e}); it began: {}",
                self.route,
                first_line(&self.body)
            ))
        })
    }
}

/// The first line of `body`, shortened, or `(empty body)`.
pub fn first_line(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    match line {
        None => "(empty body)".into(),
        Some(l) if l.chars().count() > QUOTE_CHARS => {
            format!("{}…", l.chars().take(QUOTE_CHARS).collect::<String>())
        }
        Some(l) => l.to_string(),
    }
}

/// The human text of an error body: its `detail`, every field of a
/// validation list, or the status and first line of anything else.
pub fn detail_text(status: StatusCode, body: &[u8]) -> String {
    match Detail::parse(body) {
        Some(Detail::Text(text)) => text,
        Some(Detail::Fields(list)) => list
            .iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect::<Vec<_>>()
            .join("; "),
        None => format!("HTTP {}: {}", status.as_u16(), first_line(body)),
    }
}

/// True when a 404/405 body is a framework's "no such route" rather than an
/// application's answer about a scope.
pub fn is_route_missing(status: StatusCode, body: &[u8]) -> bool {
    if status == StatusCode::METHOD_NOT_ALLOWED {
        return true;
    }
    status == StatusCode::NOT_FOUND
        && match Detail::parse(body) {
            Some(Detail::Text(t)) => t.eq_ignore_ascii_case("not found"),
            Some(Detail::Fields(_)) => false,
            None => true,
        }
}

fn validation(status: StatusCode, body: &[u8]) -> ValidationError {
    match Detail::parse(body) {
        Some(Detail::Text(text)) => match api::parse_invalid_detail(&text) {
            Some((field, reason)) => ValidationError::new(field, reason),
            None => ValidationError::new("body", text),
        },
        Some(Detail::Fields(list)) if !list.is_empty() => from_fields(&list),
        _ => ValidationError::new("body", detail_text(status, body)),
    }
}

/// A validation list as one error: the first known field leads, and every
/// other field follows with its message, so none is lost.
fn from_fields(list: &[FieldProblem]) -> ValidationError {
    let known = |p: &FieldProblem| api::validation_field(&p.field);
    let lead = list.iter().position(|p| known(p).is_some()).unwrap_or(0);
    let field = known(&list[lead]).unwrap_or("body");
    let mut reason = if field == "body" && list[lead].field != "body" {
        format!("{}: {}", list[lead].field, list[lead].message)
    } else {
        list[lead].message.clone()
    };
    for (i, p) in list.iter().enumerate() {
        if i != lead {
            reason.push_str(&format!("; {}: {}", p.field, p.message));
        }
    }
    ValidationError::new(field, reason)
}

fn wrong_url(base: &str, answer: &Answer) -> ServiceError {
    ServiceError::Remote(format!(
        "{base} does not serve {} ({}); check the remote URL: it is the address the \
         /llm-config/ routes hang off",
        answer.route,
        detail_text(answer.status, &answer.body)
    ))
}

/// The one mapping from an error answer to a [`ServiceError`].
pub fn error_for(
    base: &str,
    answer: &Answer,
    kind: RouteKind,
    scope: Option<&Scope>,
    location: Option<&str>,
) -> ServiceError {
    let status = answer.status;
    let body = &answer.body;
    if status.is_redirection() {
        let to = location.map_or_else(|| "another address".to_string(), |l| format!("{l:?}"));
        return ServiceError::Remote(format!(
            "the server redirected {} to {to}; llmcfg never follows a redirect with the token, \
             so set the remote URL to the final address",
            answer.route
        ));
    }
    match (status, kind, scope) {
        (StatusCode::UNAUTHORIZED, _, _) => ServiceError::Unauthorized(format!(
            "the server refused the token ({}); check LLMCFG_TOKEN or run `llmcfg login`",
            detail_text(status, body)
        )),
        (StatusCode::FORBIDDEN, _, _) => ServiceError::Forbidden(detail_text(status, body)),
        // A read that hits no route, or a write whose 404 is not even JSON
        // (a proxy's or web server's page), means the URL is wrong, not that
        // the scope is empty.
        (StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED, RouteKind::SeedRead, _)
            if is_route_missing(status, body) =>
        {
            wrong_url(base, answer)
        }
        (StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED, RouteKind::SeedScoped, _)
            if Detail::parse(body).is_none() || status == StatusCode::METHOD_NOT_ALLOWED =>
        {
            wrong_url(base, answer)
        }
        // A product may answer a read of an empty scope with its own 404
        // instead of `null`; only a framework's "no such route" means the URL
        // is wrong.
        (StatusCode::NOT_FOUND, RouteKind::SeedScoped | RouteKind::SeedRead, Some(scope)) => {
            ServiceError::NotFound {
                scope: scope.clone(),
            }
        }
        // A PATCH conflicts with the stored configuration, not with another
        // configuration (only a create can find one already there).
        (StatusCode::CONFLICT, _, _) if answer.route.starts_with("PATCH") => {
            ServiceError::Invalid(validation(status, body).against_stored())
        }
        (StatusCode::CONFLICT, _, Some(scope)) => ServiceError::AlreadyExists {
            scope: scope.clone(),
        },
        (StatusCode::UNPROCESSABLE_ENTITY, _, _) => ServiceError::Invalid(validation(status, body)),
        (
            StatusCode::BAD_REQUEST
            | StatusCode::PAYLOAD_TOO_LARGE
            | StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _,
            _,
        ) => ServiceError::Invalid(ValidationError::new("body", detail_text(status, body))),
        _ => ServiceError::Remote(format!(
            "the server failed {} with {}",
            answer.route,
            detail_text(status, body)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            body: body.as_bytes().to_vec(),
            route: "POST /llm-config/".into(),
        }
    }

    #[test]
    fn fastapi_lists_keep_every_field_and_message() {
        let a = answer(
            422,
            r#"{"detail":[{"loc":["body","model"],"msg":"Field required","type":"missing"},
                          {"loc":["body","api_key"],"msg":"too short","type":"x"}]}"#,
        );
        let ServiceError::Invalid(v) = error_for("u", &a, RouteKind::SeedScoped, None, None) else {
            panic!()
        };
        assert_eq!(v.to_string(), "model: Field required; api_key: too short");
    }

    #[test]
    fn other_bodies_show_status_and_first_line() {
        let a = answer(502, "\n<html><title>Bad gateway</title>\n<body>…");
        let e = error_for("u", &a, RouteKind::SeedScoped, None, None).to_string();
        assert!(
            e.contains("HTTP 502: <html><title>Bad gateway</title>"),
            "{e}"
        );
        let a = answer(404, "<h1>Not Found</h1>");
        let e = error_for("https://cp", &a, RouteKind::SeedRead, None, None).to_string();
        assert!(e.contains("check the remote URL"), "{e}");
        assert!(e.contains("HTTP 404: <h1>Not Found</h1>"), "{e}");
        let scope = Scope::Global;
        let e = error_for("https://cp", &a, RouteKind::SeedScoped, Some(&scope), None);
        assert!(e.to_string().contains("check the remote URL"), "{e}");
        let a = answer(404, r#"{"detail":"LLM config not found"}"#);
        let e = error_for("https://cp", &a, RouteKind::SeedScoped, Some(&scope), None);
        assert!(matches!(e, ServiceError::NotFound { .. }), "{e}");
        assert!(is_route_missing(
            StatusCode::NOT_FOUND,
            br#"{"detail":"Not Found"}"#
        ));
        assert!(!is_route_missing(
            StatusCode::NOT_FOUND,
            br#"{"detail":"no LLM configuration for the instance acme"}"#
        ));
    }

    #[test]
    fn redirects_are_named_not_followed() {
        let a = answer(307, "");
        let e = error_for("u", &a, RouteKind::SeedRead, None, Some("https://evil/")).to_string();
        assert!(e.contains("never follows a redirect"), "{e}");
    }

    #[test]
    fn empty_and_null_bodies_decode_as_none() {
        let a = answer(200, "");
        assert_eq!(a.decode::<Option<u32>>("x").unwrap(), None);
        let a = answer(200, "<html>");
        let e = a.decode::<Option<u32>>("a number").unwrap_err().to_string();
        assert!(e.contains("is not a number") && e.contains("<html>"), "{e}");
    }
}
