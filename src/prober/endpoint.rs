//! Building probe URLs: the base URL as people type it, normalised by
//! [`api_base`], joined with a catalog path, the model percent-encoded as one
//! path segment, and the catalog's fixed query (Azure `api-version`). The
//! key never goes into a URL.

use reqwest::Url;

use super::ProbeError;
use crate::domain::catalog::ProbeSpec;

/// The base URL the catalog paths are appended to. SDKs and gateways write
/// `https://api.openai.com/v1`, the catalog `https://api.openai.com`; both
/// must reach `/v1/models`, never `/v1/v1/models`:
/// - with `sdk_base` (openai-compatible) the base URL is the SDK's, the
///   part before `/models`; a base URL with no path gets that segment;
/// - otherwise a trailing API-version segment (`v1`, `v1beta`, `v2alpha1`)
///   is dropped, then any trailing segments the list path starts with
///   (`/openai` for Azure, `/api` for Ollama).
pub fn api_base(probe: &ProbeSpec, base: &str) -> Result<String, ProbeError> {
    let mut url = Url::parse(base.trim()).map_err(|_| ProbeError::BadUrl)?;
    let mut segs: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).map(str::to_string).collect())
        .unwrap_or_default();
    match &probe.sdk_base {
        Some(version) => {
            if segs.is_empty() {
                segs.extend(segments(version).map(str::to_string));
            }
        }
        None => {
            if segs.last().is_some_and(|s| is_version(s)) {
                segs.pop();
            }
            let list: Vec<&str> = segments(&probe.list).collect();
            let head = &list[..list.len().saturating_sub(1)];
            let overlap = (1..=head.len().min(segs.len())).rev().find(|&k| {
                segs[segs.len() - k..]
                    .iter()
                    .zip(&head[..k])
                    .all(|(a, b)| a == b)
            });
            if let Some(k) = overlap {
                segs.truncate(segs.len() - k);
            }
        }
    }
    url.set_path(&segs.join("/"));
    Ok(url.as_str().trim_end_matches('/').to_string())
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// `v1`, `v1beta`, `v2alpha3`: an API version, not a gateway's own path.
fn is_version(seg: &str) -> bool {
    let Some(rest) = seg.strip_prefix('v') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let tail = &rest[digits..];
    let letters = tail.bytes().take_while(u8::is_ascii_lowercase).count();
    digits > 0
        && tail[letters..].bytes().all(|b| b.is_ascii_digit())
        && matches!(&tail[..letters], "" | "alpha" | "beta")
}

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
    use crate::domain::Catalog;

    fn base(provider: &str, typed: &str) -> String {
        api_base(&Catalog::builtin().get(provider).unwrap().probe, typed).unwrap()
    }

    #[test]
    fn version_segments_are_never_doubled() {
        for typed in [
            "https://api.openai.com",
            "https://api.openai.com/v1",
            "https://api.openai.com/v1/",
        ] {
            assert_eq!(base("openai", typed), "https://api.openai.com", "{typed}");
        }
        assert_eq!(
            base("openai", "https://gw.example.com/openai/v1"),
            "https://gw.example.com/openai"
        );
        assert_eq!(
            base("gemini", "https://generativelanguage.googleapis.com/v1beta"),
            "https://generativelanguage.googleapis.com"
        );
        assert_eq!(
            base("openrouter", "https://openrouter.ai/api/v1"),
            "https://openrouter.ai/api"
        );
        assert_eq!(
            base("groq", "https://api.groq.com/openai/v1"),
            "https://api.groq.com/openai"
        );
        assert_eq!(
            base("ollama", "http://localhost:11434/v1"),
            "http://localhost:11434"
        );
        assert_eq!(
            base("ollama", "http://localhost:11434/api"),
            "http://localhost:11434"
        );
        assert_eq!(
            base("azure-openai", "https://x.openai.azure.com/openai/v1"),
            "https://x.openai.azure.com"
        );
        assert_eq!(
            base("deepseek", "https://api.deepseek.com/v1"),
            "https://api.deepseek.com"
        );
        // SDK-style bases keep their path; a bare host gets /v1.
        assert_eq!(
            base("openai-compatible", "http://localhost:8000"),
            "http://localhost:8000/v1"
        );
        assert_eq!(
            base("openai-compatible", "http://localhost:11434/v1"),
            "http://localhost:11434/v1"
        );
        assert_eq!(
            base(
                "openai-compatible",
                "https://generativelanguage.googleapis.com/v1beta/openai"
            ),
            "https://generativelanguage.googleapis.com/v1beta/openai"
        );
    }

    #[test]
    fn version_words() {
        for v in ["v1", "v1beta", "v2alpha1", "v10"] {
            assert!(is_version(v), "{v}");
        }
        for v in ["v", "openai", "vx1", "v1gamma", "api", "V1"] {
            assert!(!is_version(v), "{v}");
        }
    }

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
