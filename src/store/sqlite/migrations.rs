//! Versioned schema migrations. `PRAGMA user_version` records the version;
//! each step runs in its own `BEGIN IMMEDIATE` transaction so two processes
//! opening a new file never both apply it.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// The migrations, in order; index + 1 is the version they bring the schema to.
const MIGRATIONS: &[&str] = &[
    // 1: configs, audit log, known instances, last test per scope.
    "CREATE TABLE meta (
         key   TEXT PRIMARY KEY,
         value TEXT NOT NULL
     );
     CREATE TABLE configs (
         id              TEXT PRIMARY KEY,
         scope           TEXT NOT NULL UNIQUE,
         provider        TEXT NOT NULL,
         model           TEXT NOT NULL,
         base_url        TEXT,
         sealed_key      BLOB NOT NULL,
         api_key_masked  TEXT NOT NULL,
         key_fingerprint TEXT NOT NULL,
         created_at      TEXT NOT NULL,
         updated_at      TEXT NOT NULL
     );
     CREATE TABLE instances (
         id         TEXT PRIMARY KEY,
         name       TEXT,
         created_at TEXT NOT NULL
     );
     CREATE TABLE last_tests (
         scope      TEXT PRIMARY KEY,
         success    INTEGER NOT NULL,
         provider   TEXT NOT NULL,
         model      TEXT NOT NULL,
         status     TEXT NOT NULL,
         message    TEXT NOT NULL,
         latency_ms INTEGER NOT NULL,
         checked_at TEXT NOT NULL
     );
     CREATE TABLE audit (
         id              INTEGER PRIMARY KEY AUTOINCREMENT,
         at              TEXT NOT NULL,
         actor           TEXT NOT NULL,
         scope           TEXT NOT NULL,
         action          TEXT NOT NULL,
         fields          TEXT NOT NULL,
         key_fingerprint TEXT,
         detail          TEXT
     );
     CREATE INDEX audit_by_scope ON audit (scope, id);",
    // 2: API tokens of `llmcfg serve`; only the SHA-256 of each secret.
    "CREATE TABLE tokens (
         name       TEXT PRIMARY KEY,
         role       TEXT NOT NULL,
         hash       BLOB NOT NULL UNIQUE,
         created_at TEXT NOT NULL
     );",
    // versions (#12): every kept version of each scope's config. A deletion
    // is a row whose config columns are NULL; `sealed_key` is bound to the
    // record and the version number.
    "CREATE TABLE config_versions (
         scope           TEXT NOT NULL,
         version         INTEGER NOT NULL,
         record_id       TEXT NOT NULL,
         at              TEXT NOT NULL,
         actor           TEXT NOT NULL,
         action          TEXT NOT NULL,
         fields          TEXT NOT NULL,
         provider        TEXT,
         model           TEXT,
         base_url        TEXT,
         sealed_key      BLOB,
         api_key_masked  TEXT,
         key_fingerprint TEXT,
         PRIMARY KEY (scope, version)
     );",
    // monitor (#13): every monitor result, each scope's health state, and
    // the lease that makes one process the monitor. Never the audit log,
    // which stays for human actions.
    "CREATE TABLE health_results (
         id          INTEGER PRIMARY KEY,
         scope       TEXT NOT NULL,
         status      TEXT NOT NULL,
         http_status INTEGER,
         latency_ms  INTEGER NOT NULL,
         checked_at  TEXT NOT NULL
     );
     CREATE INDEX health_results_by_scope ON health_results (scope, id);
     CREATE TABLE health_states (
         scope        TEXT PRIMARY KEY,
         config_id    TEXT NOT NULL,
         state        TEXT NOT NULL,
         since        TEXT NOT NULL,
         failures     INTEGER NOT NULL,
         last_ok      TEXT,
         last_checked TEXT,
         last_status  TEXT
     );
     CREATE TABLE monitor_lease (
         name       TEXT PRIMARY KEY,
         holder     TEXT NOT NULL,
         expires_ms INTEGER NOT NULL,
         round      INTEGER NOT NULL
     );",
    // fleet key rotation (#12): each rotation, and per scope the version
    // before and after its swap, written in the swap's own transaction.
    "CREATE TABLE rotations (
         id              TEXT PRIMARY KEY,
         at              TEXT NOT NULL,
         actor           TEXT NOT NULL,
         old_fingerprint TEXT NOT NULL,
         new_fingerprint TEXT NOT NULL
     );
     CREATE TABLE rotation_scopes (
         rotation_id    TEXT NOT NULL,
         scope          TEXT NOT NULL,
         version_before INTEGER NOT NULL,
         version_after  INTEGER NOT NULL,
         PRIMARY KEY (rotation_id, scope)
     );",
];

/// Brings the schema up to date.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let version = usize::try_from(version).unwrap_or(usize::MAX);
        if version > MIGRATIONS.len() {
            return Err(StoreError::Open(format!(
                "the store has schema version {version}, newer than this llmcfg understands ({}); upgrade llmcfg",
                MIGRATIONS.len()
            )));
        }
        if version == MIGRATIONS.len() {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[version])?;
        tx.pragma_update(None, "user_version", (version + 1) as i64)?;
        tx.commit()?;
    }
}
