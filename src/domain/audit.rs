//! The audit log's vocabulary: what happened ([`AuditAction`]) and one
//! entry as it is read back ([`AuditEntry`]). The stored and wire strings of
//! the actions live here and nowhere else.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

/// What an audit entry records. Stored and sent as its [`AuditAction::as_str`]
/// name; a name this version does not know (a newer llmcfg, another server)
/// is kept as [`AuditAction::Other`] rather than failing the whole log.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuditAction {
    /// A config was created (`create`).
    Create,
    /// A config was changed (`update`).
    Update,
    /// A config was deleted (`delete`).
    Delete,
    /// A connection test ran (`test`).
    Test,
    /// An instance id was registered or renamed (`add_instance`).
    AddInstance,
    /// Every key was re-sealed under a new master key (`rotate_master_key`;
    /// `rotate`, the name an earlier doc used, reads as this too).
    RotateMasterKey,
    /// A server API token was issued (`token_create`).
    TokenCreate,
    /// A server API token was revoked (`token_revoke`).
    TokenRevoke,
    /// An earlier version of a config was made current again (`restore`).
    Restore,
    /// The state a config was in when versions were first kept for it
    /// (`recorded`; only ever a version's action, never an audit entry).
    Recorded,
    /// An action this version does not know, by its stored name.
    Other(String),
}

impl AuditAction {
    /// The stored and wire name.
    pub fn as_str(&self) -> &str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::Delete => "delete",
            AuditAction::Test => "test",
            AuditAction::AddInstance => "add_instance",
            AuditAction::RotateMasterKey => "rotate_master_key",
            AuditAction::TokenCreate => "token_create",
            AuditAction::TokenRevoke => "token_revoke",
            AuditAction::Restore => "restore",
            AuditAction::Recorded => "recorded",
            AuditAction::Other(name) => name,
        }
    }

    /// The action a stored or wire name stands for.
    pub fn parse(name: &str) -> AuditAction {
        match name {
            "create" => AuditAction::Create,
            "update" => AuditAction::Update,
            "delete" => AuditAction::Delete,
            "test" => AuditAction::Test,
            "add_instance" => AuditAction::AddInstance,
            "rotate_master_key" | "rotate" => AuditAction::RotateMasterKey,
            "token_create" => AuditAction::TokenCreate,
            "token_revoke" => AuditAction::TokenRevoke,
            "restore" => AuditAction::Restore,
            "recorded" => AuditAction::Recorded,
            other => AuditAction::Other(other.to_string()),
        }
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for AuditAction {
    fn from(name: &str) -> AuditAction {
        AuditAction::parse(name)
    }
}

impl PartialEq<&str> for AuditAction {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for AuditAction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AuditAction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<AuditAction, D::Error> {
        let name = String::deserialize(d)?;
        Ok(AuditAction::parse(&name))
    }
}

/// One audit-log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Monotonic entry id.
    pub id: i64,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who did it (`local:<user>` or a token name).
    pub actor: String,
    /// Instance id; `null` for the control plane.
    pub instance_id: Option<String>,
    /// What happened.
    pub action: AuditAction,
    /// Names of the changed fields.
    pub fields: Vec<String>,
    /// Short fingerprint of the key written (never the key).
    pub key_fingerprint: Option<String>,
    /// Extra detail, e.g. a test status.
    pub detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips_and_old_names_still_read() {
        for action in [
            AuditAction::Create,
            AuditAction::Update,
            AuditAction::Delete,
            AuditAction::Test,
            AuditAction::AddInstance,
            AuditAction::RotateMasterKey,
            AuditAction::TokenCreate,
            AuditAction::TokenRevoke,
            AuditAction::Restore,
            AuditAction::Recorded,
        ] {
            assert_eq!(AuditAction::parse(action.as_str()), action);
        }
        assert_eq!(AuditAction::parse("rotate"), AuditAction::RotateMasterKey);
        assert_eq!(
            AuditAction::parse("rotate_master_key").as_str(),
            "rotate_master_key"
        );
        let unknown = AuditAction::parse("monitor_flip");
        assert_eq!(unknown, AuditAction::Other("monitor_flip".into()));
        assert_eq!(serde_json::to_string(&unknown).unwrap(), "\"monitor_flip\"");
        let read: AuditAction = serde_json::from_str("\"token_create\"").unwrap();
        assert_eq!(read, AuditAction::TokenCreate);
    }
}
