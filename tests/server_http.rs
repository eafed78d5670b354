//! Raw HTTP tests of the config routes against a real server on
//! 127.0.0.1:0: every status of design §3, the scope header, tenant
//! isolation and body rejections, with the key never in a response.

mod server_support;

use llmcfg::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use server_support::http::Api;
use server_support::{SECRET_KEY, TestServer};

fn anthropic() -> Value {
    json!({"provider": "anthropic", "model": "claude-sonnet-4-5", "api_key": SECRET_KEY})
}

#[tokio::test]
async fn crud_statuses_and_scope_header() {
    let server = TestServer::start(&[]).await;
    let api = Api::new(&server, server.token("admin", Role::Superadmin).await);

    // GET on an empty scope → 200 null.
    let r = api.get(None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "null"));

    // Present but empty or invalid X-Instance-Id → 400, never global.
    for bad in ["", "   ", ".dot", "-dash", "a b", "acme/x"] {
        let r = api.get(Some(bad)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad:?}");
        assert!(r.detail().contains("X-Instance-Id"), "{}", r.detail());
        let r = api.post(Some(bad), anthropic()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad:?}");
    }
    let r = api
        .send(
            api.req(Method::GET, "/llm-config/")
                .header("X-Instance-Id", "a")
                .header("X-Instance-Id", "b"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Nothing was written by the refused requests.
    assert_eq!(api.get(None).await.body, "null");

    // POST → 201 with the mask; again → 409.
    let r = api.post(None, anthropic()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let view = r.json();
    assert_eq!(view["api_key_masked"], "sk-ant-...WXYZ");
    assert_eq!(view["instance_id"], Value::Null);
    assert!(view.get("api_key").is_none());
    let r = api.post(None, anthropic()).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.detail().contains("already has"));

    // Tenant isolation: acme sees null, then its own config only.
    assert_eq!(api.get(Some("acme")).await.body, "null");
    let r = api
        .post(
            Some("acme"),
            json!({"provider": "openai", "model": "gpt-4o", "api_key": "sk-proj-0123456789abcdefghij-TENANT"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(api.get(Some("acme")).await.json()["provider"], "openai");
    // HEAD answers as GET does, without the body.
    let r = api
        .send(api.scoped(Method::HEAD, "/llm-config/", Some("acme")))
        .await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, ""));
    assert_eq!(api.get(None).await.json()["provider"], "anthropic");
    assert_eq!(api.get(Some("other")).await.body, "null");

    // PATCH → 200 keeping fields; on an empty scope → 404; invalid → 422.
    let r = api
        .send(
            api.scoped(Method::PATCH, "/llm-config/", Some("acme"))
                .json(&json!({"model": "gpt-4.1"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["model"], "gpt-4.1");
    assert_eq!(r.json()["provider"], "openai");
    let r = api
        .send(
            api.scoped(Method::PATCH, "/llm-config/", Some("nobody"))
                .json(&json!({"model": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = api
        .send(
            api.scoped(Method::PATCH, "/llm-config/", Some("acme"))
                .json(&json!({"provider": "anthropic"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.detail().starts_with("invalid api_key"), "{}", r.detail());
    let r = api
        .post(
            Some("new"),
            json!({"provider": "openai", "model": "", "api_key": "k"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.detail().starts_with("invalid model"));

    // test-connection on an empty scope → 404.
    let r = api
        .send(api.scoped(Method::POST, "/llm-config/test-connection", Some("nobody")))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Extensions.
    let r = api
        .send(api.req(Method::GET, "/llm-config/instances"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let ids: Vec<Value> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["instance_id"].clone())
        .collect();
    assert_eq!(ids, vec![Value::Null, json!("acme")]);
    let r = api
        .send(api.req(Method::GET, "/llm-config/providers"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json().as_array().unwrap().len() > 5);
    let r = api
        .send(api.req(Method::GET, "/llm-config/audit?instance=acme&limit=1"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let entries = r.json();
    assert_eq!(entries.as_array().unwrap().len(), 1);
    assert_eq!(entries[0]["action"], "update");
    assert_eq!(entries[0]["actor"], "admin");
    let r = api
        .send(api.req(Method::GET, "/llm-config/audit?instance="))
        .await;
    assert!(
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["instance_id"].is_null())
    );
    let r = api
        .send(api.req(Method::GET, "/llm-config/audit?limit=0"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = api
        .send(api.req(Method::GET, "/llm-config/audit?limit=abc"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    r.detail();

    // DELETE → 204, again → 404.
    let r = api
        .send(api.scoped(Method::DELETE, "/llm-config/", Some("acme")))
        .await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::NO_CONTENT, ""));
    let r = api
        .send(api.scoped(Method::DELETE, "/llm-config/", Some("acme")))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    r.detail();

    // Unknown routes and methods still answer {"detail"}, in these words.
    let r = api.send(api.req(Method::GET, "/nope")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.detail(), "no such route");
    let r = api.send(api.req(Method::PUT, "/llm-config/")).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.detail(), "method not allowed on this route");

    api.assert_key_never_seen();
    server.stop().await;
}

#[tokio::test]
async fn body_rejections() {
    let server = TestServer::start(&[]).await;
    let api = Api::new(&server, server.token("admin", Role::Superadmin).await);
    let post = || api.req(Method::POST, "/llm-config/");

    // Malformed JSON → 400.
    let r = api
        .send(
            post()
                .header("content-type", "application/json")
                .body("{\"provider\": "),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.detail().contains("malformed JSON"));

    // Unknown field → 422 naming it.
    let mut body = anthropic();
    body["extra"] = json!(1);
    let r = api.send(post().json(&body)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.detail().contains("unknown field `extra`"),
        "{}",
        r.detail()
    );

    // Missing field → 422.
    let r = api.send(post().json(&json!({"provider": "openai"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The key in the wrong place is not echoed back.
    let r = api.send(post().json(&json!(SECRET_KEY))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Wrong or missing content type → 415.
    let r = api
        .send(
            post()
                .header("content-type", "text/plain")
                .body(anthropic().to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    r.detail();
    let r = api.send(post().body(anthropic().to_string())).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // A charset parameter is fine.
    let r = api
        .send(
            post()
                .header("content-type", "application/json; charset=utf-8")
                .body(anthropic().to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    // A 1 MiB body → 413, also on PATCH.
    let mut big = anthropic();
    big["model"] = json!("m".repeat(1024 * 1024));
    let r = api
        .send(
            api.scoped(Method::POST, "/llm-config/", Some("big"))
                .json(&big),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.detail().contains("65536"));
    let r = api
        .send(api.req(Method::PATCH, "/llm-config/").json(&big))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(api.get(Some("big")).await.body, "null");

    api.assert_key_never_seen();
    server.stop().await;
}

/// A PATCH that is valid alone but conflicts with the stored configuration
/// (clearing the base URL of a provider that has no default) is 409, so a
/// schema-driven client never sees a schema-valid body answered 422; the
/// same body for a provider with a default is accepted.
#[tokio::test]
async fn clearing_a_required_base_url_conflicts_with_the_stored_config() {
    let server = TestServer::start(&[]).await;
    let api = Api::new(&server, server.token("admin", Role::Superadmin).await);
    let azure = json!({"provider": "azure-openai", "model": "gpt-4o", "api_key": SECRET_KEY,
                       "base_url": "https://acme.openai.azure.com"});
    assert_eq!(
        api.post(Some("az"), azure).await.status,
        StatusCode::CREATED
    );
    let clear = json!({"base_url": " ", "api_key": SECRET_KEY});
    let r = api.patch(Some("az"), clear.clone()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.detail().contains("base_url"), "{}", r.detail());
    assert!(!r.body.contains(SECRET_KEY));
    // The same body alone is fine where the provider has a default.
    assert_eq!(
        api.post(Some("an"), anthropic()).await.status,
        StatusCode::CREATED
    );
    assert_eq!(api.patch(Some("an"), clear).await.status, StatusCode::OK);
    // Naming the provider in the same request is judged on the request: 422.
    let r = api
        .patch(
            Some("az"),
            json!({"provider": "azure-openai", "base_url": "", "api_key": SECRET_KEY}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // Naming that provider without a base URL depends on what is stored:
    // over its own provider the stored URL stays; over another provider,
    // which it does not inherit from, there is none: 409. The document
    // states no rule here for a patch.
    let rekey = json!({"provider": "azure-openai", "api_key": SECRET_KEY});
    assert_eq!(
        api.patch(Some("az"), rekey.clone()).await.status,
        StatusCode::OK
    );
    let r = api.patch(Some("an"), rekey).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.detail().contains("base_url"), "{}", r.detail());
    let doc = api.send(api.req(Method::GET, "/openapi.json")).await.json();
    let rules = doc["components"]["schemas"]["ConfigPatch"]["allOf"].to_string();
    assert!(!rules.contains("\"required\":[\"base_url\"]"), "{rules}");
    server.stop().await;
}
