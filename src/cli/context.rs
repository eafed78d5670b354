//! Everything a subcommand needs: the service handle, the selected scope and
//! the output mode. Building it opens the backend (and so checks the master
//! key) once, before any subcommand runs.

use crate::crypto::{KeySource, MasterKeyOptions};
use crate::domain::Scope;
use crate::prober::TargetPolicy;
use crate::service::{
    Backend, LocalBackend, LocalOptions, OpenNotice, ServiceError, ServiceHandle,
};
use crate::settings::{Paths, Settings};
use crate::store::{PgConnectOptions, StoreLocation};

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

/// Resolves paths and settings, opens the backend and spawns the service:
/// the remote server when `--remote`, `LLMCFG_REMOTE` or `[remote] url` names
/// one, the local store otherwise.
pub async fn open_service(
    global: &GlobalArgs,
) -> Result<(ServiceHandle, Settings, Paths), CliError> {
    let (handle, settings, paths, notices) = open_service_noticed(global).await?;
    for notice in notices {
        eprintln!("llmcfg: {notice}");
    }
    Ok((handle, settings, paths))
}

/// [`open_service`] that returns the one-time notices (a new master key, a
/// finished rotation) instead of printing them, so the TUI can show them
/// inside its alternate screen where the user will see them.
pub async fn open_service_noticed(
    global: &GlobalArgs,
) -> Result<(ServiceHandle, Settings, Paths, Vec<String>), CliError> {
    let (settings, paths) = load_settings(global)?;
    if let Some(url) = remote_url(global, &settings) {
        let handle = open_remote(&url, &settings, &paths).await?;
        return Ok((handle, settings, paths, Vec::new()));
    }
    open_local_noticed(global, settings, paths, None).await
}

/// Reads `config.toml` and resolves the file locations.
pub fn load_settings(global: &GlobalArgs) -> Result<(Settings, Paths), CliError> {
    let mut paths = Paths::defaults();
    let explicit_config = global.config.is_some();
    if let Some(c) = &global.config {
        paths.config_file = c.clone();
    }
    let settings = Settings::load(&paths.config_file, explicit_config)
        .map_err(|e| CliError::Config(e.to_string()))?;
    if let Some(p) = global
        .store
        .clone()
        .or_else(|| settings.store.url.clone().map(Into::into))
        .or_else(|| settings.store.path.clone())
    {
        paths.store = p;
    }
    Ok((settings, paths))
}

/// The directory of `config.toml`, where remote tokens fall back to a file.
pub fn config_dir(paths: &Paths) -> std::path::PathBuf {
    paths
        .config_file
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| ".".into())
}

async fn open_remote(
    url: &str,
    settings: &Settings,
    paths: &Paths,
) -> Result<ServiceHandle, CliError> {
    use crate::remote::{
        InstanceSources, RemoteBackend, RemoteClient, RemoteError, ScopeMemory, credentials,
    };
    let configured = settings
        .configured_instances()
        .map_err(|e| CliError::Config(format!("{}: {e}", paths.config_file.display())))?;
    let url = normalised_remote(url)?;
    let token = credentials::resolve(&url, &config_dir(paths)).map_err(remote_error)?;
    let client = RemoteClient::with_options(remote_options(&url, token, settings, paths).await?)
        .map_err(|e| match e {
            RemoteError::Client(text) => CliError::Config(text),
            other => remote_error(other),
        })?;
    let sources = InstanceSources {
        configured,
        command: settings.remote.instances_command.clone(),
        command_timeout: match settings.remote.instances_command_timeout_secs {
            None => None,
            Some(secs) if secs.is_finite() && secs > 0.0 && secs <= 3600.0 => {
                Some(std::time::Duration::from_secs_f64(secs))
            }
            Some(_) => {
                return Err(CliError::Config(format!(
                    "{}: [remote] instances_command_timeout_secs: must be a number of seconds \
                     above 0 and at most 3600",
                    paths.config_file.display()
                )));
            }
        },
        file: settings.remote.instances_file.clone(),
        memory: Some(ScopeMemory::new(&url, &paths.state_dir)),
    };
    let backend = RemoteBackend::with_sources(client, sources);
    Ok(ServiceHandle::spawn(
        Backend::remote(backend),
        local_caller(),
    ))
}

/// The one CLI mapping of remote set-up errors.
pub fn remote_error(e: crate::remote::RemoteError) -> CliError {
    use crate::remote::RemoteError;
    match e {
        RemoteError::NoToken { .. } => CliError::Service(ServiceError::Unauthorized(e.to_string())),
        RemoteError::Url { .. } => CliError::Usage(e.to_string()),
        other => CliError::Other(other.to_string()),
    }
}

/// `url` normalised, so tokens, remembered scopes and cached features are
/// filed under the same spelling `login` used.
pub fn normalised_remote(url: &str) -> Result<String, CliError> {
    crate::remote::normalise_url(url).map_err(remote_error)
}

/// The client options `[remote]` asks for, with the cookie's and the fixed
/// headers' secrets read from their sources.
pub async fn remote_options(
    url: &str,
    token: zeroize::Zeroizing<String>,
    settings: &Settings,
    paths: &Paths,
) -> Result<crate::remote::RemoteOptions, CliError> {
    let remote = &settings.remote;
    let invalid = |e: crate::domain::ValidationError| {
        CliError::Config(format!("{}: {e}", paths.config_file.display()))
    };
    let unreadable = |e: crate::remote::RemoteError| CliError::Config(e.to_string());
    let cookie = match remote.cookie().map_err(invalid)? {
        None => None,
        Some((name, source)) => Some(crate::remote::SessionCookie {
            value: source
                .resolve(&format!("[remote.cookie] {name}"))
                .await
                .map_err(unreadable)?,
            name,
        }),
    };
    let mut extra_headers = Vec::new();
    for (name, source) in remote.headers().map_err(invalid)? {
        let value = source
            .resolve(&format!("[remote.headers] {name}"))
            .await
            .map_err(unreadable)?;
        extra_headers.push((name, value));
    }
    Ok(crate::remote::RemoteOptions {
        url: url.to_string(),
        token,
        auth_header: remote.auth_header.clone(),
        auth_scheme: remote.auth_scheme.clone(),
        cookie,
        extra_headers,
        ca_file: remote.ca_file.clone(),
        cache_dir: Some(paths.cache_dir.clone()),
        throttle_wait: remote.throttle_wait().map_err(invalid)?,
    })
}

/// The remote URL chosen by `--remote`, `LLMCFG_REMOTE` or `[remote] url`.
pub fn remote_url(global: &GlobalArgs, settings: &Settings) -> Option<String> {
    global
        .remote
        .clone()
        .or_else(|| settings.remote.url.clone())
}

/// Opens the local store; `guard` turns on the SSRF guard (server mode).
/// The SSRF guard of every process that probes on behalf of stored
/// configurations (`serve`, `monitor`): the special-purpose table plus the
/// operator's `[server] allowed_targets`.
pub fn probe_guard(settings: &Settings) -> Result<std::sync::Arc<TargetPolicy>, CliError> {
    TargetPolicy::parse(&settings.server.allowed_targets)
        .map(std::sync::Arc::new)
        .map_err(CliError::Config)
}

pub async fn open_local(
    global: &GlobalArgs,
    settings: Settings,
    paths: Paths,
    guard: Option<std::sync::Arc<TargetPolicy>>,
) -> Result<(ServiceHandle, Settings, Paths), CliError> {
    let (handle, settings, paths, notices) =
        open_local_noticed(global, settings, paths, guard).await?;
    for notice in notices {
        eprintln!("llmcfg: {notice}");
    }
    Ok((handle, settings, paths))
}

async fn open_local_noticed(
    global: &GlobalArgs,
    settings: Settings,
    paths: Paths,
    guard: Option<std::sync::Arc<TargetPolicy>>,
) -> Result<(ServiceHandle, Settings, Paths, Vec<String>), CliError> {
    let configured = settings
        .configured_instances()
        .map_err(|e| CliError::Config(format!("{}: {e}", paths.config_file.display())))?;
    let location = StoreLocation::parse(&paths.store);
    // PostgreSQL's `[store]` settings (TLS, pool, timeout), checked with the
    // URL here so a bad `sslmode` or a verifying mode without a CA is invalid
    // input (exit 2) rather than a store failure.
    let postgres = settings
        .store
        .postgres()
        .map_err(|e| CliError::Config(format!("{}: {e}", paths.config_file.display())))?;
    if let StoreLocation::Postgres(url) = &location {
        PgConnectOptions::parse(url, &postgres).map_err(|e| CliError::Usage(e.to_string()))?;
    }
    // A database URL has no "beside": each replica looks in its own data
    // directory ($XDG_DATA_HOME/llmcfg), and all replicas must share one key
    // via LLMCFG_MASTER_KEY or --master-key-file.
    let key_dir = match &location {
        StoreLocation::Postgres(_) => Paths::defaults()
            .store
            .parent()
            .map(std::path::Path::to_path_buf),
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
        probe: crate::prober::ProbeSettings {
            guard,
            ..settings
                .probe_settings()
                .map_err(|e| CliError::Config(format!("{}: {e}", paths.config_file.display())))?
        },
        read_only: global.read_only,
        postgres,
        versions: settings.versions.retention(),
    })
    .await?;
    let notices = notices
        .into_iter()
        .map(|notice| match notice {
            OpenNotice::CreatedMasterKey(source) => {
                let hint = match &source {
                    KeySource::File(_) | KeySource::DefaultFile(_) => {
                        "Back it up: without it the stored API keys cannot be decrypted."
                    }
                    _ => "Without it the stored API keys cannot be decrypted.",
                };
                // Say why a file, where a desktop user would expect the keyring.
                let why = match (&source, crate::crypto::keyring::unavailable_reason()) {
                    (KeySource::DefaultFile(_), Some(reason)) => {
                        format!(" (no OS keyring: {reason})")
                    }
                    _ => String::new(),
                };
                format!("created a new master key in the {source}{why}. {hint}")
            }
            OpenNotice::FinishedRotation => "completed an interrupted master-key rotation".into(),
        })
        .collect();
    let handle = ServiceHandle::spawn(Backend::Local(backend), local_caller());
    Ok((handle, settings, paths, notices))
}

fn absolute(p: &std::path::Path) -> std::path::PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The audited caller of local use: `local:<user>`.
pub fn local_caller() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("local:{user}")
}

impl Context {
    /// Opens the service for `global`.
    pub async fn open(global: &GlobalArgs) -> Result<Context, CliError> {
        let scope = Scope::from_optional(global.instance.as_deref())
            .map_err(|e| CliError::Service(e.into()))?;
        let (handle, settings, paths) = open_service(global).await?;
        Ok(Context {
            handle,
            scope,
            json: global.json,
            settings,
            paths,
        })
    }
}
