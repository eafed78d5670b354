//! The outcome table of design §4: a status and our own message, decided
//! from the HTTP status and the provider's error codes — never its text.
//! Every message names the HTTP status (when there was one) and says what
//! to do next.

use std::time::Duration;

use reqwest::StatusCode;

use super::fetch::Reply;
use super::{ProbeError, auth};
use crate::domain::{ProviderSpec, TestStatus};

/// The success message, exactly as the seed API has it.
pub const SUCCESS_MESSAGE: &str = "Connection successful";

/// Anthropic's "overloaded" status.
const STATUS_OVERLOADED: u16 = 529;

/// A decided outcome before latency is attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Outcome class.
    pub status: TestStatus,
    /// Our message (scrubbed later, with the key at hand).
    pub message: String,
}

impl Verdict {
    pub(super) fn new(status: TestStatus, message: String) -> Verdict {
        Verdict { status, message }
    }
}

/// Which request of the probe answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The key-validation endpoint (OpenRouter).
    KeyCheck,
    /// The get-one-model endpoint.
    GetModel,
    /// A page of the model list.
    List,
}

impl Phase {
    fn endpoint(self) -> &'static str {
        match self {
            Phase::KeyCheck => "key endpoint",
            Phase::GetModel => "model endpoint",
            Phase::List => "models list",
        }
    }
}

/// Key accepted and model available.
pub fn ok() -> Verdict {
    Verdict::new(TestStatus::Ok, SUCCESS_MESSAGE.to_string())
}

/// Azure: the key is proven, the deployment is not.
pub fn key_only(spec: &ProviderSpec, model: &str) -> Verdict {
    Verdict::new(
        TestStatus::Ok,
        format!(
            "API key verified: {} accepted it (HTTP 200 from its models list). Deployment \
             {model:?} was not verified, because {}'s models list shows models, not \
             deployments; check the deployment name in the portal if requests fail.",
            spec.name, spec.name
        ),
    )
}

/// The key works (its model list answered) but the model is not in it.
pub fn model_missing(spec: &ProviderSpec, model: &str, listed: usize) -> Verdict {
    let how = format!(
        "it is not among the {listed} models {} lists for this key",
        spec.name
    );
    Verdict::new(
        TestStatus::ModelNotFound,
        format!(
            "The API key is valid but model {model:?} is not available to it: {how}. \
             Check the model id against the provider's live model list."
        ),
    )
}

/// A 200 from get-one-model that is not the model asked for.
pub fn wrong_model(spec: &ProviderSpec, model: &str, named: Option<&str>) -> Verdict {
    let what = match named {
        Some(other) => format!("model {other:?}"),
        None => "an object that is not a model".to_string(),
    };
    Verdict::new(
        TestStatus::UnexpectedResponse,
        format!(
            "{} answered HTTP 200 from its model endpoint with {what} instead of model \
             {model:?}, so neither the key nor the model is proven. Check that the base URL \
             points at the provider's API.",
            spec.name
        ),
    )
}

/// What a 404 from a route (not a model) says about the base URL, per the
/// rule of `endpoint::api_base`.
pub fn base_url_hint(spec: &ProviderSpec) -> String {
    let example = |b: &str| {
        if b.is_empty() {
            String::new()
        } else {
            format!(" ({b} and {b}/v1 both work)")
        }
    };
    match &spec.probe.sdk_base {
        Some(v) => format!(
            "the base URL is the one an OpenAI SDK takes, the part before /models, e.g. \
             https://host{v}; a bare host gets {v}"
        ),
        None => format!(
            "the base URL is the API's root, with or without its version segment{}",
            example(&spec.base_url)
        ),
    }
}

/// A 404 for a route: the base URL points somewhere without this API.
fn route_not_found(spec: &ProviderSpec, phase: Phase, html: bool) -> Verdict {
    let page = if html { " with an HTML page" } else { "" };
    Verdict::new(
        TestStatus::UnexpectedResponse,
        format!(
            "{} answered HTTP 404{page} for its {}: the endpoint was not found — is the base \
             URL right? ({}).",
            spec.name,
            phase.endpoint(),
            base_url_hint(spec)
        ),
    )
}

/// A 2xx answer that is not the JSON we expect.
pub fn malformed(spec: &ProviderSpec, phase: Phase, reply: &Reply, cap: usize) -> Verdict {
    let what = if reply.truncated {
        format!("a body larger than the {} KiB limit", cap / 1024)
    } else if reply.html {
        "an HTML page instead of JSON".to_string()
    } else {
        "a body that is not the expected JSON".to_string()
    };
    Verdict::new(
        TestStatus::UnexpectedResponse,
        format!(
            "{} answered HTTP {} with {what} from its {}. Check that the base URL points at \
             the provider's API.",
            spec.name,
            reply.status.as_u16(),
            phase.endpoint()
        ),
    )
}

/// A list that paged on for too long or repeated a page token.
pub fn endless_list(spec: &ProviderSpec) -> Verdict {
    Verdict::new(
        TestStatus::UnexpectedResponse,
        format!(
            "{}'s models list (HTTP 200) did not end after the page limit. Check that the base \
             URL points at the provider's API.",
            spec.name
        ),
    )
}

/// A failure before any HTTP answer.
pub fn from_error(spec: &ProviderSpec, err: &ProbeError, total: Duration) -> Verdict {
    let name = &spec.name;
    match err {
        ProbeError::Timeout => Verdict::new(
            TestStatus::Timeout,
            format!(
                "{name} did not answer within {} (no HTTP status). Check the network and the \
                 provider's status page, then test again.",
                human(total)
            ),
        ),
        ProbeError::Refused { host, ip, reason } => Verdict::new(
            TestStatus::Blocked,
            format!(
                "Not tested: refused by the server's SSRF guard. {host} resolves to {ip}, \
                 {reason}, which this server does not probe. An operator can permit it in \
                 server.allowed_targets."
            ),
        ),
        ProbeError::ConnectionRefused => Verdict::new(
            TestStatus::Unreachable,
            format!(
                "Could not reach {name}: the connection was refused (no HTTP status). Check \
                 the base URL and that the server is running."
            ),
        ),
        ProbeError::Unreachable => Verdict::new(
            TestStatus::Unreachable,
            format!(
                "Could not reach {name}: DNS, connection or TLS failure (no HTTP status). \
                 Check the base URL and the network."
            ),
        ),
        ProbeError::NoBaseUrl | ProbeError::BadUrl => Verdict::new(
            TestStatus::Unreachable,
            format!("Not tested: {err} for this {name} config. Set a valid base URL."),
        ),
        ProbeError::KeyNotSendable => Verdict::new(
            TestStatus::InvalidKey,
            format!("Not tested: {err}. Store the key again, exactly as the provider issued it."),
        ),
    }
}

/// A non-2xx answer.
pub fn from_reply(spec: &ProviderSpec, phase: Phase, reply: &Reply) -> Verdict {
    let name = &spec.name;
    let code = reply.status.as_u16();
    // Transient statuses mean the same from a proxy page as from the API;
    // for the rest, an HTML page is not the provider speaking.
    let transient = matches!(code, 429 | 503 | STATUS_OVERLOADED);
    if reply.status == StatusCode::NOT_FOUND {
        // The steps confirm a get-one-model 404 against the list, so a 404
        // that gets here is a route that does not exist.
        return route_not_found(spec, phase, reply.html);
    }
    if reply.html && !transient {
        return Verdict::new(
            TestStatus::UnexpectedResponse,
            format!(
                "{name} answered HTTP {code} with an HTML page instead of its API's JSON: a \
                 proxy, firewall or wrong base URL is in the way. Check the base URL."
            ),
        );
    }
    let bad_key = || {
        Verdict::new(
            TestStatus::InvalidKey,
            format!(
                "{name} rejected the API key (HTTP {code}). Check that the key is complete and \
                 not revoked, then store a valid one."
            ),
        )
    };
    match reply.status {
        s if s.is_redirection() => Verdict::new(
            TestStatus::UnexpectedResponse,
            format!(
                "{name} answered with a redirect (HTTP {code}); llmcfg does not follow \
                 redirects, so the key was not sent on. Set the base URL to the API's final \
                 address."
            ),
        ),
        StatusCode::UNAUTHORIZED => bad_key(),
        StatusCode::BAD_REQUEST if auth::bad_key_400(spec, &reply.error) => bad_key(),
        StatusCode::FORBIDDEN => Verdict::new(
            TestStatus::PermissionDenied,
            format!(
                "{name} refused access (HTTP 403): the key lacks permission for the models API \
                 (scope, region, or the API is not enabled for it). Check the key's permissions \
                 in the provider's console."
            ),
        ),
        StatusCode::PAYMENT_REQUIRED => quota(name, code),
        StatusCode::TOO_MANY_REQUESTS if reply.error.is_insufficient_quota() => quota(name, code),
        StatusCode::TOO_MANY_REQUESTS => Verdict::new(
            TestStatus::RateLimited,
            format!(
                "{name} rate-limited the test (HTTP 429), so the result is inconclusive. Test \
                 again in a minute."
            ),
        ),
        StatusCode::SERVICE_UNAVAILABLE => overloaded(name, code),
        s if s.as_u16() == STATUS_OVERLOADED => overloaded(name, code),
        _ => Verdict::new(
            TestStatus::UnexpectedResponse,
            format!(
                "{name} answered HTTP {code} unexpectedly from its {}. Check the base URL and \
                 the provider's status page, then test again.",
                phase.endpoint()
            ),
        ),
    }
}

fn quota(name: &str, code: u16) -> Verdict {
    Verdict::new(
        TestStatus::Quota,
        format!(
            "{name} accepted the key but reports no credit or quota left (HTTP {code}). Add \
             credit or raise the quota in the provider's billing settings, then test again."
        ),
    )
}

fn overloaded(name: &str, code: u16) -> Verdict {
    Verdict::new(
        TestStatus::Overloaded,
        format!(
            "{name} is overloaded or unavailable (HTTP {code}), so the result is inconclusive. \
             Test again later."
        ),
    )
}

/// `20 s`, `1.5 s`, `300 ms`.
fn human(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Catalog;
    use crate::prober::provider_error::ProviderError;

    fn reply(status: u16, html: bool, error: ProviderError) -> Reply {
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            body: Vec::new(),
            truncated: false,
            html,
            error,
        }
    }

    fn decide(provider: &str, status: u16, html: bool, error: ProviderError) -> TestStatus {
        let spec = Catalog::builtin().get(provider).unwrap();
        from_reply(spec, Phase::GetModel, &reply(status, html, error)).status
    }

    #[test]
    fn the_table() {
        let none = ProviderError::default;
        assert_eq!(decide("openai", 401, false, none()), TestStatus::InvalidKey);
        assert_eq!(decide("xai", 400, false, none()), TestStatus::InvalidKey);
        assert_eq!(
            decide("openai", 400, false, none()),
            TestStatus::UnexpectedResponse
        );
        let gemini_bad = ProviderError {
            reason: Some("API_KEY_INVALID".into()),
            ..none()
        };
        assert_eq!(
            decide("gemini", 400, false, gemini_bad.clone()),
            TestStatus::InvalidKey
        );
        // The reason only counts for the Google auth style.
        assert_eq!(
            decide("openai", 400, false, gemini_bad),
            TestStatus::UnexpectedResponse
        );
        assert_eq!(
            decide("openai", 403, false, none()),
            TestStatus::PermissionDenied
        );
        // A 404 alone never blames the model (the list must prove the key).
        assert_eq!(
            decide("openai", 404, false, none()),
            TestStatus::UnexpectedResponse
        );
        assert_eq!(decide("deepseek", 402, false, none()), TestStatus::Quota);
        let quota = ProviderError {
            code: Some("insufficient_quota".into()),
            ..none()
        };
        assert_eq!(decide("openai", 429, false, quota), TestStatus::Quota);
        assert_eq!(
            decide("openai", 429, false, none()),
            TestStatus::RateLimited
        );
        assert_eq!(
            decide("anthropic", 529, false, none()),
            TestStatus::Overloaded
        );
        assert_eq!(decide("openai", 503, false, none()), TestStatus::Overloaded);
        assert_eq!(
            decide("openai", 500, false, none()),
            TestStatus::UnexpectedResponse
        );
        assert_eq!(
            decide("openai", 302, false, none()),
            TestStatus::UnexpectedResponse
        );
    }

    #[test]
    fn html_pages_are_unexpected_unless_transient() {
        let none = ProviderError::default;
        assert_eq!(
            decide("groq", 403, true, none()),
            TestStatus::UnexpectedResponse
        );
        assert_eq!(
            decide("groq", 401, true, none()),
            TestStatus::UnexpectedResponse
        );
        assert_eq!(decide("groq", 503, true, none()), TestStatus::Overloaded);
        assert_eq!(decide("groq", 429, true, none()), TestStatus::RateLimited);
    }

    #[test]
    fn messages_name_the_status() {
        let spec = Catalog::builtin().get("anthropic").unwrap();
        for code in [401, 402, 403, 404, 429, 500, 529] {
            let v = from_reply(spec, Phase::List, &reply(code, false, Default::default()));
            assert!(v.message.contains(&format!("HTTP {code}")), "{}", v.message);
        }
        assert_eq!(ok().message, "Connection successful");
    }
}
