//! API tokens of `llmcfg serve` on PostgreSQL, shared by every replica: a
//! token issued through one replica authenticates on all of them. Only the
//! SHA-256 of each secret is stored; lookups compare every stored hash in
//! constant time, as the SQLite store does.

use subtle::ConstantTimeEq;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;

use super::rows::{fmt_time, parse_time};
use super::{AuditRecord, PgStore, StoreError, audit, wait};
use crate::domain::{Role, TokenInfo};

fn info(r: &Row) -> Result<TokenInfo, StoreError> {
    let role: String = r.try_get(1)?;
    Ok(TokenInfo {
        name: r.try_get(0)?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("token role {role:?}")))?,
        created_at: parse_time(r.try_get(2)?)?,
    })
}

impl PgStore {
    /// Stores a new token; `AlreadyExists` when the name is taken.
    pub fn add_token(
        &mut self,
        token: &TokenInfo,
        hash: &[u8; 32],
        audit_rec: &AuditRecord,
    ) -> Result<(), StoreError> {
        let (rt, c) = self.conn()?;
        wait(rt, async move {
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
            audit::append(&tx, audit_rec).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Every token, by name.
    pub fn tokens(&mut self) -> Result<Vec<TokenInfo>, StoreError> {
        let (rt, c) = self.conn()?;
        let rows = wait(
            rt,
            c.query(
                "SELECT name, role, created_at FROM tokens ORDER BY name COLLATE \"C\"",
                &[],
            ),
        )?;
        rows.iter().map(info).collect()
    }

    /// Deletes the token `name`; `NotFound` when there is none.
    pub fn revoke_token(&mut self, name: &str, audit_rec: &AuditRecord) -> Result<(), StoreError> {
        let (rt, c) = self.conn()?;
        wait(rt, async move {
            let tx = c.transaction().await?;
            if tx
                .execute("DELETE FROM tokens WHERE name = $1", &[&name])
                .await?
                == 0
            {
                return Err(StoreError::NotFound);
            }
            audit::append(&tx, audit_rec).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The token whose stored hash equals `hash`, if any.
    pub fn find_token(&mut self, hash: &[u8; 32]) -> Result<Option<TokenInfo>, StoreError> {
        // Every authenticated request runs this: prepared once per connection.
        let (rt, c, statement) = self.prepared(FIND_TOKEN)?;
        let rows = wait(rt, c.query(&statement, &[]))?;
        matching(&rows, hash)
    }
}

/// Every token with its hash, for [`matching`].
pub(super) const FIND_TOKEN: &str = "SELECT name, role, created_at, hash FROM tokens";

/// The token among `rows` (from [`FIND_TOKEN`]) whose hash equals `hash`.
pub(super) fn matching(rows: &[Row], hash: &[u8; 32]) -> Result<Option<TokenInfo>, StoreError> {
    let mut found = None;
    // No early exit: every stored hash is compared, match or not.
    for r in rows {
        let stored: &[u8] = r.try_get(3)?;
        let equal = stored.len() == hash.len() && bool::from(stored.ct_eq(hash));
        if equal && found.is_none() {
            found = Some(info(r)?);
        }
    }
    Ok(found)
}
