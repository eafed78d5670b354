//! The HTTP client of the remote backend: one method per `/llm-config`
//! route, `X-Instance-Id` per scope, and the one mapping from HTTP statuses
//! back to [`ServiceError`]s.

use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use super::RemoteError;
use crate::api::{self, CreateBody, ErrorBody, PatchBody};
use crate::domain::{
    AuditEntry, ConfigPatch, ConfigView, InstanceSummary, NewConfig, ProviderSpec, Scope,
    TestResult, ValidationError,
};
use crate::service::ServiceError;

/// Connect timeout to the server.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Total time of one request; above the server's 30 s request timeout so
/// the server's own answer arrives first.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(45);

/// A client bound to one server and one bearer token.
pub struct RemoteClient {
    http: reqwest::Client,
    base: String,
    token: Zeroizing<String>,
}

impl RemoteClient {
    /// A client for the server at `url` (`https://`, or `http://` to a
    /// loopback host only, since the bearer token would travel in clear).
    pub fn new(url: &str, token: Zeroizing<String>) -> Result<RemoteClient, RemoteError> {
        let base = normalise_url(url)?;
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            // The bearer token must never follow a redirect to another host.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("llmcfg/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| RemoteError::Client(e.to_string()))?;
        Ok(RemoteClient { http, base, token })
    }

    /// The server's base URL, without a trailing slash.
    pub fn url(&self) -> &str {
        &self.base
    }

    fn request(&self, method: Method, path: &str, scope: Option<&Scope>) -> RequestBuilder {
        let mut builder = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(self.token.as_str());
        if let Some(id) = scope.and_then(Scope::instance_id) {
            builder = builder.header(api::INSTANCE_HEADER, id);
        }
        builder
    }

    async fn send(
        &self,
        builder: RequestBuilder,
        scope: Option<&Scope>,
    ) -> Result<Response, ServiceError> {
        let response = builder.send().await.map_err(|e| {
            ServiceError::Remote(format!("cannot reach {}: {}", self.base, e.without_url()))
        })?;
        if response.status().is_success() {
            return Ok(response);
        }
        Err(status_error(response, scope).await)
    }

    async fn json<T: DeserializeOwned>(&self, response: Response) -> Result<T, ServiceError> {
        response.json().await.map_err(|e| {
            ServiceError::Remote(format!(
                "{} answered with an unexpected body: {}",
                self.base,
                e.without_url()
            ))
        })
    }

    /// `GET /llm-config/`.
    pub async fn get(&self, scope: &Scope) -> Result<Option<ConfigView>, ServiceError> {
        let r = self
            .send(
                self.request(Method::GET, api::CONFIG_PATH, Some(scope)),
                Some(scope),
            )
            .await?;
        self.json(r).await
    }

    /// `POST /llm-config/`.
    pub async fn create(
        &self,
        scope: &Scope,
        config: &NewConfig,
    ) -> Result<ConfigView, ServiceError> {
        let body = CreateBody {
            provider: &config.provider,
            model: &config.model,
            api_key: config.api_key.expose(),
            base_url: config.base_url.as_deref(),
        };
        let r = self
            .send(
                self.request(Method::POST, api::CONFIG_PATH, Some(scope))
                    .json(&body),
                Some(scope),
            )
            .await?;
        self.json(r).await
    }

    /// `PATCH /llm-config/`.
    pub async fn update(
        &self,
        scope: &Scope,
        patch: &ConfigPatch,
    ) -> Result<ConfigView, ServiceError> {
        let body = PatchBody {
            provider: patch.provider.as_deref(),
            model: patch.model.as_deref(),
            api_key: patch.api_key.as_ref().map(|k| k.expose()),
            base_url: patch.base_url.as_ref().map(|b| b.as_deref()),
        };
        let r = self
            .send(
                self.request(Method::PATCH, api::CONFIG_PATH, Some(scope))
                    .json(&body),
                Some(scope),
            )
            .await?;
        self.json(r).await
    }

    /// `DELETE /llm-config/`.
    pub async fn delete(&self, scope: &Scope) -> Result<(), ServiceError> {
        self.send(
            self.request(Method::DELETE, api::CONFIG_PATH, Some(scope)),
            Some(scope),
        )
        .await?;
        Ok(())
    }

    /// `POST /llm-config/test-connection`.
    pub async fn test_connection(&self, scope: &Scope) -> Result<TestResult, ServiceError> {
        let r = self
            .send(
                self.request(Method::POST, api::TEST_PATH, Some(scope)),
                Some(scope),
            )
            .await?;
        self.json(r).await
    }

    /// `GET /llm-config/instances`.
    pub async fn instances(&self) -> Result<Vec<InstanceSummary>, ServiceError> {
        let r = self
            .send(self.request(Method::GET, api::INSTANCES_PATH, None), None)
            .await?;
        self.json(r).await
    }

    /// `GET /llm-config/providers`.
    pub async fn providers(&self) -> Result<Vec<ProviderSpec>, ServiceError> {
        let r = self
            .send(self.request(Method::GET, api::PROVIDERS_PATH, None), None)
            .await?;
        self.json(r).await
    }

    /// `GET /llm-config/audit`.
    pub async fn audit(
        &self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, ServiceError> {
        let path = {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            if let Some(scope) = scope {
                query.append_pair("instance", scope.instance_id().unwrap_or(""));
            }
            query.append_pair("limit", &limit.clamp(1, api::AUDIT_MAX_LIMIT).to_string());
            format!("{}?{}", api::AUDIT_PATH, query.finish())
        };
        let r = self
            .send(self.request(Method::GET, &path, None), None)
            .await?;
        self.json(r).await
    }
}

/// The one mapping from an HTTP error status to a [`ServiceError`].
async fn status_error(response: Response, scope: Option<&Scope>) -> ServiceError {
    let status = response.status();
    let detail = match response.json::<ErrorBody>().await {
        Ok(body) => body.detail,
        Err(_) => status
            .canonical_reason()
            .unwrap_or("no detail given")
            .to_string(),
    };
    match (status, scope) {
        (StatusCode::UNAUTHORIZED, _) => ServiceError::Unauthorized(format!(
            "the server refused the token ({detail}); check LLMCFG_TOKEN or run `llmcfg login`"
        )),
        (StatusCode::FORBIDDEN, _) => ServiceError::Forbidden(detail),
        (StatusCode::NOT_FOUND, Some(scope)) => ServiceError::NotFound {
            scope: scope.clone(),
        },
        (StatusCode::CONFLICT, Some(scope)) => ServiceError::AlreadyExists {
            scope: scope.clone(),
        },
        (StatusCode::UNPROCESSABLE_ENTITY, _) => {
            let invalid = match api::parse_invalid_detail(&detail) {
                Some((field, reason)) => ValidationError::new(field, reason),
                None => ValidationError::new("body", detail),
            };
            ServiceError::Invalid(invalid)
        }
        (
            StatusCode::BAD_REQUEST
            | StatusCode::PAYLOAD_TOO_LARGE
            | StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _,
        ) => ServiceError::Invalid(ValidationError::new("body", detail)),
        (status, _) => ServiceError::Remote(format!("server answered {status}: {detail}")),
    }
}

/// `https://host[:port][/prefix]` without a trailing slash; `http` only to
/// a loopback host.
pub fn normalise_url(raw: &str) -> Result<String, RemoteError> {
    let err = |reason: &str| RemoteError::Url {
        url: raw.to_string(),
        reason: reason.to_string(),
    };
    let url = url::Url::parse(raw.trim()).map_err(|e| err(&e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(err("must not contain a user name or password"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(err("must not contain a query or fragment"));
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(err("has no host")),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(err(
                "must use https (http is accepted only for a loopback host, since the token would travel in clear)",
            ));
        }
        _ => return Err(err("must be an http(s) URL")),
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            normalise_url("https://cp.example/").unwrap(),
            "https://cp.example"
        );
        assert_eq!(
            normalise_url("http://127.0.0.1:8787").unwrap(),
            "http://127.0.0.1:8787"
        );
        assert!(normalise_url("http://cp.example").is_err());
        assert!(normalise_url("https://u:p@cp.example").is_err());
        assert!(normalise_url("ftp://cp.example").is_err());
    }
}
