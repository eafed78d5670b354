//! A raw HTTP client for the server tests that records every response, so a
//! test can assert the API key never appeared in any of them.

use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;

use super::{SECRET_KEY, TestServer};

/// Everything a response exposed: status, headers and body text.
pub struct Seen {
    pub status: StatusCode,
    pub body: String,
}

impl Seen {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    pub fn detail(&self) -> String {
        self.json()["detail"]
            .as_str()
            .unwrap_or_else(|| panic!("no detail in {}", self.body))
            .to_string()
    }
}

pub struct Api {
    http: Client,
    url: String,
    token: String,
    seen: std::sync::Mutex<Vec<String>>,
}

impl Api {
    pub fn new(server: &TestServer, token: String) -> Api {
        Api {
            http: Client::new(),
            url: server.url.clone(),
            token,
            seen: Default::default(),
        }
    }

    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.token)
    }

    pub async fn send(&self, rb: RequestBuilder) -> Seen {
        let r: Response = rb.send().await.unwrap();
        let status = r.status();
        let headers = format!("{:?}", r.headers());
        let body = r.text().await.unwrap();
        self.seen
            .lock()
            .unwrap()
            .push(format!("{status} {headers} {body}"));
        Seen { status, body }
    }

    pub fn scoped(&self, method: Method, path: &str, instance: Option<&str>) -> RequestBuilder {
        let rb = self.req(method, path);
        match instance {
            Some(id) => rb.header("X-Instance-Id", id),
            None => rb,
        }
    }

    pub async fn get(&self, instance: Option<&str>) -> Seen {
        self.send(self.scoped(Method::GET, "/llm-config/", instance))
            .await
    }

    pub async fn post(&self, instance: Option<&str>, body: Value) -> Seen {
        self.send(
            self.scoped(Method::POST, "/llm-config/", instance)
                .json(&body),
        )
        .await
    }

    pub async fn patch(&self, instance: Option<&str>, body: Value) -> Seen {
        self.send(
            self.scoped(Method::PATCH, "/llm-config/", instance)
                .json(&body),
        )
        .await
    }

    /// Asserts no response so far contained the key or its middle.
    pub fn assert_key_never_seen(&self) {
        for text in self.seen.lock().unwrap().iter() {
            assert!(!text.contains(SECRET_KEY), "key leaked: {text}");
            assert!(!text.contains("SUPERSECRETVALUE"), "key leaked: {text}");
        }
    }
}
