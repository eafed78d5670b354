//! A key pasted into the wrong field is refused without being repeated
//!: as the rotation's `fingerprint`, as a `provider`, as the
//! value of an enum field (`mode`), or as a field name. Each answer names
//! the field and the rule, never the value; and the rotation's key field is
//! named as the body names it, `new_api_key`.

mod server_support;

use llmcfg::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;
use server_support::TestServer;
use server_support::http::Api;

/// A key in the shape users paste: long, with a well-known prefix.
const PASTED: &str = "sk-ant-api03-Pasted9Into8The7Wrong6Field5";
/// A key short enough to pass as a backticked token before the fix.
const SHORT_PASTED: &str = "sk-ant-x7Tq9";

fn assert_not_echoed(body: &str) {
    for key in [PASTED, SHORT_PASTED, "Pasted9Into8"] {
        assert!(!body.contains(key), "the key came back: {body}");
    }
}

#[tokio::test]
async fn rotate_key_refuses_a_key_given_as_the_fingerprint_without_repeating_it() {
    let server = TestServer::start(&[]).await;
    let api = Api::new(&server, server.token("admin", Role::Superadmin).await);
    let r = api
        .send(
            api.req(Method::POST, "/llm-config/rotate-key")
                .json(&json!({
                    "fingerprint": PASTED,
                    "new_api_key": "sk-proj-Nw4Rt8Yu2Io6Pa9Sd3Fg7Hj1Kl5Zx0CvQm",
                })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.detail().contains("fingerprint"), "{}", r.body);
    assert_not_echoed(&r.body);
}

#[tokio::test]
async fn enum_and_provider_fields_do_not_repeat_a_pasted_key() {
    let server = TestServer::start(&[]).await;
    let api = Api::new(&server, server.token("admin", Role::Superadmin).await);
    for value in [PASTED, SHORT_PASTED] {
        let r = api
            .send(
                api.req(Method::POST, "/llm-config/rotate-key")
                    .json(&json!({
                        "fingerprint": "hmac:00",
                        "new_api_key": "sk-proj-Nw4Rt8Yu2Io6Pa9Sd3Fg7Hj1Kl5Zx0CvQm",
                        "mode": value,
                    })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.detail().contains("mode"), "{}", r.body);
        assert_not_echoed(&r.body);

        let r = api
            .post(
                None,
                json!({"provider": value, "model": "m", "api_key": "sk-real-0123456789abcdefgh"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.detail().contains("provider"), "{}", r.body);
        assert_not_echoed(&r.body);

        let mut fields = serde_json::Map::new();
        fields.insert(value.to_string(), json!(1));
        let r = api.patch(None, serde_json::Value::Object(fields)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_not_echoed(&r.body);
    }
    // A typo that is not a key is still named, so it can be corrected.
    let r = api
        .post(
            None,
            json!({"provider": "openia", "model": "m", "api_key": "sk-real-0123456789abcdefgh"}),
        )
        .await;
    assert!(r.detail().contains("\"openia\""), "{}", r.body);
}

#[tokio::test]
async fn the_rotation_names_its_key_field_new_api_key() {
    let server = TestServer::start(&[]).await;
    let api = Api::new(&server, server.token("admin", Role::Superadmin).await);
    let r = api
        .send(
            api.req(Method::POST, "/llm-config/rotate-key")
                .json(&json!({
                    "fingerprint": "hmac:00",
                    "new_api_key": "sk-line\nbreak-0123456789abcdef",
                })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let detail = r.detail();
    assert!(detail.contains("new_api_key"), "{detail}");
    assert!(
        !detail.replace("new_api_key", "").contains("api_key"),
        "{detail}"
    );

    // The new key is the one it would replace: a valid body, in conflict
    // with what is stored (only the store's fingerprint key tells), so 409.
    let key = "sk-proj-Nw4Rt8Yu2Io6Pa9Sd3Fg7Hj1Kl5Zx0CvQm";
    let r = api
        .post(
            None,
            json!({"provider": "openai", "model": "gpt-4o", "api_key": key}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let keys = api
        .send(api.req(Method::GET, "/llm-config/keys"))
        .await
        .json();
    let fingerprint = keys[0]["key_fingerprint"].as_str().unwrap().to_string();
    let r = api
        .send(
            api.req(Method::POST, "/llm-config/rotate-key")
                .json(&json!({"fingerprint": fingerprint, "new_api_key": key})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.detail().starts_with("invalid new_api_key: "),
        "{}",
        r.body
    );
    assert!(!r.body.contains(key), "the key came back: {}", r.body);
}
