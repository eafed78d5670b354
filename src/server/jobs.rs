//! Extension routes of the service's jobs (superadmin, like every
//! `/llm-config` route): start a "test all" job, list the server's jobs,
//! follow one by long-poll, cancel one. A job runs in the server whatever
//! happens to the request that started it; these routes only look at it.

use std::time::Duration;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::extract::{Caller, JsonBody, QueryParams};
use super::json::Json;
use super::openapi::reference;
use crate::domain::ValidationError;
use crate::service::ServiceError;
use crate::service::jobs::{JobId, JobPhase, JobReport, JobSpec, RowOutcome};

/// `GET` the list, `POST` to start "test all".
pub const JOBS_PATH: &str = "/llm-config/jobs";
/// `GET ?id=N&after=K`: the job once it has more than K rows or ended.
pub const FOLLOW_PATH: &str = "/llm-config/jobs/follow";
/// `POST ?id=N`: cancel the job.
pub const CANCEL_PATH: &str = "/llm-config/jobs/cancel";

/// Most tests a job started over HTTP runs at once.
pub const MAX_JOB_CONCURRENCY: usize = 64;
/// Tests at once when the body names no concurrency.
const DEFAULT_JOB_CONCURRENCY: usize = 16;
/// How long a follow waits for news before answering the job as it
/// stands; well under the server's request timeout.
const FOLLOW_WAIT: Duration = Duration::from_secs(20);

/// Body of `POST /llm-config/jobs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartJobRequest {
    /// What to run; only `test_all` today.
    pub kind: String,
    /// Tests at once (1 to [`MAX_JOB_CONCURRENCY`]; `null` or absent: the
    /// default; `8.0` reads as 8).
    #[serde(default, deserialize_with = "whole_or_null")]
    pub concurrency: Option<usize>,
}

/// A whole number (with or without a zero fraction, as JSON Schema's
/// `integer` allows), or `null`.
fn whole_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => crate::api::whole_up_to(&n, u64::from(u32::MAX))
            .map(|v| Some(v as usize))
            .ok_or_else(|| serde::de::Error::custom("must be a whole number")),
    }
}

/// Query of the follow and cancel routes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobQuery {
    /// The job's id.
    pub id: u64,
    /// Follow: answer once the job has more rows than this (default 0).
    #[serde(default)]
    pub after: Option<usize>,
}

/// A job on the wire.
#[derive(Debug, Serialize)]
pub struct JobView {
    id: JobId,
    label: &'static str,
    caller: String,
    /// `running`, `done`, `cancelled` or `failed`.
    state: &'static str,
    /// Why a failed job could not run.
    error: Option<String>,
    total: usize,
    finished: usize,
    failed: usize,
    rows: Vec<JobRowView>,
}

/// One finished scope on the wire.
#[derive(Debug, Serialize)]
pub struct JobRowView {
    instance_id: Option<String>,
    #[serde(flatten)]
    outcome: RowOutcome,
}

impl From<JobReport> for JobView {
    fn from(r: JobReport) -> JobView {
        let failed = r.failures();
        let (state, error) = match r.phase {
            JobPhase::Running => ("running", None),
            JobPhase::Done => ("done", None),
            JobPhase::Cancelled => ("cancelled", None),
            JobPhase::Failed(e) => ("failed", Some(e)),
        };
        JobView {
            id: r.id,
            label: r.label,
            caller: r.caller,
            state,
            error,
            total: r.total,
            finished: r.rows.len(),
            failed,
            rows: r
                .rows
                .into_iter()
                .map(|row| JobRowView {
                    instance_id: row.scope.instance_id().map(str::to_string),
                    outcome: row.outcome,
                })
                .collect(),
        }
    }
}

fn no_such_job(id: u64) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, format!("no job has id {id}"))
}

/// `GET /llm-config/jobs`: the server's jobs, oldest first.
pub async fn list(Caller(h): Caller) -> Json<Vec<JobView>> {
    Json(h.jobs().into_iter().map(JobView::from).collect())
}

/// `POST /llm-config/jobs`: starts "test all"; answers the job at once.
pub async fn start(
    Caller(h): Caller,
    JsonBody(body): JsonBody<StartJobRequest>,
) -> Result<(StatusCode, Json<JobView>), ApiError> {
    if body.kind != "test_all" {
        return Err(
            ServiceError::from(ValidationError::new("kind", "must be \"test_all\"")).into(),
        );
    }
    let concurrency = body.concurrency.unwrap_or(DEFAULT_JOB_CONCURRENCY);
    if concurrency == 0 || concurrency > MAX_JOB_CONCURRENCY {
        return Err(ServiceError::from(ValidationError::new(
            "concurrency",
            format!("must be between 1 and {MAX_JOB_CONCURRENCY}"),
        ))
        .into());
    }
    let ticket = h.start_job(JobSpec::TestAll { concurrency }).await?;
    let report = h.job(ticket.id).ok_or_else(|| no_such_job(ticket.id.0))?;
    Ok((StatusCode::ACCEPTED, Json(report.into())))
}

/// `GET /llm-config/jobs/follow?id=N&after=K`: long-poll. Answers the job
/// once it has more than `after` rows or has ended, or as it stands after
/// a bounded wait; a follower asks again with the rows it has.
pub async fn follow(
    Caller(h): Caller,
    QueryParams(q): QueryParams<JobQuery>,
) -> Result<Json<JobView>, ApiError> {
    let id = JobId(q.id);
    let (report, mut events) = h.follow_job(id).ok_or_else(|| no_such_job(q.id))?;
    let after = q.after.unwrap_or(0);
    if report.rows.len() > after || report.phase.ended() {
        return Ok(Json(report.into()));
    }
    let news = async {
        while let Some(event) = events.recv().await {
            let ready = h
                .job(id)
                .is_none_or(|r| r.rows.len() > after || r.phase.ended());
            if ready || matches!(event, crate::service::jobs::JobEvent::Ended(_)) {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(FOLLOW_WAIT, news).await;
    let report = h.job(id).ok_or_else(|| no_such_job(q.id))?;
    Ok(Json(report.into()))
}

/// `POST /llm-config/jobs/cancel?id=N`: no new scope of the job starts;
/// answers the job as it stands (the scopes under way still finish).
pub async fn cancel(
    Caller(h): Caller,
    QueryParams(q): QueryParams<JobQuery>,
) -> Result<Json<JobView>, ApiError> {
    let id = JobId(q.id);
    h.cancel_job(id).ok_or_else(|| no_such_job(q.id))?;
    let report = h.job(id).ok_or_else(|| no_such_job(q.id))?;
    Ok(Json(report.into()))
}

/// The component schemas of these routes' bodies.
pub fn schemas() -> Map<String, Value> {
    let nullable_string = json!({"type": ["string", "null"]});
    let count = json!({"type": "integer", "minimum": 0});
    let mut m = Map::new();
    m.insert(
        "StartJobRequest".into(),
        json!({
            "type": "object", "additionalProperties": false,
            "required": ["kind"],
            "properties": {
                "kind": {"type": "string", "enum": ["test_all"]},
                "concurrency": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_JOB_CONCURRENCY},
            },
        }),
    );
    m.insert(
        "JobRow".into(),
        json!({
            "type": "object",
            "required": ["instance_id", "outcome"],
            "properties": {
                "instance_id": nullable_string,
                "outcome": {"type": "string", "enum": ["tested", "done", "failed"]},
                "result": reference("TestResult"),
                "message": {"type": "string"},
            },
        }),
    );
    m.insert(
        "Job".into(),
        json!({
            "type": "object",
            "required": ["id", "label", "caller", "state", "error", "total", "finished",
                         "failed", "rows"],
            "properties": {
                "id": count, "label": {"type": "string"}, "caller": {"type": "string"},
                "state": {"type": "string", "enum": ["running", "done", "cancelled", "failed"]},
                "error": nullable_string,
                "total": count, "finished": count, "failed": count,
                "rows": {"type": "array", "items": reference("JobRow")},
            },
        }),
    );
    m.insert(
        "JobList".into(),
        json!({"type": "array", "items": reference("Job")}),
    );
    m
}
