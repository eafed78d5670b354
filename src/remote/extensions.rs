//! The extension routes (design §3, *ext*) of the remote client: asking
//! once which ones the server has, refusing a known-missing one without a
//! request, learning from a framework 404 otherwise, and one method per
//! route. A lacking route is a typed [`Offered::No`], never an error string.

use reqwest::{Method, StatusCode};
use serde::Serialize;

use super::answer::{Answer, RouteKind, RouteSeen, error_for};
use super::client::RemoteClient;
use super::features::{Feature, Offered};
use crate::api::{self, CreateBody, KeyFingerprint, KeyFingerprintBody, RegisterInstanceBody};
use crate::domain::{
    ApiKey, AuditEntry, InstanceId, InstanceSummary, NewConfig, ProviderSpec, Scope,
};
use crate::service::ServiceError;

impl RemoteClient {
    /// Asks `/openapi.json` once which extension routes the server has.
    async fn probe_features(&self) {
        if self.features.probed() {
            return;
        }
        // Paced and with the credentials, as every request: a server behind
        // auth answers its OpenAPI document only to them.
        let doc = match self
            .send::<()>(Method::GET, api::OPENAPI_PATH, None, None)
            .await
        {
            Ok((answer, _)) if answer.status == StatusCode::OK => {
                serde_json::from_slice::<serde_json::Value>(&answer.body).ok()
            }
            _ => None,
        };
        self.features.learn_from_document(doc.as_ref());
    }

    /// Whether the server offers `feature` (`None`: not known until used).
    pub async fn offers(&self, feature: Feature) -> Option<bool> {
        self.probe_features().await;
        self.features.get(feature)
    }

    /// Calls an extension route: refused without a request when the server
    /// is known to lack it, and learned from a framework 404 otherwise.
    async fn extension<B: Serialize + ?Sized>(
        &self,
        feature: Feature,
        path: &str,
        scope: Option<&Scope>,
        body: Option<&B>,
    ) -> Result<Offered<Answer>, ServiceError> {
        self.extension_or(feature, path, scope, body, None).await
    }

    /// [`Self::extension`], with `not_found` for the route's own 404 (one
    /// with a JSON detail, not a framework's missing route).
    async fn extension_or<B: Serialize + ?Sized>(
        &self,
        feature: Feature,
        path: &str,
        scope: Option<&Scope>,
        body: Option<&B>,
        not_found: Option<ServiceError>,
    ) -> Result<Offered<Answer>, ServiceError> {
        let known = self.offers(feature).await;
        if known == Some(false) {
            return Ok(Offered::No(feature));
        }
        let method = match feature.route().0 {
            "post" => Method::POST,
            _ => Method::GET,
        };
        let (answer, location) = self.send(method, path, scope, body).await?;
        if answer.status.is_success() {
            self.features.learn(feature, true);
            return Ok(Offered::Yes(answer));
        }
        if known != Some(true) && answer.says_route_missing() {
            self.features.learn(feature, false);
            return Ok(Offered::No(feature));
        }
        if answer.status == StatusCode::NOT_FOUND
            && let Some(e) = not_found
        {
            return Err(e);
        }
        let kind = if scope.is_some() {
            RouteKind::SeedScoped
        } else {
            RouteKind::Extension
        };
        Err(error_for(
            &self.base,
            &answer,
            kind,
            scope,
            location.as_deref(),
            RouteSeen::Served,
        ))
    }

    /// *ext* `GET /llm-config/instances`.
    pub async fn instances(&self) -> Result<Offered<Vec<InstanceSummary>>, ServiceError> {
        let answer = self
            .extension::<()>(Feature::InstanceList, api::INSTANCES_PATH, None, None)
            .await?;
        decode(answer, "an instance list")
    }

    /// *ext* `POST /llm-config/instances`.
    pub async fn register_instance(
        &self,
        id: &InstanceId,
        name: Option<String>,
    ) -> Result<Offered<()>, ServiceError> {
        let body = RegisterInstanceBody {
            id: id.to_string(),
            name,
        };
        let answer = self
            .extension(
                Feature::RegisterInstance,
                api::INSTANCES_PATH,
                None,
                Some(&body),
            )
            .await?;
        Ok(answer.map(|_| ()))
    }

    /// *ext* `GET /llm-config/providers`.
    pub async fn providers(&self) -> Result<Offered<Vec<ProviderSpec>>, ServiceError> {
        let answer = self
            .extension::<()>(Feature::ProviderList, api::PROVIDERS_PATH, None, None)
            .await?;
        decode(answer, "a provider list")
    }

    /// The server's provider catalog, once per client; `None` when the
    /// server publishes none, or one this version cannot read (a newer
    /// server's catalog may carry fields ours lacks), so input is checked
    /// against the identifier rule instead and the server stays the judge.
    pub async fn catalog(&self) -> Result<Option<&crate::domain::Catalog>, ServiceError> {
        let catalog = self
            .catalog
            .get_or_try_init(|| async {
                let answer = self
                    .extension::<()>(Feature::ProviderList, api::PROVIDERS_PATH, None, None)
                    .await?;
                let Offered::Yes(answer) = answer else {
                    return Ok::<_, ServiceError>(None);
                };
                match answer.decode::<Vec<ProviderSpec>>("a provider list") {
                    Ok(list) => Ok(Some(crate::domain::Catalog::from_providers(list))),
                    Err(e) => {
                        tracing::info!(error = %e, "checking providers by the identifier rule");
                        Ok(None)
                    }
                }
            })
            .await?;
        Ok(catalog.as_ref())
    }

    /// *ext* `GET /llm-config/audit`.
    pub async fn audit(
        &self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Offered<Vec<AuditEntry>>, ServiceError> {
        let path = {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            if let Some(scope) = scope {
                query.append_pair("instance", scope.instance_id().unwrap_or(""));
            }
            query.append_pair("limit", &limit.clamp(1, api::AUDIT_MAX_LIMIT).to_string());
            format!("{}?{}", api::AUDIT_PATH, query.finish())
        };
        let answer = self
            .extension::<()>(Feature::AuditLog, &path, None, None)
            .await?;
        decode(answer, "an audit log")
    }

    /// *ext* `GET /llm-config/models`: live models of the scope's config.
    pub async fn models(&self, scope: &Scope) -> Result<Offered<Vec<String>>, ServiceError> {
        let answer = self
            .extension::<()>(Feature::Models, api::MODELS_PATH, Some(scope), None)
            .await?;
        decode(answer, "a model list")
    }

    /// *ext* `POST /llm-config/models`: live models of an unsaved key (in the
    /// body, never the URL).
    pub async fn models_for(
        &self,
        config: &NewConfig,
    ) -> Result<Offered<Vec<String>>, ServiceError> {
        let body = CreateBody {
            fields: config.fields(),
            api_key: config.api_key.expose(),
        };
        let answer = self
            .extension(Feature::ModelsForForm, api::MODELS_PATH, None, Some(&body))
            .await?;
        decode(answer, "a model list")
    }

    /// *ext* `POST /llm-config/key-fingerprint`.
    pub async fn key_fingerprint(&self, api_key: &ApiKey) -> Result<Offered<String>, ServiceError> {
        let body = KeyFingerprintBody {
            api_key: api_key.expose(),
        };
        let answer = self
            .extension(
                Feature::KeyFingerprint,
                api::KEY_FINGERPRINT_PATH,
                None,
                Some(&body),
            )
            .await?;
        Ok(decode::<KeyFingerprint>(answer, "a key fingerprint")?.map(|a| a.fingerprint))
    }

    /// *ext* `GET /llm-config/versions` of one scope.
    pub async fn versions(
        &self,
        scope: &Scope,
        limit: usize,
    ) -> Result<Offered<Vec<crate::domain::VersionEntry>>, ServiceError> {
        let limit = limit.clamp(1, api::AUDIT_MAX_LIMIT);
        let path = format!("{}?limit={limit}", api::VERSIONS_PATH);
        let answer = self
            .extension::<()>(Feature::Versions, &path, Some(scope), None)
            .await?;
        decode(answer, "a version list")
    }

    /// *ext* `POST /llm-config/restore`.
    pub async fn restore(
        &self,
        scope: &Scope,
        version: u64,
    ) -> Result<Offered<crate::domain::ConfigView>, ServiceError> {
        let body = api::RestoreRequest { version };
        let answer = self
            .extension(
                Feature::Restore,
                api::RESTORE_PATH,
                Some(scope),
                Some(&body),
            )
            .await?;
        decode(answer, "a configuration")
    }

    /// *ext* `GET /llm-config/keys`.
    pub async fn key_map(&self) -> Result<Offered<Vec<crate::domain::KeyGroup>>, ServiceError> {
        let answer = self
            .extension::<()>(Feature::KeyMap, api::KEYS_PATH, None, None)
            .await?;
        decode(answer, "a key map")
    }

    /// *ext* `POST /llm-config/rotate-key`.
    pub async fn rotate_key(
        &self,
        body: &api::rotation::RotateKeyBody<'_>,
    ) -> Result<Offered<crate::service::rotation::RotationReport>, ServiceError> {
        let unknown = ServiceError::NoSuchKey {
            fingerprint: body.fingerprint.to_string(),
        };
        let answer = self
            .extension_or(
                Feature::RotateKey,
                api::rotation::ROTATE_KEY_PATH,
                None,
                Some(body),
                Some(unknown),
            )
            .await?;
        decode(answer, "a rotation report")
    }

    /// *ext* `POST /llm-config/rollback`.
    pub async fn rollback(
        &self,
        body: &api::rotation::RollbackRequest,
    ) -> Result<Offered<crate::service::rotation::RollbackReport>, ServiceError> {
        let unknown = ServiceError::NoSuchRotation {
            id: body.rotation_id.clone(),
        };
        let answer = self
            .extension_or(
                Feature::Rollback,
                api::rotation::ROLLBACK_PATH,
                None,
                Some(body),
                Some(unknown),
            )
            .await?;
        decode(answer, "a rollback report")
    }
}

fn decode<T: serde::de::DeserializeOwned>(
    answer: Offered<Answer>,
    what: &str,
) -> Result<Offered<T>, ServiceError> {
    match answer {
        Offered::Yes(answer) => answer.decode(what).map(Offered::Yes),
        Offered::No(feature) => Ok(Offered::No(feature)),
    }
}
