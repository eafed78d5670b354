//! The instance ids this machine has used with one remote, remembered per
//! URL in a small JSON file under the state directory, so a seed-only
//! server (which cannot list its instances) still shows them next time.
//! `llmcfg instances forget ID` removes one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::domain::InstanceId;

#[derive(Debug, Default, Serialize, Deserialize)]
struct MemoryFile {
    url: String,
    instances: BTreeSet<String>,
}

/// The remembered scopes of one remote.
pub struct ScopeMemory {
    url: String,
    file: PathBuf,
    // Writes come from concurrent request tasks; one at a time per process.
    lock: Mutex<()>,
}

impl ScopeMemory {
    /// The memory of `url` under `state_dir`.
    pub fn new(url: &str, state_dir: &Path) -> ScopeMemory {
        let digest = Sha256::digest(url.as_bytes());
        ScopeMemory {
            url: url.to_string(),
            file: state_dir
                .join("remotes")
                .join(format!("{}.json", hex::encode(&digest[..8]))),
            lock: Mutex::new(()),
        }
    }

    /// The file the ids are kept in.
    pub fn file(&self) -> &Path {
        &self.file
    }

    fn read(&self) -> MemoryFile {
        std::fs::read(&self.file)
            .ok()
            .and_then(|b| serde_json::from_slice::<MemoryFile>(&b).ok())
            .filter(|m| m.url == self.url)
            .unwrap_or_else(|| MemoryFile {
                url: self.url.clone(),
                instances: BTreeSet::new(),
            })
    }

    fn write(&self, memory: &MemoryFile) -> std::io::Result<()> {
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self
            .file
            .with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, serde_json::to_vec_pretty(memory)?)?;
        std::fs::rename(&tmp, &self.file)
    }

    /// Every remembered id that is still a valid id, sorted.
    pub fn list(&self) -> Vec<InstanceId> {
        self.read()
            .instances
            .iter()
            .filter_map(|id| InstanceId::parse(id).ok())
            .collect()
    }

    /// Remembers `id`; a state directory that cannot be written only costs
    /// the memory, never the operation that used the scope.
    pub fn remember(&self, id: &InstanceId) {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut memory = self.read();
        if memory.instances.insert(id.to_string())
            && let Err(e) = self.write(&memory)
        {
            tracing::debug!(error = %e, file = %self.file.display(), "cannot remember the scope");
        }
    }

    /// Forgets `id`; true when it was remembered.
    pub fn forget(&self, id: &InstanceId) -> std::io::Result<bool> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut memory = self.read();
        if !memory.instances.remove(id.as_str()) {
            return Ok(false);
        }
        self.write(&memory)?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_per_url_and_forgets() {
        let dir = tempfile::tempdir().unwrap();
        let a = ScopeMemory::new("https://a.example", dir.path());
        let b = ScopeMemory::new("https://b.example", dir.path());
        let acme = InstanceId::parse("acme").unwrap();
        a.remember(&acme);
        a.remember(&InstanceId::parse("beta").unwrap());
        a.remember(&acme);
        let ids: Vec<String> = a.list().iter().map(|i| i.to_string()).collect();
        assert_eq!(ids, ["acme", "beta"]);
        assert!(b.list().is_empty());
        assert!(a.forget(&acme).unwrap());
        assert!(!a.forget(&acme).unwrap());
        assert_eq!(a.list().len(), 1);
    }
}
