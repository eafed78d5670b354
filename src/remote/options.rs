//! How to reach and authenticate to one server: the options `[remote]`
//! gives, and the credential headers built from them (the token in its
//! header, the session cookie, the fixed headers), each marked sensitive.
//! The client sends them as default headers, so no request goes without.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use zeroize::Zeroizing;

use super::RemoteError;
use super::pacing::DEFAULT_THROTTLE_WAIT;

/// How to reach and authenticate to one server.
pub struct RemoteOptions {
    /// Base URL (normalised by [`RemoteClient::with_options`]).
    pub url: String,
    /// The token.
    pub token: Zeroizing<String>,
    /// Header carrying the token (default `Authorization`).
    pub auth_header: Option<String>,
    /// Scheme before the token (default `Bearer` for `Authorization`, none
    /// for any other header).
    pub auth_scheme: Option<String>,
    /// A session cookie sent with every request.
    pub cookie: Option<SessionCookie>,
    /// Fixed headers sent with every request, values already resolved.
    pub extra_headers: Vec<(String, Zeroizing<String>)>,
    /// PEM file of extra CA certificates (a private CA).
    pub ca_file: Option<PathBuf>,
    /// Where learned server features are cached (memory only when `None`).
    pub cache_dir: Option<PathBuf>,
    /// Longest total wait of one request for the server's `Retry-After`s.
    pub throttle_wait: Duration,
}

/// A session cookie: its name and its (secret) value.
pub struct SessionCookie {
    /// The cookie's name (`session`, `connect.sid`, `JSESSIONID`).
    pub name: String,
    /// Its value.
    pub value: Zeroizing<String>,
}

impl RemoteOptions {
    /// Options with every default: `Authorization: Bearer`, system CAs, no cache.
    pub fn new(url: &str, token: Zeroizing<String>) -> RemoteOptions {
        RemoteOptions {
            url: url.to_string(),
            token,
            auth_header: None,
            auth_scheme: None,
            cookie: None,
            extra_headers: Vec::new(),
            ca_file: None,
            cache_dir: None,
            throttle_wait: DEFAULT_THROTTLE_WAIT,
        }
    }

    /// Every credential header: the token, the cookie and the fixed
    /// headers, each marked sensitive so no debug output shows it.
    pub(super) fn credentials(&self) -> Result<HeaderMap, RemoteError> {
        let header = self
            .auth_header
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .unwrap_or("authorization");
        let auth_name = header_name(header, "[remote] auth_header")?;
        let scheme = match self.auth_scheme.as_deref().map(str::trim) {
            Some(s) => s.to_string(),
            None if auth_name == reqwest::header::AUTHORIZATION => "Bearer".into(),
            None => String::new(),
        };
        let value = if scheme.is_empty() {
            Zeroizing::new(self.token.to_string())
        } else {
            Zeroizing::new(format!("{scheme} {}", self.token.as_str()))
        };
        let mut map = HeaderMap::new();
        map.insert(auth_name, sensitive(&value, "the token")?);
        if let Some(cookie) = &self.cookie {
            let pair = Zeroizing::new(format!("{}={}", cookie.name, cookie.value.as_str()));
            map.insert(
                reqwest::header::COOKIE,
                sensitive(&pair, "[remote] cookie")?,
            );
        }
        for (name, value) in &self.extra_headers {
            let what = format!("[remote.headers] {name}");
            map.insert(header_name(name, &what)?, sensitive(value, &what)?);
        }
        Ok(map)
    }
}

fn header_name(name: &str, what: &str) -> Result<HeaderName, RemoteError> {
    HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| RemoteError::Client(format!("{what}: {name:?} is not a header name")))
}

/// A header value marked sensitive; the error names `what`, never the value.
fn sensitive(value: &str, what: &str) -> Result<HeaderValue, RemoteError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        RemoteError::Client(format!("{what} contains characters a header cannot carry"))
    })?;
    v.set_sensitive(true);
    Ok(v)
}
