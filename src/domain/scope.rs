//! Where a configuration lives: the control plane (`Global`) or one tenant
//! instance. An empty or malformed instance id is an error, never "global":
//! silently falling back to the operator's key is a known cross-tenant leak.

use std::fmt;

use super::ValidationError;

/// Maximum length of an instance id, in characters.
pub const INSTANCE_ID_MAX_LEN: usize = 128;

/// A validated tenant instance id: 1–128 chars of `[A-Za-z0-9._:-]`, not
/// starting with `.` or `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceId(String);

impl InstanceId {
    /// Validates `raw` exactly as given (no trimming: ids are identifiers).
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        if raw.trim().is_empty() {
            return Err(ValidationError::new(
                "instance_id",
                "must not be empty or whitespace (omit it to address the control plane)",
            ));
        }
        if raw.chars().count() > INSTANCE_ID_MAX_LEN {
            return Err(ValidationError::new(
                "instance_id",
                format!("must be at most {INSTANCE_ID_MAX_LEN} characters"),
            ));
        }
        if let Some(bad) = raw
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-')))
        {
            return Err(ValidationError::new(
                "instance_id",
                format!(
                    "may contain only letters, digits, '.', '_', ':' and '-' (found {:?})",
                    bad
                ),
            ));
        }
        if raw.starts_with('.') || raw.starts_with('-') {
            return Err(ValidationError::new(
                "instance_id",
                "must not start with '.' or '-'",
            ));
        }
        Ok(Self(raw.to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The scope a configuration belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The control plane.
    Global,
    /// One tenant instance.
    Instance(InstanceId),
}

impl Scope {
    /// Scope from an optional id (CLI `-i`, HTTP `X-Instance-Id`): absent is
    /// global; present must be a valid id.
    pub fn from_optional(raw: Option<&str>) -> Result<Self, ValidationError> {
        match raw {
            None => Ok(Scope::Global),
            Some(id) => Ok(Scope::Instance(InstanceId::parse(id)?)),
        }
    }

    /// The storage key: `""` for global (no instance id can be empty), the id otherwise.
    pub fn key(&self) -> &str {
        match self {
            Scope::Global => "",
            Scope::Instance(id) => id.as_str(),
        }
    }

    /// Inverse of [`Scope::key`] for values read back from the store.
    pub fn from_key(key: &str) -> Result<Self, ValidationError> {
        if key.is_empty() {
            Ok(Scope::Global)
        } else {
            Ok(Scope::Instance(InstanceId::parse(key)?))
        }
    }

    /// The instance id, or `None` for the control plane.
    pub fn instance_id(&self) -> Option<&str> {
        match self {
            Scope::Global => None,
            Scope::Instance(id) => Some(id.as_str()),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Global => f.write_str("control plane"),
            Scope::Instance(id) => write!(f, "tenant: {id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ids() {
        for id in [
            "acme",
            "a",
            "tenant-01",
            "org:team.prod_2",
            &"x".repeat(128),
        ] {
            assert!(InstanceId::parse(id).is_ok(), "{id}");
        }
    }

    #[test]
    fn invalid_ids_name_the_rule() {
        for (id, rule) in [
            ("", "must not be empty"),
            ("   ", "must not be empty"),
            (".hidden", "must not start"),
            ("-flag", "must not start"),
            ("a b", "may contain only"),
            ("acme/x", "may contain only"),
            ("é", "may contain only"),
        ] {
            let e = InstanceId::parse(id).unwrap_err();
            assert_eq!(e.field, "instance_id");
            assert!(e.reason.contains(rule), "{id:?}: {}", e.reason);
        }
        let e = InstanceId::parse(&"x".repeat(129)).unwrap_err();
        assert!(e.reason.contains("at most 128"));
    }

    #[test]
    fn empty_header_is_an_error_not_global() {
        assert_eq!(Scope::from_optional(None).unwrap(), Scope::Global);
        assert!(Scope::from_optional(Some("")).is_err());
        assert!(Scope::from_optional(Some(" ")).is_err());
    }

    #[test]
    fn key_round_trips() {
        let s = Scope::from_optional(Some("acme")).unwrap();
        assert_eq!(Scope::from_key(s.key()).unwrap(), s);
        assert_eq!(Scope::from_key("").unwrap(), Scope::Global);
        assert_eq!(s.to_string(), "tenant: acme");
        assert_eq!(Scope::Global.to_string(), "control plane");
    }
}
