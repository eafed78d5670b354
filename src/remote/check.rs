//! `llmcfg remote check`: a read-only probe of a new remote. Each seed
//! route is asked something it can answer without writing: the reads as
//! they are, and the writes and the test on a scope that cannot exist
//! (`llmcfg-check-<random>`) with an empty body, so a working server answers
//! "no configuration" or "invalid body". The report says which routes
//! work, which extension routes the server offers, the id and timestamp
//! styles it uses, the shapes of its errors and whether a rate limit
//! answered.

use reqwest::Method;
use serde::Serialize;

use super::answer::Answer;
use super::client::RemoteClient;
use super::error_body::Shape;
use super::features::Feature;
use crate::api;
use crate::domain::{InstanceId, Scope};
use crate::service::ServiceError;

/// What a seed route did when probed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// It answered as the seed API does.
    Works,
    /// A router said there is no such route.
    Missing,
    /// The credentials were refused (401/403).
    Refused,
    /// It failed: a server error, a transport error, or still throttled.
    Failed,
}

/// One probed seed route.
#[derive(Debug, Clone, Serialize)]
pub struct RouteCheck {
    /// `METHOD path`.
    pub route: String,
    /// What it did.
    pub verdict: Verdict,
    /// The status, when one came.
    pub status: Option<u16>,
    /// What the answer means, in words.
    pub note: String,
}

/// What an extension route is known to be.
#[derive(Debug, Clone, Serialize)]
pub struct ExtensionCheck {
    /// `METHOD path`.
    pub route: String,
    /// Offered, lacking, or not known (`null`: a write not probed).
    pub offered: Option<bool>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// The server's base URL.
    pub url: String,
    /// The seed routes.
    pub routes: Vec<RouteCheck>,
    /// Whether `/openapi.json` was published.
    pub openapi: bool,
    /// The extension routes.
    pub extensions: Vec<ExtensionCheck>,
    /// How the server writes ids (`null` when no configuration was seen).
    pub id_style: Option<String>,
    /// How the server writes timestamps (`null` when none was seen).
    pub timestamp_style: Option<String>,
    /// The shapes of the error bodies seen.
    pub error_shapes: Vec<Shape>,
    /// Throttled answers (429, or 503 with `Retry-After`) during the check.
    pub throttled_answers: u64,
}

impl CheckReport {
    /// True when every seed route works.
    pub fn all_work(&self) -> bool {
        self.routes.iter().all(|r| r.verdict == Verdict::Works)
    }

    /// True when a route refused the credentials.
    pub fn refused(&self) -> bool {
        self.routes.iter().any(|r| r.verdict == Verdict::Refused)
    }
}

/// A scope name that no real tenant has, so writes probed on it change
/// nothing.
fn probe_scope() -> Scope {
    let mut bytes = [0u8; 6];
    let _ = getrandom::fill(&mut bytes);
    let id = format!("llmcfg-check-{}", hex::encode(bytes));
    // Never the control plane: a probe must not be able to touch a real scope.
    Scope::Instance(InstanceId::parse(&id).expect("a fixed-format id is valid"))
}

impl RemoteClient {
    /// Probes the server without writing.
    pub async fn check(&self) -> CheckReport {
        let probe = probe_scope();
        let mut shapes = Vec::new();
        let mut routes = Vec::new();
        let global = self
            .send::<()>(Method::GET, api::CONFIG_PATH, Some(&Scope::Global), None)
            .await;
        let base_missing = matches!(&global, Ok((a, _)) if a.says_route_missing());
        let (mut id_style, mut timestamp_style) = (None, None);
        if let Ok((answer, _)) = &global
            && answer.status.is_success()
        {
            (id_style, timestamp_style) = styles(&answer.body);
        }
        routes.push(judge(
            format!("GET {} (control plane)", api::CONFIG_PATH),
            global,
            base_missing,
            &mut shapes,
        ));
        let empty = serde_json::json!({});
        let writes: [(Method, &str, Option<&serde_json::Value>); 5] = [
            (Method::GET, api::CONFIG_PATH, None),
            (Method::POST, api::CONFIG_PATH, Some(&empty)),
            (Method::PATCH, api::CONFIG_PATH, Some(&empty)),
            (Method::DELETE, api::CONFIG_PATH, None),
            (Method::POST, api::TEST_PATH, None),
        ];
        for (method, path, body) in writes {
            let route = format!("{method} {path}");
            let answer = self.send(method, path, Some(&probe), body).await;
            routes.push(judge(route, answer, base_missing, &mut shapes));
        }
        let openapi = self.offers(Feature::InstanceList).await.is_some();
        let mut extensions = Vec::new();
        for feature in Feature::ALL {
            let (method, path) = feature.route();
            let mut offered = self.features.get(feature);
            if offered.is_none() && method == "get" {
                offered = match self.send::<()>(Method::GET, path, None, None).await {
                    Ok((a, _)) if a.status.is_success() => Some(true),
                    Ok((a, _)) if a.says_route_missing() => Some(false),
                    _ => None,
                };
            }
            extensions.push(ExtensionCheck {
                route: format!("{} {path}", method.to_uppercase()),
                offered,
            });
        }
        shapes.sort();
        shapes.dedup();
        CheckReport {
            url: self.base.clone(),
            routes,
            openapi,
            extensions,
            id_style,
            timestamp_style,
            error_shapes: shapes,
            throttled_answers: self.pacer.throttled_answers(),
        }
    }
}

/// The verdict on one probe's answer.
fn judge(
    route: String,
    answer: Result<(Answer, Option<String>), ServiceError>,
    base_missing: bool,
    shapes: &mut Vec<Shape>,
) -> RouteCheck {
    let answer = match answer {
        Ok((answer, _)) => answer,
        Err(e) => {
            return RouteCheck {
                route,
                verdict: Verdict::Failed,
                status: None,
                note: e.to_string(),
            };
        }
    };
    let status = answer.status.as_u16();
    let body = answer.error_body();
    if !answer.status.is_success() {
        shapes.push(body.shape);
    }
    let text = super::answer::detail_text(answer.status, &answer.body);
    let (verdict, note) = match status {
        200..=299 => (Verdict::Works, format!("answered {status}")),
        401 | 403 => (Verdict::Refused, format!("refused the credentials: {text}")),
        404 | 405
            if answer.says_route_missing()
                && (base_missing || status == 405 || body.names_missing_route()) =>
        {
            (Verdict::Missing, format!("no such route: {text}"))
        }
        404 => (
            Verdict::Works,
            format!("404 for a scope without configuration: {text}"),
        ),
        400 | 409 | 422 => (Verdict::Works, format!("refused an empty body: {text}")),
        _ => (Verdict::Failed, format!("HTTP {status}: {text}")),
    };
    RouteCheck {
        route,
        verdict,
        status: Some(status),
        note,
    }
}

/// The id and timestamp styles of a config view.
fn styles(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(serde_json::Value::Object(view)) = serde_json::from_slice(body) else {
        return (None, None);
    };
    let id = view.get("id").map(|id| match id {
        serde_json::Value::Number(_) => "integer".to_string(),
        serde_json::Value::String(s) if uuid::Uuid::parse_str(s).is_ok() => "UUID".to_string(),
        serde_json::Value::String(_) => "string".to_string(),
        other => format!("unexpected ({other})"),
    });
    let at = view.get("created_at").map(|at| match at {
        serde_json::Value::Number(n) if n.as_u64().is_some_and(|n| n > 100_000_000_000) => {
            "milliseconds since the epoch".to_string()
        }
        serde_json::Value::Number(_) => "seconds since the epoch".to_string(),
        serde_json::Value::String(s) => {
            let zone = if s.ends_with('Z') { "Z" } else { "an offset" };
            let fraction = s
                .split_once('.')
                .map(|(_, f)| f.chars().take_while(char::is_ascii_digit).count())
                .unwrap_or(0);
            match fraction {
                0 => format!("RFC 3339 with {zone}, whole seconds"),
                n => format!("RFC 3339 with {zone}, {n}-digit fraction"),
            }
        }
        other => format!("unexpected ({other})"),
    });
    (id, at)
}
