//! The model list: every page of it, in the catalog's shape. Anthropic
//! (`has_more`/`last_id` → `after_id`), Google (`nextPageToken` →
//! `pageToken`) and Cohere (`next_page_token` → `page_token`) paginate;
//! Together answers a bare array; Gemini ids carry `models/`, which is
//! stripped so ids compare exactly with what the user typed.

use serde_json::Value;

use super::fetch::Fetcher;
use super::outcome::{self, Phase, Verdict};
use super::{ProbeError, endpoint};
use crate::domain::Retirement;
use crate::domain::catalog::{ListShape, Pagination};

/// Most pages read before giving up on a list that never ends.
pub const MAX_PAGES: usize = 100;

/// Page size asked for; providers cap it (Anthropic and Gemini at 1000).
const PAGE_SIZE: &str = "1000";

/// A model list, and what its entry of one model announced.
#[derive(Debug, Default)]
pub struct Listing {
    /// Every model id the key can list.
    pub ids: Vec<String>,
    /// The retirement the wanted model's entry announces, if any.
    pub retirement: Option<Retirement>,
}

/// Every model id the key can list, and the retirement the entry of
/// `wanted` (when given) announces.
pub async fn fetch_all(
    f: &mut Fetcher<'_>,
    base: &str,
    wanted: Option<&str>,
) -> Result<Listing, Verdict> {
    let spec = f.spec;
    let probe = &spec.probe;
    let bound = f.connect_timeout;
    let fail = |e: ProbeError| outcome::from_error(spec, &e, bound);
    let mut listing = Listing::default();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        match probe.pagination {
            Pagination::None => {}
            Pagination::Anthropic => pairs.push(("limit", PAGE_SIZE)),
            Pagination::Google => pairs.push(("pageSize", PAGE_SIZE)),
            Pagination::Cohere => pairs.push(("page_size", PAGE_SIZE)),
        }
        if let Some(c) = &cursor {
            pairs.push((cursor_param(probe.pagination), c));
        }
        let url =
            endpoint::join(base, &probe.list, probe.query.as_deref(), &pairs).map_err(fail)?;
        let reply = f.get(url).await.map_err(fail)?;
        if !reply.status.is_success() {
            return Err(outcome::from_reply(spec, Phase::List, &reply));
        }
        let malformed = || outcome::malformed(spec, Phase::List, &reply, f.max_body);
        if reply.truncated {
            return Err(malformed());
        }
        let json: Value = serde_json::from_slice(&reply.body).map_err(|_| malformed())?;
        let page = page_ids(&json, probe.list_shape).ok_or_else(malformed)?;
        let prefix = probe.id_prefix.as_deref().unwrap_or("");
        for (id, entry) in page {
            let id = id.strip_prefix(prefix).unwrap_or(&id).to_string();
            if let Some(model) = wanted.filter(|m| same_model(&id, m)) {
                listing.retirement = listing
                    .retirement
                    .or_else(|| super::facts::retirement(entry, model));
            }
            listing.ids.push(id);
        }
        let next = next_cursor(&json, probe.pagination);
        match next {
            None => return Ok(listing),
            Some(n) if cursor.as_deref() == Some(n.as_str()) => {
                return Err(outcome::endless_list(spec));
            }
            Some(n) => cursor = Some(n),
        }
    }
    Err(outcome::endless_list(spec))
}

/// True when `listed` names `wanted`; Ollama's `llama3:latest` answers to
/// `llama3`.
pub fn same_model(listed: &str, wanted: &str) -> bool {
    listed == wanted
        || (!wanted.contains(':')
            && listed
                .strip_suffix(":latest")
                .is_some_and(|base| base == wanted))
}

fn cursor_param(p: Pagination) -> &'static str {
    match p {
        Pagination::Anthropic => "after_id",
        Pagination::Google => "pageToken",
        Pagination::Cohere => "page_token",
        Pagination::None => "",
    }
}

/// The ids of one page with their entries, or `None` when the shape is
/// wrong.
fn page_ids(json: &Value, shape: ListShape) -> Option<Vec<(String, &Value)>> {
    let (items, field) = match shape {
        ListShape::Data => (json.get("data")?.as_array()?, "id"),
        ListShape::Models => (json.get("models")?.as_array()?, "name"),
        ListShape::BareArray => (json.as_array()?, "id"),
    };
    items
        .iter()
        .map(|m| Some((m.get(field)?.as_str()?.to_string(), m)))
        .collect()
}

fn next_cursor(json: &Value, p: Pagination) -> Option<String> {
    let s = match p {
        Pagination::None => return None,
        Pagination::Anthropic => {
            if !json.get("has_more")?.as_bool()? {
                return None;
            }
            json.get("last_id")?.as_str()?
        }
        Pagination::Google => json.get("nextPageToken")?.as_str()?,
        Pagination::Cohere => json.get("next_page_token")?.as_str()?,
    };
    (!s.is_empty()).then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ids(json: &Value, shape: ListShape) -> Option<Vec<String>> {
        page_ids(json, shape).map(|p| p.into_iter().map(|(id, _)| id).collect())
    }

    #[test]
    fn shapes() {
        let d = json!({"object":"list","data":[{"id":"a"},{"id":"b"}]});
        assert_eq!(ids(&d, ListShape::Data).unwrap(), ["a", "b"]);
        let m = json!({"models":[{"name":"models/g"}]});
        assert_eq!(ids(&m, ListShape::Models).unwrap(), ["models/g"]);
        let b = json!([{"id":"t"}]);
        assert_eq!(ids(&b, ListShape::BareArray).unwrap(), ["t"]);
        assert!(page_ids(&b, ListShape::Data).is_none());
        assert!(page_ids(&json!({"data":[{"name":"x"}]}), ListShape::Data).is_none());
    }

    #[test]
    fn cursors() {
        let a = json!({"data":[],"has_more":true,"last_id":"m2"});
        assert_eq!(
            next_cursor(&a, Pagination::Anthropic).as_deref(),
            Some("m2")
        );
        let a = json!({"data":[],"has_more":false,"last_id":"m2"});
        assert_eq!(next_cursor(&a, Pagination::Anthropic), None);
        let g = json!({"models":[],"nextPageToken":""});
        assert_eq!(next_cursor(&g, Pagination::Google), None);
        let c = json!({"models":[],"next_page_token":"t"});
        assert_eq!(next_cursor(&c, Pagination::Cohere).as_deref(), Some("t"));
    }

    #[test]
    fn ollama_latest_tag() {
        assert!(same_model("llama3:latest", "llama3"));
        assert!(same_model("llama3:8b", "llama3:8b"));
        assert!(!same_model("llama3:8b", "llama3"));
        assert!(!same_model("llama3:latest", "llama3:8b"));
    }
}
