//! The id of a stored configuration as a reader sees it. Our own store
//! issues UUIDs, but a seed-compatible server may number its rows with
//! integers or use another text id; the view keeps whatever the server sent,
//! in the form it sent it, so `--json` output and scripts see the server's id.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A configuration record id: a UUID (ours), an integer or other text (a
/// remote server's own numbering).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RecordId {
    /// A UUID, the form `llmcfg` issues.
    Uuid(Uuid),
    /// An integer id, as many SQL-backed servers return.
    Integer(i64),
    /// Any other text id.
    Text(String),
}

impl From<Uuid> for RecordId {
    fn from(id: Uuid) -> Self {
        RecordId::Uuid(id)
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordId::Uuid(id) => write!(f, "{id}"),
            RecordId::Integer(n) => write!(f, "{n}"),
            RecordId::Text(s) => f.write_str(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_form_and_writes_it_back_unchanged() {
        for text in [
            r#""0b7e7c7e-3f6a-4c1e-9a57-4f7f1c2a9d10""#,
            "42",
            r#""cfg_01HX""#,
        ] {
            let id: RecordId = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&id).unwrap(), text);
        }
        let id: RecordId = serde_json::from_str("42").unwrap();
        assert_eq!(id, RecordId::Integer(42));
        assert_eq!(id.to_string(), "42");
        assert!(serde_json::from_str::<RecordId>("null").is_err());
    }
}
