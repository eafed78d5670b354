//! API tokens of `llmcfg serve`: a name, a role, and only the SHA-256 of the
//! secret. The plaintext is shown once at creation and never stored, so a
//! copy of the store does not grant access to the server.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::ValidationError;

/// Prefix of every issued token, so a leaked one is recognisable in scanners.
pub const TOKEN_PREFIX: &str = "llmcfg_";

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Full access to every `/llm-config` route.
    Superadmin,
    /// Authenticates, but is refused every `/llm-config` route (403).
    Viewer,
}

impl Role {
    /// The stored name of the role.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Superadmin => "superadmin",
            Role::Viewer => "viewer",
        }
    }

    /// Inverse of [`Role::as_str`].
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "superadmin" => Some(Role::Superadmin),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A token as listed: never the secret, never its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Unique name; the audit actor of requests made with it.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// When it was issued.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A freshly issued token: the only time the plaintext exists.
pub struct IssuedToken {
    /// Name and role.
    pub info: TokenInfo,
    /// The bearer secret, shown once.
    pub secret: Zeroizing<String>,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("info", &self.info)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// SHA-256 of a bearer secret, as stored and compared.
pub fn token_hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Token names: 1–64 chars of `[A-Za-z0-9._-]` (they appear in audit logs).
pub fn validate_token_name(raw: &str) -> Result<String, ValidationError> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ValidationError::new("name", "must be 1 to 64 characters"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(ValidationError::new(
            "name",
            "may contain only letters, digits, '.', '_' and '-'",
        ));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_roles() {
        assert_eq!(validate_token_name(" ci-bot ").unwrap(), "ci-bot");
        assert!(validate_token_name("").is_err());
        assert!(validate_token_name("a b").is_err());
        assert_eq!(Role::parse("viewer"), Some(Role::Viewer));
        assert_eq!(Role::Superadmin.to_string(), "superadmin");
        assert_ne!(token_hash("a"), token_hash("b"));
    }
}
