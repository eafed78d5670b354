//! Whether a remote server reports lifecycle facts: `llmcfg serve` puts
//! them on its test results (the `lifecycle` property of its `TestResult`
//! schema), a seed-only server never does. Asked only where a user asked for
//! the facts, so a seed server's silence is said in one line rather than
//! read as "nothing is retiring".

use reqwest::{Method, StatusCode};

use super::client::RemoteClient;
use crate::api;

/// Where the facts sit in an `llmcfg serve` OpenAPI document.
const LIFECYCLE_PROPERTY: &str = "/components/schemas/TestResult/properties/lifecycle";

impl RemoteClient {
    /// True when the server's OpenAPI document says its test results carry
    /// lifecycle facts; false for a server without one or without them.
    pub async fn reports_lifecycle(&self) -> bool {
        match self
            .send::<()>(Method::GET, api::OPENAPI_PATH, None, None)
            .await
        {
            Ok((answer, _)) if answer.status == StatusCode::OK => {
                serde_json::from_slice::<serde_json::Value>(&answer.body)
                    .is_ok_and(|doc| doc.pointer(LIFECYCLE_PROPERTY).is_some())
            }
            _ => false,
        }
    }
}
