//! Header values that can carry a secret (the bearer token, a provider key
//! sent as `x-api-key`) are marked sensitive as a request arrives, so a
//! `Debug` print of the request, by us or by a library, shows `Sensitive`
//! instead of the value.

use axum::http::{HeaderMap, HeaderName, header};

/// The custom header some provider clients send a key in.
const X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");

/// Marks every `Authorization` and `X-Api-Key` value in `headers`
/// sensitive. One pass over the request's few headers: tower-http's layer
/// looked each name up through the map's entry API, which reserves room
/// first and cost as much as routing the request.
pub fn mark_secrets(headers: &mut HeaderMap) {
    for (name, value) in headers.iter_mut() {
        if *name == header::AUTHORIZATION || *name == X_API_KEY {
            value.set_sensitive(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn every_secret_value_is_marked_and_no_other() {
        let mut headers = HeaderMap::new();
        headers.append(header::AUTHORIZATION, HeaderValue::from_static("Bearer a"));
        headers.append(header::AUTHORIZATION, HeaderValue::from_static("Bearer b"));
        headers.append(X_API_KEY, HeaderValue::from_static("sk-x"));
        headers.append("x-instance-id", HeaderValue::from_static("tenant-1"));
        mark_secrets(&mut headers);
        let marked = |name: &str| -> Vec<bool> {
            headers
                .get_all(name)
                .iter()
                .map(HeaderValue::is_sensitive)
                .collect()
        };
        assert_eq!(marked("authorization"), [true, true]);
        assert_eq!(marked("x-api-key"), [true]);
        assert_eq!(marked("x-instance-id"), [false]);
        assert!(!format!("{headers:?}").contains("sk-x"));
    }
}
