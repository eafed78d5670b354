//! API tokens: name, role and the SHA-256 of the secret. Lookups compare the
//! hash of the presented secret with every stored hash in constant time, so
//! response timing reveals nothing about which stored hash came close.

use rusqlite::{TransactionBehavior, params};
use subtle::ConstantTimeEq;

use super::rows::{fmt_time, parse_time};
use super::{AuditRecord, SqliteStore, StoreError, audit};
use crate::domain::{Role, TokenInfo};

impl SqliteStore {
    /// Stores a new token; `AlreadyExists` when the name is taken.
    pub fn add_token(
        &mut self,
        info: &TokenInfo,
        hash: &[u8; 32],
        audit_rec: &AuditRecord,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO tokens (name, role, hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![
                info.name,
                info.role.as_str(),
                &hash[..],
                fmt_time(info.created_at)
            ],
        )?;
        if inserted == 0 {
            return Err(StoreError::AlreadyExists);
        }
        audit::append(&tx, audit_rec)?;
        tx.commit()?;
        Ok(())
    }

    /// Every token, by name.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name, role, created_at FROM tokens ORDER BY name")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let role: String = r.get(1)?;
            out.push(TokenInfo {
                name: r.get(0)?,
                role: Role::parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("token role {role:?}")))?,
                created_at: parse_time(&r.get::<_, String>(2)?)?,
            });
        }
        Ok(out)
    }

    /// Deletes the token `name`; `NotFound` when there is none.
    pub fn revoke_token(&mut self, name: &str, audit_rec: &AuditRecord) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if tx.execute("DELETE FROM tokens WHERE name = ?1", [name])? == 0 {
            return Err(StoreError::NotFound);
        }
        audit::append(&tx, audit_rec)?;
        tx.commit()?;
        Ok(())
    }

    /// The token whose stored hash equals `hash`, if any.
    pub fn find_token(&self, hash: &[u8; 32]) -> Result<Option<TokenInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name, role, created_at, hash FROM tokens")?;
        let mut rows = stmt.query([])?;
        let mut found = None;
        // No early exit: every stored hash is compared, match or not.
        while let Some(r) = rows.next()? {
            let stored: Vec<u8> = r.get(3)?;
            let equal = stored.len() == hash.len() && bool::from(stored.as_slice().ct_eq(hash));
            if equal && found.is_none() {
                let role: String = r.get(1)?;
                found = Some(TokenInfo {
                    name: r.get(0)?,
                    role: Role::parse(&role)
                        .ok_or_else(|| StoreError::Corrupt(format!("token role {role:?}")))?,
                    created_at: parse_time(&r.get::<_, String>(2)?)?,
                });
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Scope;
    use crate::domain::token::token_hash;

    fn rec() -> AuditRecord {
        AuditRecord {
            at: crate::store::rows_now(),
            actor: "test".into(),
            scope: Scope::Global,
            action: "token_create",
            fields: Vec::new(),
            key_fingerprint: None,
            detail: None,
        }
    }

    #[test]
    fn add_find_revoke() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
        let info = TokenInfo {
            name: "ci".into(),
            role: Role::Viewer,
            created_at: crate::store::rows_now(),
        };
        store
            .add_token(&info, &token_hash("secret"), &rec())
            .unwrap();
        assert!(matches!(
            store.add_token(&info, &token_hash("other"), &rec()),
            Err(StoreError::AlreadyExists)
        ));
        assert_eq!(store.find_token(&token_hash("secret")).unwrap(), Some(info));
        assert_eq!(store.find_token(&token_hash("nope")).unwrap(), None);
        assert_eq!(store.tokens().unwrap().len(), 1);
        store.revoke_token("ci", &rec()).unwrap();
        assert_eq!(store.find_token(&token_hash("secret")).unwrap(), None);
        assert!(matches!(
            store.revoke_token("ci", &rec()),
            Err(StoreError::NotFound)
        ));
    }
}
