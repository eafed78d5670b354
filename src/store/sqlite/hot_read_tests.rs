//! The hot read of `GET /llm-config/` on a reader connection: answered
//! from the statement prepared the first time, never parsed and planned
//! again for the next scope's value.

use rusqlite::StatementStatus;

use super::rows::TOKEN_AND_VIEW;
use super::{SqliteStore, connect_reader, tokens};
use crate::domain::{InstanceId, Scope};

#[tokio::test]
async fn the_token_and_view_read_is_never_prepared_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("llmcfg.db");
    SqliteStore::open(&path).await.unwrap();
    let conn = connect_reader(&path).unwrap();
    for id in ["acme", "globex", "initech"] {
        let scope = Scope::Instance(InstanceId::parse(id).unwrap());
        let read = tokens::token_and_view(&conn, &[7; 32], &scope).unwrap();
        assert!(read.token.is_none() && read.config.is_none());
    }
    let stmt = conn.prepare_cached(&TOKEN_AND_VIEW).unwrap();
    assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0);
}
