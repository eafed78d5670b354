//! The dated catalog of announced retirements the providers' APIs do not
//! report (Anthropic and Gemini say nothing in their APIs; OpenAI's
//! `shutdown_date` is not always filled): data from
//! `assets/retirements.toml`, embedded at build. Each row carries the
//! announcement's URL and the day it was read. An API answer always wins:
//! [`RetirementCatalog::fill`] only adds a retirement where the test found
//! none.

use std::sync::OnceLock;

use serde::Deserialize;
use time::Date;

use super::{FactSource, Lifecycle, Retirement};

const BUILTIN: &str = include_str!("../../assets/retirements.toml");

/// One announced retirement.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogRow {
    /// Catalog provider id.
    pub provider: String,
    /// Model id as configured.
    pub model: String,
    /// The first day requests fail.
    #[serde(deserialize_with = "toml_date")]
    pub retires_on: Date,
    /// The recommended replacement, if the provider names one.
    #[serde(default)]
    pub successor: Option<String>,
    /// URL of the provider's announcement.
    pub source: String,
    /// When the row was checked against its source.
    #[serde(deserialize_with = "toml_date")]
    pub read_on: Date,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    retirement: Vec<CatalogRow>,
}

/// The catalog's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetirementCatalog {
    rows: Vec<CatalogRow>,
}

impl RetirementCatalog {
    /// Parses a catalog, refusing a row without a source URL or whose
    /// dates are missing (a TOML date is required by the row's type).
    pub fn parse(text: &str) -> Result<RetirementCatalog, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        for r in &file.retirement {
            if !r.source.starts_with("https://") {
                return Err(format!(
                    "retirement of {}/{}: source must be the announcement's https URL",
                    r.provider, r.model
                ));
            }
        }
        Ok(RetirementCatalog {
            rows: file.retirement,
        })
    }

    /// The catalog embedded from `assets/retirements.toml`.
    pub fn builtin() -> &'static RetirementCatalog {
        static CATALOG: OnceLock<RetirementCatalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            RetirementCatalog::parse(BUILTIN)
                .expect("assets/retirements.toml is checked by a unit test")
        })
    }

    /// Every row.
    pub fn rows(&self) -> &[CatalogRow] {
        &self.rows
    }

    /// The announced retirement of `provider`'s `model`, if any.
    pub fn lookup(&self, provider: &str, model: &str) -> Option<Retirement> {
        let row = self
            .rows
            .iter()
            .find(|r| r.provider == provider && r.model == model)?;
        let retirement = Retirement::new(&row.model, row.retires_on, FactSource::Catalog);
        Some(match &row.successor {
            Some(s) => retirement.with_successor(s),
            None => retirement,
        })
    }

    /// `lifecycle` with the catalog's retirement added where the API gave
    /// none.
    pub fn fill(&self, provider: &str, model: &str, mut lifecycle: Lifecycle) -> Lifecycle {
        if lifecycle.retirement.is_none() {
            lifecycle.retirement = self.lookup(provider, model);
        }
        lifecycle
    }
}

/// A TOML date (`2026-06-01`) or a `YYYY-MM-DD` string.
fn toml_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    let value = toml::Value::deserialize(d)?;
    let text = match &value {
        toml::Value::Datetime(dt) => dt.to_string(),
        toml::Value::String(s) => s.clone(),
        other => return Err(serde::de::Error::custom(format!("{other} is not a date"))),
    };
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(&text, format).map_err(|e| serde::de::Error::custom(format!("{text:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Catalog;
    use time::macros::date;

    #[test]
    fn every_builtin_row_has_a_known_provider_a_source_and_dates() {
        let catalog = RetirementCatalog::builtin();
        assert!(!catalog.rows().is_empty());
        let providers = Catalog::builtin();
        for r in catalog.rows() {
            assert!(providers.get(&r.provider).is_some(), "{}", r.provider);
            assert!(r.source.starts_with("https://"), "{}", r.model);
        }
    }

    #[test]
    fn a_row_without_a_source_or_a_date_is_refused() {
        let no_source = "[[retirement]]\nprovider = \"openai\"\nmodel = \"m\"\n\
                         retires_on = 2027-01-01\nread_on = 2026-12-07\n";
        assert!(RetirementCatalog::parse(no_source).is_err());
        let blank_source = format!("{no_source}source = \"\"\n");
        assert!(RetirementCatalog::parse(&blank_source).is_err());
        let no_date = "[[retirement]]\nprovider = \"openai\"\nmodel = \"m\"\n\
                       source = \"https://example.com\"\nread_on = 2026-12-07\n";
        assert!(RetirementCatalog::parse(no_date).is_err());
        let no_read_on = "[[retirement]]\nprovider = \"openai\"\nmodel = \"m\"\n\
                          retires_on = 2027-01-01\nsource = \"https://example.com\"\n";
        assert!(RetirementCatalog::parse(no_read_on).is_err());
        let whole = format!("{no_read_on}read_on = 2026-12-07\n");
        assert!(RetirementCatalog::parse(&whole).is_ok());
    }

    #[test]
    fn an_api_answer_wins_over_the_catalog() {
        let catalog = RetirementCatalog::builtin();
        let filled = catalog.fill("gemini", "gemini-2.5-flash", Lifecycle::default());
        let r = filled.retirement.unwrap();
        assert_eq!(
            (r.retires_on, r.source, r.successor.as_deref()),
            (
                date!(2026 - 10 - 16),
                FactSource::Catalog,
                Some("gemini-3.5-flash")
            )
        );
        let api = Lifecycle {
            retirement: Some(Retirement::new(
                "gemini-2.5-flash",
                date!(2027 - 01 - 01),
                FactSource::Api,
            )),
            ..Lifecycle::default()
        };
        assert_eq!(catalog.fill("gemini", "gemini-2.5-flash", api.clone()), api);
        assert!(catalog.lookup("mistral", "gemini-2.5-flash").is_none());
    }
}
