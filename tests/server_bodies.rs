//! Body rules of every route: malformed JSON is a 400 even when
//! a type error would come first, test-connection answers 415 / 413 / 400 /
//! 422 like every other route with a body, and error answers the server
//! writes carry `{"detail"}` — the only bare ones are hyper's answers to
//! requests that are not HTTP, which never reach our code. A key named twice
//! in one object is a 400 naming it, never "the last one wins".

mod server_support;

use llmcfg::domain::Role;
use reqwest::{Method, StatusCode};
use server_support::TestServer;
use server_support::http::Api;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn malformed_json_is_400_before_any_type_error() {
    let server = TestServer::start(&[]).await;
    let api = Api::new(&server, server.token("admin", Role::Superadmin).await);
    for (method, body) in [
        (Method::POST, "["),
        (Method::POST, "[1, 2"),
        (Method::PATCH, "["),
        (Method::POST, "{\"provider\": \"openai\", \"model\": 5"),
        (Method::POST, "\"unterminated"),
    ] {
        let r = api
            .send(
                api.req(method.clone(), "/llm-config/")
                    .header("content-type", "application/json")
                    .body(body),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{method} {body:?}: {}",
            r.body
        );
        assert!(r.detail().contains("malformed JSON"), "{}", r.body);
    }
    // Well-formed JSON of the wrong shape stays a 422 naming the problem.
    let r = api
        .send(
            api.req(Method::POST, "/llm-config/")
                .header("content-type", "application/json")
                .body("[]"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = api
        .send(
            api.req(Method::POST, "/llm-config/")
                .header("content-type", "application/json")
                .body(r#"{"provider":"openai","model":"m","api_key":"k","colour":"red"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.detail().contains("colour"), "{}", r.body);
}

#[tokio::test]
async fn test_connection_checks_its_body_like_every_route() {
    let server = TestServer::start(&[]).await;
    let api = Api::new(&server, server.token("admin", Role::Superadmin).await);
    let path = "/llm-config/test-connection";
    let send = |ct: &'static str, body: Vec<u8>| {
        api.req(Method::POST, path)
            .header("content-type", ct)
            .body(body)
    };
    let r = api.send(send("text/plain", b"hello".to_vec())).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", r.body);
    assert!(!r.detail().is_empty());
    let big = format!("{{\"pad\": \"{}\"}}", "x".repeat(70 * 1024)).into_bytes();
    let r = api.send(send("application/json", big)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    let r = api.send(send("application/json", b"{".to_vec())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = api
        .send(send(
            "application/json",
            br#"{"base_url":"http://x"}"#.to_vec(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // No body, or an empty object, is the seed's request: 404 without a config.
    let r = api.send(api.req(Method::POST, path)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = api.send(send("application/json", b"{}".to_vec())).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

/// Sends raw bytes; the status line and body of the answer.
async fn raw(server: &TestServer, request: &[u8]) -> (String, String) {
    let addr = server.url.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(20), s.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (
        head.lines().next().unwrap_or("").to_string(),
        body.to_string(),
    )
}

#[tokio::test]
async fn http_level_400s_carry_detail_where_our_code_answers() {
    let server = TestServer::start(&[]).await;
    let token = server.token("admin", Role::Superadmin).await;
    // Bad query, bad header value, bad percent-encoding: answered by us.
    let requests = [
        format!(
            "GET /llm-config/audit?limit=abc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        ),
        format!(
            "GET /llm-config/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nX-Instance-Id: a b\r\nConnection: close\r\n\r\n"
        ),
        format!(
            "GET /llm-config/audit?instance=%ZZ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        ),
    ];
    for req in requests {
        let (status, body) = raw(&server, req.as_bytes()).await;
        assert!(status.contains(" 400 "), "{status} for {req:?}");
        let json: serde_json::Value =
            serde_json::from_str(body.trim()).unwrap_or_else(|_| panic!("{body:?}"));
        assert!(
            json["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{body}"
        );
    }
    // Not HTTP at all: hyper answers before any of our code (documented).
    let (status, _) = raw(&server, b"GARBAGE\r\n\r\n").await;
    assert!(status.is_empty() || status.contains(" 400 "), "{status}");
}

#[tokio::test]
async fn patch_rules_are_decided_by_the_request_as_the_document_states() {
    let server = TestServer::start(&[]).await;
    let api = Api::new(&server, server.token("admin", Role::Superadmin).await);
    let r = api
        .post(
            None,
            serde_json::json!({"provider": "openai", "model": "gpt-4o", "api_key": server_support::SECRET_KEY}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let patch = |body: &'static str| {
        api.req(Method::PATCH, "/llm-config/")
            .header("content-type", "application/json")
            .body(body)
    };
    // `null` means nothing for these fields: a type error, not "unchanged".
    for body in [
        r#"{"provider": null}"#,
        r#"{"model": null}"#,
        r#"{"api_key": null}"#,
    ] {
        let r = api.send(patch(body)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
    }
    // Naming the destination needs the key even when it is unchanged
    // (`dependentRequired` in the document).
    let r = api.send(patch(r#"{"provider": "openai"}"#)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.detail().contains("api_key"), "{}", r.body);
    let r = api.send(patch(r#"{"model": "gpt-4.1"}"#)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = api.send(patch("{}")).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "minProperties: {}",
        r.body
    );
}

#[tokio::test]
async fn a_key_named_twice_is_400_naming_the_key() {
    let server = TestServer::start(&[]).await;
    let api = Api::new(&server, server.token("admin", Role::Superadmin).await);
    for (method, body, key) in [
        (
            Method::POST,
            r#"{"provider":"openai","model":"gpt-4o","model":"o3","api_key":"sk-test-0123456789abcdefghij"}"#,
            "model",
        ),
        (Method::PATCH, r#"{"model":"a","model":"b"}"#, "model"),
    ] {
        let r = api
            .send(
                api.req(method.clone(), "/llm-config/")
                    .header("content-type", "application/json")
                    .body(body),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{method} {body}: {}",
            r.body
        );
        assert!(
            r.detail().contains(&format!("duplicate key `{key}`")),
            "{}",
            r.body
        );
        assert!(!r.body.contains("sk-test"), "{}", r.body);
    }
    // Nothing was written by either.
    let r = api.send(api.req(Method::GET, "/llm-config/")).await;
    assert_eq!(r.body.trim(), "null");
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_413_before_the_body_arrives() {
    let server = TestServer::start(&[]).await;
    let token = server.token("admin", Role::Superadmin).await;
    let addr = server.url.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    // The head promises 100 MB; one byte follows, and the client waits.
    s.write_all(
        format!(
            "POST /llm-config/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{{"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut head = vec![0u8; 512];
    // Bounded well below the 30 s request timeout whose 408 came before.
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), s.read(&mut head))
        .await
        .expect("no answer until the request timeout")
        .unwrap();
    let text = String::from_utf8_lossy(&head[..n]);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("larger than"), "{text}");
}
