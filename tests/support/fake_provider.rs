//! A fake LLM provider for tests: a real axum server on `127.0.0.1:0` that
//! enforces each auth style's headers and answers with the documented
//! success and error bodies of `providers.md` §1b. Per test it can be told
//! which keys are valid, which models exist, the page size, scripted
//! answers (once, always, or per key), a delay, never answering, a huge
//! body or a redirect. It counts requests and the most requests in flight,
//! and records which credential each request carried.
//!
//! Include it with `#[path = "support/fake_provider.rs"] mod fake_provider;`.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Which provider the fake imitates: auth header, paths and body shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `x-api-key` + `anthropic-version`; `{data, has_more, last_id}` pages.
    Anthropic,
    /// Bearer; `{object:"list", data}`; 401 `invalid_api_key`.
    OpenAi,
    /// Bearer; a bad key is a 400.
    XAi,
    /// `x-goog-api-key`; `{models:[{name:"models/…"}], nextPageToken}`.
    Gemini,
    /// `api-key` + `api-version` query; list only.
    Azure,
    /// Bearer on `/api/v1/key`; the model list is public.
    OpenRouter,
    /// Bearer; the list is a bare array.
    Together,
    /// Bearer; `{models:[{name}], next_page_token}`.
    Cohere,
    /// No auth; `/api/tags`.
    Ollama,
}

/// A canned answer.
#[derive(Debug, Clone)]
pub struct Canned {
    /// HTTP status.
    pub status: u16,
    /// Body.
    pub body: String,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
}

impl Canned {
    /// A JSON answer.
    pub fn json(status: u16, body: Value) -> Canned {
        Canned {
            status,
            body: body.to_string(),
            content_type: "application/json",
            headers: Vec::new(),
        }
    }
    /// An HTML page (a proxy or Cloudflare in the way).
    pub fn html(status: u16) -> Canned {
        Canned {
            status,
            body: "<!DOCTYPE html><html><head><title>Just a moment...</title></head>\
                   <body>Please enable cookies.</body></html>"
                .into(),
            content_type: "text/html; charset=UTF-8",
            headers: Vec::new(),
        }
    }
    /// A plain-text answer.
    pub fn text(status: u16, body: &str) -> Canned {
        Canned {
            status,
            body: body.into(),
            content_type: "text/plain",
            headers: Vec::new(),
        }
    }
    /// With one more header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Canned {
        self.headers.push((name, value.into()));
        self
    }
    fn respond(&self) -> Response {
        let mut resp = (
            StatusCode::from_u16(self.status).expect("valid status"),
            [(header::CONTENT_TYPE, self.content_type)],
            self.body.clone(),
        )
            .into_response();
        for (k, v) in &self.headers {
            resp.headers_mut()
                .insert(*k, HeaderValue::from_str(v).expect("header"));
        }
        resp
    }
}

/// What the fake does; change it with [`FakeProvider::configure`].
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Keys that authenticate.
    pub valid_keys: Vec<String>,
    /// Models that exist, in list order.
    pub models: Vec<String>,
    /// Most ids per list page (0: no limit).
    pub page_size: usize,
    /// Answers served first, one per request.
    pub script: VecDeque<Canned>,
    /// An answer to every request (after the script).
    pub always: Option<Canned>,
    /// Answers for requests carrying this key (after authentication).
    pub per_key: HashMap<String, Canned>,
    /// Wait before answering.
    pub delay: Duration,
    /// Never answer.
    pub hang: bool,
    /// Answer every request with a 200 JSON-looking body of this many bytes.
    pub huge_body: Option<usize>,
    /// Answer every request with a 302 to this base URL (+ the same path).
    pub redirect_to: Option<String>,
    /// Echo the whole key in bad-key errors (as Gemini's `DebugInfo` does).
    pub echo_key: bool,
    /// Serve no get-one-model endpoint (a bare gateway): 404 for it.
    pub no_get_model: bool,
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Path.
    pub path: String,
    /// Query string.
    pub query: Option<String>,
    /// The credential header value, whichever style carried it.
    pub credential: Option<String>,
}

struct Shared {
    flavor: Flavor,
    config: Mutex<Config>,
    requests: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    huge_sent: AtomicUsize,
    seen: Mutex<Vec<Seen>>,
}

/// A running fake provider; stops when dropped.
pub struct FakeProvider {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeProvider {
    /// Starts a fake of `flavor` accepting `keys` and listing `models`.
    pub async fn start(flavor: Flavor, keys: &[&str], models: &[&str]) -> FakeProvider {
        let shared = Arc::new(Shared {
            flavor,
            config: Mutex::new(Config {
                valid_keys: keys.iter().map(|k| k.to_string()).collect(),
                models: models.iter().map(|m| m.to_string()).collect(),
                ..Config::default()
            }),
            requests: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            huge_sent: AtomicUsize::new(0),
            seen: Mutex::new(Vec::new()),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeProvider { addr, shared, task }
    }

    /// Changes the configuration.
    pub fn configure(&self, f: impl FnOnce(&mut Config)) {
        f(&mut self.shared.config.lock().unwrap());
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Requests received.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Most requests in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// Bytes of the huge body handed to the network so far.
    pub fn huge_bytes_sent(&self) -> usize {
        self.shared.huge_sent.load(Ordering::SeqCst)
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    /// Forgets counts and seen requests.
    pub fn reset_counts(&self) {
        self.shared.requests.store(0, Ordering::SeqCst);
        self.shared.max_in_flight.store(0, Ordering::SeqCst);
        self.shared.seen.lock().unwrap().clear();
    }
}

struct InFlight(Arc<Shared>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn credential(flavor: Flavor, headers: &HeaderMap) -> Option<String> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    match flavor {
        Flavor::Anthropic => get("x-api-key"),
        Flavor::Gemini => get("x-goog-api-key"),
        Flavor::Azure => get("api-key"),
        Flavor::Ollama => ["authorization", "x-api-key", "x-goog-api-key", "api-key"]
            .into_iter()
            .find_map(get),
        _ => get("authorization").and_then(|v| v.strip_prefix("Bearer ").map(str::to_string)),
    }
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let _guard = InFlight(shared.clone());
    let flavor = shared.flavor;
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let key = credential(flavor, req.headers());
    shared.seen.lock().unwrap().push(Seen {
        path: path.clone(),
        query: query.clone(),
        credential: key.clone(),
    });
    let cfg = shared.config.lock().unwrap().clone();
    if cfg.hang {
        std::future::pending::<()>().await;
    }
    if !cfg.delay.is_zero() {
        tokio::time::sleep(cfg.delay).await;
    }
    if let Some(c) = shared.config.lock().unwrap().script.pop_front() {
        return c.respond();
    }
    if let Some(c) = &cfg.always {
        return c.respond();
    }
    if let Some(target) = &cfg.redirect_to {
        let location = format!("{target}{path}");
        return (StatusCode::FOUND, [(header::LOCATION, location)]).into_response();
    }
    if let Some(n) = cfg.huge_body {
        return huge(shared.clone(), n);
    }
    let params: HashMap<String, String> = query
        .as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    // Auth, per style.
    let public =
        flavor == Flavor::Ollama || (flavor == Flavor::OpenRouter && path.ends_with("/models"));
    if flavor == Flavor::Gemini && params.contains_key("key") {
        return Canned::json(400, json!({"error": {"code": 400, "message": "key in the URL", "status": "INVALID_ARGUMENT"}})).respond();
    }
    if flavor == Flavor::Anthropic
        && req.headers().get("anthropic-version").map(|v| v.as_bytes()) != Some(b"2023-06-01")
    {
        return Canned::json(400, json!({"type": "error", "error": {"type": "invalid_request_error", "message": "anthropic-version: header is required"}})).respond();
    }
    if flavor == Flavor::Azure && !params.contains_key("api-version") {
        return Canned::json(
            404,
            json!({"error": {"code": "404", "message": "Resource not found"}}),
        )
        .respond();
    }
    if !public {
        match &key {
            Some(k) if cfg.valid_keys.contains(k) => {}
            other => return bad_key(flavor, other.as_deref().unwrap_or(""), cfg.echo_key),
        }
    }
    if let Some(c) = key.as_ref().and_then(|k| cfg.per_key.get(k)) {
        return c.respond();
    }
    route(flavor, &cfg, &path, &params)
}

fn route(flavor: Flavor, cfg: &Config, path: &str, params: &HashMap<String, String>) -> Response {
    if flavor == Flavor::OpenRouter && path.ends_with("/key") {
        return Canned::json(200, json!({"data": {"label": "sk-or-v1-116...0ce", "limit": null, "usage": 0, "is_free_tier": false}})).respond();
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
            Canned::json(200, model_json(flavor, &id)).respond()
        } else {
            not_found(flavor, &id)
        };
    }
    if path.ends_with("/models") {
        return list(flavor, cfg, params);
    }
    Canned::text(404, "404 page not found").respond()
}

fn model_json(flavor: Flavor, id: &str) -> Value {
    match flavor {
        Flavor::Anthropic => {
            json!({"type": "model", "id": id, "display_name": id, "created_at": "2025-02-19T00:00:00Z"})
        }
        Flavor::Gemini => {
            json!({"name": format!("models/{id}"), "displayName": id, "inputTokenLimit": 1048576})
        }
        Flavor::Cohere => json!({"name": id, "endpoints": ["chat"]}),
        _ => json!({"id": id, "object": "model", "created": 1686935002, "owned_by": "fake"}),
    }
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
            let data: Vec<Value> = page.iter().map(|m| model_json(flavor, m)).collect();
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
                .map(|m| model_json(flavor, m))
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
            let data: Vec<Value> = all.iter().map(|m| model_json(flavor, m)).collect();
            Canned::json(200, json!({"object": "list", "data": data})).respond()
        }
    }
}

/// A partial echo like OpenAI's "sk-PMafP***…E873", or the whole key.
fn echo(key: &str, whole: bool) -> String {
    if whole {
        return key.to_string();
    }
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return "***".into();
    }
    let head: String = chars[..8].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}***{tail}")
}

fn bad_key(flavor: Flavor, key: &str, whole: bool) -> Response {
    let shown = echo(key, whole);
    let body = match flavor {
        Flavor::Anthropic => Canned::json(
            401,
            json!({"type": "error", "error": {"type": "authentication_error", "message": format!("invalid x-api-key {shown}")}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}),
        ),
        Flavor::XAi => Canned::json(
            400,
            json!({"code": "Client specified an invalid argument", "error": format!("Incorrect API key provided: {shown}. You can obtain an API key from https://console.x.ai.")}),
        ),
        Flavor::Gemini => {
            let mut details = vec![
                json!({"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}}),
            ];
            if whole {
                details.push(json!({"@type": "type.googleapis.com/google.rpc.DebugInfo", "detail": format!("Invalid API key: {key}")}));
            }
            Canned::json(
                400,
                json!({"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT", "details": details}}),
            )
        }
        Flavor::Azure => Canned::json(
            401,
            json!({"error": {"code": "401", "message": format!("Access denied due to invalid subscription key {shown} or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.")}}),
        ),
        Flavor::OpenRouter => Canned::json(
            401,
            json!({"error": {"message": format!("No auth credentials found {shown}"), "code": 401}}),
        ),
        Flavor::Cohere => Canned::json(
            401,
            json!({"message": format!("invalid api token {shown}")}),
        ),
        _ => Canned::json(
            401,
            json!({"error": {"message": format!("Incorrect API key provided: {shown}. You can find your API key at https://platform.openai.com/account/api-keys."), "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}),
        ),
    };
    body.header("x-request-id", "req_abc123").respond()
}

fn not_found(flavor: Flavor, id: &str) -> Response {
    match flavor {
        Flavor::Anthropic => Canned::json(404, json!({"type": "error", "error": {"type": "not_found_error", "message": format!("model: {id}")}, "request_id": "req_404"})),
        Flavor::Gemini => Canned::json(404, json!({"error": {"code": 404, "message": format!("models/{id} is not found for API version v1beta"), "status": "NOT_FOUND"}})),
        Flavor::Ollama => Canned::json(404, json!({"error": format!("model '{id}' not found, try pulling it first")})),
        _ => Canned::json(404, json!({"error": {"message": format!("The model `{id}` does not exist or you do not have access to it."), "type": "invalid_request_error", "param": null, "code": "model_not_found"}})),
    }
    .respond()
}

/// The §1b error answers, by outcome, for scripting.
pub mod errors {
    use super::{Canned, Flavor};
    use serde_json::json;

    /// 403 in the flavor's shape.
    pub fn forbidden(flavor: Flavor) -> Canned {
        match flavor {
            Flavor::Anthropic => Canned::json(
                403,
                json!({"type": "error", "error": {"type": "permission_error", "message": "Your API key does not have permission to use the specified resource."}}),
            ),
            Flavor::Gemini => Canned::json(
                403,
                json!({"error": {"code": 403, "message": "Generative Language API has not been used in project 1 before or it is disabled.", "status": "PERMISSION_DENIED"}}),
            ),
            _ => Canned::json(
                403,
                json!({"error": {"message": "Country, region, or territory not supported", "type": "request_forbidden", "param": null, "code": "unsupported_country_region_territory"}}),
            ),
        }
    }

    /// 402 (DeepSeek's insufficient balance, OpenRouter's no credit).
    pub fn payment_required() -> Canned {
        Canned::json(
            402,
            json!({"error": {"message": "Insufficient Balance", "type": "unknown_error", "param": null, "code": "invalid_request_error"}}),
        )
    }

    /// OpenAI's 429 `insufficient_quota`.
    pub fn insufficient_quota() -> Canned {
        Canned::json(
            429,
            json!({"error": {"message": "You exceeded your current quota, please check your plan and billing details.", "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}),
        )
    }

    /// A 429 rate limit in the flavor's shape, `Retry-After: 0`.
    pub fn rate_limited(flavor: Flavor) -> Canned {
        match flavor {
            Flavor::Anthropic => Canned::json(429, json!({"type": "error", "error": {"type": "rate_limit_error", "message": "Number of requests has exceeded your rate limit"}})),
            Flavor::Gemini => Canned::json(429, json!({"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).", "status": "RESOURCE_EXHAUSTED"}})),
            _ => Canned::json(429, json!({"error": {"message": "Rate limit reached for requests", "type": "requests", "param": null, "code": "rate_limit_exceeded"}})),
        }
        .header("retry-after", "0")
    }

    /// Anthropic's 529 `overloaded_error`, `Retry-After: 0`.
    pub fn overloaded_529() -> Canned {
        Canned::json(529, json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})).header("retry-after", "0")
    }

    /// A 503 in the flavor's shape, `Retry-After: 0`.
    pub fn unavailable(flavor: Flavor) -> Canned {
        match flavor {
            Flavor::Gemini => Canned::json(503, json!({"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}})),
            _ => Canned::json(503, json!({"error": {"message": "The engine is currently overloaded, please try again later", "type": "server_error", "param": null, "code": null}})),
        }
        .header("retry-after", "0")
    }

    /// A 500, `Retry-After: 0`.
    pub fn internal() -> Canned {
        Canned::json(
            500,
            json!({"error": {"message": "internal", "type": "api_error"}}),
        )
        .header("retry-after", "0")
    }
}

fn huge(shared: Arc<Shared>, total: usize) -> Response {
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

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
