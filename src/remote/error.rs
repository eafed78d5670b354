//! Errors of setting up the remote backend (URL, token, credential storage);
//! errors of individual operations are [`ServiceError`](crate::service::ServiceError)s.

/// What can go wrong before the first request.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The server URL is unusable.
    #[error("invalid remote URL {url:?}: {reason}")]
    Url {
        /// The URL as given.
        url: String,
        /// Why.
        reason: String,
    },
    /// No token was found.
    #[error(
        "no API token for {url}: set LLMCFG_TOKEN, or run `llmcfg login --remote {url}` and paste a token from `llmcfg token create` on the server"
    )]
    NoToken {
        /// The server URL.
        url: String,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    /// Reading or writing the stored token failed.
    #[error("token storage: {0}")]
    Storage(String),
}
