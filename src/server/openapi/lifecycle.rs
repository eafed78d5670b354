//! The schemas of the lifecycle facts a test result may carry (a model's
//! retirement, a key's credit and expiry): every property optional, as the
//! serialized [`crate::domain::Lifecycle`] leaves out what is unknown.

use serde_json::{Map, Value, json};

use super::fields::{reference, string, time};

/// The `Lifecycle`, `Retirement` and `Credit` schemas, by name.
pub fn schemas() -> Map<String, Value> {
    let number = || json!({"type": "number"});
    let mut m = Map::new();
    m.insert(
        "Retirement".into(),
        json!({
            "type": "object",
            "required": ["model", "retires_on", "source"],
            "properties": {
                "model": string(),
                "retires_on": {"type": "string", "format": "date"},
                "successor": string(),
                "source": {"type": "string", "enum": ["api", "catalog"]},
            },
        }),
    );
    m.insert(
        "Credit".into(),
        json!({
            "type": "object",
            "properties": {
                "limit": number(), "remaining": number(), "usage": number(),
                "currency": string(),
            },
        }),
    );
    m.insert(
        "Lifecycle".into(),
        json!({
            "type": "object",
            "description": "What the provider (or the dated catalog) says about the model's \
                            retirement and the key's credit and expiry; unknown facts are absent",
            "properties": {
                "retirement": reference("Retirement"),
                "credit": reference("Credit"),
                "key_expires_at": time(),
            },
        }),
    );
    m
}
