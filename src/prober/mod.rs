//! Connection tests against the real provider APIs (design §4): one module
//! per auth style, endpoints and quirks driven by the catalog, and an outcome
//! decided from our own table, never from the provider's text.
//!
//! A test runs, within one total time bound:
//! 1. the key check, where the model list is public (OpenRouter `/v1/key`);
//! 2. the get-one-model endpoint where the provider has one and the id has
//!    no `/` (gateways such as LiteLLM route `/models/team/x` to a 404
//!    before they check the key) — a 200 counts only when it is the model
//!    object with the requested id; a 404 proves nothing about the key, so
//!    the list decides, and its failure is the verdict;
//! 3. otherwise the full, paginated model list, compared id by id.
//!
//! `model_not_found` therefore always rests on a list call that succeeded:
//! the key is proven before the model is blamed.
//!
//! Azure's "model" is a deployment name its models list cannot show, so an
//! Azure success says the key was verified and the deployment was not.
//! Every message is scrubbed of the key before it leaves this module.

mod auth;
mod client;
mod endpoint;
mod error;
mod facts;
mod fetch;
pub mod guard;
mod listing;
mod outcome;
mod provider_error;
pub mod scrub;
pub mod special_purpose;
mod steps;

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

pub use client::{check_literal, guarded, transport_error};
pub use error::ProbeError;
pub use guard::TargetPolicy;
pub use outcome::SUCCESS_MESSAGE;

use crate::domain::{ApiKey, ConfigFields, KeyFactsRecord, Lifecycle, ProviderSpec, TestStatus};
use fetch::Fetcher;
use outcome::Verdict;

/// Default connect timeout.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default total timeout of one test.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(20);
/// Cap on one response body, in bytes (1 MiB): larger answers are cut and
/// reported, never buffered whole.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Tunables of the prober (from `config.toml` `[prober]`).
#[derive(Debug, Clone)]
pub struct ProbeSettings {
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Total time bound of one test, retries included.
    pub total_timeout: Duration,
    /// SSRF guard (server mode); `None` lets probes reach any address.
    pub guard: Option<Arc<TargetPolicy>>,
}

impl Default for ProbeSettings {
    fn default() -> Self {
        ProbeSettings {
            connect_timeout: CONNECT_TIMEOUT,
            total_timeout: TOTAL_TIMEOUT,
            guard: None,
        }
    }
}

/// What is being tested: a provider's catalog entry, a config's fields
/// (model, base URL and whatever else the provider is sent) and a key.
#[derive(Debug, Clone, Copy)]
pub struct ProbeTarget<'a> {
    /// Catalog entry.
    pub spec: &'a ProviderSpec,
    /// The config's fields; `model` is the deployment name for Azure, and
    /// unused by a model listing.
    pub fields: &'a ConfigFields,
    /// The key.
    pub key: &'a ApiKey,
    /// The stored answer of the provider's key endpoint for this key, if
    /// any: reused while it is younger than a day.
    pub key_facts: Option<&'a KeyFactsRecord>,
}

impl<'a> ProbeTarget<'a> {
    /// The test of `fields` with `key`, against `spec`.
    pub fn new(spec: &'a ProviderSpec, fields: &'a ConfigFields, key: &'a ApiKey) -> Self {
        ProbeTarget {
            spec,
            fields,
            key,
            key_facts: None,
        }
    }

    /// The same target with the stored answer of its key endpoint.
    pub fn with_key_facts(mut self, known: Option<&'a KeyFactsRecord>) -> Self {
        self.key_facts = known;
        self
    }
}

/// The outcome of one probe.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeOutcome {
    /// Outcome class.
    pub status: TestStatus,
    /// Our message, scrubbed of the key.
    pub message: String,
    /// Time spent.
    pub latency: Duration,
    /// The HTTP status of the provider's last answer; `None` when none came
    /// (refused, unreachable, timed out).
    pub http_status: Option<u16>,
    /// What the provider's answers said about the model's retirement and
    /// the key's credit and expiry, if anything.
    pub lifecycle: Option<Box<Lifecycle>>,
    /// The key endpoint's answer this probe read, for the store to keep;
    /// `None` when it reused the stored one or the provider has none.
    pub key_facts: Option<KeyFactsRecord>,
}

/// Runs connection tests and lists models. Cloning shares the HTTP client
/// and its connection pool.
#[derive(Clone)]
pub struct Prober {
    settings: ProbeSettings,
    client: reqwest::Client,
}

impl Prober {
    /// A prober with these settings.
    pub fn new(settings: ProbeSettings) -> Prober {
        let client = client::build(&settings);
        Prober { settings, client }
    }

    /// The settings in force.
    pub fn settings(&self) -> &ProbeSettings {
        &self.settings
    }

    /// Tests key and model.
    pub async fn test(&self, target: ProbeTarget<'_>) -> ProbeOutcome {
        let started = Instant::now();
        let (verdict, fetched) = match self.prepare(target, started) {
            Err(v) => (v, None),
            Ok((mut f, base)) => {
                let deadline = f.deadline;
                let run = steps::test(&mut f, &base, &target.fields.model);
                let verdict = match tokio::time::timeout_at(deadline, run).await {
                    Ok(Ok(v) | Err(v)) => v,
                    Err(_) => self.timed_out(target.spec),
                };
                (verdict, Some(f))
            }
        };
        let mut outcome = self.finish(target, verdict, started);
        if let Some(f) = fetched {
            outcome.http_status = f.last_http;
            outcome.lifecycle = (!f.lifecycle.is_empty()).then(|| Box::new(f.lifecycle));
            outcome.key_facts = f.fresh_facts;
        }
        outcome
    }

    /// Lists live model ids; on failure, the outcome that explains why.
    pub async fn list_models(&self, target: ProbeTarget<'_>) -> Result<Vec<String>, ProbeOutcome> {
        let started = Instant::now();
        let verdict = match self.prepare(target, started) {
            Err(v) => v,
            Ok((mut f, base)) => {
                let deadline = f.deadline;
                let run = steps::list(&mut f, &base);
                match tokio::time::timeout_at(deadline, run).await {
                    Ok(Ok(ids)) => return Ok(ids),
                    Ok(Err(v)) => v,
                    Err(_) => self.timed_out(target.spec),
                }
            }
        };
        Err(self.finish(target, verdict, started))
    }

    /// The base URL and a fetcher for one test, after the guard's check of
    /// IP-literal hosts (names are checked by the resolver).
    fn prepare<'t>(
        &'t self,
        target: ProbeTarget<'t>,
        started: Instant,
    ) -> Result<(Fetcher<'t>, String), Verdict> {
        let spec = target.spec;
        let s = &self.settings;
        let fail = |e: ProbeError| outcome::from_error(spec, &e, s.connect_timeout);
        let base = spec
            .effective_base_url(target.fields.base_url.as_deref())
            .ok_or_else(|| fail(ProbeError::NoBaseUrl))?;
        let base = endpoint::api_base(&spec.probe, base).map_err(fail)?;
        let url = endpoint::join(&base, "/", None, &[]).map_err(fail)?;
        client::check_literal(s.guard.as_deref(), &url).map_err(fail)?;
        let fetcher = Fetcher {
            client: &self.client,
            spec,
            key: target.key,
            fields: target.fields,
            max_body: MAX_BODY_BYTES,
            deadline: started + s.total_timeout,
            connect_timeout: s.connect_timeout,
            retried: false,
            last_http: None,
            lifecycle: Lifecycle::default(),
            known_facts: target.key_facts,
            fresh_facts: None,
        };
        Ok((fetcher, base))
    }

    fn timed_out(&self, spec: &ProviderSpec) -> Verdict {
        outcome::from_error(spec, &ProbeError::Timeout, self.settings.total_timeout)
    }

    fn finish(&self, target: ProbeTarget<'_>, verdict: Verdict, started: Instant) -> ProbeOutcome {
        let outcome = ProbeOutcome {
            status: verdict.status,
            message: scrub::scrub(&verdict.message, target.key.expose()),
            latency: started.elapsed(),
            http_status: None,
            lifecycle: None,
            key_facts: None,
        };
        tracing::debug!(
            provider = %target.spec.id,
            status = outcome.status.as_str(),
            latency_ms = u64::try_from(outcome.latency.as_millis()).unwrap_or(u64::MAX),
            "probe finished"
        );
        outcome
    }
}
