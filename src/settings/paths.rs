//! `Paths`: where llmcfg keeps its files, by the XDG defaults.

use std::path::{Path, PathBuf};

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
