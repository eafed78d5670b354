//! `[monitor]` in `config.toml`, as written ([`MonitorSettings`]) and as
//! checked ([`MonitorConfig`]): every field has a default, and a bad value
//! is an error naming the field and its rule.

use std::time::Duration;

use serde::Deserialize;

use crate::domain::validation::is_loopback_host;
use crate::domain::{HealthPolicy, HealthRetention, ValidationError};
use crate::settings::seconds;

/// Default time between two tests of one scope.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(15 * 60);
/// Default most tests in flight at once.
pub const DEFAULT_CONCURRENCY: usize = 32;
/// Default most tests per minute to one provider at one base URL.
pub const DEFAULT_RATE_PER_MINUTE: u32 = 600;
/// Default wait before an inconclusive result is tested again.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(60);
/// Default length of the monitor lease among processes on one store.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);
/// Default longest run of the command hook.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// `[monitor]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorSettings {
    /// Run the monitor inside `llmcfg serve` (default false).
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Seconds between two tests of one scope (default 900).
    #[serde(default)]
    pub interval_secs: Option<f64>,
    /// Consecutive conclusive failures before a scope is failing (default 2).
    #[serde(default)]
    pub fail_after: Option<u32>,
    /// Most tests in flight at once (default 32).
    #[serde(default)]
    pub concurrency: Option<usize>,
    /// Most tests per minute to one provider at one base URL (default 600).
    #[serde(default)]
    pub rate_per_minute: Option<u32>,
    /// Seconds before an inconclusive result is tested again (default 60).
    #[serde(default)]
    pub retry_after_secs: Option<f64>,
    /// Days a result is kept (default 30).
    #[serde(default)]
    pub retention_days: Option<u32>,
    /// Most results kept per scope (default 1000).
    #[serde(default)]
    pub results_per_scope: Option<u32>,
    /// Seconds of the lease that makes one process the monitor (default 30).
    #[serde(default)]
    pub lease_secs: Option<f64>,
    /// Webhooks told of every state change.
    #[serde(default)]
    pub webhooks: Vec<WebhookSettings>,
    /// A program (split like a shell would, run without one) that gets each
    /// state change as JSON on stdin.
    #[serde(default)]
    pub command: Option<String>,
    /// Longest run of `command`, seconds (default 10).
    #[serde(default)]
    pub command_timeout_secs: Option<f64>,
    /// Bearer token of `GET /metrics` on the server's own address (at
    /// least 16 characters); without it or `metrics_listen`, no `/metrics`.
    #[serde(default)]
    pub metrics_token: Option<String>,
    /// A separate address serving only `GET /metrics`, without a token.
    #[serde(default)]
    pub metrics_listen: Option<String>,
    /// Per-scope series (default false).
    #[serde(default)]
    pub metrics_per_scope: Option<bool>,
    /// Most scopes with series of their own (default 1000, at most 100000).
    #[serde(default)]
    pub metrics_scope_limit: Option<usize>,
}

/// One `[[monitor.webhooks]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// Where events are POSTed (`https`, or `http` to a loopback host).
    pub url: String,
    /// The HMAC-SHA256 signing secret (at least 16 characters).
    pub secret: String,
}

/// `[monitor]` checked, with defaults filled in.
#[derive(Debug, Clone)]
pub struct MonitorConfig {
    /// Run inside `llmcfg serve`.
    pub enabled: bool,
    /// Time between two tests of one scope.
    pub interval: Duration,
    /// When a scope turns failing.
    pub policy: HealthPolicy,
    /// Most tests in flight.
    pub concurrency: usize,
    /// Most tests per minute per provider and base URL.
    pub rate_per_minute: u32,
    /// Wait before an inconclusive result is tested again.
    pub retry_after: Duration,
    /// History retention.
    pub retention: HealthRetention,
    /// Lease length.
    pub lease: Duration,
    /// Webhooks.
    pub webhooks: Vec<Webhook>,
    /// The command hook, split into program and arguments.
    pub command: Option<Vec<String>>,
    /// Longest run of the command hook.
    pub command_timeout: Duration,
    /// How `/metrics` is served.
    pub metrics: MetricsConfig,
    /// The SSRF guard webhook deliveries obey, set by the process that
    /// runs the monitor (`serve`, `monitor`); `None` lets them reach any
    /// address.
    pub target_guard: Option<std::sync::Arc<crate::prober::TargetPolicy>>,
    /// When a lifecycle fact alerts (`[lifecycle]`, set by the process that
    /// runs the monitor).
    pub lifecycle: crate::domain::LifecycleWindow,
}

/// How `/metrics` is served.
#[derive(Clone, Default)]
pub struct MetricsConfig {
    /// Bearer token on the server's own address.
    pub token: Option<secrecy::SecretString>,
    /// A separate, token-free address.
    pub listen: Option<String>,
    /// The per-scope series bound, when per-scope series are on.
    pub per_scope_limit: Option<usize>,
}

impl std::fmt::Debug for MetricsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsConfig")
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("listen", &self.listen)
            .field("per_scope_limit", &self.per_scope_limit)
            .finish()
    }
}

/// A checked webhook.
#[derive(Clone)]
pub struct Webhook {
    /// Where events go.
    pub url: url::Url,
    /// The signing secret.
    pub secret: secrecy::SecretString,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.url.as_str())
            .field("secret", &"[redacted]")
            .finish()
    }
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorSettings::default()
            .config()
            .expect("the defaults are valid")
    }
}

/// A shared secret as written (a webhook's signing secret, the metrics
/// token), trimmed: at least 16 characters, so it cannot be guessed.
fn secret(field: &'static str, text: &str) -> Result<secrecy::SecretString, ValidationError> {
    let text = text.trim();
    if text.chars().count() < 16 {
        return Err(ValidationError::new(
            field,
            "must be at least 16 characters",
        ));
    }
    Ok(secrecy::SecretString::from(text.to_string()))
}

fn at_least_one<T: PartialOrd + From<u8> + Copy + std::fmt::Display>(
    field: &'static str,
    v: Option<T>,
    default: T,
) -> Result<T, ValidationError> {
    match v {
        None => Ok(default),
        Some(n) if n >= T::from(1) => Ok(n),
        Some(n) => Err(ValidationError::new(
            field,
            format!("must be at least 1, not {n}"),
        )),
    }
}

impl MonitorSettings {
    /// The checked configuration.
    pub fn config(&self) -> Result<MonitorConfig, ValidationError> {
        let interval = seconds(
            "monitor.interval_secs",
            self.interval_secs,
            DEFAULT_INTERVAL,
        )?;
        let lease = seconds("monitor.lease_secs", self.lease_secs, DEFAULT_LEASE)?;
        let webhooks = self
            .webhooks
            .iter()
            .map(|w| {
                let url = url::Url::parse(&w.url).map_err(|e| {
                    ValidationError::new(
                        "monitor.webhooks.url",
                        format!("{:?} is not a URL: {e}", w.url),
                    )
                })?;
                let loopback = url.host().is_some_and(|host| is_loopback_host(&host));
                if !(url.scheme() == "https" || (url.scheme() == "http" && loopback)) {
                    return Err(ValidationError::new(
                        "monitor.webhooks.url",
                        "must be https, or http to a loopback host",
                    ));
                }
                Ok(Webhook {
                    url,
                    secret: secret("monitor.webhooks.secret", &w.secret)?,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let command = match &self.command {
            None => None,
            Some(c) => {
                let argv = shell_words::split(c).map_err(|e| {
                    ValidationError::new(
                        "monitor.command",
                        format!("cannot be split into words: {e}"),
                    )
                })?;
                if argv.is_empty() {
                    return Err(ValidationError::new(
                        "monitor.command",
                        "must name a program",
                    ));
                }
                Some(argv)
            }
        };
        let metrics = MetricsConfig {
            token: self
                .metrics_token
                .as_deref()
                .map(|t| secret("monitor.metrics_token", t))
                .transpose()?,
            listen: self.metrics_listen.clone(),
            per_scope_limit: match (self.metrics_per_scope, self.metrics_scope_limit) {
                (Some(true), Some(n)) if n == 0 || n > 100_000 => {
                    return Err(ValidationError::new(
                        "monitor.metrics_scope_limit",
                        format!("must be between 1 and 100000, not {n}"),
                    ));
                }
                (Some(true), n) => Some(n.unwrap_or(super::metrics::DEFAULT_SCOPE_LIMIT)),
                _ => None,
            },
        };
        Ok(MonitorConfig {
            metrics,
            lifecycle: crate::domain::LifecycleWindow::default(),
            enabled: self.enabled.unwrap_or(false),
            interval,
            policy: HealthPolicy {
                fail_after: at_least_one("monitor.fail_after", self.fail_after, 2)?,
            },
            concurrency: at_least_one(
                "monitor.concurrency",
                self.concurrency.map(|c| c as u64),
                DEFAULT_CONCURRENCY as u64,
            )? as usize,
            rate_per_minute: at_least_one(
                "monitor.rate_per_minute",
                self.rate_per_minute,
                DEFAULT_RATE_PER_MINUTE,
            )?,
            retry_after: seconds(
                "monitor.retry_after_secs",
                self.retry_after_secs,
                DEFAULT_RETRY_AFTER,
            )?,
            retention: HealthRetention {
                days: at_least_one("monitor.retention_days", self.retention_days, 30)?,
                per_scope: at_least_one("monitor.results_per_scope", self.results_per_scope, 1000)?,
            },
            lease,
            webhooks,
            command,
            command_timeout: seconds(
                "monitor.command_timeout_secs",
                self.command_timeout_secs,
                DEFAULT_COMMAND_TIMEOUT,
            )?,
            target_guard: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<MonitorConfig, ValidationError> {
        toml::from_str::<MonitorSettings>(text).unwrap().config()
    }

    #[test]
    fn example_monitor_section_parses_when_uncommented() {
        let example = include_str!("../../config.example.toml");
        let start = example
            .find("# [monitor]")
            .expect("the example documents [monitor]");
        let text: String = example[start..]
            .lines()
            .map(|l| l.strip_prefix("# ").unwrap_or(l))
            .map(|l| l.split(" # ").next().unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let settings = crate::settings::Settings::parse(&text).unwrap();
        let c = settings.monitor.config().unwrap();
        assert!(c.enabled);
        assert_eq!(c.webhooks.len(), 1);
        assert_eq!(
            c.command.as_ref().unwrap()[0],
            "/usr/local/bin/notify-oncall"
        );
        assert!(c.metrics.token.is_some() && c.metrics.listen.is_some());
    }

    #[test]
    fn defaults() {
        let c = parse("").unwrap();
        assert!(!c.enabled);
        assert_eq!(c.interval, DEFAULT_INTERVAL);
        assert_eq!(c.policy.fail_after, 2);
        assert_eq!(c.retention.days, 30);
    }

    #[test]
    fn bad_values_name_the_field() {
        let e = parse("interval_secs = 0").unwrap_err();
        assert_eq!(e.field, "monitor.interval_secs");
        let e = parse("fail_after = 0").unwrap_err();
        assert_eq!(e.field, "monitor.fail_after");
        let e =
            parse("[[webhooks]]\nurl = \"http://example.com/h\"\nsecret = \"0123456789abcdef\"")
                .unwrap_err();
        assert_eq!(e.field, "monitor.webhooks.url");
        let e =
            parse("[[webhooks]]\nurl = \"https://example.com/h\"\nsecret = \"short\"").unwrap_err();
        assert_eq!(e.field, "monitor.webhooks.secret");
        let e = parse("command = \"notify 'unclosed\"").unwrap_err();
        assert_eq!(e.field, "monitor.command");
        let c = parse("command = \"notify --to 'ops team'\"").unwrap();
        assert_eq!(c.command.unwrap(), vec!["notify", "--to", "ops team"]);
    }

    #[test]
    fn a_webhook_may_use_http_only_to_a_loopback_host() {
        for host in ["127.0.0.1:9", "[::1]:9", "localhost:9", "LOCALHOST"] {
            let c = parse(&format!(
                "[[webhooks]]\nurl = \"http://{host}/h\"\nsecret = \"0123456789abcdef\""
            ))
            .unwrap_or_else(|e| panic!("{host}: {e}"));
            assert_eq!(c.webhooks.len(), 1);
        }
        // Any other host over http is refused: see `bad_values_name_the_field`.
    }

    #[test]
    fn a_short_metrics_token_names_its_field_and_a_padded_one_is_trimmed() {
        let e = parse("metrics_token = \"  fifteen-chars-x        \"").unwrap_err();
        assert_eq!(e.field, "monitor.metrics_token");
        let c = parse("metrics_token = \"  0123456789abcdef  \"").unwrap();
        use secrecy::ExposeSecret;
        assert_eq!(c.metrics.token.unwrap().expose_secret(), "0123456789abcdef");
    }
}
