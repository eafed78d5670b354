//! How PostgreSQL runs the shared schema migrations (`store/migrations.rs`):
//! a `schema_version` table records the version; all pending steps run in
//! one transaction under a transaction-scoped advisory lock, so two replicas
//! starting at once never both apply a step (the second waits, then finds
//! nothing to do).

use tokio_postgres::Client;

use super::StoreError;
use super::writes::Dialect;
use crate::store::migrations::{applied, steps};

/// Advisory-lock key of llmcfg's migrations ("llmcfg" in ASCII).
const MIGRATION_LOCK: i64 = 0x6c6c_6d63_6667;

/// Brings the schema up to date.
pub async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let steps = steps(Dialect::Postgres);
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_version (
             one     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
             version INTEGER NOT NULL
         );
         INSERT INTO schema_version (one, version) VALUES (TRUE, 0) ON CONFLICT DO NOTHING;",
    )
    .await?;
    let recorded: i32 = tx
        .query_one("SELECT version FROM schema_version", &[])
        .await?
        .get(0);
    let version = applied(recorded.into(), steps.len())?;
    for step in &steps[version..] {
        tx.batch_execute(step).await?;
    }
    if version < steps.len() {
        let latest = i32::try_from(steps.len()).expect("few migrations");
        tx.execute("UPDATE schema_version SET version = $1", &[&latest])
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
