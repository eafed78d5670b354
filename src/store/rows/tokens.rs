//! The token rows, the same on both engines: the columns every token query
//! selects, the constant-time match of a presented secret's hash, and the
//! one statement that reads the tokens beside a scope's config view for
//! `GET /llm-config/`.

use std::sync::LazyLock;

use super::super::StoreError;
use super::super::columns::{Columns, null};
use crate::domain::{ConfigFields, ConfigView, Role, TokenInfo};

/// A token and a config read together ([`crate::store::Store::token_and_config`]).
#[derive(Debug)]
pub struct TokenAndConfig {
    /// The token the presented secret belongs to, if any.
    pub token: Option<TokenInfo>,
    /// The view of the config of the scope asked for, if it has one.
    pub config: Option<ConfigView>,
}

/// A token's columns as every token query selects them ([`token_from`]):
/// its time is `token_created_at`, so a query may also select a config's.
pub const TOKEN_COLUMNS: &str = "name, role, created_at AS token_created_at";

/// Every token with its hash, for [`matching_token`].
pub const FIND_TOKEN: &str = "SELECT name, role, created_at AS token_created_at, hash FROM tokens";

/// `GET /llm-config/`'s whole store read in one statement, the same text
/// on both engines (`$1` scope): every token with its hash, as
/// [`FIND_TOKEN`], each beside the view of the scope's config, as
/// [`GET_VIEW`](super::GET_VIEW) (`NULL`s when it has none). One statement is one read
/// transaction in SQLite and one round trip in PostgreSQL.
pub static TOKEN_AND_VIEW: LazyLock<String> = LazyLock::new(|| {
    let fields: Vec<String> = ConfigFields::NAMES
        .iter()
        .map(|name| format!("c.{name} AS {name}"))
        .collect();
    format!(
        "SELECT t.name AS name, t.role AS role, t.created_at AS token_created_at, \
         t.hash AS hash, c.id AS config_id, {}, c.api_key_masked AS api_key_masked, \
         c.created_at AS created_at, c.updated_at AS updated_at \
         FROM tokens t LEFT JOIN configs c ON c.scope = $1",
        fields.join(", ")
    )
});

/// A token row ([`TOKEN_COLUMNS`]).
pub(crate) fn token_from(r: &impl Columns) -> Result<TokenInfo, StoreError> {
    let role = r.with_text("role", |role| {
        let role = role.ok_or_else(|| null("role"))?;
        Role::parse(role).ok_or_else(|| StoreError::Corrupt(format!("token role {role:?}")))
    })??;
    Ok(TokenInfo {
        name: r.text("name")?,
        role,
        created_at: r.time("token_created_at")?,
    })
}

/// The token among `rows` (from [`FIND_TOKEN`]) whose hash equals `hash`.
/// Every stored hash is compared in constant time, with no early exit, so
/// response timing reveals nothing about which stored hash came close.
pub(crate) fn matching_token<'a, R: Columns + 'a>(
    rows: impl IntoIterator<Item = &'a R>,
    hash: &[u8; 32],
) -> Result<Option<TokenInfo>, StoreError> {
    use subtle::ConstantTimeEq;
    let mut found = None;
    for r in rows {
        let equal = r.with_blob("hash", |stored| {
            stored.len() == hash.len() && bool::from(stored.ct_eq(hash))
        })?;
        if equal && found.is_none() {
            found = Some(token_from(r)?);
        }
    }
    Ok(found)
}
