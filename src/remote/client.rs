//! The HTTP client of the remote backend: the transport (credentials from
//! `options.rs` on every request, private CA, no redirects, bounded
//! answers, paced by `pacing.rs`), `X-Instance-Id` per scope, and one
//! method per seed route. The extension routes are in `extensions.rs`.

use std::time::{Duration, Instant, SystemTime};

use reqwest::Method;
use serde::Serialize;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::RemoteError;
use super::answer::{Answer, RouteKind, RouteSeen, error_for, status_text};
use super::features::Features;
use super::pacing::{FIRST_BACKOFF, Pacer, retry_after};

pub use super::options::{RemoteOptions, SessionCookie};
use crate::api::{self, CreateBody, PatchBody, TestAnswer};
use crate::domain::{ConfigPatch, ConfigView, NewConfig, Scope, TestResult};
use crate::service::ServiceError;

pub use super::url::normalise_url;

/// Connect timeout to the server.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Total time of one request; above the server's 30 s request timeout so
/// the server's own answer arrives first.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(45);
/// Largest answer read from the server, in bytes (8 MiB).
pub const MAX_ANSWER_BYTES: usize = 8 * 1024 * 1024;

/// A client bound to one server and one token.
pub struct RemoteClient {
    pub(super) http: reqwest::Client,
    pub(super) base: String,
    pub(super) features: Features,
    /// The server's provider list, asked once (see `catalog`).
    pub(super) catalog: tokio::sync::OnceCell<Option<crate::domain::Catalog>>,
    /// The pace of this server, shared by every request.
    pub(super) pacer: Pacer,
}

impl RemoteClient {
    /// A client for the server at `url` with default options.
    pub fn new(url: &str, token: Zeroizing<String>) -> Result<RemoteClient, RemoteError> {
        RemoteClient::with_options(RemoteOptions::new(url, token))
    }

    /// A client for `options.url` (`https://`, or `http://` to a loopback
    /// host only, since the credentials would travel in clear).
    pub fn with_options(options: RemoteOptions) -> Result<RemoteClient, RemoteError> {
        let base = normalise_url(&options.url)?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            // Every request carries the credentials, the OpenAPI fetch too.
            .default_headers(options.credentials()?)
            // The credentials must never follow a redirect to another host.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("llmcfg/", env!("CARGO_PKG_VERSION")));
        if let Some(ca) = &options.ca_file {
            let pem = std::fs::read(ca).map_err(|e| {
                RemoteError::Client(format!("[remote] ca_file {}: {e}", ca.display()))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                RemoteError::Client(format!(
                    "[remote] ca_file {}: not PEM certificates ({e})",
                    ca.display()
                ))
            })?;
            if certs.is_empty() {
                return Err(RemoteError::Client(format!(
                    "[remote] ca_file {}: holds no certificate",
                    ca.display()
                )));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder
            .build()
            .map_err(|e| RemoteError::Client(e.to_string()))?;
        let features = Features::new(&base, options.cache_dir.as_deref());
        Ok(RemoteClient {
            http,
            base,
            features,
            catalog: tokio::sync::OnceCell::new(),
            pacer: Pacer::new(options.throttle_wait),
        })
    }

    /// The server's base URL, without a trailing slash.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// Sends one request, paced (see `pacing.rs`): a 429, or a 503 with
    /// `Retry-After`, is sent again after the wait the server asks for,
    /// within the pacer's budget. Only a transport failure, or a server
    /// still throttling past the budget, is an error here.
    pub(super) async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        scope: Option<&Scope>,
        body: Option<&B>,
    ) -> Result<(Answer, Option<String>), ServiceError> {
        let _slot = self.pacer.slot().await;
        let route = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let mut waited = Duration::ZERO;
        let mut backoff = FIRST_BACKOFF;
        loop {
            if let Some((left, answer)) = self.pacer.pause_left() {
                if waited + left > self.pacer.budget() {
                    return Err(still_throttled(
                        &route,
                        &answer,
                        waited,
                        left,
                        self.pacer.budget(),
                    ));
                }
                // Sleep the pause as seen now and look again: another
                // throttled answer may have lengthened it, and that wait
                // counts against the budget too.
                waited += left;
                tokio::time::sleep(left).await;
                continue;
            }
            let (answer, location, asked) =
                self.send_once(method.clone(), path, scope, body).await?;
            let wait = match (answer.status.as_u16(), asked) {
                (429 | 503, Some(wait)) => wait,
                (429, None) => {
                    backoff *= 2;
                    backoff / 2
                }
                _ => {
                    self.pacer.answered();
                    return Ok((answer, location));
                }
            };
            tracing::debug!(route = %answer.route, wait_ms = wait.as_millis() as u64, "throttled");
            let words = status_text(answer.status, &answer.body);
            self.pacer.throttled(wait, words);
        }
    }

    /// Sends one request once; returns the answer, its `Location` and its
    /// `Retry-After`.
    async fn send_once<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        scope: Option<&Scope>,
        body: Option<&B>,
    ) -> Result<(Answer, Option<String>, Option<Duration>), ServiceError> {
        let route = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let mut builder = self.http.request(method, format!("{}{path}", self.base));
        if let Some(id) = scope.and_then(Scope::instance_id) {
            builder = builder.header(api::INSTANCE_HEADER, id);
        }
        if let Some(body) = body {
            builder = builder.json(body);
        }
        let response = builder.send().await.map_err(|e| {
            ServiceError::Remote(format!("cannot reach {}: {}", self.base, e.without_url()))
        })?;
        let status = response.status();
        // The query of a redirect target may carry anything; keep the path.
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|l| l.split('?').next().unwrap_or(l).to_string());
        let asked = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after(v, SystemTime::now()));
        if response
            .content_length()
            .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
        {
            return Err(ServiceError::Remote(format!(
                "the server's answer to {route} is larger than {MAX_ANSWER_BYTES} bytes"
            )));
        }
        let body = response.bytes().await.map_err(|e| {
            ServiceError::Remote(format!(
                "the answer to {route} broke off: {}",
                e.without_url()
            ))
        })?;
        Ok((
            Answer {
                status,
                body: body.to_vec(),
                route,
            },
            location,
            asked,
        ))
    }

    /// Sends one request to a seed route; an error status becomes its
    /// [`ServiceError`].
    async fn call<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        scope: Option<&Scope>,
        body: Option<&B>,
        kind: RouteKind,
    ) -> Result<Answer, ServiceError> {
        let (answer, location) = self.send(method, path, scope, body).await?;
        if answer.status.is_success() {
            return Ok(answer);
        }
        let seen = self.route_seen(&answer, kind, scope).await;
        Err(error_for(
            &self.base,
            &answer,
            kind,
            scope,
            location.as_deref(),
            seen,
        ))
    }

    /// What a 404 or 405 shows about its route. A seed route's 404 is about
    /// the scope unless a router said the route is missing; even then the
    /// URL is called wrong only when `GET /llm-config/` on the same base is
    /// a router's 404 too (one extra read, made only on that path).
    async fn route_seen(
        &self,
        answer: &Answer,
        kind: RouteKind,
        scope: Option<&Scope>,
    ) -> RouteSeen {
        if !answer.says_route_missing() {
            return RouteSeen::Served;
        }
        match kind {
            RouteKind::Extension => RouteSeen::Served,
            RouteKind::SeedRead => RouteSeen::BaseMissing,
            RouteKind::SeedScoped => {
                let base = self
                    .send::<()>(Method::GET, api::CONFIG_PATH, scope, None)
                    .await;
                match base {
                    Ok((get, _)) if get.says_route_missing() => RouteSeen::BaseMissing,
                    Ok((get, _))
                        if get.status.is_success()
                            && (answer.status == reqwest::StatusCode::METHOD_NOT_ALLOWED
                                || answer.error_body().names_missing_route()) =>
                    {
                        RouteSeen::RouteMissing
                    }
                    _ => RouteSeen::Served,
                }
            }
        }
    }

    /// `GET /llm-config/`; a product's own 404 for an empty scope reads as
    /// `null`, as the seed answers.
    pub async fn get(&self, scope: &Scope) -> Result<Option<ConfigView>, ServiceError> {
        let answer = self
            .call::<()>(
                Method::GET,
                api::CONFIG_PATH,
                Some(scope),
                None,
                RouteKind::SeedRead,
            )
            .await;
        match answer {
            Ok(answer) => answer.decode("a config view or null"),
            Err(ServiceError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /llm-config/` with an already validated config.
    pub async fn create(
        &self,
        scope: &Scope,
        config: &NewConfig,
    ) -> Result<ConfigView, ServiceError> {
        let body = CreateBody {
            fields: config.fields(),
            api_key: config.api_key.expose(),
        };
        self.call(
            Method::POST,
            api::CONFIG_PATH,
            Some(scope),
            Some(&body),
            RouteKind::SeedScoped,
        )
        .await?
        .decode("a config view")
    }

    /// `PATCH /llm-config/` with an already checked patch.
    pub async fn update(
        &self,
        scope: &Scope,
        patch: &ConfigPatch,
    ) -> Result<ConfigView, ServiceError> {
        let body = PatchBody {
            changes: patch.sets(),
            api_key: patch.api_key.as_ref().map(|k| k.expose()),
        };
        self.call(
            Method::PATCH,
            api::CONFIG_PATH,
            Some(scope),
            Some(&body),
            RouteKind::SeedScoped,
        )
        .await?
        .decode("a config view")
    }

    /// `DELETE /llm-config/`: 204, or 200 with any body.
    pub async fn delete(&self, scope: &Scope) -> Result<(), ServiceError> {
        self.call::<()>(
            Method::DELETE,
            api::CONFIG_PATH,
            Some(scope),
            None,
            RouteKind::SeedScoped,
        )
        .await?;
        Ok(())
    }

    /// `POST /llm-config/test-connection`: the seed's four fields or our seven.
    pub async fn test_connection(&self, scope: &Scope) -> Result<TestResult, ServiceError> {
        let started = Instant::now();
        let answer = self
            .call::<()>(
                Method::POST,
                api::TEST_PATH,
                Some(scope),
                None,
                RouteKind::SeedScoped,
            )
            .await?;
        let round_trip = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let parsed: TestAnswer = answer.decode("a connection-test result")?;
        Ok(parsed.into_result(round_trip, OffsetDateTime::now_utc()))
    }
}

/// The error of a request the server still throttles when the wait it
/// asks for would pass the budget.
fn still_throttled(
    route: &str,
    answer: &str,
    waited: Duration,
    wait: Duration,
    budget: Duration,
) -> ServiceError {
    ServiceError::Remote(format!(
        "the server is rate limiting (it answered {answer}); {route} would wait {:.1} s more \
         after {:.1} s of waiting, past the {:.1} s allowed ([remote] throttle_wait_secs)",
        wait.as_secs_f64(),
        waited.as_secs_f64(),
        budget.as_secs_f64()
    ))
}
