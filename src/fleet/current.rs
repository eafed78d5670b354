//! What the service holds now: every configured scope from the instance list,
//! with the fingerprint of its stored key. The config view carries only the
//! mask, so the fingerprint is read from the audit log: the newest entry of a
//! scope that records one (create, key change, test) names the key stored now.

use std::collections::{BTreeMap, HashMap};

use super::FleetError;
use crate::domain::{ConfigView, Scope};
use crate::service::{BackendInfo, ServiceHandle};

/// One configured scope.
#[derive(Debug, Clone)]
pub struct Current {
    /// Its config.
    pub view: ConfigView,
    /// Fingerprint of the stored key, when the audit log knows it.
    pub key_fingerprint: Option<String>,
}

/// Every configured scope, in scope order.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// By scope.
    pub scopes: BTreeMap<Scope, Current>,
    /// Limits worth telling the user (e.g. a server without an audit log).
    pub notes: Vec<String>,
}

/// Reads the state through `handle`.
pub async fn read(handle: &ServiceHandle) -> Result<State, FleetError> {
    let mut notes = Vec::new();
    // One read of the whole log is cheaper than one query per scope once the
    // fleet has more than a handful of scopes.
    let fingerprints = match handle.audit(None, usize::MAX).await {
        Ok(entries) => {
            let mut newest: HashMap<Option<String>, String> = HashMap::new();
            for e in entries {
                if let Some(fp) = e.key_fingerprint {
                    newest.entry(e.instance_id).or_insert(fp);
                }
            }
            newest
        }
        Err(e) if matches!(handle.info(), BackendInfo::Remote { .. }) => {
            notes.push(format!(
                "the server's audit log is not available ({e}); stored key fingerprints are \
                 unknown, so every key reference counts as a key change"
            ));
            HashMap::new()
        }
        Err(e) => return Err(e.into()),
    };
    let mut scopes = BTreeMap::new();
    for summary in handle.list_instances().await? {
        let Some(view) = summary.config else { continue };
        let scope = Scope::from_optional(summary.instance_id.as_deref())
            .map_err(|e| FleetError::Service(e.into()))?;
        let key_fingerprint = fingerprints.get(&summary.instance_id).cloned();
        scopes.insert(
            scope,
            Current {
                view,
                key_fingerprint,
            },
        );
    }
    Ok(State { scopes, notes })
}
