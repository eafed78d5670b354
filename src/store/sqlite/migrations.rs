//! How SQLite runs the shared schema migrations (`store/migrations.rs`):
//! `PRAGMA user_version` records the version, and each step runs in its own
//! `BEGIN IMMEDIATE` transaction so two processes opening a new file never
//! both apply it.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;
use super::writes::Dialect;
use crate::store::migrations::{applied, steps};

/// Brings the schema up to date.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let steps = steps(Dialect::Sqlite);
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let recorded: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let version = applied(recorded, steps.len())?;
        if version == steps.len() {
            return Ok(());
        }
        tx.execute_batch(&steps[version])?;
        tx.pragma_update(None, "user_version", (version + 1) as i64)?;
        tx.commit()?;
    }
}
