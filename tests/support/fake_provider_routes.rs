//! The fake provider's answers once a request is authenticated: the paths
//! of each flavor (get one model, the paginated list, OpenRouter's key
//! endpoint, Ollama's tags) and the huge streamed body.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::errors::not_found;
use super::facts::entry;
use super::{Canned, Config, Flavor, Shared};

pub(super) fn route(
    flavor: Flavor,
    cfg: &Config,
    path: &str,
    params: &HashMap<String, String>,
) -> Response {
    if let Some(answer) = super::facts::key_endpoint(flavor, cfg, path) {
        return answer;
    }
    if flavor == Flavor::Ollama && path.ends_with("/api/tags") {
        let models: Vec<Value> = cfg
            .models
            .iter()
            .map(|m| json!({"name": m, "model": m, "size": 1, "digest": "abc"}))
            .collect();
        return Canned::json(200, json!({ "models": models })).respond();
    }
    if let Some((_, id)) = path.rsplit_once("/models/") {
        let id = percent_decode(id);
        let has_get = matches!(
            flavor,
            Flavor::Anthropic | Flavor::OpenAi | Flavor::XAi | Flavor::Gemini
        );
        if !has_get || cfg.no_get_model {
            return Canned::text(404, "404 page not found").respond();
        }
        let id = id.strip_prefix("models/").unwrap_or(&id).to_string();
        return if cfg.models.contains(&id) {
            Canned::json(200, entry(flavor, cfg, &id)).respond()
        } else {
            not_found(flavor, &id)
        };
    }
    if path.ends_with("/models") {
        return list(flavor, cfg, params);
    }
    Canned::text(404, "404 page not found").respond()
}

fn list(flavor: Flavor, cfg: &Config, params: &HashMap<String, String>) -> Response {
    let asked = |name: &str| params.get(name).and_then(|v| v.parse::<usize>().ok());
    let size = |requested: Option<usize>| {
        let cap = if cfg.page_size == 0 {
            usize::MAX
        } else {
            cfg.page_size
        };
        requested.unwrap_or(cap).min(cap)
    };
    let all = &cfg.models;
    match flavor {
        Flavor::Anthropic => {
            let start = params
                .get("after_id")
                .and_then(|a| all.iter().position(|m| m == a).map(|i| i + 1))
                .unwrap_or(0);
            let end = (start + size(asked("limit").or(Some(20)))).min(all.len());
            let page = &all[start..end];
            let data: Vec<Value> = page.iter().map(|m| entry(flavor, cfg, m)).collect();
            Canned::json(200, json!({"data": data, "has_more": end < all.len(), "first_id": page.first(), "last_id": page.last()})).respond()
        }
        Flavor::Gemini | Flavor::Cohere => {
            let (size_param, token_param, next_field) = if flavor == Flavor::Gemini {
                ("pageSize", "pageToken", "nextPageToken")
            } else {
                ("page_size", "page_token", "next_page_token")
            };
            let start = params
                .get(token_param)
                .and_then(|t| t.strip_prefix("tok-")?.parse().ok())
                .unwrap_or(0usize)
                .min(all.len());
            let end = (start + size(asked(size_param).or(Some(50)))).min(all.len());
            let models: Vec<Value> = all[start..end]
                .iter()
                .map(|m| entry(flavor, cfg, m))
                .collect();
            let mut body = json!({ "models": models });
            if end < all.len() {
                body[next_field] = json!(format!("tok-{end}"));
            }
            Canned::json(200, body).respond()
        }
        Flavor::Together => {
            let arr: Vec<Value> = all
                .iter()
                .map(
                    |m| json!({"id": m, "object": "model", "type": "chat", "context_length": 8192}),
                )
                .collect();
            Canned::json(200, Value::Array(arr)).respond()
        }
        _ => {
            let data: Vec<Value> = all.iter().map(|m| entry(flavor, cfg, m)).collect();
            Canned::json(200, json!({"object": "list", "data": data})).respond()
        }
    }
}

pub(super) fn huge(shared: Arc<Shared>, total: usize) -> Response {
    use futures_util::StreamExt;
    const CHUNK_BYTES: usize = 64 * 1024;
    let chunk = Bytes::from(vec![b' '; CHUNK_BYTES]);
    let chunks = total.div_ceil(CHUNK_BYTES);
    let head = futures_util::stream::once(async {
        Ok::<_, std::convert::Infallible>(Bytes::from_static(b"{\"data\":["))
    });
    let body = futures_util::stream::iter(0..chunks).map(move |_| {
        shared.huge_sent.fetch_add(CHUNK_BYTES, Ordering::SeqCst);
        Ok::<_, std::convert::Infallible>(chunk.clone())
    });
    let stream = head.chain(body);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response()
}

pub(super) fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
