//! Which extension routes (design §3, *ext*) a server offers. Learned once
//! from `/openapi.json` when the server publishes one, otherwise route by
//! route from the first 404; kept in memory and in a small file under the
//! cache directory for [`FEATURE_CACHE_TTL`], per remote URL, so each
//! command does not rediscover it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::api;

/// How long a learned answer is trusted before it is asked again.
pub const FEATURE_CACHE_TTL: Duration = Duration::from_secs(10 * 60);

/// An extension route of `llmcfg serve` that a seed-only server lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// `GET /llm-config/instances`.
    InstanceList,
    /// `POST /llm-config/instances`.
    RegisterInstance,
    /// `GET /llm-config/providers`.
    ProviderList,
    /// `GET /llm-config/audit`.
    AuditLog,
    /// `GET /llm-config/models`.
    Models,
    /// `POST /llm-config/models`.
    ModelsForForm,
    /// `POST /llm-config/key-fingerprint`.
    KeyFingerprint,
    /// `GET /llm-config/versions`.
    Versions,
    /// `POST /llm-config/restore`.
    Restore,
    /// `GET /llm-config/keys`.
    KeyMap,
    /// `POST /llm-config/rotate-key`.
    RotateKey,
    /// `POST /llm-config/rollback`.
    Rollback,
}

impl Feature {
    /// Every feature.
    pub const ALL: [Feature; 12] = [
        Feature::InstanceList,
        Feature::RegisterInstance,
        Feature::ProviderList,
        Feature::AuditLog,
        Feature::Models,
        Feature::ModelsForForm,
        Feature::KeyFingerprint,
        Feature::Versions,
        Feature::Restore,
        Feature::KeyMap,
        Feature::RotateKey,
        Feature::Rollback,
    ];

    /// The route, as OpenAPI spells method and path.
    pub fn route(self) -> (&'static str, &'static str) {
        match self {
            Feature::InstanceList => ("get", api::INSTANCES_PATH),
            Feature::RegisterInstance => ("post", api::INSTANCES_PATH),
            Feature::ProviderList => ("get", api::PROVIDERS_PATH),
            Feature::AuditLog => ("get", api::AUDIT_PATH),
            Feature::Models => ("get", api::MODELS_PATH),
            Feature::ModelsForForm => ("post", api::MODELS_PATH),
            Feature::KeyFingerprint => ("post", api::KEY_FINGERPRINT_PATH),
            Feature::Versions => ("get", api::VERSIONS_PATH),
            Feature::Restore => ("post", api::RESTORE_PATH),
            Feature::KeyMap => ("get", api::KEYS_PATH),
            Feature::RotateKey => ("post", api::rotation::ROTATE_KEY_PATH),
            Feature::Rollback => ("post", api::rotation::ROLLBACK_PATH),
        }
    }

    /// What the feature is, for "this server does not offer …".
    pub fn describe(self) -> &'static str {
        match self {
            Feature::InstanceList => "an instance list",
            Feature::RegisterInstance => "registering instances",
            Feature::ProviderList => "its provider list",
            Feature::AuditLog => "an audit log",
            Feature::Models => "live model lists",
            Feature::ModelsForForm => "live model lists for unsaved keys",
            Feature::KeyFingerprint => "key fingerprints",
            Feature::Versions => "version history",
            Feature::Restore => "restoring versions",
            Feature::KeyMap => "the key-usage map",
            Feature::RotateKey => "key rotation",
            Feature::Rollback => "rolling back key rotations",
        }
    }

    /// The one-line message of a server without this feature.
    pub fn missing_message(self) -> String {
        let (method, path) = self.route();
        let hint = match self {
            Feature::RegisterInstance => {
                "; list the instance under [[instances]] or in [remote] instances_file instead"
            }
            _ => "; it is an llmcfg serve extension",
        };
        format!(
            "this server does not offer {} ({} {path}){hint}",
            self.describe(),
            method.to_uppercase()
        )
    }
}

/// What an extension route gave: its value, or that the server lacks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offered<T> {
    /// The server offers the route; its answer.
    Yes(T),
    /// The server does not offer this feature.
    No(Feature),
}

impl<T> Offered<T> {
    /// The value, or the one-line "this server does not offer …" error.
    pub fn required(self) -> Result<T, crate::service::ServiceError> {
        match self {
            Offered::Yes(value) => Ok(value),
            Offered::No(feature) => Err(crate::service::ServiceError::NotOffered(
                feature.missing_message(),
            )),
        }
    }

    /// Applies `f` to an offered value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Offered<U> {
        match self {
            Offered::Yes(value) => Offered::Yes(f(value)),
            Offered::No(feature) => Offered::No(feature),
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    url: String,
    learned_at: u64,
    routes: BTreeMap<Feature, bool>,
}

/// What is known about one server's features.
pub struct Features {
    url: String,
    file: Option<PathBuf>,
    state: Mutex<Known>,
}

#[derive(Default)]
struct Known {
    /// The OpenAPI document was asked for (successfully or not).
    probed: bool,
    routes: BTreeMap<Feature, bool>,
}

impl Features {
    /// The features of the server at `url`, cached under `cache_dir` when
    /// given (and only in memory otherwise).
    pub fn new(url: &str, cache_dir: Option<&Path>) -> Features {
        let file = cache_dir.map(|d| {
            let digest = Sha256::digest(url.as_bytes());
            d.join("servers")
                .join(format!("{}.json", hex::encode(&digest[..8])))
        });
        let mut known = Known::default();
        if let Some(cached) = file.as_deref().and_then(|f| read_fresh(f, url)) {
            known.probed = true;
            known.routes = cached.routes;
        }
        Features {
            url: url.to_string(),
            file,
            state: Mutex::new(known),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Known> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// True once the OpenAPI document was asked for (or a fresh cache read).
    pub fn probed(&self) -> bool {
        self.lock().probed
    }

    /// What is known of `feature`: `Some(true)` offered, `Some(false)`
    /// lacking, `None` not known yet.
    pub fn get(&self, feature: Feature) -> Option<bool> {
        self.lock().routes.get(&feature).copied()
    }

    /// Records what the OpenAPI document says (`paths` as served), or that
    /// there is none (`None`: learn route by route).
    pub fn learn_from_document(&self, doc: Option<&serde_json::Value>) {
        let mut known = self.lock();
        known.probed = true;
        if let Some(paths) = doc.and_then(|d| d.get("paths")).and_then(|p| p.as_object()) {
            for feature in Feature::ALL {
                let (method, path) = feature.route();
                // A product may mount the API under a prefix and list the
                // full path; match on the suffix.
                let offered = paths.iter().any(|(p, ops)| {
                    p.trim_end_matches('/')
                        .ends_with(path.trim_end_matches('/'))
                        && ops.get(method).is_some()
                });
                known.routes.insert(feature, offered);
            }
        }
        self.save(&known);
    }

    /// Records one answer learned from using the route.
    pub fn learn(&self, feature: Feature, offered: bool) {
        let mut known = self.lock();
        if known.routes.insert(feature, offered) != Some(offered) {
            self.save(&known);
        }
    }

    fn save(&self, known: &Known) {
        let Some(file) = &self.file else { return };
        let body = CacheFile {
            url: self.url.clone(),
            learned_at: now_secs(),
            routes: known.routes.clone(),
        };
        // A cache that cannot be written only costs a rediscovery.
        let write = || -> std::io::Result<()> {
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = file.with_extension(format!("tmp{}", std::process::id()));
            std::fs::write(&tmp, serde_json::to_vec(&body).unwrap_or_default())?;
            std::fs::rename(&tmp, file)
        };
        if let Err(e) = write() {
            tracing::debug!(error = %e, "cannot write the feature cache");
        }
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn read_fresh(file: &Path, url: &str) -> Option<CacheFile> {
    let text = std::fs::read(file).ok()?;
    let cached: CacheFile = serde_json::from_slice(&text).ok()?;
    let age = now_secs().saturating_sub(cached.learned_at);
    (cached.url == url && age < FEATURE_CACHE_TTL.as_secs()).then_some(cached)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_paths_decide_and_are_cached_per_url() {
        let dir = tempfile::tempdir().unwrap();
        let url = "https://cp.example/api";
        let f = Features::new(url, Some(dir.path()));
        assert!(!f.probed());
        let doc = serde_json::json!({"paths": {
            "/api/llm-config/": {"get": {}, "post": {}},
            "/api/llm-config/providers": {"get": {}},
        }});
        f.learn_from_document(Some(&doc));
        assert_eq!(f.get(Feature::ProviderList), Some(true));
        assert_eq!(f.get(Feature::AuditLog), Some(false));
        assert_eq!(f.get(Feature::ModelsForForm), Some(false));

        let again = Features::new(url, Some(dir.path()));
        assert!(again.probed());
        assert_eq!(again.get(Feature::ProviderList), Some(true));
        let other = Features::new("https://other.example", Some(dir.path()));
        assert!(!other.probed());
        assert_eq!(other.get(Feature::ProviderList), None);
    }

    #[test]
    fn without_a_document_routes_are_learned_one_by_one() {
        let f = Features::new("https://cp.example", None);
        f.learn_from_document(None);
        assert_eq!(f.get(Feature::AuditLog), None);
        f.learn(Feature::AuditLog, false);
        assert_eq!(f.get(Feature::AuditLog), Some(false));
        assert!(
            Feature::AuditLog
                .missing_message()
                .starts_with("this server does not offer an audit log (GET /llm-config/audit)")
        );
    }
}
