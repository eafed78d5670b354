//! A local service over a real store, its master key given as hex, and the
//! OpenAI-shaped configs that point the monitor's tests at a fake provider.
//!
//! Include it with `#[path = "support/local_service.rs"] mod local_service;`
//! (from benches: `#[path = "../tests/support/local_service.rs"]`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use llmcfg::crypto::MasterKeyOptions;
use llmcfg::domain::{ApiKey, InstanceId, NewConfig, Scope};
use llmcfg::service::{Backend, LocalBackend, LocalOptions, ServiceHandle};

/// The master key (64 hex characters) of the stores that [`open_in_dir`]
/// opens, for tests and benches that need no key of their own.
pub const TEST_MASTER_HEX: &str =
    "4242424242424242424242424242424242424242424242424242424242424242";

/// A local service over `store` (a SQLite path or a `postgres://` URL)
/// sealing with `master_hex`; `key_file` is the default key file it would
/// fall back to.
pub async fn open_local(store: PathBuf, key_file: PathBuf, master_hex: &str) -> ServiceHandle {
    let (backend, _) = LocalBackend::open(LocalOptions {
        store_path: store,
        master: MasterKeyOptions {
            env_hex: Some(zeroize::Zeroizing::new(master_hex.to_string())),
            file: None,
            default_file: key_file,
            keyring_account: None,
        },
        ..Default::default()
    })
    .await
    .unwrap();
    ServiceHandle::spawn(Backend::Local(backend), "local:test")
}

/// A local service over the SQLite file `store`, the default key file
/// beside it.
pub async fn open_sqlite(store: &Path, master_hex: &str) -> ServiceHandle {
    open_local(
        store.to_path_buf(),
        store.with_file_name("master.key"),
        master_hex,
    )
    .await
}

/// A local service over `dir/llmcfg.db`, sealing with [`TEST_MASTER_HEX`].
pub async fn open_in_dir(dir: &Path) -> ServiceHandle {
    open_sqlite(&dir.join("llmcfg.db"), TEST_MASTER_HEX).await
}

/// The instance scope `id`.
pub fn tenant(id: &str) -> Scope {
    Scope::Instance(InstanceId::parse(id).unwrap())
}

/// Creates an OpenAI `gpt-4o` config for `scope` with `key`, its base URL
/// `base_url` (a fake provider's).
pub async fn create_openai(handle: &ServiceHandle, scope: &Scope, key: &str, base_url: String) {
    handle
        .create(
            scope,
            NewConfig::new("openai", "gpt-4o", ApiKey::new(key)).with_base_url(&base_url),
        )
        .await
        .unwrap();
}
