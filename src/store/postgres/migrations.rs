//! Versioned schema migrations for PostgreSQL. A `schema_version` table
//! records the version; all pending steps run in one transaction under a
//! transaction-scoped advisory lock, so two replicas starting at once never
//! both apply a step (the second waits, then finds nothing to do).

use tokio_postgres::Client;

use super::StoreError;

/// Advisory-lock key of llmcfg's migrations ("llmcfg" in ASCII).
const MIGRATION_LOCK: i64 = 0x6c6c_6d63_6667;

/// The migrations, in order; index + 1 is the version they bring the schema
/// to. Same tables and columns as SQLite's, in PostgreSQL's types: sealed
/// keys are `BYTEA` (the same bytes), the audit id a `BIGSERIAL`.
const MIGRATIONS: &[&str] = &[
    // 1: configs, audit log, known instances, last test per scope.
    "CREATE TABLE meta (
         key   TEXT PRIMARY KEY,
         value TEXT NOT NULL
     );
     CREATE TABLE configs (
         id              TEXT PRIMARY KEY,
         scope           TEXT NOT NULL,
         provider        TEXT NOT NULL,
         model           TEXT NOT NULL,
         base_url        TEXT,
         sealed_key      BYTEA NOT NULL,
         api_key_masked  TEXT NOT NULL,
         key_fingerprint TEXT NOT NULL,
         created_at      TEXT NOT NULL,
         updated_at      TEXT NOT NULL
     );
     -- The control plane's scope is '' (never NULL), so the index counts it
     -- as one value like any tenant: one config per scope, global included.
     CREATE UNIQUE INDEX configs_one_per_scope ON configs (scope);
     CREATE TABLE instances (
         id         TEXT PRIMARY KEY,
         name       TEXT,
         created_at TEXT NOT NULL
     );
     CREATE TABLE last_tests (
         scope      TEXT PRIMARY KEY,
         success    BOOLEAN NOT NULL,
         provider   TEXT NOT NULL,
         model      TEXT NOT NULL,
         status     TEXT NOT NULL,
         message    TEXT NOT NULL,
         latency_ms BIGINT NOT NULL,
         checked_at TEXT NOT NULL
     );
     CREATE TABLE audit (
         id              BIGSERIAL PRIMARY KEY,
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
         hash       BYTEA NOT NULL UNIQUE,
         created_at TEXT NOT NULL
     );",
    // versions (#12): every kept version of each scope's config. A deletion
    // is a row whose config columns are NULL; `sealed_key` is bound to the
    // record and the version number.
    "CREATE TABLE config_versions (
         scope           TEXT NOT NULL,
         version         BIGINT NOT NULL,
         record_id       TEXT NOT NULL,
         at              TEXT NOT NULL,
         actor           TEXT NOT NULL,
         action          TEXT NOT NULL,
         fields          TEXT NOT NULL,
         provider        TEXT,
         model           TEXT,
         base_url        TEXT,
         sealed_key      BYTEA,
         api_key_masked  TEXT,
         key_fingerprint TEXT,
         PRIMARY KEY (scope, version)
     );",
    // monitor (#13): every monitor result, each scope's health state, and
    // the lease that makes one replica the monitor. Never the audit log,
    // which stays for human actions.
    "CREATE TABLE health_results (
         id          BIGSERIAL PRIMARY KEY,
         scope       TEXT NOT NULL,
         status      TEXT NOT NULL,
         http_status BIGINT,
         latency_ms  BIGINT NOT NULL,
         checked_at  TEXT NOT NULL
     );
     CREATE INDEX health_results_by_scope ON health_results (scope, id);
     CREATE TABLE health_states (
         scope        TEXT PRIMARY KEY,
         config_id    TEXT NOT NULL,
         state        TEXT NOT NULL,
         since        TEXT NOT NULL,
         failures     BIGINT NOT NULL,
         last_ok      TEXT,
         last_checked TEXT,
         last_status  TEXT
     );
     CREATE TABLE monitor_lease (
         name       TEXT PRIMARY KEY,
         holder     TEXT NOT NULL,
         expires_ms BIGINT NOT NULL,
         round      BIGINT NOT NULL
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
         version_before BIGINT NOT NULL,
         version_after  BIGINT NOT NULL,
         PRIMARY KEY (rotation_id, scope)
     );",
];

/// Brings the schema up to date.
pub async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_version (
             one     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
             version INTEGER NOT NULL
         );
         INSERT INTO schema_version (one, version) VALUES (TRUE, 0) ON CONFLICT DO NOTHING;",
    )
    .await?;
    let version: i32 = tx
        .query_one("SELECT version FROM schema_version", &[])
        .await?
        .get(0);
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > MIGRATIONS.len() {
        return Err(StoreError::Open(format!(
            "the database has schema version {version}, newer than this llmcfg understands ({}); upgrade llmcfg",
            MIGRATIONS.len()
        )));
    }
    for step in &MIGRATIONS[version..] {
        tx.batch_execute(step).await?;
    }
    if version < MIGRATIONS.len() {
        let latest = i32::try_from(MIGRATIONS.len()).expect("few migrations");
        tx.execute("UPDATE schema_version SET version = $1", &[&latest])
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
