//! Where a store lives: a SQLite file or a PostgreSQL URL. `--store`,
//! `LLMCFG_STORE` and `[store]` all end up here, so one rule decides.

use std::path::{Path, PathBuf};

/// A store's location.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// A SQLite file.
    File(PathBuf),
    /// A PostgreSQL connection URL (may carry a password).
    Postgres(String),
}

impl StoreLocation {
    /// A `postgres://` or `postgresql://` URL selects PostgreSQL; anything
    /// else is a file path.
    pub fn parse(raw: &Path) -> StoreLocation {
        match raw.to_str() {
            Some(s) if is_postgres_url(s) => StoreLocation::Postgres(s.to_string()),
            _ => StoreLocation::File(raw.to_path_buf()),
        }
    }

    /// True for PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self, StoreLocation::Postgres(_))
    }

    /// A printable name: the path, or the URL with any password replaced,
    /// so error messages and `BackendInfo` never show a credential.
    pub fn redacted(&self) -> String {
        match self {
            StoreLocation::File(p) => p.display().to_string(),
            StoreLocation::Postgres(u) => redact_url(u),
        }
    }
}

impl std::fmt::Debug for StoreLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// True when `s` names a PostgreSQL database.
pub fn is_postgres_url(s: &str) -> bool {
    let lower = s.get(..13).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

fn redact_url(u: &str) -> String {
    match url::Url::parse(u) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("****"));
            }
            // Query parameters may carry `password=` too.
            if parsed.query().is_some() {
                let kept: Vec<(String, String)> = parsed
                    .query_pairs()
                    .map(|(k, v)| {
                        let v = if k.eq_ignore_ascii_case("password") {
                            "****".to_string()
                        } else {
                            v.into_owned()
                        };
                        (k.into_owned(), v)
                    })
                    .collect();
                parsed.query_pairs_mut().clear().extend_pairs(kept);
            }
            parsed.to_string()
        }
        Err(_) => "postgres://(unparsable URL)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_select_postgres_and_paths_select_sqlite() {
        assert!(StoreLocation::parse(Path::new("postgres://h/db")).is_postgres());
        assert!(StoreLocation::parse(Path::new("PostgreSQL://h/db")).is_postgres());
        assert!(!StoreLocation::parse(Path::new("/var/lib/llmcfg.db")).is_postgres());
        assert!(!StoreLocation::parse(Path::new("postgres")).is_postgres());
    }

    #[test]
    fn passwords_never_print() {
        let loc = StoreLocation::parse(Path::new(
            "postgres://u:s3cret@h:5432/db?sslmode=disable&password=other",
        ));
        let shown = format!("{} {:?}", loc.redacted(), loc);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(!shown.contains("other"), "{shown}");
        assert!(shown.contains("u:****@h:5432/db"), "{shown}");
    }
}
