//! Connection tests against the real provider APIs (design §4): one module
//! per auth style, endpoints and quirks driven by the catalog, and an outcome
//! decided from our own table, never from the provider's text.

pub mod guard;

use std::sync::Arc;
use std::time::Duration;

pub use guard::TargetPolicy;

use crate::domain::{ApiKey, ProviderSpec, TestStatus};

/// Default connect timeout.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default total timeout of one test.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(20);

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

/// What is being tested: a provider, model, key and optional base URL.
#[derive(Debug, Clone, Copy)]
pub struct ProbeTarget<'a> {
    /// Catalog entry.
    pub spec: &'a ProviderSpec,
    /// Model (deployment name for Azure).
    pub model: &'a str,
    /// The key.
    pub key: &'a ApiKey,
    /// Base-URL override.
    pub base_url: Option<&'a str>,
}

/// The outcome of one probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeOutcome {
    /// Outcome class.
    pub status: TestStatus,
    /// Our message, scrubbed of the key.
    pub message: String,
    /// Time spent.
    pub latency: Duration,
}

/// Runs connection tests and lists models.
#[derive(Clone)]
pub struct Prober {
    settings: ProbeSettings,
}

impl Prober {
    /// A prober with these settings.
    pub fn new(settings: ProbeSettings) -> Prober {
        Prober { settings }
    }

    /// The settings in force.
    pub fn settings(&self) -> &ProbeSettings {
        &self.settings
    }

    /// Tests key and model.
    pub async fn test(&self, target: ProbeTarget<'_>) -> ProbeOutcome {
        let _ = target;
        todo!("prober: implemented by the connection-test issue")
    }

    /// Lists live model ids; on failure, the outcome that explains why.
    pub async fn list_models(&self, target: ProbeTarget<'_>) -> Result<Vec<String>, ProbeOutcome> {
        let _ = target;
        todo!("prober: implemented by the connection-test issue")
    }
}
