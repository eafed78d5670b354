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
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The §1b error answers, by outcome, for scripting.
#[path = "fake_provider_errors.rs"]
pub mod errors;

#[path = "fake_provider_routes.rs"]
mod routes;

#[path = "fake_provider_facts.rs"]
mod facts;

use errors::bad_key;
use routes::{huge, route};

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
    /// Bearer; `{object:"list", data}` entries with `deprecation` and
    /// `deprecation_replacement_model`; list only.
    Mistral,
    /// Bearer; `/models` and `/user/balance`.
    DeepSeek,
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
    pub(crate) fn respond(&self) -> Response {
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
    /// Route a get-one-model path whose id contains `/` to FastAPI's 404
    /// before the key is checked, as a LiteLLM proxy (1.108) does.
    pub slash_ids_404_before_auth: bool,
    /// Lifecycle fields added to a model's object and list entry, by id.
    pub model_facts: HashMap<String, Value>,
    /// The key endpoint's answer (OpenRouter's `data`, xAI's and
    /// DeepSeek's whole body) instead of the default healthy one.
    pub key_info: Option<Value>,
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
    /// Every header of the request (the credential's too).
    pub headers: axum::http::HeaderMap,
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

    /// Requests so far whose path ends with `suffix`.
    pub fn requests_to(&self, suffix: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.path.ends_with(suffix))
            .count()
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
        headers: req.headers().clone(),
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
    if cfg.slash_ids_404_before_auth
        && let Some((_, id)) = path.rsplit_once("/models/")
        && routes::percent_decode(id).contains('/')
    {
        return Canned::json(404, json!({"detail": "Not Found"})).respond();
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
