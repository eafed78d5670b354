//! Lifecycle facts read from the providers' own free answers, and the
//! verdicts they decide. Each shape below was checked against the
//! provider's documentation:
//!
//! - OpenAI get-one-model and list entries: `shutdown_date` (`YYYY-MM-DD` or
//!   null) — <https://developers.openai.com/api/reference/resources/models/methods/retrieve>
//! - Azure OpenAI `GET {endpoint}/openai/models?api-version=…` entries:
//!   `lifecycle_status`, `deprecation.inference` (Unix seconds) —
//!   <https://learn.microsoft.com/en-us/rest/api/azureopenai/models/list>
//! - Mistral `GET /v1/models` entries: `deprecation` (ISO 8601) and
//!   `deprecation_replacement_model` — Mistral's OpenAPI `BaseModelCard`,
//!   <https://docs.mistral.ai/api/#tag/models>
//! - OpenRouter `GET /api/v1/key`: `data.limit`, `limit_remaining`, `usage`
//!   (USD), `expires_at`, and `disabled` where the key object carries it —
//!   <https://openrouter.ai/docs/api/api-reference/api-keys/get-current-key>;
//!   its models list entries: `expiration_date` (`YYYY-MM-DD`) —
//!   <https://openrouter.ai/docs/api/api-reference/models/get-models>
//! - xAI `GET /v1/api-key` (with the key itself): `api_key_blocked`,
//!   `api_key_disabled`, `team_blocked`, `acls` (`api-key:model:<name>`,
//!   `api-key:model:*`) — <https://docs.x.ai/docs/api-reference#api-key>,
//!   <https://docs.x.ai/developers/management-api-guide>
//! - DeepSeek `GET /user/balance`: `is_available`, `balance_infos[]`
//!   (`currency`, `total_balance` as a decimal string) —
//!   <https://api-docs.deepseek.com/api/get-user-balance>
//!
//! An entry's fields are read by name, not by provider: no two providers
//! give one name two meanings.

use serde_json::Value;
use time::{Date, OffsetDateTime};

use super::outcome::Verdict;
use crate::domain::catalog::KeyFactsShape;
use crate::domain::{
    Credit, FactSource, KeyFacts, Lifecycle, ProviderSpec, Retirement, TestStatus,
};

/// The ACL entry prefix of a model xAI lets a key use.
const XAI_MODEL_ACL: &str = "api-key:model:";

/// The retirement a model object or list entry announces, if any.
pub fn retirement(entry: &Value, model: &str) -> Option<Retirement> {
    let text = |k: &str| entry.get(k).and_then(Value::as_str);
    let on = text("shutdown_date")
        .or_else(|| text("expiration_date"))
        .or_else(|| text("deprecation"))
        .and_then(day)
        .or_else(|| {
            let secs = entry.get("deprecation")?.get("inference")?.as_i64()?;
            Some(OffsetDateTime::from_unix_timestamp(secs).ok()?.date())
        })?;
    let retirement = Retirement::new(model, on, FactSource::Api);
    Some(match text("deprecation_replacement_model") {
        Some(successor) if !successor.is_empty() => retirement.with_successor(successor),
        _ => retirement,
    })
}

/// The facts of OpenRouter's key object (`data`), and whether it says the
/// key is disabled.
pub fn openrouter_key(data: &Value) -> (Lifecycle, bool) {
    let number = |k: &str| data.get(k).and_then(Value::as_f64);
    let credit = Credit {
        limit: number("limit"),
        remaining: number("limit_remaining"),
        usage: number("usage"),
        currency: Some("USD".to_string()),
    };
    let known = credit.limit.is_some() || credit.remaining.is_some() || credit.usage.is_some();
    let lifecycle = Lifecycle {
        retirement: None,
        credit: known.then_some(credit),
        key_expires_at: data
            .get("expires_at")
            .and_then(Value::as_str)
            .and_then(|t| crate::domain::timestamp::parse(t).ok()),
    };
    let disabled = data.get("disabled").and_then(Value::as_bool) == Some(true);
    (lifecycle, disabled)
}

/// The facts of a key endpoint's answer, or `None` when it is not the
/// documented shape.
pub fn key_facts(shape: KeyFactsShape, json: &Value) -> Option<KeyFacts> {
    match shape {
        KeyFactsShape::XaiKey => xai_key(json),
        KeyFactsShape::DeepseekBalance => deepseek_balance(json),
    }
}

fn xai_key(json: &Value) -> Option<KeyFacts> {
    let flag = |k: &str| json.get(k).and_then(Value::as_bool);
    // All three flags are required fields of the documented answer.
    let flags = [
        ("api_key_blocked", flag("api_key_blocked")?),
        ("api_key_disabled", flag("api_key_disabled")?),
        ("team_blocked", flag("team_blocked")?),
    ];
    let models: Vec<String> = json
        .get("acls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|acl| acl.as_str()?.strip_prefix(XAI_MODEL_ACL))
        .map(str::to_string)
        .collect();
    Some(KeyFacts {
        blocked_by: flags
            .iter()
            .find(|(_, set)| *set)
            .map(|(name, _)| (*name).to_string()),
        // No model entry says nothing about models; `*` allows them all.
        models_allowed: (!models.is_empty() && !models.iter().any(|m| m == "*")).then_some(models),
        ..KeyFacts::default()
    })
}

fn deepseek_balance(json: &Value) -> Option<KeyFacts> {
    let available = json.get("is_available")?.as_bool()?;
    let infos = json.get("balance_infos")?.as_array()?;
    // One balance per currency; USD where there is one, else the first.
    let info = infos
        .iter()
        .find(|i| i.get("currency").and_then(Value::as_str) == Some("USD"))
        .or_else(|| infos.first());
    let credit = info.map(|i| Credit {
        remaining: i
            .get("total_balance")
            .and_then(Value::as_str)
            .and_then(|t| t.trim().parse().ok()),
        currency: i
            .get("currency")
            .and_then(Value::as_str)
            .map(str::to_string),
        ..Credit::default()
    });
    Some(KeyFacts {
        credit,
        cannot_pay: !available,
        ..KeyFacts::default()
    })
}

/// The provider says the key is blocked or disabled.
pub fn blocked(spec: &ProviderSpec, flag: &str) -> Verdict {
    Verdict::new(
        TestStatus::BlockedKey,
        format!(
            "{} reports this API key as blocked ({flag} is set on its key endpoint), so it \
             cannot be used. Replace the key, or ask the provider why it was blocked.",
            spec.name
        ),
    )
}

/// OpenRouter marks the key disabled.
pub fn disabled(spec: &ProviderSpec) -> Verdict {
    blocked(spec, "disabled")
}

/// The key's ACL does not name the model.
pub fn not_allowed(spec: &ProviderSpec, model: &str) -> Verdict {
    Verdict::new(
        TestStatus::PermissionDenied,
        format!(
            "The API key is valid but its access list on {} does not allow model {model:?}. \
             Add the model to the key's ACL, or use a key that allows it.",
            spec.name
        ),
    )
}

/// The account cannot pay for calls.
pub fn cannot_pay(spec: &ProviderSpec) -> Verdict {
    Verdict::new(
        TestStatus::Quota,
        format!(
            "The API key is valid but {} says its balance cannot pay for API calls \
             (is_available is false). Top up the account, then test again.",
            spec.name
        ),
    )
}

/// `YYYY-MM-DD`, alone or at the start of an ISO 8601 time.
fn day(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.get(..10)?, format).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::date;

    #[test]
    fn each_documented_retirement_shape_reads() {
        let openai = json!({"id": "gpt-4o", "shutdown_date": "2027-03-01"});
        assert_eq!(
            retirement(&openai, "gpt-4o").unwrap().retires_on,
            date!(2027 - 03 - 01)
        );
        assert!(retirement(&json!({"id": "gpt-4o", "shutdown_date": null}), "gpt-4o").is_none());
        let mistral = json!({"id": "m", "deprecation": "2026-11-30T12:00:00Z",
                             "deprecation_replacement_model": "mistral-medium-2508"});
        let r = retirement(&mistral, "m").unwrap();
        assert_eq!(r.retires_on, date!(2026 - 11 - 30));
        assert_eq!(r.successor.as_deref(), Some("mistral-medium-2508"));
        let azure = json!({"id": "gpt-4o", "lifecycle_status": "generally-available",
                           "deprecation": {"fine_tune": 1677662127, "inference": 1709284527}});
        assert_eq!(
            retirement(&azure, "gpt-4o").unwrap().retires_on,
            date!(2024 - 03 - 01)
        );
        let openrouter = json!({"id": "z-ai/glm-4.7", "expiration_date": "2026-12-31"});
        assert_eq!(
            retirement(&openrouter, "z-ai/glm-4.7").unwrap().retires_on,
            date!(2026 - 12 - 31)
        );
    }

    #[test]
    fn key_endpoints_read_as_documented() {
        let (l, disabled) = openrouter_key(&json!({"limit": 100, "limit_remaining": 4.0,
            "usage": 96.0, "expires_at": "2027-01-02T00:00:00Z"}));
        assert!(!disabled);
        assert_eq!(l.credit.unwrap().fraction_left(), Some(0.04));
        assert!(l.key_expires_at.is_some());
        assert!(openrouter_key(&json!({"disabled": true})).1);

        let xai = json!({"acls": ["api-key:model:grok-3", "api-key:endpoint:*"],
            "api_key_blocked": false, "api_key_disabled": true, "team_blocked": false});
        let facts = key_facts(KeyFactsShape::XaiKey, &xai).unwrap();
        assert_eq!(facts.blocked_by.as_deref(), Some("api_key_disabled"));
        assert!(facts.allows("grok-3") && !facts.allows("grok-4"));
        assert!(key_facts(KeyFactsShape::XaiKey, &json!({"acls": []})).is_none());

        let deepseek = json!({"is_available": false, "balance_infos": [
            {"currency": "CNY", "total_balance": "110.00"},
            {"currency": "USD", "total_balance": "0.00"}]});
        let facts = key_facts(KeyFactsShape::DeepseekBalance, &deepseek).unwrap();
        assert!(facts.cannot_pay);
        let credit = facts.credit.unwrap();
        assert_eq!(
            (credit.remaining, credit.currency.as_deref()),
            (Some(0.0), Some("USD"))
        );
    }
}
