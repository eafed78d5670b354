//! Reading what a server answered: success bodies into typed values, and the
//! one mapping from an error status and body to a [`ServiceError`]. The
//! words come from the body ([`ErrorBody`], whatever framework wrote it);
//! the kind of error, and so the exit code, comes from the status alone.
//! Every message names the route; none is a raw decoder error.

use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::error_body::{ErrorBody, FieldProblem, first_line};
use crate::api;
use crate::domain::{Scope, ValidationError};
use crate::service::ServiceError;

/// Which kind of route a call went to, for the 404 mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    /// `GET /llm-config/`: the seed answers `null` for an empty scope; a
    /// product's own 404 there also means "no configuration", and only a
    /// router's "no such route" means the URL is wrong.
    SeedRead,
    /// A seed write or test: 404 means the scope has no configuration,
    /// unless the route is shown missing (see [`RouteSeen`]).
    SeedScoped,
    /// An extension route.
    Extension,
}

/// What the server has shown about the route of a 404 or 405.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteSeen {
    /// The route answered as an application does: a 404 is about the scope.
    Served,
    /// The route is missing and `GET /llm-config/` on the same base is a
    /// router's 404 too: the remote URL is wrong.
    BaseMissing,
    /// `GET /llm-config/` works but this method and path have no handler:
    /// the server does not implement this seed route.
    RouteMissing,
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

    /// What the body says.
    pub fn error_body(&self) -> ErrorBody {
        ErrorBody::read(&self.body)
    }

    /// True when this 404/405 is a router's "no such route".
    pub fn says_route_missing(&self) -> bool {
        self.error_body().says_route_missing(self.status.as_u16())
    }
}

/// The human text of an error body: every message it holds in full, or
/// the status and first line of anything else.
pub fn detail_text(status: StatusCode, body: &[u8]) -> String {
    ErrorBody::read(body)
        .text()
        .unwrap_or_else(|| format!("HTTP {}: {}", status.as_u16(), first_line(body)))
}

/// `HTTP <status>: <words>`: the body's messages in full, or its first line.
pub fn status_text(status: StatusCode, body: &[u8]) -> String {
    let words = ErrorBody::read(body)
        .text()
        .unwrap_or_else(|| first_line(body));
    format!("HTTP {}: {words}", status.as_u16())
}

/// A field name a message begins with (class-validator's "model must be
/// …", Rails' "Model can't be blank"), when it is one of ours.
fn leading_field(message: &str) -> Option<&'static str> {
    let word = message.split_whitespace().next()?;
    api::validation_field(&word.to_ascii_lowercase())
}

/// True when the body is one `invalid <field>: <rule>` detail.
fn names_a_field(raw: &[u8]) -> bool {
    matches!(ErrorBody::read(raw).messages.as_slice(),
             [one] if api::parse_invalid_detail(one).is_some())
}

fn validation(status: StatusCode, raw: &[u8]) -> ValidationError {
    let body = ErrorBody::read(raw);
    if !body.fields.is_empty() {
        return from_fields(&body);
    }
    let messages = &body.messages;
    if let [one] = messages.as_slice()
        && let Some((field, reason)) = api::parse_invalid_detail(one)
    {
        return ValidationError::new(field, reason);
    }
    if messages.is_empty() {
        return ValidationError::new("body", detail_text(status, raw));
    }
    // The first message that names one of our fields leads, without its
    // field word; every other message follows in full.
    let Some((lead, field)) = messages
        .iter()
        .enumerate()
        .find_map(|(i, m)| leading_field(m).map(|f| (i, f)))
    else {
        return ValidationError::new("body", messages.join("; "));
    };
    let first = &messages[lead];
    let rest_of_lead = first
        .split_once(char::is_whitespace)
        .map_or("", |(_, rest)| rest.trim_start());
    let mut reason = rest_of_lead.to_string();
    for (i, m) in messages.iter().enumerate() {
        if i != lead {
            reason.push_str("; ");
            reason.push_str(m);
        }
    }
    ValidationError::new(field, reason)
}

/// A validation list as one error: the first known field leads, and every
/// other field follows with its message, so none is lost; request-wide
/// messages that add something follow last.
fn from_fields(body: &ErrorBody) -> ValidationError {
    let list = &body.fields;
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
    for m in body.messages.iter().filter(|m| !body.repeats_a_field(m)) {
        reason.push_str("; ");
        reason.push_str(m);
    }
    ValidationError::new(field, reason)
}

fn wrong_url(base: &str, answer: &Answer) -> ServiceError {
    ServiceError::Remote(format!(
        "{base} does not serve {} ({}), and GET /llm-config/ there is missing too; check the \
         remote URL: it is the address the /llm-config/ routes hang off",
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
    seen: RouteSeen,
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
    let missing = matches!(
        status,
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED
    );
    match (status, kind, scope) {
        (StatusCode::UNAUTHORIZED, _, _) => ServiceError::Unauthorized(format!(
            "the server refused the credentials ({}); check LLMCFG_TOKEN or run `llmcfg login`",
            detail_text(status, body)
        )),
        (StatusCode::FORBIDDEN, _, _) => ServiceError::Forbidden(detail_text(status, body)),
        _ if missing && seen == RouteSeen::BaseMissing => wrong_url(base, answer),
        _ if missing && seen == RouteSeen::RouteMissing => ServiceError::Remote(format!(
            "{base} answers GET /llm-config/ but not {} ({}); the server does not implement \
             that seed route",
            answer.route,
            detail_text(status, body)
        )),
        (StatusCode::NOT_FOUND, RouteKind::SeedScoped | RouteKind::SeedRead, Some(scope)) => {
            ServiceError::NotFound {
                scope: scope.clone(),
            }
        }
        // A PATCH conflicts with the stored configuration, not with another
        // configuration (only a create can find one already there); so does
        // a 409 that names a field, as llmcfg's own restore of a deletion.
        (StatusCode::CONFLICT, _, _)
            if answer.route.starts_with("PATCH") || names_a_field(body) =>
        {
            ServiceError::Invalid(validation(status, body).against_stored())
        }
        (StatusCode::CONFLICT, _, Some(scope)) => ServiceError::AlreadyExists {
            scope: scope.clone(),
        },
        (StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST, _, _) => {
            ServiceError::Invalid(validation(status, body))
        }
        (StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE, _, _) => {
            ServiceError::Invalid(ValidationError::new("body", detail_text(status, body)))
        }
        _ => ServiceError::Remote(format!(
            "the server failed {} with {}",
            answer.route,
            status_text(status, body)
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

    fn error(a: &Answer, kind: RouteKind, seen: RouteSeen) -> ServiceError {
        error_for("https://cp", a, kind, Some(&Scope::Global), None, seen)
    }

    /// A 409 is "already exists" unless it names a field in llmcfg's own
    /// `invalid <field>: <rule>` form, as a restore of a deletion does.
    #[test]
    fn a_conflict_that_names_a_field_is_a_conflict_with_what_is_stored() {
        let named = answer(409, r#"{"detail":"invalid version: records the deletion"}"#);
        let ServiceError::Invalid(v) = error(&named, RouteKind::Extension, RouteSeen::Served)
        else {
            panic!()
        };
        assert_eq!(
            (v.field, v.against),
            ("version", crate::domain::validation::Against::StoredConfig)
        );
        for body in [
            r#"{"detail":"Config already exists"}"#,
            r#"{"detail":"invalid request"}"#,
        ] {
            let e = error(&answer(409, body), RouteKind::SeedScoped, RouteSeen::Served);
            assert!(
                matches!(e, ServiceError::AlreadyExists { .. }),
                "{body}: {e}"
            );
        }
    }

    #[test]
    fn fastapi_lists_keep_every_field_and_message() {
        let a = answer(
            422,
            r#"{"detail":[{"loc":["body","model"],"msg":"Field required","type":"missing"},
                          {"loc":["body","api_key"],"msg":"too short","type":"x"}]}"#,
        );
        let ServiceError::Invalid(v) = error(&a, RouteKind::SeedScoped, RouteSeen::Served) else {
            panic!()
        };
        assert_eq!(v.to_string(), "model: Field required; api_key: too short");
    }

    #[test]
    fn class_validator_messages_lead_with_their_field_in_full() {
        let long = "x".repeat(300);
        let a = answer(
            400,
            &format!(
                r#"{{"statusCode":400,"message":["provider must be one of the following values: {long}","model must be shorter than or equal to 100 characters"],"error":"Bad Request"}}"#
            ),
        );
        let ServiceError::Invalid(v) = error(&a, RouteKind::SeedScoped, RouteSeen::Served) else {
            panic!()
        };
        assert_eq!(v.field, "provider");
        assert!(
            v.reason
                .starts_with("must be one of the following values: ")
        );
        assert!(v.reason.contains(&long), "cut: {}", v.reason);
        assert!(
            v.reason
                .ends_with("; model must be shorter than or equal to 100 characters")
        );
    }

    #[test]
    fn the_exit_follows_the_status_not_the_shape() {
        let body = r#"{"error":"boom"}"#;
        for (status, want) in [
            (400, 2),
            (422, 2),
            (401, 6),
            (403, 6),
            (404, 3),
            (409, 4),
            (500, 1),
        ] {
            let e = error(
                &answer(status, body),
                RouteKind::SeedScoped,
                RouteSeen::Served,
            );
            let code = match e {
                ServiceError::Invalid(_) => 2,
                ServiceError::Unauthorized(_) | ServiceError::Forbidden(_) => 6,
                ServiceError::NotFound { .. } => 3,
                ServiceError::AlreadyExists { .. } => 4,
                _ => 1,
            };
            assert_eq!(code, want, "{status}: {e}");
        }
    }

    #[test]
    fn other_bodies_show_status_and_first_line() {
        let a = answer(502, "\n<html><title>Bad gateway</title>\n<body>…");
        let e = error(&a, RouteKind::SeedScoped, RouteSeen::Served).to_string();
        assert!(
            e.contains("HTTP 502: <html><title>Bad gateway</title>"),
            "{e}"
        );
        let a = answer(404, "<h1>Not Found</h1>");
        let e = error(&a, RouteKind::SeedRead, RouteSeen::BaseMissing).to_string();
        assert!(e.contains("check the remote URL"), "{e}");
        assert!(e.contains("HTTP 404: <h1>Not Found</h1>"), "{e}");
        let a = answer(404, r#"{"detail":"LLM config not found"}"#);
        let e = error(&a, RouteKind::SeedScoped, RouteSeen::Served);
        assert!(matches!(e, ServiceError::NotFound { .. }), "{e}");
        let a = answer(405, r#"{"detail":"Method Not Allowed"}"#);
        let e = error(&a, RouteKind::SeedScoped, RouteSeen::RouteMissing).to_string();
        assert!(e.contains("does not implement that seed route"), "{e}");
    }

    #[test]
    fn redirects_are_named_not_followed() {
        let a = answer(307, "");
        let e = error_for(
            "u",
            &a,
            RouteKind::SeedRead,
            None,
            Some("https://evil/"),
            RouteSeen::Served,
        )
        .to_string();
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
