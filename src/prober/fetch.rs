//! One probe request: GET with the auth headers, the body read chunk by
//! chunk up to the cap (a 64 MiB answer costs at most the cap in memory),
//! and at most one retry per test — only for 429/5xx, after `Retry-After`
//! capped at [`RETRY_AFTER_CAP`] and only if it fits in the time left.
//! Logs carry status, request id and error codes; never headers or bodies.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use reqwest::{Client, StatusCode, Url};
use tokio::time::Instant;

use super::provider_error::ProviderError;
use super::{ProbeError, auth, client, scrub};
use crate::domain::{
    ApiKey, ConfigFields, FIELDS, KeyFactsRecord, Lifecycle, ProviderSpec, SentAs,
};

/// Longest wait a `Retry-After` can impose.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(2);
/// Wait before the retry when the provider gives no `Retry-After`.
pub const RETRY_DEFAULT_DELAY: Duration = Duration::from_millis(250);

/// An HTTP answer, its body capped.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: StatusCode,
    /// Body, at most the cap.
    pub body: Vec<u8>,
    /// The body went over the cap and was cut.
    pub truncated: bool,
    /// The answer is an HTML page (a proxy, firewall or wrong URL).
    pub html: bool,
    /// Codes from an error answer.
    pub error: ProviderError,
}

/// Sends the requests of one test, sharing its retry budget and deadline.
pub struct Fetcher<'a> {
    pub(super) client: &'a Client,
    pub(super) spec: &'a ProviderSpec,
    pub(super) key: &'a ApiKey,
    /// The config's fields, for those sent as a query parameter or header.
    pub(super) fields: &'a ConfigFields,
    pub(super) max_body: usize,
    pub(super) deadline: Instant,
    /// The connect timeout: the only timeout a single request reports (the
    /// total bound is enforced around the whole test).
    pub(super) connect_timeout: Duration,
    pub(super) retried: bool,
    /// The HTTP status of the last answer received, for the health history.
    pub(super) last_http: Option<u16>,
    /// The lifecycle facts the answers carried so far.
    pub(super) lifecycle: Lifecycle,
    /// The stored answer of the provider's key endpoint, if any.
    pub(super) known_facts: Option<&'a KeyFactsRecord>,
    /// The key endpoint's answer read by this test, to be stored.
    pub(super) fresh_facts: Option<KeyFactsRecord>,
}

impl Fetcher<'_> {
    /// GETs `url`, retrying once on 429/5xx when time allows.
    pub async fn get(&mut self, url: Url) -> Result<Reply, ProbeError> {
        loop {
            let (reply, retry_after) = self.once(url.clone()).await?;
            self.last_http = Some(reply.status.as_u16());
            if self.retried || !retryable(&reply) {
                return Ok(reply);
            }
            let delay = retry_after
                .unwrap_or(RETRY_DEFAULT_DELAY)
                .min(RETRY_AFTER_CAP);
            if Instant::now() + delay >= self.deadline {
                return Ok(reply);
            }
            self.retried = true;
            tracing::debug!(provider = %self.spec.id, status = reply.status.as_u16(),
                delay_ms = delay.as_millis() as u64, "probe retry");
            tokio::time::sleep(delay).await;
        }
    }

    async fn once(&self, url: Url) -> Result<(Reply, Option<Duration>), ProbeError> {
        let (url, headers) = self.with_fields(url);
        let mut req = auth::apply(self.spec.auth, self.client.get(url), self.key)?;
        for (name, value) in headers {
            req = req.header(name, value);
        }
        let mut resp = req.send().await.map_err(|e| client::transport_error(&e))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let retry_after = retry_after(&headers);
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| client::transport_error(&e))?
        {
            let room = self.max_body - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                // Dropping the response closes the connection; the rest is
                // never read.
                break;
            }
            body.extend_from_slice(&chunk);
        }
        let html = is_html(&headers, &body);
        let error = if status.is_success() {
            ProviderError::default()
        } else {
            ProviderError::parse(&headers, &body)
        };
        let key = self.key.expose();
        let field = |v: &Option<String>| v.as_deref().map(|s| scrub::scrub(s, key));
        tracing::debug!(
            provider = %self.spec.id,
            status = status.as_u16(),
            request_id = field(&error.request_id),
            error_type = field(&error.kind),
            error_code = field(&error.code),
            error_reason = field(&error.reason),
            truncated,
            "probe response"
        );
        Ok((
            Reply {
                status,
                body,
                truncated,
                html,
                error,
            },
            retry_after,
        ))
    }
}

impl Fetcher<'_> {
    /// `url` with the config fields sent as query parameters (replacing the
    /// catalog's value of the same name), and the fields sent as headers.
    /// The values passed their field's rule (`[A-Za-z0-9._-]`), so none can
    /// break a header or add a parameter.
    fn with_fields(&self, mut url: Url) -> (Url, Vec<(&'static str, String)>) {
        let mut headers = Vec::new();
        for f in FIELDS {
            if !f.applies_to(&self.spec.id) {
                continue;
            }
            let Some(value) = self.fields.text(f.name) else {
                continue;
            };
            match f.sent_as {
                SentAs::Probe => {}
                SentAs::Header(name) => headers.push((name, value.to_string())),
                SentAs::Query(name) => {
                    let kept: Vec<(String, String)> = url
                        .query_pairs()
                        .filter(|(k, _)| k != name)
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect();
                    url.query_pairs_mut()
                        .clear()
                        .extend_pairs(kept)
                        .append_pair(name, value);
                }
            }
        }
        (url, headers)
    }
}

/// 429 (except a spent quota, which a retry cannot fix) and 5xx.
fn retryable(reply: &Reply) -> bool {
    (reply.status == StatusCode::TOO_MANY_REQUESTS && !reply.error.is_insufficient_quota())
        || reply.status.is_server_error()
}

/// `Retry-After` in seconds; an HTTP date is treated as absent.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs: f64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)))
}

fn is_html(headers: &HeaderMap, body: &[u8]) -> bool {
    let by_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("text/html"));
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    by_type || first == Some(&b'<')
}
