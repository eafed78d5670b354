//! A strict seed-only `/llm-config` server for the tests, written the way a
//! product's control plane (FastAPI + pydantic) answers, and deliberately
//! NOT `llmcfg serve`: `GET/POST/PATCH/DELETE /llm-config/` and
//! `POST /llm-config/test-connection` only, superadmin bearer auth,
//! `X-Instance-Id` scoping, pydantic 422 lists, unknown body fields ignored,
//! a four-field test answer, microsecond `+00:00` timestamps, and a
//! framework `{"detail": "Not Found"}` for every other path.
//!
//! Variants ([`SeedOptions`]) switch the id type, the delete answer, an
//! OpenAPI document listing only the seed routes, a path prefix, a custom
//! auth header and a redirect of every request. Every request is recorded so
//! tests can check what reached the server (the key trimmed, exactly once).

#![allow(dead_code)]

mod auth;
mod routes;
mod style;
mod throttle;

pub use style::Style;
pub use throttle::RateLimit;
// Named only by the test crates that pick how a limit refuses.
#[allow(unused_imports)]
pub use throttle::Refusal;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

/// The superadmin token.
pub const ADMIN_TOKEN: &str = "seed-admin-token-0123456789";
/// A valid token of a user who is not a superadmin (403).
pub const VIEWER_TOKEN: &str = "seed-viewer-token-0123456789";

/// How the server numbers its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ids {
    /// `1`, `2`, … (SQL autoincrement).
    Integer,
    /// UUID strings.
    Uuid,
}

/// What `DELETE` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteAnswer {
    /// `204 No Content`.
    NoContent,
    /// `200` with a JSON message.
    OkWithBody,
}

/// The server's variant.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// Id type.
    pub ids: Ids,
    /// Delete answer.
    pub delete: DeleteAnswer,
    /// Serve `/openapi.json` listing only the seed routes (FastAPI's default).
    pub openapi: bool,
    /// Path prefix the routes hang off (`""` or `/api`).
    pub prefix: &'static str,
    /// Keep `base_url` (a product whose model has the field); otherwise it
    /// is ignored as unknown fields are.
    pub keeps_base_url: bool,
    /// Header carrying the bare token instead of `Authorization: Bearer`.
    pub auth_header: Option<&'static str>,
    /// Answer every request with `307` to this URL.
    pub redirect_to: Option<String>,
    /// Keys whose connection test succeeds.
    pub good_keys: Vec<String>,
    /// How long each connection test takes.
    pub test_delay: std::time::Duration,
    /// The framework its errors look like.
    pub style: Style,
    /// A rate limit in front of every route.
    pub rate_limit: Option<RateLimit>,
    /// A session cookie (name, value) every seed request must carry.
    pub cookie: Option<(&'static str, &'static str)>,
    /// A fixed header (name, value) every seed request must carry.
    pub extra_header: Option<(&'static str, &'static str)>,
    /// Check the credentials before anything, `/openapi.json` included
    /// (a gateway in front of the framework).
    pub auth_everywhere: bool,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            ids: Ids::Integer,
            delete: DeleteAnswer::NoContent,
            openapi: false,
            prefix: "",
            keeps_base_url: true,
            auth_header: None,
            redirect_to: None,
            good_keys: Vec::new(),
            test_delay: std::time::Duration::ZERO,
            style: Style::FastApi,
            rate_limit: None,
            cookie: None,
            extra_header: None,
            auth_everywhere: false,
        }
    }
}

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Method.
    pub method: String,
    /// Path (with query).
    pub path: String,
    /// `X-Instance-Id`, when sent.
    pub instance: Option<String>,
    /// Every header value, joined (to scan for secrets).
    pub headers: String,
    /// The body as text.
    pub body: String,
}

/// One stored row.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: serde_json::Value,
    pub provider: String,
    pub model: String,
    pub api_key: String,
    pub base_url: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

pub struct State {
    pub rows: BTreeMap<Option<String>, Row>,
    pub next_id: i64,
    pub seen: Vec<Seen>,
    /// Connection tests running now, and the most at once.
    pub tests_in_flight: usize,
    pub most_tests_at_once: usize,
    /// Connection tests answered, per scope.
    pub tested: BTreeMap<Option<String>, usize>,
    /// 429s answered.
    pub throttled: usize,
    /// When the server started (the rate limit's windows count from it).
    pub started: std::time::Instant,
    /// The current rate-limit window and the requests counted in it.
    pub window: (u128, usize),
}

impl Default for State {
    fn default() -> Self {
        State {
            rows: BTreeMap::new(),
            next_id: 1,
            seen: Vec::new(),
            tests_in_flight: 0,
            most_tests_at_once: 0,
            tested: BTreeMap::new(),
            throttled: 0,
            started: std::time::Instant::now(),
            window: (0, 0),
        }
    }
}

/// A running seed server.
pub struct SeedServer {
    /// Base URL including the prefix, e.g. `http://127.0.0.1:PORT/api`.
    pub url: String,
    /// Rows and recorded requests.
    pub state: Arc<Mutex<State>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SeedServer {
    /// Starts a server with `options` on 127.0.0.1:0.
    pub async fn start(options: SeedOptions) -> SeedServer {
        let state = Arc::new(Mutex::new(State {
            next_id: 1,
            ..State::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://{}{}",
            listener.local_addr().unwrap(),
            options.prefix
        );
        let app = routes::router(Arc::new(options), state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        SeedServer {
            url,
            state,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// The server's router and state, to serve on a listener of the test's
    /// own (TLS).
    pub fn app(options: SeedOptions) -> (axum::Router, Arc<Mutex<State>>) {
        let state = Arc::new(Mutex::new(State {
            next_id: 1,
            ..State::default()
        }));
        (routes::router(Arc::new(options), state.clone()), state)
    }

    /// Starts the default variant (integer ids, 204 deletes, no OpenAPI).
    pub async fn default_variant(good_keys: &[&str]) -> SeedServer {
        SeedServer::start(SeedOptions {
            good_keys: good_keys.iter().map(|k| k.to_string()).collect(),
            ..SeedOptions::default()
        })
        .await
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    /// How many received requests (headers or body) contain `needle`.
    pub fn requests_containing(&self, needle: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.body.contains(needle) || s.headers.contains(needle))
            .count()
    }

    /// The stored key of a scope.
    pub fn stored_key(&self, instance: Option<&str>) -> Option<String> {
        self.state
            .lock()
            .unwrap()
            .rows
            .get(&instance.map(str::to_string))
            .map(|r| r.api_key.clone())
    }

    /// The stored row of a scope.
    pub fn row(&self, instance: Option<&str>) -> Option<Row> {
        self.state
            .lock()
            .unwrap()
            .rows
            .get(&instance.map(str::to_string))
            .cloned()
    }

    /// Stores a row directly, as if another client had created it.
    pub fn insert(&self, instance: Option<&str>, provider: &str, model: &str, key: &str) {
        let mut state = self.state.lock().unwrap();
        let id = serde_json::json!(state.next_id);
        state.next_id += 1;
        let at = "2026-02-27T10:00:00.000001+00:00".to_string();
        state.rows.insert(
            instance.map(str::to_string),
            Row {
                id,
                provider: provider.into(),
                model: model.into(),
                api_key: key.into(),
                base_url: None,
                created_at: at.clone(),
                updated_at: at,
            },
        );
    }

    /// How many connection tests each scope got.
    pub fn tested(&self) -> BTreeMap<Option<String>, usize> {
        self.state.lock().unwrap().tested.clone()
    }

    /// How many 429s the server answered.
    pub fn throttled(&self) -> usize {
        self.state.lock().unwrap().throttled
    }

    /// The most connection tests that ran at once.
    pub fn most_tests_at_once(&self) -> usize {
        self.state.lock().unwrap().most_tests_at_once
    }

    /// Stops the server.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}
