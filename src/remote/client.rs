//! The HTTP client of the remote backend: the transport (configured auth
//! header, private CA, no redirects, bounded answers), `X-Instance-Id` per
//! scope, and one method per seed route. The extension routes are in
//! `extensions.rs`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use serde::Serialize;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::RemoteError;
use super::answer::{Answer, RouteKind, error_for};
use super::features::Features;
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

/// How to reach and authenticate to one server.
pub struct RemoteOptions {
    /// Base URL (normalised by [`RemoteClient::with_options`]).
    pub url: String,
    /// The token.
    pub token: Zeroizing<String>,
    /// Header carrying the token (default `Authorization`).
    pub auth_header: Option<String>,
    /// Scheme before the token (default `Bearer` for `Authorization`, none
    /// for any other header).
    pub auth_scheme: Option<String>,
    /// PEM file of extra CA certificates (a private CA).
    pub ca_file: Option<PathBuf>,
    /// Where learned server features are cached (memory only when `None`).
    pub cache_dir: Option<PathBuf>,
}

impl RemoteOptions {
    /// Options with every default: `Authorization: Bearer`, system CAs, no cache.
    pub fn new(url: &str, token: Zeroizing<String>) -> RemoteOptions {
        RemoteOptions {
            url: url.to_string(),
            token,
            auth_header: None,
            auth_scheme: None,
            ca_file: None,
            cache_dir: None,
        }
    }
}

/// A client bound to one server and one token.
pub struct RemoteClient {
    pub(super) http: reqwest::Client,
    pub(super) base: String,
    auth_name: HeaderName,
    auth_value: HeaderValue,
    pub(super) features: Features,
    /// The server's provider list, asked once (see `catalog`).
    pub(super) catalog: tokio::sync::OnceCell<Option<crate::domain::Catalog>>,
}

impl RemoteClient {
    /// A client for the server at `url` with default options.
    pub fn new(url: &str, token: Zeroizing<String>) -> Result<RemoteClient, RemoteError> {
        RemoteClient::with_options(RemoteOptions::new(url, token))
    }

    /// A client for `options.url` (`https://`, or `http://` to a loopback
    /// host only, since the token would travel in clear).
    pub fn with_options(options: RemoteOptions) -> Result<RemoteClient, RemoteError> {
        let base = normalise_url(&options.url)?;
        let header = options
            .auth_header
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .unwrap_or("authorization");
        let auth_name = HeaderName::from_bytes(header.as_bytes()).map_err(|_| {
            RemoteError::Client(format!(
                "[remote] auth_header {header:?} is not a header name"
            ))
        })?;
        let scheme = match options.auth_scheme.as_deref().map(str::trim) {
            Some(s) => s.to_string(),
            None if auth_name == reqwest::header::AUTHORIZATION => "Bearer".into(),
            None => String::new(),
        };
        let value = if scheme.is_empty() {
            Zeroizing::new(options.token.to_string())
        } else {
            Zeroizing::new(format!("{scheme} {}", options.token.as_str()))
        };
        let mut auth_value = HeaderValue::from_str(&value).map_err(|_| {
            RemoteError::Client("the token contains characters a header cannot carry".into())
        })?;
        auth_value.set_sensitive(true);
        let mut builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            // The token must never follow a redirect to another host.
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
            auth_name,
            auth_value,
            features,
            catalog: tokio::sync::OnceCell::new(),
        })
    }

    /// The server's base URL, without a trailing slash.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// Sends one request; only a transport failure is an error here.
    pub(super) async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        scope: Option<&Scope>,
        body: Option<&B>,
    ) -> Result<(Answer, Option<String>), ServiceError> {
        let route = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let mut builder = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(self.auth_name.clone(), self.auth_value.clone());
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
        Err(error_for(
            &self.base,
            &answer,
            kind,
            scope,
            location.as_deref(),
        ))
    }

    /// `GET /llm-config/`.
    pub async fn get(&self, scope: &Scope) -> Result<Option<ConfigView>, ServiceError> {
        self.call::<()>(
            Method::GET,
            api::CONFIG_PATH,
            Some(scope),
            None,
            RouteKind::SeedRead,
        )
        .await?
        .decode("a config view or null")
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
