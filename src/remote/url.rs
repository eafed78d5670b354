//! The one spelling of a remote server's base URL, under which tokens,
//! remembered scopes and cached capabilities are filed.

use super::RemoteError;

/// The API's own path segment; a URL that already ends in it is not doubled.
const API_SEGMENT: &str = "/llm-config";

/// `https://host[:port][/prefix]` without a trailing slash or a trailing
/// `/llm-config` (the routes add it); `http` only to a loopback host, since
/// the token would travel in clear.
pub fn normalise_url(raw: &str) -> Result<String, RemoteError> {
    let err = |reason: &str| RemoteError::Url {
        url: raw.to_string(),
        reason: reason.to_string(),
    };
    let url = url::Url::parse(raw.trim()).map_err(|e| err(&e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(err("must not contain a user name or password"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(err("must not contain a query or fragment"));
    }
    let loopback = match url.host() {
        Some(host) => crate::domain::validation::is_loopback_host(&host),
        None => return Err(err("has no host")),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(err(
                "must use https (http is accepted only for a loopback host, since the token would travel in clear)",
            ));
        }
        _ => return Err(err("must be an http(s) URL")),
    }
    let mut text = url.as_str().trim_end_matches('/');
    if let Some(base) = text.strip_suffix(API_SEGMENT) {
        text = base.trim_end_matches('/');
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for (raw, want) in [
            ("https://cp.example/", "https://cp.example"),
            ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),
            ("https://cp.example.com/api/", "https://cp.example.com/api"),
            (
                "https://cp.example.com/api/llm-config",
                "https://cp.example.com/api",
            ),
            (
                "https://cp.example.com/llm-config/",
                "https://cp.example.com",
            ),
            (
                "https://cp.example.com/my-llm-config",
                "https://cp.example.com/my-llm-config",
            ),
        ] {
            assert_eq!(normalise_url(raw).unwrap(), want, "{raw}");
        }
        assert!(normalise_url("http://cp.example").is_err());
        assert!(normalise_url("https://u:p@cp.example").is_err());
        assert!(normalise_url("ftp://cp.example").is_err());
    }
}
