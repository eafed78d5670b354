//! `config.toml` and the XDG paths (design §6). Every section is optional;
//! unknown keys are rejected so a typo is reported instead of ignored.
//!
//! Each section's struct lives in its own file below; this module holds the
//! whole document and its loading, and re-exports every section so the paths
//! stay `crate::settings::StoreSettings` and so on.

mod contexts;
mod error;
mod fleet;
mod instances;
mod lifecycle;
mod paths;
mod prober;
mod remote;
mod seconds;
mod server;
mod store;
mod tui;
mod versions;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::domain::{InstanceId, ValidationError};
use crate::prober::ProbeSettings;

pub use contexts::{ContextSetting, context_for};
pub use error::SettingsError;
pub use fleet::FleetSettings;
pub use instances::InstanceEntry;
pub use lifecycle::LifecycleSettings;
pub use paths::Paths;
pub use prober::ProberSettings;
pub use remote::{CookieSetting, HeaderSetting, RemoteSettings};
pub use seconds::seconds;
pub use server::ServerSettings;
pub use store::{StoreSettings, TimeoutSetting};
pub use tui::TuiSettings;
pub use versions::VersionSettings;

/// The parsed `config.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Instances to list even before they have a config.
    #[serde(default)]
    pub instances: Vec<InstanceEntry>,
    /// Store location.
    #[serde(default)]
    pub store: StoreSettings,
    /// Connection-test tunables.
    #[serde(default)]
    pub prober: ProberSettings,
    /// `llmcfg serve` settings.
    #[serde(default)]
    pub server: ServerSettings,
    /// Remote mode.
    #[serde(default)]
    pub remote: RemoteSettings,
    /// Terminal UI settings.
    #[serde(default)]
    pub tui: TuiSettings,
    /// Key-binding overrides: action name → key or list of keys.
    #[serde(default)]
    pub keys: BTreeMap<String, toml::Value>,
    /// Theme overrides: colour slot → colour.
    #[serde(default)]
    pub theme: BTreeMap<String, String>,
    /// The fleet file the TUI marks drift against.
    #[serde(default)]
    pub fleet: FleetSettings,
    /// Retention of kept config versions.
    #[serde(default)]
    pub versions: VersionSettings,
    /// The monitor: scheduled, token-free tests of every scope.
    #[serde(default)]
    pub monitor: crate::monitor::MonitorSettings,
    /// When a lifecycle fact (retirement, credit, key expiry) is a risk.
    #[serde(default)]
    pub lifecycle: LifecycleSettings,
}

impl Settings {
    /// Reads `path`; a missing file is an empty configuration unless `required`.
    pub fn load(path: &Path, required: bool) -> Result<Settings, SettingsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(Settings::default());
            }
            Err(source) => {
                return Err(SettingsError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        Settings::parse(&text).map_err(|e| match e {
            SettingsError::Parse { message, .. } => SettingsError::Parse {
                path: path.to_path_buf(),
                message,
            },
            SettingsError::Invalid { source, .. } => SettingsError::Invalid {
                path: path.to_path_buf(),
                source,
            },
            other => other,
        })
    }

    /// Parses a configuration document.
    pub fn parse(text: &str) -> Result<Settings, SettingsError> {
        let settings: Settings = toml::from_str(text).map_err(|e| {
            // toml's Display spans several lines with a source excerpt; a CLI
            // error is one line, so keep the position and the message.
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let message = e.message().trim().replace('\n', " ");
            SettingsError::Parse {
                path: PathBuf::new(),
                message: match line {
                    Some(line) => format!("line {line}: {message}"),
                    None => message,
                },
            }
        })?;
        let invalid = |source| SettingsError::Invalid {
            path: PathBuf::new(),
            source,
        };
        settings.configured_instances().map_err(invalid)?;
        settings.store.postgres().map_err(invalid)?;
        settings.prober.validate().map_err(invalid)?;
        settings.versions.validate().map_err(invalid)?;
        settings.server.serve_options().map_err(invalid)?;
        settings.server.tls_files(Path::new("")).map_err(invalid)?;
        settings.monitor.config().map_err(invalid)?;
        settings.remote.validate().map_err(invalid)?;
        settings.lifecycle.validate().map_err(invalid)?;
        contexts::validate(&settings.tui.contexts).map_err(invalid)?;
        Ok(settings)
    }

    /// The `[[instances]]` ids, validated.
    pub fn configured_instances(
        &self,
    ) -> Result<Vec<(InstanceId, Option<String>)>, ValidationError> {
        self.instances
            .iter()
            .map(|e| Ok((InstanceId::parse(&e.id)?, e.name.clone())))
            .collect()
    }

    /// Prober settings with defaults filled in; a timeout that is not a
    /// positive number of seconds is an error (checked at load too).
    pub fn probe_settings(&self) -> Result<ProbeSettings, ValidationError> {
        self.prober.probe()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::store::SslMode;

    #[test]
    fn example_config_parses() {
        let text = include_str!("../../config.example.toml");
        let s = Settings::parse(text).unwrap();
        assert!(!s.instances.is_empty());
    }

    #[test]
    fn version_retention_reads_keep_and_days() {
        let example = Settings::parse(include_str!("../../config.example.toml")).unwrap();
        assert_eq!(example.versions.retention().keep, Some(10));
        let both = Settings::parse("[versions]\nkeep = 3\ndays = 7\n").unwrap();
        let r = both.versions.retention();
        assert_eq!(r.keep, Some(3));
        assert_eq!(r.max_age, Some(time::Duration::days(7)));
        let days = Settings::parse("[versions]\ndays = 30\n").unwrap();
        assert_eq!(days.versions.retention().keep, None);
        assert_eq!(Settings::default().versions.retention().keep, Some(10));
        let zero = Settings::parse("[versions]\nkeep = 0\n").unwrap_err();
        assert!(
            zero.to_string()
                .contains("versions.keep: must be at least 1"),
            "{zero}"
        );
    }

    #[test]
    fn example_postgres_settings_parse_when_uncommented() {
        // Only the `[store]` section's commented settings: other sections
        // (`[remote] ca_file`) have keys of the same name.
        let mut in_store = false;
        let text = include_str!("../../config.example.toml")
            .lines()
            .map(|l| {
                if l.starts_with('[') || l.starts_with("# [") {
                    in_store = l == "[store]";
                }
                ["sslmode", "ca_file", "pool_size", "statement_timeout"]
                    .iter()
                    .find(|k| in_store && l.starts_with(&format!("# {k} =")))
                    .map_or(l, |_| &l[2..])
            })
            .collect::<Vec<_>>()
            .join("\n");
        let pg = Settings::parse(&text).unwrap().store.postgres().unwrap();
        assert_eq!(pg.ssl_mode, Some(SslMode::VerifyFull));
        assert!(pg.ca_file.is_some() && pg.pool_size.is_some());
        assert!(pg.statement_timeout.is_some());
    }

    #[test]
    fn unknown_key_and_bad_instance_are_reported() {
        let e = Settings::parse("[prober]\nconect_timeout_secs = 1\n").unwrap_err();
        assert!(e.to_string().contains("conect_timeout_secs"), "{e}");
        let e = Settings::parse("[[instances]]\nid = \"-bad\"\n").unwrap_err();
        assert!(e.to_string().contains("instance_id"), "{e}");
    }

    #[test]
    fn store_url_parses() {
        let s = Settings::parse("[store]\nurl = \"postgres://h/db\"\n").unwrap();
        assert_eq!(s.store.url.as_deref(), Some("postgres://h/db"));
    }

    #[test]
    fn postgres_settings_are_checked_at_load() {
        let s = Settings::parse(
            "[store]\nsslmode = \"verify-full\"\nca_file = \"/etc/ca.pem\"\n\
             pool_size = 4\nstatement_timeout = \"30s\"\n",
        )
        .unwrap();
        let pg = s.store.postgres().unwrap();
        assert_eq!(pg.ssl_mode, Some(SslMode::VerifyFull));
        assert_eq!(pg.pool_size, Some(4));
        assert_eq!(pg.statement_timeout, Some(Duration::from_secs(30)));
        let s = Settings::parse("[store]\nstatement_timeout = 1500\n").unwrap();
        assert_eq!(
            s.store.postgres().unwrap().statement_timeout,
            Some(Duration::from_millis(1500))
        );
        for (doc, field) in [
            ("[store]\npool_size = 0\n", "store.pool_size"),
            (
                "[store]\nstatement_timeout = \"soon\"\n",
                "store.statement_timeout",
            ),
            (
                "[store]\nstatement_timeout = -5\n",
                "store.statement_timeout",
            ),
            ("[store]\nsslmode = \"verify\"\n", "store.sslmode"),
        ] {
            let e = Settings::parse(doc).unwrap_err();
            assert!(e.to_string().contains(field), "{doc}: {e}");
        }
    }

    #[test]
    fn probe_timeouts_apply() {
        let s = Settings::parse("[prober]\ntotal_timeout_secs = 1.5\n").unwrap();
        assert_eq!(
            s.probe_settings().unwrap().total_timeout,
            Duration::from_millis(1500)
        );
    }

    #[test]
    fn a_probe_timeout_that_is_not_a_positive_number_of_seconds_is_refused_at_load() {
        for (doc, field) in [
            (
                "[prober]\nconnect_timeout_secs = 0\n",
                "prober.connect_timeout_secs",
            ),
            (
                "[prober]\nconnect_timeout_secs = -2\n",
                "prober.connect_timeout_secs",
            ),
            (
                "[prober]\ntotal_timeout_secs = nan\n",
                "prober.total_timeout_secs",
            ),
            (
                "[prober]\ntotal_timeout_secs = inf\n",
                "prober.total_timeout_secs",
            ),
            (
                "[prober]\ntotal_timeout_secs = 1e300\n",
                "prober.total_timeout_secs",
            ),
        ] {
            let e = Settings::parse(doc).unwrap_err();
            assert!(
                e.to_string().contains(&format!(
                    "{field}: must be a number of seconds above 0 and at most a week"
                )),
                "{doc}: {e}"
            );
        }
    }
}
