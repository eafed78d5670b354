//! `ProbeError`: why a probe request produced no HTTP answer we could judge.
//! The outcome table turns each variant into a status and our own message;
//! the provider's text never travels in here.

/// A failure below the HTTP answer: transport, policy or a bad request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    /// The config has no base URL and the provider has no default.
    #[error("no base URL is configured")]
    NoBaseUrl,
    /// The base URL and path do not make a valid URL.
    #[error("the base URL is not a valid URL")]
    BadUrl,
    /// The SSRF guard refused the target (server mode).
    #[error("{host} resolves to {ip}, {reason}, and is not listed in server.allowed_targets")]
    Refused {
        /// The host as written in the base URL.
        host: String,
        /// The refused address.
        ip: std::net::IpAddr,
        /// Why, in words (the registry row, or "own interface").
        reason: String,
    },
    /// The key cannot be sent as an HTTP header value.
    #[error("the API key contains characters that cannot be sent in an HTTP header")]
    KeyNotSendable,
    /// No answer within the time bound.
    #[error("timed out")]
    Timeout,
    /// The connection was refused by the host.
    #[error("connection refused")]
    ConnectionRefused,
    /// DNS, connect or TLS failure, or the connection broke mid-answer.
    #[error("DNS, connection or TLS failure")]
    Unreachable,
}
