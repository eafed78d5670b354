//! The error-body reader against each framework's shapes.

use super::*;

fn read(s: &str) -> ErrorBody {
    ErrorBody::read(s.as_bytes())
}

#[test]
fn every_framework_shape_gives_its_messages_and_fields() {
    let cases: &[(&str, Shape, &str)] = &[
        (
            r#"{"detail":"LLM config not found"}"#,
            Shape::Detail,
            "LLM config not found",
        ),
        (
            r#"{"detail":[{"loc":["body","model"],"msg":"Field required","type":"missing"},{"loc":["body"],"msg":"bad","type":"x"}]}"#,
            Shape::DetailList,
            "model: Field required; body: bad",
        ),
        (
            r##"{"type":"about:blank","title":"Bad Request","status":400,"detail":"Invalid body","errors":[{"pointer":"#/model","detail":"is too long"}]}"##,
            Shape::Problem,
            "Invalid body; model: is too long",
        ),
        (
            r#"{"statusCode":400,"message":["provider must be one of a, b","model must be shorter than or equal to 100 characters"],"error":"Bad Request"}"#,
            Shape::Message,
            "provider must be one of a, b; model must be shorter than or equal to 100 characters",
        ),
        (
            r#"{"timestamp":"2026-01-01T00:00:00.000+00:00","status":404,"error":"Not Found","message":"","path":"/x"}"#,
            Shape::Spring,
            "Not Found",
        ),
        (
            r#"{"message":"The model field is required. (and 1 more error)","errors":{"model":["The model field is required."],"api_key":["The api key field is required."]}}"#,
            Shape::Laravel,
            // serde_json's maps are sorted: fields come in name order.
            "api_key: The api key field is required.; model: The model field is required.",
        ),
        (
            r#"{"errors":["Model can't be blank","Provider is not included in the list"]}"#,
            Shape::Rails,
            "Model can't be blank; Provider is not included in the list",
        ),
        (
            r#"{"errors":{"model":["can't be blank"]}}"#,
            Shape::Rails,
            "model: can't be blank",
        ),
        (
            r#"{"model":["Ensure this field has no more than 100 characters."],"non_field_errors":["Bad"]}"#,
            Shape::FieldDict,
            "Bad; model: Ensure this field has no more than 100 characters.",
        ),
        (r#"{"error":"rate limited"}"#, Shape::Error, "rate limited"),
        (
            r#"{"error":{"message":"Invalid model","param":"model"}}"#,
            Shape::Error,
            "model: Invalid model",
        ),
        (
            r#"{"error":{"code":500,"message":"boom"}}"#,
            Shape::Error,
            "boom",
        ),
    ];
    for (raw, shape, text) in cases {
        let b = read(raw);
        assert_eq!(b.shape, *shape, "{raw}");
        assert_eq!(b.text().as_deref(), Some(*text), "{raw}");
    }
}

#[test]
fn anything_else_is_unknown_and_quoted_by_its_first_line() {
    for raw in ["<html><body>oops</body></html>", "", "[1,2]", r#"{"a":1}"#] {
        assert_eq!(read(raw).shape, Shape::Unknown, "{raw}");
        assert_eq!(read(raw).text(), None, "{raw}");
    }
    assert_eq!(
        first_line(b"\n  <h1>Bad gateway</h1>\nmore"),
        "<h1>Bad gateway</h1>"
    );
    let long = "x".repeat(1000);
    assert_eq!(first_line(long.as_bytes()).chars().count(), QUOTE_CHARS + 1);
}

#[test]
fn routers_404s_are_told_from_an_applications() {
    for raw in [
        r#"{"detail":"Not Found"}"#,
        r#"{"statusCode":404,"message":"Cannot POST /llm-config/test-connection","error":"Not Found"}"#,
        r#"{"timestamp":"t","status":404,"error":"Not Found","message":"","path":"/x"}"#,
        r#"{"message":"The route api/x could not be found."}"#,
        r#"{"error":"No route matches [POST] \"/x\""}"#,
        "404 page not found",
        "<!DOCTYPE html><pre>Cannot POST /x</pre>",
    ] {
        assert!(read(raw).says_route_missing(404), "{raw}");
    }
    for raw in [
        r#"{"statusCode":404,"message":"No LLM configuration found","error":"Not Found"}"#,
        r#"{"detail":"LLM config not found"}"#,
    ] {
        assert!(!read(raw).says_route_missing(404), "{raw}");
    }
    assert!(read(r#"{"detail":"Method Not Allowed"}"#).says_route_missing(405));
}
