//! The key-usage map's query, the same on both engines: every config with
//! its key's mask and fingerprint and its last test, in one scan (no key
//! is opened). Grouping is [`crate::domain::key_map::group`].

use super::StoreError;
use super::columns::Columns;
use super::rows::last_test_from;
use crate::domain::KeyUse;

/// Every config with its last test.
pub const KEY_USES: &str = "SELECT c.scope AS scope, c.provider AS provider, c.model AS model, \
     c.api_key_masked AS api_key_masked, c.key_fingerprint AS key_fingerprint, \
     t.success AS test_success, t.provider AS test_provider, t.model AS test_model, \
     t.status AS test_status, t.message AS test_message, t.latency_ms AS test_latency_ms, \
     t.checked_at AS test_checked_at, t.lifecycle AS test_lifecycle \
     FROM configs c LEFT JOIN last_tests t ON t.scope = c.scope";

/// One row of [`KEY_USES`].
pub(crate) fn key_use_from(r: &impl Columns) -> Result<KeyUse, StoreError> {
    let scope = r.text("scope")?;
    Ok(KeyUse {
        instance_id: (!scope.is_empty()).then_some(scope),
        provider: r.text("provider")?,
        model: r.text("model")?,
        api_key_masked: r.text("api_key_masked")?,
        key_fingerprint: r.text("key_fingerprint")?,
        last_test: last_test_from(r)?,
    })
}
