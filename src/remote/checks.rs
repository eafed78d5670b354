//! Input checks before anything is sent, with the same domain rules local
//! mode applies (one definition: [`NewConfig::validate`] and
//! [`ConfigPatch::merge`]); and the check after a write that the server kept
//! what it was sent, since a server that ignores unknown fields would
//! otherwise drop `base_url` silently.

use crate::domain::config::FieldChanges;
use crate::domain::{
    Catalog, ConfigPatch, ConfigView, FIELDS, NewConfig, ProviderRule, ValidationError, Wire,
};

/// The rule for provider ids: the server's catalog when it publishes one,
/// else the plain identifier rule.
pub fn provider_rule(catalog: Option<&Catalog>) -> ProviderRule<'_> {
    match catalog {
        Some(catalog) => ProviderRule::Catalog(catalog),
        None => ProviderRule::Identifier,
    }
}

/// The create to send: trimmed and validated.
pub fn checked_create(
    config: &NewConfig,
    catalog: Option<&Catalog>,
) -> Result<NewConfig, ValidationError> {
    let fields = config.fields();
    carried(|name| fields.text(name).is_some(), catalog)?;
    config.validate(provider_rule(catalog))
}

/// Refuses a field the server cannot carry: a seed-only server (one that
/// publishes no provider list, an llmcfg extension) stores the seed's
/// fields only, and would drop an extension field or refuse the body.
/// `sets(name)` says whether the write sets the field `name`.
fn carried(sets: impl Fn(&str) -> bool, catalog: Option<&Catalog>) -> Result<(), ValidationError> {
    if catalog.is_some() {
        return Ok(());
    }
    let Some(f) = FIELDS
        .iter()
        .find(|f| f.wire == Wire::Extension && sets(f.name))
    else {
        return Ok(());
    };
    let seed: Vec<&str> = FIELDS
        .iter()
        .filter(|f| f.wire == Wire::Seed)
        .map(|f| f.name)
        .chain(["api_key"])
        .collect();
    Err(ValidationError::new(
        f.name,
        format!(
            "this server does not carry it: a seed-only control plane stores {} \
             ({} is an llmcfg serve extension)",
            seed.join(", "),
            f.name
        ),
    ))
}

/// The patch to send: every field the user gave, trimmed and validated
/// against the stored config (the re-key rule), plus the `base_url` reset a
/// provider change implies, so the server ends where local mode would.
pub fn checked_patch(
    patch: &ConfigPatch,
    current: &ConfigView,
    catalog: Option<&Catalog>,
) -> Result<ConfigPatch, ValidationError> {
    carried(|name| matches!(patch.sent(name), Some(Some(_))), catalog)?;
    let merged = patch.merge(&current.fields(), provider_rule(catalog))?;
    Ok(patch.checked(merged))
}

/// What was sent and must come back: each field a write sent.
#[derive(Debug, Clone, Default)]
pub struct Sent(FieldChanges);

impl Sent {
    /// What a create sent.
    pub fn create(config: &NewConfig) -> Sent {
        Sent(FieldChanges::all(config.fields()))
    }

    /// What a patch sent.
    pub fn patch(patch: &ConfigPatch) -> Sent {
        Sent(patch.sets())
    }

    /// The fields the server's answer does not hold as sent, each as
    /// `field (sent X, kept Y)`. Base URLs compare without a trailing
    /// slash, which a server may normalise away as local mode does.
    pub fn dropped(&self, view: &ConfigView) -> Vec<String> {
        fn norm<'a>(field: &str, v: Option<&'a str>) -> Option<&'a str> {
            match field {
                "base_url" => v.map(|u| u.trim_end_matches('/')),
                _ => v,
            }
        }
        let same = |field: &str, sent: Option<&str>, kept: Option<&str>| {
            norm(field, sent) == norm(field, kept)
        };
        self.0
            .differing(&view.fields(), same)
            .into_iter()
            .map(|d| format!("{} (sent {}, kept {})", d.field, d.sent, d.kept))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ApiKey;

    fn view() -> ConfigView {
        serde_json::from_str(
            r#"{"id":7,"provider":"openai","model":"gpt-4o","api_key_masked":"sk-...abcd",
                "instance_id":null,"created_at":"2026-02-27T10:00:00Z","updated_at":"2026-02-27T10:00:00Z"}"#,
        )
        .unwrap()
    }

    #[test]
    fn unknown_providers_pass_without_a_catalog_and_are_trimmed() {
        let c = NewConfig::new(" acme-llm ", " large ", ApiKey::new("  k-123\n"));
        let checked = checked_create(&c, None).unwrap();
        assert_eq!(
            (
                checked.provider.as_str(),
                checked.model.as_str(),
                checked.api_key.expose()
            ),
            ("acme-llm", "large", "k-123")
        );
        assert!(checked_create(&c, Some(Catalog::builtin())).is_err());
        let empty = NewConfig {
            api_key: ApiKey::new("\n"),
            ..c
        };
        assert_eq!(checked_create(&empty, None).unwrap_err().field, "api_key");
    }

    #[test]
    fn the_re_key_rule_holds_before_sending() {
        let p = ConfigPatch {
            provider: Some("anthropic".into()),
            ..Default::default()
        };
        assert_eq!(
            checked_patch(&p, &view(), None).unwrap_err().field,
            "api_key"
        );
        let p = ConfigPatch {
            model: Some(" gpt-4.1 ".into()),
            ..Default::default()
        };
        let sent = checked_patch(&p, &view(), None).unwrap();
        assert_eq!(sent.model.as_deref(), Some("gpt-4.1"));
        assert!(sent.provider.is_none() && sent.base_url.is_none() && sent.api_key.is_none());
    }

    #[test]
    fn a_dropped_base_url_is_named() {
        let sent = Sent::patch(&ConfigPatch {
            base_url: Some(Some("https://gw.example/v1".into())),
            model: Some("gpt-4o".into()),
            ..Default::default()
        });
        let dropped = sent.dropped(&view());
        assert_eq!(
            dropped,
            ["base_url (sent \"https://gw.example/v1\", kept none)"]
        );
    }
}
