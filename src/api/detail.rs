//! Error bodies as any seed-compatible server writes them: ours and the
//! seed's `{"detail": "text"}`, and FastAPI/pydantic's validation list
//! `{"detail": [{"loc": ["body", "model"], "msg": "…", "type": "…"}]}`.

use serde::Deserialize;

/// The `detail` of an error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// One human message.
    Text(String),
    /// One entry per rejected field (FastAPI's 422).
    Fields(Vec<FieldProblem>),
}

/// One entry of a FastAPI validation list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field path without the leading `body`/`header`/`query` part,
    /// joined with `.` (`model`, `base_url`, `items.0.name`).
    pub field: String,
    /// The server's message.
    pub message: String,
}

#[derive(Deserialize)]
struct Body {
    detail: RawDetail,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDetail {
    Text(String),
    List(Vec<RawProblem>),
}

#[derive(Deserialize)]
struct RawProblem {
    #[serde(default)]
    loc: Vec<serde_json::Value>,
    #[serde(default)]
    msg: String,
}

/// Where a FastAPI `loc` starts; these name the request part, not a field.
const LOCATION_ROOTS: &[&str] = &["body", "header", "query", "path", "cookie"];

impl Detail {
    /// Reads an error body; `None` when it is not one of the two shapes.
    pub fn parse(body: &[u8]) -> Option<Detail> {
        let body: Body = serde_json::from_slice(body).ok()?;
        Some(match body.detail {
            RawDetail::Text(text) => Detail::Text(text),
            RawDetail::List(list) => Detail::Fields(
                list.into_iter()
                    .map(|p| {
                        let parts: Vec<String> = p
                            .loc
                            .iter()
                            .map(|v| match v {
                                serde_json::Value::String(s) => s.clone(),
                                other => other.to_string(),
                            })
                            .collect();
                        let skip = usize::from(
                            parts.len() > 1 && LOCATION_ROOTS.contains(&parts[0].as_str()),
                        );
                        let field = parts[skip..].join(".");
                        FieldProblem {
                            field: if field.is_empty() {
                                "body".into()
                            } else {
                                field
                            },
                            message: p.msg,
                        }
                    })
                    .collect(),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_text_and_fastapi_lists() {
        assert_eq!(
            Detail::parse(br#"{"detail":"LLM config not found"}"#),
            Some(Detail::Text("LLM config not found".into()))
        );
        let list = br#"{"detail":[
            {"loc":["body","model"],"msg":"Field required","type":"missing"},
            {"loc":["body","api_key"],"msg":"String should have at least 1 character","type":"string_too_short","ctx":{"min_length":1}},
            {"loc":["header","x-instance-id"],"msg":"bad","type":"x"},
            {"loc":["body"],"msg":"Input should be a valid dictionary","type":"dict_type"}
        ]}"#;
        let Some(Detail::Fields(f)) = Detail::parse(list) else {
            panic!("not a list")
        };
        let fields: Vec<_> = f.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["model", "api_key", "x-instance-id", "body"]);
        assert_eq!(f[0].message, "Field required");
        assert_eq!(Detail::parse(b"<html>oops</html>"), None);
        assert_eq!(Detail::parse(br#"{"error":"x"}"#), None);
    }
}
