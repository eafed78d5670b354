//! The health history and the monitor lease on SQLite: the statements of
//! [`crate::store::health`], bound with rusqlite. A batch of results is one
//! `BEGIN IMMEDIATE` transaction, so 100,000 scopes cost a few hundred
//! commits per round rather than one `fsync` per result.

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::StoreError;
use super::columns::{SqliteRow, column_names, read_all};
use super::worker::Conn;
use crate::domain::{
    HealthCheck, HealthPolicy, HealthRetention, HealthSample, HealthStatus, Transition,
};
use crate::store::health::{self as h, SampleQuery};
use crate::store::rows::fmt_time;

/// Records `checks` and returns the transitions they caused.
pub(super) fn record(
    c: &mut Conn,
    checks: &[HealthCheck],
    policy: HealthPolicy,
    retention: HealthRetention,
) -> Result<Vec<Transition>, StoreError> {
    let tx = c.begin()?;
    let mut transitions = Vec::new();
    for check in checks {
        let key = check.scope.key();
        let Some(config_id) = tx
            .prepare_cached(h::CONFIG_ID)?
            .query_row([key], |r| r.get::<_, String>(0))
            .optional()?
        else {
            continue;
        };
        let stored = {
            let mut stmt = tx.prepare_cached(h::SELECT_STATE)?;
            let names = column_names(&stmt);
            let mut rows = stmt.query([key])?;
            match rows.next()? {
                Some(r) => Some(h::state_from(&SqliteRow::new(r, &names))?),
                None => None,
            }
        };
        let (writes, transition) = h::record_one(stored, &config_id, check, policy, retention);
        for write in writes {
            tx.prepare_cached(&write.sql)?
                .execute(params_from_iter(&write.values))?;
        }
        transitions.extend(transition);
    }
    tx.commit()?;
    Ok(transitions)
}

/// Every stored state (of configs that still exist or not).
pub(super) fn states(conn: &Connection) -> Result<Vec<HealthStatus>, StoreError> {
    let mut stmt = conn.prepare_cached(h::ALL_STATES)?;
    read_all(&mut stmt, [], |r| Ok(h::state_from(r)?.0))
}

/// The states of scopes with a result newer than the health mark `mark`.
pub(super) fn states_after(conn: &Connection, mark: i64) -> Result<Vec<HealthStatus>, StoreError> {
    let mut stmt = conn.prepare_cached(h::STATES_AFTER)?;
    read_all(&mut stmt, [mark], |r| Ok(h::state_from(r)?.0))
}

/// Results since `since` (every scope), or the newest `limit` of `scope`.
pub(super) fn samples(
    conn: &Connection,
    query: &SampleQuery,
) -> Result<Vec<HealthSample>, StoreError> {
    let (mut stmt, bind): (_, Vec<Box<dyn rusqlite::ToSql>>) = match query {
        SampleQuery::Since(t) => (
            conn.prepare_cached(h::SAMPLES_SINCE)?,
            vec![Box::new(fmt_time(*t))],
        ),
        SampleQuery::Newest { scope, limit } => (
            conn.prepare_cached(h::SAMPLES_OF)?,
            vec![
                Box::new(scope.key().to_string()),
                Box::new(i64::try_from(*limit).unwrap_or(i64::MAX)),
            ],
        ),
    };
    read_all(&mut stmt, rusqlite::params_from_iter(bind.iter()), |r| {
        h::sample_from(r)
    })
}

/// The health mark (see [`h::HEALTH_MARK`]).
pub(super) fn mark(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row(h::HEALTH_MARK, [], |r| r.get(0))?)
}

/// Takes or renews the lease; true when `holder` holds it.
pub(super) fn take_lease(
    c: &mut Conn,
    holder: &str,
    now_ms: i64,
    until_ms: i64,
) -> Result<bool, StoreError> {
    let tx = c.begin()?;
    tx.prepare_cached(h::LEASE_INSERT)?
        .execute(params![holder, until_ms])?;
    let changed = tx
        .prepare_cached(h::LEASE_TAKE)?
        .execute(params![holder, until_ms, now_ms])?;
    tx.commit()?;
    Ok(changed == 1)
}

/// Claims `round` for `holder`; true when it is ours to run.
pub(super) fn claim_round(
    c: &mut Conn,
    holder: &str,
    round: i64,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let tx = c.begin()?;
    let changed = tx
        .prepare_cached(h::ROUND_CLAIM)?
        .execute(params![round, holder, now_ms])?;
    tx.commit()?;
    Ok(changed == 1)
}

/// Gives the lease up.
pub(super) fn release_lease(c: &mut Conn, holder: &str) -> Result<(), StoreError> {
    let tx = c.begin()?;
    tx.prepare_cached(h::LEASE_RELEASE)?.execute([holder])?;
    tx.commit()
}
