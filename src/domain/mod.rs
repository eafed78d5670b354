//! Pure domain types, no I/O: scopes, configuration shapes, the provider
//! catalog, masking, validation and the secret type that carries API keys.
//!
//! Everything here is deterministic and tested in-file; the layers above
//! (crypto, store, service) build on these types and never re-implement a rule.

pub mod audit;
pub mod catalog;
pub mod config;
pub mod echo;
pub mod health;
pub mod instances;
pub mod key_facts;
pub mod key_map;
pub mod lifecycle;
pub mod lifecycle_alert;
pub mod lifecycle_risk;
pub mod mask;
pub mod provider_rule;
pub mod record_id;
pub mod retirements;
pub mod scope;
pub mod secret;
pub mod stamp;
pub mod test_result;
pub mod timestamp;
pub mod token;
pub mod utc_text;
pub mod validation;
pub mod version;

pub use audit::{AuditAction, AuditEntry};
pub use catalog::{AuthStyle, BaseUrlRule, Catalog, ProviderSpec};
pub use config::{
    ConfigFields, ConfigPatch, ConfigView, FIELDS, FieldRule, FieldSpec, InstanceSummary,
    NewConfig, Presence, Rekey, SentAs, TOKEN_PATTERN, ViewRecord, Wire,
};
pub use health::{
    HealthCheck, HealthPolicy, HealthRetention, HealthSample, HealthState, HealthStatus, Transition,
};
pub use key_facts::{KEY_FACTS_MAX_AGE, KeyFacts, KeyFactsRecord};
pub use key_map::{KeyGroup, KeyUse};
pub use lifecycle::{Credit, FactSource, Lifecycle, LifecycleWindow, Retirement};
pub use lifecycle_alert::AlertMark;
pub use mask::mask_key;
pub use provider_rule::ProviderRule;
pub use record_id::RecordId;
pub use retirements::RetirementCatalog;
pub use scope::{InstanceId, Scope};
pub use secret::ApiKey;
pub use stamp::StateStamp;
pub use test_result::{TestResult, TestStatus};
pub use token::{IssuedToken, Role, TokenInfo};
pub use validation::ValidationError;
pub use version::{Retention, VersionEntry};
