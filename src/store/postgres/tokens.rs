//! API tokens of `llmcfg serve` on PostgreSQL, shared by every replica: a
//! token issued through one replica authenticates on all of them. Only the
//! SHA-256 of each secret is stored; the match is the row layer's.

use tokio_postgres::error::SqlState;

use super::rows::{
    FIND_TOKEN, TOKEN_AND_VIEW, TOKEN_COLUMNS, fmt_time, matching_token, token_from, view_if_any,
};
use super::{AuditRecord, PgStore, StoreError, audit};
use crate::domain::{Scope, TokenInfo};
use crate::store::TokenAndConfig;

impl PgStore {
    /// Stores a new token; `AlreadyExists` when the name is taken.
    pub async fn add_token(
        &self,
        token: TokenInfo,
        hash: [u8; 32],
        audit_rec: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let inserted = tx
            .execute(
                "INSERT INTO tokens (name, role, hash, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (name) DO NOTHING",
                &[
                    &token.name,
                    &token.role.as_str(),
                    &&hash[..],
                    &fmt_time(token.created_at),
                ],
            )
            .await;
        match inserted {
            Ok(0) => return Err(StoreError::AlreadyExists),
            // Two secrets hashing alike is as good as impossible; treat it
            // like a name clash rather than an internal error.
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                return Err(StoreError::AlreadyExists);
            }
            other => other?,
        };
        audit::append(&*tx, &audit_rec).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every token, by name.
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let c = self.client().await?;
        let rows = c
            .query(
                &format!("SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY name COLLATE \"C\""),
                &[],
            )
            .await?;
        rows.iter().map(token_from).collect()
    }

    /// Deletes the token `name`; `NotFound` when there is none.
    pub async fn revoke_token(&self, name: &str, audit_rec: AuditRecord) -> Result<(), StoreError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        if tx
            .execute("DELETE FROM tokens WHERE name = $1", &[&name])
            .await?
            == 0
        {
            return Err(StoreError::NotFound);
        }
        audit::append(&*tx, &audit_rec).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The token whose stored hash equals `hash`, if any.
    pub async fn find_token(&self, hash: &[u8; 32]) -> Result<Option<TokenInfo>, StoreError> {
        let c = self.hot().await?;
        // Every authenticated request runs this: prepared once per connection.
        let statement = c.prepare_cached(FIND_TOKEN).await?;
        let rows = c.query(&statement, &[]).await?;
        matching_token(&rows, hash)
    }

    /// The token whose stored hash equals `hash` and the view of the config
    /// of `scope`, in one statement ([`TOKEN_AND_VIEW`]): one round trip.
    pub async fn token_and_config(
        &self,
        hash: &[u8; 32],
        scope: &Scope,
    ) -> Result<TokenAndConfig, StoreError> {
        let c = self.hot().await?;
        let statement = c.prepare_cached(&TOKEN_AND_VIEW).await?;
        let rows = c.query(&statement, &[&scope.key()]).await?;
        let config = match rows.first() {
            Some(first) => view_if_any(first, scope.instance_id().map(str::to_string))?,
            None => None,
        };
        Ok(TokenAndConfig {
            token: matching_token(&rows, hash)?,
            config,
        })
    }
}
