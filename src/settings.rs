//! `config.toml` and the XDG paths (design §6). Every section is optional;
//! unknown keys are rejected so a typo is reported instead of ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::domain::{InstanceId, ValidationError};
use crate::prober::ProbeSettings;
use crate::store::{PgSettings, SslMode};

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
    /// The monitor (issue #13).
    #[serde(default)]
    pub monitor: crate::monitor::MonitorSettings,
}

/// `[versions]`: which kept versions of each scope survive a write: the
/// newest `keep`, those younger than `days`, both when both are set. With
/// neither, the newest 10; with only `days`, no count limit. The newest
/// version always stays.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionSettings {
    /// Keep at most this many versions per scope (default 10, at least 1).
    #[serde(default)]
    pub keep: Option<u32>,
    /// Drop versions older than this many days (at least 1).
    #[serde(default)]
    pub days: Option<u32>,
}

impl VersionSettings {
    /// Refuses a zero count or age: it would keep nothing to restore.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.keep == Some(0) {
            return Err(ValidationError::new(
                "versions.keep",
                "must be at least 1 (the current version is always kept)",
            ));
        }
        if self.days == Some(0) {
            return Err(ValidationError::new("versions.days", "must be at least 1"));
        }
        Ok(())
    }

    /// The retention rule these settings give.
    pub fn retention(&self) -> crate::domain::Retention {
        crate::domain::Retention {
            keep: match (self.keep, self.days) {
                (Some(k), _) => Some(k.max(1)),
                (None, Some(_)) => None,
                (None, None) => Some(crate::domain::version::DEFAULT_KEEP),
            },
            max_age: self.days.map(|d| time::Duration::days(i64::from(d.max(1)))),
        }
    }
}

/// One `[[instances]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceEntry {
    /// The instance id.
    pub id: String,
    /// Optional display name.
    #[serde(default)]
    pub name: Option<String>,
}

/// `[store]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    /// Path of the SQLite file.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// `postgres://` URL of a shared database; takes precedence over `path`.
    #[serde(default)]
    pub url: Option<String>,
    // PostgreSQL only (issue #9): checked by `StoreSettings::postgres`.
    /// TLS mode, libpq's `sslmode`; the URL's `sslmode=` wins.
    #[serde(default)]
    pub sslmode: Option<String>,
    /// PEM file of the CA the server's certificate must chain to; the URL's
    /// `sslrootcert=` wins.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Most connections per replica.
    #[serde(default)]
    pub pool_size: Option<i64>,
    /// Session `statement_timeout`: `"30s"`, `"500ms"`, … or milliseconds.
    #[serde(default)]
    pub statement_timeout: Option<TimeoutSetting>,
}

/// A timeout as written in `config.toml`: a string with a unit, or a bare
/// number of milliseconds (PostgreSQL's own convention).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TimeoutSetting {
    /// Milliseconds.
    Millis(i64),
    /// A number with a unit.
    Text(String),
}

impl StoreSettings {
    /// The PostgreSQL connection settings, each checked against its rule.
    pub fn postgres(&self) -> Result<PgSettings, ValidationError> {
        Ok(PgSettings {
            ssl_mode: self
                .sslmode
                .as_deref()
                .map(|m| SslMode::parse("store.sslmode", m))
                .transpose()?,
            ca_file: self.ca_file.clone(),
            pool_size: self
                .pool_size
                .map(PgSettings::parse_pool_size)
                .transpose()?,
            statement_timeout: match &self.statement_timeout {
                None => None,
                Some(TimeoutSetting::Millis(ms)) => {
                    Some(PgSettings::parse_statement_timeout(&ms.to_string())?)
                }
                Some(TimeoutSetting::Text(t)) => Some(PgSettings::parse_statement_timeout(t)?),
            },
        })
    }
}

/// `[prober]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProberSettings {
    /// Connect timeout, seconds.
    #[serde(default)]
    pub connect_timeout_secs: Option<f64>,
    /// Total timeout of one test, seconds.
    #[serde(default)]
    pub total_timeout_secs: Option<f64>,
    /// Default concurrency of `test --all`.
    #[serde(default)]
    pub concurrency: Option<usize>,
}

/// `[server]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Listen address.
    #[serde(default)]
    pub listen: Option<String>,
    /// Hosts, IPs or CIDRs that connection tests may reach although private.
    #[serde(default)]
    pub allowed_targets: Vec<String>,
}

/// `[remote]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteSettings {
    /// Server URL.
    #[serde(default)]
    pub url: Option<String>,
    /// PEM file of CA certificates to trust besides the system ones.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Header that carries the token (default `Authorization`).
    #[serde(default)]
    pub auth_header: Option<String>,
    /// Scheme before the token (default `Bearer` with `Authorization`, none
    /// with any other header; `""` for none).
    #[serde(default)]
    pub auth_scheme: Option<String>,
    /// Program and arguments (run without a shell) printing instance ids,
    /// one per line or as a JSON array.
    #[serde(default)]
    pub instances_command: Option<Vec<String>>,
    /// Longest run of `instances_command`, seconds (default 10).
    #[serde(default)]
    pub instances_command_timeout_secs: Option<f64>,
    /// File of instance ids, one per line or as a JSON array.
    #[serde(default)]
    pub instances_file: Option<PathBuf>,
}

/// `[tui]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TuiSettings {
    /// Mouse support (default on).
    #[serde(default)]
    pub mouse: Option<bool>,
}

/// `[fleet]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetSettings {
    /// The fleet file; the TUI marks the scopes that differ from it. A
    /// relative path starts at the directory of `config.toml`.
    #[serde(default)]
    pub file: Option<PathBuf>,
}

/// Problems reading `config.toml`.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Unreadable file.
    #[error("cannot read {path}: {source}", path = path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Malformed TOML or unknown keys.
    #[error("{path}: {message}", path = path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A value breaks a rule.
    #[error("{path}: {source}", path = path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The rule.
        source: ValidationError,
    },
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
        settings.versions.validate().map_err(invalid)?;
        settings.monitor.config().map_err(invalid)?;
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

    /// Prober settings with defaults filled in.
    pub fn probe_settings(&self) -> ProbeSettings {
        let mut s = ProbeSettings::default();
        if let Some(secs) = self.prober.connect_timeout_secs.filter(|s| *s > 0.0) {
            s.connect_timeout = Duration::from_secs_f64(secs);
        }
        if let Some(secs) = self.prober.total_timeout_secs.filter(|s| *s > 0.0) {
            s.total_timeout = Duration::from_secs_f64(secs);
        }
        s
    }
}

/// Where llmcfg keeps its files.
#[derive(Debug, Clone)]
pub struct Paths {
    /// `config.toml`.
    pub config_file: PathBuf,
    /// The SQLite store.
    pub store: PathBuf,
    /// The log file.
    pub log_file: PathBuf,
    /// State that is not configuration: the scopes used with each remote.
    pub state_dir: PathBuf,
    /// Disposable caches: what each remote server offers.
    pub cache_dir: PathBuf,
}

impl Paths {
    /// XDG defaults (`$XDG_CONFIG_HOME/llmcfg/config.toml`,
    /// `$XDG_DATA_HOME/llmcfg/llmcfg.db`, `$XDG_STATE_HOME/llmcfg/llmcfg.log`).
    pub fn defaults() -> Paths {
        let dirs = directories::ProjectDirs::from("", "", "llmcfg");
        let fallback = || PathBuf::from(".llmcfg");
        let config_dir = dirs
            .as_ref()
            .map(|d| d.config_dir().to_path_buf())
            .unwrap_or_else(fallback);
        let data_dir = dirs
            .as_ref()
            .map(|d| d.data_dir().to_path_buf())
            .unwrap_or_else(fallback);
        let state_dir = dirs
            .as_ref()
            .and_then(|d| d.state_dir().map(Path::to_path_buf))
            .unwrap_or_else(|| data_dir.clone());
        let cache_dir = dirs
            .as_ref()
            .map(|d| d.cache_dir().to_path_buf())
            .unwrap_or_else(|| data_dir.join("cache"));
        Paths {
            config_file: config_dir.join("config.toml"),
            store: data_dir.join("llmcfg.db"),
            log_file: state_dir.join("llmcfg.log"),
            state_dir,
            cache_dir,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses() {
        let text = include_str!("../config.example.toml");
        let s = Settings::parse(text).unwrap();
        assert!(!s.instances.is_empty());
    }

    #[test]
    fn version_retention_reads_keep_and_days() {
        let example = Settings::parse(include_str!("../config.example.toml")).unwrap();
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
        let text = include_str!("../config.example.toml")
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
            s.probe_settings().total_timeout,
            Duration::from_millis(1500)
        );
    }
}
