//! Building probe URLs: the base URL (no trailing slash; `openai-compatible`
//! ones include `/v1`) joined with a catalog path, the model percent-encoded
//! as one path segment, and the catalog's fixed query (Azure `api-version`).
//! The key never goes into a URL.

use reqwest::Url;

use super::ProbeError;

/// `base` + `path` (+ the spec's query and `extra` pairs).
pub fn join(
    base: &str,
    path: &str,
    query: Option<&str>,
    extra: &[(&str, &str)],
) -> Result<Url, ProbeError> {
    let base = base.trim_end_matches('/');
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    let mut url = Url::parse(&format!("{base}{path}")).map_err(|_| ProbeError::BadUrl)?;
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        url.set_query(Some(q));
    }
    if !extra.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in extra {
            pairs.append_pair(k, v);
        }
    }
    Ok(url)
}

/// `template` with `{model}` replaced by the percent-encoded model, so a
/// model id with `/`, `?` or `#` stays one path segment on the same host.
pub fn model_path(template: &str, model: &str) -> String {
    template.replace("{model}", &encode_segment(model))
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode_segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_without_double_slashes_and_keeps_base_path() {
        let u = join("https://h.example/v1", "/models", None, &[]).unwrap();
        assert_eq!(u.as_str(), "https://h.example/v1/models");
        let u = join("https://openrouter.ai/api/", "/v1/key", None, &[]).unwrap();
        assert_eq!(u.as_str(), "https://openrouter.ai/api/v1/key");
    }

    #[test]
    fn query_and_pairs_are_appended() {
        let u = join(
            "https://x.openai.azure.com",
            "/openai/models",
            Some("api-version=2024-10-21"),
            &[("after_id", "a b&c")],
        )
        .unwrap();
        assert_eq!(
            u.as_str(),
            "https://x.openai.azure.com/openai/models?api-version=2024-10-21&after_id=a+b%26c"
        );
    }

    #[test]
    fn model_is_one_encoded_segment() {
        assert_eq!(
            model_path("/v1/models/{model}", "a/b?c#d e"),
            "/v1/models/a%2Fb%3Fc%23d%20e"
        );
        assert_eq!(
            model_path("/v1beta/models/{model}", "gemini-2.5-pro"),
            "/v1beta/models/gemini-2.5-pro"
        );
        let u = join(
            "http://127.0.0.1:1",
            &model_path("/m/{model}", "../../x"),
            None,
            &[],
        )
        .unwrap();
        assert_eq!(u.path(), "/m/..%2F..%2Fx");
    }
}
