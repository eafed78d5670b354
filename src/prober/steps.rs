//! The request sequence of a test and of a model listing (see the module
//! map in `prober`). `Ok` carries a success verdict, `Err` a failure, so
//! each step can stop the sequence with `?`.

use serde_json::Value;

use super::fetch::Fetcher;
use super::outcome::{self, Phase, Verdict};
use super::{ProbeError, endpoint, listing};

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
    if let Some(template) = &spec.probe.get_model {
        let path = endpoint::model_path(template, model);
        let reply = get(f, base, &path).await?;
        if reply.status.is_success() {
            return match serde_json::from_slice::<Value>(&reply.body) {
                Ok(v) if v.is_object() && !reply.truncated => Ok(outcome::ok()),
                _ => Err(outcome::malformed(
                    spec,
                    Phase::GetModel,
                    &reply,
                    f.max_body,
                )),
            };
        }
        if reply.status != reqwest::StatusCode::NOT_FOUND || reply.html {
            return Err(outcome::from_reply(spec, Phase::GetModel, &reply, model));
        }
        // A 404 may mean "no such model" or "no such endpoint" (a gateway
        // without get-one-model): the list tells them apart, and also
        // catches a disabled key that Anthropic answers with 404.
        let ids = listing::fetch_all(f, base).await.map_err(|v| {
            if v.status == crate::domain::TestStatus::UnexpectedResponse {
                outcome::from_reply(spec, Phase::GetModel, &reply, model)
            } else {
                v
            }
        })?;
        return if ids.iter().any(|id| listing::same_model(id, model)) {
            Ok(outcome::ok())
        } else {
            Err(outcome::model_missing(spec, model, None))
        };
    }
    let ids = listing::fetch_all(f, base).await?;
    if spec.probe.deployment {
        return Ok(outcome::key_only(spec, model));
    }
    if ids.iter().any(|id| listing::same_model(id, model)) {
        Ok(outcome::ok())
    } else {
        Err(outcome::model_missing(spec, model, Some(ids.len())))
    }
}

/// The live model ids, after the key check where the list is public.
pub async fn list(f: &mut Fetcher<'_>, base: &str) -> Result<Vec<String>, Verdict> {
    key_check(f, base).await?;
    listing::fetch_all(f, base).await
}

/// OpenRouter's model list is public and proves nothing about the key, so
/// its key endpoint answers first.
async fn key_check(f: &mut Fetcher<'_>, base: &str) -> Result<(), Verdict> {
    let Some(path) = f.spec.probe.key_check.clone() else {
        return Ok(());
    };
    let reply = get(f, base, &path).await?;
    if !reply.status.is_success() {
        return Err(outcome::from_reply(f.spec, Phase::KeyCheck, &reply, ""));
    }
    match serde_json::from_slice::<Value>(&reply.body) {
        Ok(v) if v.is_object() && !reply.truncated => Ok(()),
        _ => Err(outcome::malformed(
            f.spec,
            Phase::KeyCheck,
            &reply,
            f.max_body,
        )),
    }
}

async fn get(f: &mut Fetcher<'_>, base: &str, path: &str) -> Result<super::fetch::Reply, Verdict> {
    let spec = f.spec;
    let bound = f.connect_timeout;
    let fail = |e: ProbeError| outcome::from_error(spec, &e, bound);
    let url = endpoint::join(base, path, spec.probe.query.as_deref(), &[]).map_err(fail)?;
    f.get(url).await.map_err(fail)
}
