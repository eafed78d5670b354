//! The request sequence of a test and of a model listing (see the module
//! map in `prober`). `Ok` carries a success verdict, `Err` a failure, so
//! each step can stop the sequence with `?`.

use serde_json::Value;
use time::OffsetDateTime;

use super::fetch::{Fetcher, Reply};
use super::outcome::{self, Phase, Verdict};
use super::{ProbeError, endpoint, facts, listing};
use crate::domain::catalog::KeyFactsShape;
use crate::domain::{KeyFacts, KeyFactsRecord, Lifecycle, TestStatus};

/// Proves the key and the model.
pub async fn test(f: &mut Fetcher<'_>, base: &str, model: &str) -> Result<Verdict, Verdict> {
    let spec = f.spec;
    // Users paste Gemini ids either way; the API wants them without `models/`.
    let model = spec
        .probe
        .id_prefix
        .as_deref()
        .and_then(|p| model.strip_prefix(p))
        .unwrap_or(model);
    key_check(f, base).await?;
    key_facts(f, base, model).await?;
    let get_model = spec
        .probe
        .get_model
        .as_ref()
        .filter(|_| !model.contains('/'));
    if let Some(template) = get_model {
        let path = endpoint::model_path(template, model);
        let reply = get(f, base, &path).await?;
        if reply.status.is_success() {
            return model_object(f, &reply, model);
        }
        if reply.status != reqwest::StatusCode::NOT_FOUND {
            return Err(outcome::from_reply(spec, Phase::GetModel, &reply));
        }
        // A 404 may mean "no such model", "no such route" or (Anthropic) a
        // disabled key: only the list can tell, and its verdict stands.
    }
    let listed = listing::fetch_all(f, base, Some(model)).await?;
    if let Some(retirement) = listed.retirement {
        f.lifecycle.retirement = Some(retirement);
    }
    if spec.probe.deployment {
        return Ok(outcome::key_only(spec, model));
    }
    if listed.ids.iter().any(|id| listing::same_model(id, model)) {
        Ok(outcome::ok())
    } else {
        Err(outcome::model_missing(spec, model, listed.ids.len()))
    }
}

/// A 200 from get-one-model: `ok` only when it is the model object with
/// the requested id (or, where the provider resolves aliases, the dated id
/// the alias names).
fn model_object(f: &mut Fetcher<'_>, reply: &Reply, model: &str) -> Result<Verdict, Verdict> {
    let spec = f.spec;
    let json = match serde_json::from_slice::<Value>(&reply.body) {
        Ok(v) if v.is_object() && !reply.truncated => v,
        _ => {
            return Err(outcome::malformed(spec, Phase::GetModel, reply, f.max_body));
        }
    };
    let prefix = spec.probe.id_prefix.as_deref().unwrap_or("");
    let named = ["id", "name"]
        .iter()
        .find_map(|k| json.get(*k)?.as_str())
        .map(|id| id.strip_prefix(prefix).unwrap_or(id));
    let verdict = match named {
        Some(id) if listing::same_model(id, model) => outcome::ok(),
        Some(id) if spec.probe.resolves_aliases && is_alias_of(model, id) => outcome::ok(),
        other => return Err(outcome::wrong_model(spec, model, other)),
    };
    f.lifecycle.retirement = facts::retirement(&json, model);
    Ok(verdict)
}

/// `claude-sonnet-4-5` names `claude-sonnet-4-5-20250929`, and
/// `claude-3-5-haiku-latest` names `claude-3-5-haiku-20241022`.
fn is_alias_of(alias: &str, id: &str) -> bool {
    let stem = alias.strip_suffix("-latest").unwrap_or(alias);
    id.strip_prefix(stem)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|date| !date.is_empty() && date.bytes().all(|b| b.is_ascii_digit()))
}

/// The live model ids, after the key check where the list is public.
pub async fn list(f: &mut Fetcher<'_>, base: &str) -> Result<Vec<String>, Verdict> {
    key_check(f, base).await?;
    Ok(listing::fetch_all(f, base, None).await?.ids)
}

/// OpenRouter's model list is public and proves nothing about the key, so
/// its key endpoint answers first.
async fn key_check(f: &mut Fetcher<'_>, base: &str) -> Result<(), Verdict> {
    let Some(path) = f.spec.probe.key_check.clone() else {
        return Ok(());
    };
    let reply = get(f, base, &path).await?;
    if !reply.status.is_success() {
        return Err(outcome::from_reply(f.spec, Phase::KeyCheck, &reply));
    }
    // OpenRouter's key object is `{"data": {label, limit, usage, …}}`; a
    // 200 of anything else proves nothing.
    let json = match serde_json::from_slice::<Value>(&reply.body) {
        Ok(v) if v.get("data").is_some_and(Value::is_object) && !reply.truncated => v,
        _ => {
            return Err(outcome::malformed(
                f.spec,
                Phase::KeyCheck,
                &reply,
                f.max_body,
            ));
        }
    };
    let (lifecycle, disabled) = facts::openrouter_key(&json["data"]);
    f.lifecycle = lifecycle;
    if disabled {
        return Err(facts::disabled(f.spec));
    }
    Ok(())
}

/// The provider's free key endpoint (xAI's key status, DeepSeek's balance):
/// its stored answer while it is reusable, else one read, kept for the
/// store. A blocked key, a model outside the key's ACL and an account that
/// cannot pay end the test here.
async fn key_facts(f: &mut Fetcher<'_>, base: &str, model: &str) -> Result<(), Verdict> {
    let Some(source) = f.spec.probe.key_facts.clone() else {
        return Ok(());
    };
    let now = OffsetDateTime::now_utc();
    let known = f.known_facts.filter(|r| r.reusable_at(now)).cloned();
    let record = match known {
        Some(record) => record,
        None => {
            let reply = get(f, base, &source.path).await?;
            let Some(facts) = read_key_facts(f, &reply, source.shape)? else {
                return Ok(());
            };
            let record = KeyFactsRecord {
                fetched_at: now,
                facts,
            };
            f.fresh_facts = Some(record.clone());
            record
        }
    };
    let facts = &record.facts;
    f.lifecycle = Lifecycle {
        retirement: f.lifecycle.retirement.take(),
        ..facts.lifecycle()
    };
    if let Some(flag) = &facts.blocked_by {
        return Err(facts::blocked(f.spec, flag));
    }
    if !facts.allows(model) {
        return Err(facts::not_allowed(f.spec, model));
    }
    if facts.cannot_pay {
        return Err(facts::cannot_pay(f.spec));
    }
    Ok(())
}

/// The facts of a key endpoint's answer. A refused key is the test's
/// verdict. A passing failure (rate limit, overload) leaves the facts
/// unknown (`None`: nothing kept, asked again next time); any other (a
/// gateway without the route, a 5xx) leaves them unknown for the day. Either
/// way the model's own answer decides the test.
fn read_key_facts(
    f: &Fetcher<'_>,
    reply: &Reply,
    shape: KeyFactsShape,
) -> Result<Option<KeyFacts>, Verdict> {
    if !reply.status.is_success() {
        let verdict = outcome::from_reply(f.spec, Phase::KeyCheck, reply);
        return match verdict.status {
            TestStatus::InvalidKey | TestStatus::PermissionDenied => Err(verdict),
            status if status.is_inconclusive() => Ok(None),
            _ => Ok(Some(KeyFacts::default())),
        };
    }
    let json = serde_json::from_slice::<Value>(&reply.body).ok();
    match json.as_ref().and_then(|j| facts::key_facts(shape, j)) {
        Some(facts) if !reply.truncated => Ok(Some(facts)),
        _ => Err(outcome::malformed(
            f.spec,
            Phase::KeyCheck,
            reply,
            f.max_body,
        )),
    }
}

async fn get(f: &mut Fetcher<'_>, base: &str, path: &str) -> Result<Reply, Verdict> {
    let spec = f.spec;
    let bound = f.connect_timeout;
    let fail = |e: ProbeError| outcome::from_error(spec, &e, bound);
    let url = endpoint::join(base, path, spec.probe.query.as_deref(), &[]).map_err(fail)?;
    f.get(url).await.map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::is_alias_of;

    #[test]
    fn aliases_name_dated_ids_only() {
        assert!(is_alias_of(
            "claude-sonnet-4-5",
            "claude-sonnet-4-5-20250929"
        ));
        assert!(is_alias_of(
            "claude-3-5-haiku-latest",
            "claude-3-5-haiku-20241022"
        ));
        assert!(!is_alias_of(
            "claude-sonnet-4",
            "claude-sonnet-4-5-20250929"
        ));
        assert!(!is_alias_of("claude-sonnet-4-5", "claude-sonnet-4-5"));
        assert!(!is_alias_of("gpt-4o", "gpt-4o-mini"));
    }
}
