//! The health history's row layer, written once for both engines: the SQL
//! (numbered `$n` parameters, which SQLite reads as named parameters
//! numbered by first appearance, so each statement below introduces
//! `$1, $2, …` in order), how a row becomes a [`HealthStatus`] or a
//! [`HealthSample`], and the per-result writes both engines run inside their
//! transaction ([`record_one`]). Monitor results live here, never in the audit
//! log; their own mark ([`HEALTH_MARK`]) tells readers a result arrived.

use time::OffsetDateTime;

use super::StoreError;
use super::columns::Columns;
use super::rows::fmt_time;
use super::writes::{Value, Write};
use crate::domain::{
    HealthCheck, HealthPolicy, HealthRetention, HealthSample, HealthState, HealthStatus, Scope,
    TestStatus, Transition,
};

/// The id of the config a result belongs to (`$1` scope); none means the
/// config was deleted meanwhile and the result is dropped.
pub const CONFIG_ID: &str = "SELECT id FROM configs WHERE scope = $1";

/// The stored state of a scope (`$1` scope).
pub const SELECT_STATE: &str = "SELECT scope, config_id, state, since, failures, last_ok, \
     last_checked, last_status FROM health_states WHERE scope = $1";

/// Every stored state.
pub const ALL_STATES: &str = "SELECT scope, config_id, state, since, failures, last_ok, \
     last_checked, last_status FROM health_states";

/// The states of the scopes with a result newer than the health mark `$1`
/// ([`HEALTH_MARK`]): a range of the results' primary key, then one state
/// lookup by primary key per scope, so the cost follows how many results
/// arrived, not how many scopes there are (no extra index needed).
pub const STATES_AFTER: &str = "SELECT scope, config_id, state, since, failures, last_ok, \
     last_checked, last_status FROM health_states \
     WHERE scope IN (SELECT scope FROM health_results WHERE id > $1)";

/// Writes a scope's state (`$1`..`$8` as the column list).
pub const UPSERT_STATE: &str = "INSERT INTO health_states \
     (scope, config_id, state, since, failures, last_ok, last_checked, last_status) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     ON CONFLICT (scope) DO UPDATE SET config_id = excluded.config_id, state = excluded.state, \
     since = excluded.since, failures = excluded.failures, last_ok = excluded.last_ok, \
     last_checked = excluded.last_checked, last_status = excluded.last_status";

/// Appends one result (`$1` scope, `$2` status, `$3` HTTP status, `$4`
/// latency, `$5` time).
pub const INSERT_RESULT: &str = "INSERT INTO health_results \
     (scope, status, http_status, latency_ms, checked_at) VALUES ($1, $2, $3, $4, $5)";

/// Keeps a monitor result's lifecycle facts on the scope's last test, so
/// every view of the last test (the TUI's column, `llmcfg lifecycle`,
/// `instances --json`) shows the newest facts: when the scope has no last
/// test yet, the monitor's result becomes it (a monitored fleet is rarely
/// tested by hand, and its retiring scopes must still be listed); when it
/// has one of the same provider and model, only the facts are replaced; a
/// last test of another provider or model is left alone. `$1` scope, `$2`
/// provider, `$3` model, `$4` status (`success` is true for `ok` alone, as
/// in every result), `$5` message, `$6` latency, `$7` time, `$8` facts
/// (JSON). (SQLite numbers `$N` parameters in the order they first appear,
/// so they first appear in order.)
pub const UPSERT_TEST_LIFECYCLE: &str = "INSERT INTO last_tests \
     (scope, provider, model, status, success, message, latency_ms, checked_at, lifecycle) \
     VALUES ($1, $2, $3, $4, ($4 = 'ok'), $5, $6, $7, $8) \
     ON CONFLICT (scope) DO UPDATE SET lifecycle = excluded.lifecycle \
     WHERE last_tests.provider = excluded.provider AND last_tests.model = excluded.model";

/// Keeps the newest `$2` results of scope `$1`: an index range from the
/// scope's cut-off id down, usually one row.
pub const PRUNE_COUNT: &str = "DELETE FROM health_results WHERE scope = $1 AND id <= \
     (SELECT id FROM health_results WHERE scope = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)";

/// Drops results of scope `$1` older than `$2`, looking only at its eight
/// oldest: each new result removes up to eight expired ones, so expired rows
/// drain faster than they arrive without a scan or an index on time.
pub const PRUNE_AGE: &str = "DELETE FROM health_results WHERE scope = $1 AND checked_at < $2 \
     AND id IN (SELECT id FROM health_results WHERE scope = $1 ORDER BY id LIMIT 8)";

/// Every result since `$1`, by scope and age.
pub const SAMPLES_SINCE: &str = "SELECT scope, status, http_status, latency_ms, checked_at \
     FROM health_results WHERE checked_at >= $1 ORDER BY scope, id";

/// The newest `$2` results of scope `$1`, newest first.
pub const SAMPLES_OF: &str = "SELECT scope, status, http_status, latency_ms, checked_at \
     FROM health_results WHERE scope = $1 ORDER BY id DESC LIMIT $2";

/// The health mark: the newest result id; moves whenever a result lands.
pub const HEALTH_MARK: &str = "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM health_results";

/// Creates the lease row if there is none (`$1` holder, `$2` expiry ms).
pub const LEASE_INSERT: &str = "INSERT INTO monitor_lease (name, holder, expires_ms, round) \
     VALUES ('monitor', $1, $2, 0) ON CONFLICT (name) DO NOTHING";

/// Takes or renews the lease for `$1` until `$2` when it is ours or
/// expired at `$3`; one row changed means we hold it.
pub const LEASE_TAKE: &str = "UPDATE monitor_lease SET holder = $1, expires_ms = $2 \
     WHERE name = 'monitor' AND (holder = $1 OR expires_ms < $3)";

/// Claims round `$1` for holder `$2` while its lease is live at `$3`; one
/// row changed means this round is ours and nobody ran it.
pub const ROUND_CLAIM: &str = "UPDATE monitor_lease SET round = $1 \
     WHERE name = 'monitor' AND round < $1 AND holder = $2 AND expires_ms >= $3";

/// Gives the lease up at once (`$1` holder), so a successor need not wait.
pub const LEASE_RELEASE: &str =
    "UPDATE monitor_lease SET expires_ms = 0 WHERE name = 'monitor' AND holder = $1";

/// Which results to read.
#[derive(Debug, Clone)]
pub enum SampleQuery {
    /// Every scope's results since this time, by scope and age.
    Since(OffsetDateTime),
    /// The newest `limit` results of one scope, newest first.
    Newest {
        /// The scope.
        scope: Scope,
        /// How many.
        limit: usize,
    },
}

/// One row of [`SELECT_STATE`] / [`ALL_STATES`] / [`STATES_AFTER`], with the config id it was
/// recorded for.
pub(crate) fn state_from(r: &impl Columns) -> Result<(HealthStatus, String), StoreError> {
    let state = r.text("state")?;
    let status = HealthStatus {
        scope: r.scope("scope")?,
        state: HealthState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("health state {state:?}")))?,
        since: r.time("since")?,
        failures: u32::try_from(r.int("failures")?.max(0)).unwrap_or(u32::MAX),
        last_ok: r.opt_time("last_ok")?,
        last_checked: r.opt_time("last_checked")?,
        last_status: r.opt_text("last_status")?.map(|s| status(&s)).transpose()?,
    };
    Ok((status, r.text("config_id")?))
}

/// One row of [`SAMPLES_SINCE`] / [`SAMPLES_OF`].
pub(crate) fn sample_from(r: &impl Columns) -> Result<HealthSample, StoreError> {
    Ok(HealthSample {
        scope: r.scope("scope")?,
        status: status(&r.text("status")?)?,
        http_status: r
            .opt_int("http_status")?
            .and_then(|c| u16::try_from(c).ok()),
        latency_ms: u64::try_from(r.int("latency_ms")?.max(0)).unwrap_or(0),
        checked_at: r.time("checked_at")?,
    })
}

fn status(s: &str) -> Result<TestStatus, StoreError> {
    TestStatus::parse(s).ok_or_else(|| StoreError::Corrupt(format!("test status {s:?}")))
}

/// What one result changes, decided from the stored state: the state row to
/// write and the transition, if any. A state recorded for another config
/// of the scope (deleted and created again) counts as never tested.
fn observe(
    stored: Option<(HealthStatus, String)>,
    config_id: &str,
    check: &HealthCheck,
    policy: HealthPolicy,
) -> (HealthStatus, Option<Transition>) {
    let prev = match stored {
        Some((s, id)) if id == config_id => s,
        _ => HealthStatus::unknown(&check.scope, check.checked_at),
    };
    prev.observe(check, policy)
}

/// What one result writes once the id of its config is known, in order:
/// the scope's new state ([`UPSERT_STATE`]), the result ([`INSERT_RESULT`]),
/// the two prunes of the scope's history ([`PRUNE_COUNT`], [`PRUNE_AGE`])
/// and, when the result carries lifecycle facts, their copy on the last
/// test ([`UPSERT_TEST_LIFECYCLE`]); and the transition it caused, if any.
/// Both engines run exactly these inside their transaction.
pub(crate) fn record_one(
    stored: Option<(HealthStatus, String)>,
    config_id: &str,
    check: &HealthCheck,
    policy: HealthPolicy,
    retention: HealthRetention,
) -> (Vec<Write>, Option<Transition>) {
    let (next, transition) = observe(stored, config_id, check, policy);
    let key = check.scope.key();
    let writes = [
        Write {
            sql: UPSERT_STATE.to_string(),
            values: vec![
                Value::text(next.scope.key()),
                Value::text(config_id),
                Value::text(next.state.as_str()),
                Value::text(fmt_time(next.since)),
                Value::int(i64::from(next.failures)),
                Value::Text(next.last_ok.map(fmt_time)),
                Value::Text(next.last_checked.map(fmt_time)),
                Value::Text(next.last_status.map(|s| s.as_str().to_string())),
            ],
        },
        Write {
            sql: INSERT_RESULT.to_string(),
            values: vec![
                Value::text(key),
                Value::text(check.status.as_str()),
                Value::Int(check.http_status.map(i64::from)),
                Value::int(i64::try_from(check.latency_ms).unwrap_or(i64::MAX)),
                Value::text(fmt_time(check.checked_at)),
            ],
        },
        Write {
            sql: PRUNE_COUNT.to_string(),
            values: vec![Value::text(key), Value::int(i64::from(retention.per_scope))],
        },
        Write {
            sql: PRUNE_AGE.to_string(),
            values: vec![
                Value::text(key),
                Value::text(cutoff(check.checked_at, retention.days)),
            ],
        },
    ];
    let lifecycle = check
        .lifecycle
        .as_ref()
        .filter(|l| !l.is_empty())
        .map(|l| Write {
            sql: UPSERT_TEST_LIFECYCLE.to_string(),
            values: vec![
                Value::text(key),
                Value::text(check.provider.as_str()),
                Value::text(check.model.as_str()),
                Value::text(check.status.as_str()),
                Value::text(check.message.as_str()),
                Value::int(i64::try_from(check.latency_ms).unwrap_or(i64::MAX)),
                Value::text(fmt_time(check.checked_at)),
                Value::text(serde_json::to_string(l).expect("lifecycle facts always serialise")),
            ],
        });
    (writes.into_iter().chain(lifecycle).collect(), transition)
}

/// The oldest time a result may have and stay, at `now`.
fn cutoff(now: OffsetDateTime, days: u32) -> String {
    fmt_time(now - time::Duration::days(i64::from(days)))
}
