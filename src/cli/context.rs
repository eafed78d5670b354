//! Everything a subcommand needs: the service handle, the selected scope and
//! the output mode. Building it opens the backend (and so checks the master
//! key) once, before any subcommand runs.

use crate::crypto::{KeySource, MasterKeyOptions};
use crate::domain::Scope;
use crate::service::{Backend, LocalBackend, LocalOptions, OpenNotice, ServiceHandle};
use crate::settings::{Paths, Settings};
use crate::store::StoreLocation;

use super::{CliError, GlobalArgs};

/// What a subcommand runs with.
pub struct Context {
    /// The service.
    pub handle: ServiceHandle,
    /// The scope chosen with `-i` (control plane when absent).
    pub scope: Scope,
    /// JSON output.
    pub json: bool,
    /// Settings from config.toml.
    pub settings: Settings,
    /// Resolved file locations.
    pub paths: Paths,
}

/// Resolves paths and settings, opens the backend and spawns the service.
pub fn open_service(global: &GlobalArgs) -> Result<(ServiceHandle, Settings, Paths), CliError> {
    let mut paths = Paths::defaults();
    let explicit_config = global.config.is_some();
    if let Some(c) = &global.config {
        paths.config_file = c.clone();
    }
    let settings = Settings::load(&paths.config_file, explicit_config)
        .map_err(|e| CliError::Config(e.to_string()))?;
    let data_dir = paths.store.parent().map(std::path::Path::to_path_buf);
    if let Some(p) = global
        .store
        .clone()
        .or_else(|| settings.store.url.clone().map(Into::into))
        .or_else(|| settings.store.path.clone())
    {
        paths.store = p;
    }
    let location = StoreLocation::parse(&paths.store);
    if global.remote.is_some() || settings.remote.url.is_some() {
        return Err(CliError::Usage(
            "remote mode (--remote / LLMCFG_REMOTE) is not available in this build yet".into(),
        ));
    }
    let configured = settings
        .configured_instances()
        .map_err(|e| CliError::Config(format!("{}: {e}", paths.config_file.display())))?;
    // A database URL has no "beside": its replicas each find the key in
    // their own data directory, or (better) share it via LLMCFG_MASTER_KEY
    // or --master-key-file.
    let key_dir = match &location {
        StoreLocation::Postgres(_) => data_dir,
        StoreLocation::File(p) => p.parent().map(std::path::Path::to_path_buf),
    };
    let default_key_file = key_dir
        .map(|d| d.join("master.key"))
        .unwrap_or_else(|| "master.key".into());
    let keyring_target = match &location {
        StoreLocation::Postgres(_) => location.redacted(),
        StoreLocation::File(p) => absolute(p).display().to_string(),
    };
    let master = MasterKeyOptions {
        env_hex: std::env::var("LLMCFG_MASTER_KEY")
            .ok()
            .filter(|v| !v.is_empty())
            .map(zeroize::Zeroizing::new),
        file: global.master_key_file.clone(),
        default_file: default_key_file,
        keyring_account: Some(format!("master-key {keyring_target}")),
    };
    let (backend, notices) = LocalBackend::open(LocalOptions {
        store_path: paths.store.clone(),
        master,
        configured_instances: configured,
        probe: settings.probe_settings(),
        read_only: global.read_only,
    })?;
    for notice in notices {
        match notice {
            OpenNotice::CreatedMasterKey(source) => {
                let hint = match &source {
                    KeySource::File(_) | KeySource::DefaultFile(_) => {
                        "Back it up: without it the stored API keys cannot be decrypted."
                    }
                    _ => "Without it the stored API keys cannot be decrypted.",
                };
                eprintln!("llmcfg: created a new master key in the {source}. {hint}");
            }
            OpenNotice::FinishedRotation => {
                eprintln!("llmcfg: completed an interrupted master-key rotation");
            }
        }
    }
    let handle = ServiceHandle::spawn(Backend::Local(backend), local_actor());
    Ok((handle, settings, paths))
}

fn absolute(p: &std::path::Path) -> std::path::PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The audit actor of local use: `local:<user>`.
pub fn local_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("local:{user}")
}

impl Context {
    /// Opens the service for `global`.
    pub fn open(global: &GlobalArgs) -> Result<Context, CliError> {
        let scope = Scope::from_optional(global.instance.as_deref())
            .map_err(|e| CliError::Service(e.into()))?;
        let (handle, settings, paths) = open_service(global)?;
        Ok(Context {
            handle,
            scope,
            json: global.json,
            settings,
            paths,
        })
    }
}
