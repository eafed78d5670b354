//! What the service holds now: every configured scope from the instance list,
//! with the fingerprint of its stored key. The config view carries only the
//! mask, so the fingerprint is read from the audit log: the newest entry of a
//! scope that records one (create, key change, test) names the key stored now.
//! One read of the whole log serves most scopes; a scope it does not cover (a
//! remote server caps how many entries one read returns) is looked up alone.

use std::collections::{BTreeMap, HashMap};

use super::FleetError;
use crate::domain::{AuditEntry, ConfigView, Scope};
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

/// Entries one per-scope audit read looks at for a fingerprint.
const SCOPE_AUDIT_LIMIT: usize = 100;

/// The newest fingerprint per scope among `entries` (newest first).
fn newest_fingerprints(entries: Vec<AuditEntry>) -> HashMap<Option<String>, String> {
    let mut newest = HashMap::new();
    for e in entries {
        if let Some(fp) = e.key_fingerprint {
            newest.entry(e.instance_id).or_insert(fp);
        }
    }
    newest
}

/// Reads the state through `handle`.
pub async fn read(handle: &ServiceHandle) -> Result<State, FleetError> {
    let mut notes = Vec::new();
    let remote = matches!(handle.info(), BackendInfo::Remote { .. });
    // One read of the whole log is cheaper than one query per scope once the
    // fleet has more than a handful of scopes.
    let (mut fingerprints, complete) = match handle.audit(None, usize::MAX).await {
        Ok(entries) => {
            let complete = entries.len() < crate::api::AUDIT_MAX_LIMIT || !remote;
            (newest_fingerprints(entries), complete)
        }
        Err(e) if remote => {
            notes.push(format!(
                "the server's audit log is not available ({e}); stored key fingerprints are \
                 unknown, so every key reference counts as a key change"
            ));
            (HashMap::new(), true)
        }
        Err(e) => return Err(e.into()),
    };
    let mut scopes = BTreeMap::new();
    for summary in handle.list_instances().await? {
        let Some(view) = summary.config else { continue };
        let scope = Scope::from_optional(summary.instance_id.as_deref())
            .map_err(|e| FleetError::Service(e.into()))?;
        if !complete && !fingerprints.contains_key(&summary.instance_id) {
            let entries = handle.audit(Some(&scope), SCOPE_AUDIT_LIMIT).await?;
            fingerprints.extend(newest_fingerprints(entries));
        }
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
