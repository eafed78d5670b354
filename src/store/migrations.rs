//! The schema migrations, written once for both engines: one list of steps
//! in which the few SQL terms the dialects spell differently are named
//! (`{bytes}`, `{int}`, …) and filled in by [`Dialect`], and the one rule for
//! a recorded version. Each engine keeps only how it records the version and
//! serialises two processes migrating at once (`sqlite/migrations.rs`,
//! `postgres/migrations.rs`). A new step goes here, once.

use super::StoreError;
use super::writes::Dialect;

/// The migrations, in order; index + 1 is the version they bring the schema
/// to. Same tables and columns in both engines; sealed keys are the same
/// bytes (`BLOB` / `BYTEA`).
const STEPS: &[&str] = &[
    // 1: configs, audit log, known instances, last test per scope.
    "CREATE TABLE meta (
         key   TEXT PRIMARY KEY,
         value TEXT NOT NULL
     );
     CREATE TABLE configs (
         id              TEXT PRIMARY KEY,
         scope           TEXT NOT NULL{scope_unique},
         provider        TEXT NOT NULL,
         model           TEXT NOT NULL,
         base_url        TEXT,
         sealed_key      {bytes} NOT NULL,
         api_key_masked  TEXT NOT NULL,
         key_fingerprint TEXT NOT NULL,
         created_at      TEXT NOT NULL,
         updated_at      TEXT NOT NULL
     );{scope_index}
     CREATE TABLE instances (
         id         TEXT PRIMARY KEY,
         name       TEXT,
         created_at TEXT NOT NULL
     );
     CREATE TABLE last_tests (
         scope      TEXT PRIMARY KEY,
         success    {bool} NOT NULL,
         provider   TEXT NOT NULL,
         model      TEXT NOT NULL,
         status     TEXT NOT NULL,
         message    TEXT NOT NULL,
         latency_ms {int} NOT NULL,
         checked_at TEXT NOT NULL
     );
     CREATE TABLE audit (
         id              {serial_id},
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
         hash       {bytes} NOT NULL UNIQUE,
         created_at TEXT NOT NULL
     );",
    // versions (#12): every kept version of each scope's config. A deletion
    // is a row whose config columns are NULL; `sealed_key` is bound to the
    // record and the version number.
    "CREATE TABLE config_versions (
         scope           TEXT NOT NULL,
         version         {int} NOT NULL,
         record_id       TEXT NOT NULL,
         at              TEXT NOT NULL,
         actor           TEXT NOT NULL,
         action          TEXT NOT NULL,
         fields          TEXT NOT NULL,
         provider        TEXT,
         model           TEXT,
         base_url        TEXT,
         sealed_key      {bytes},
         api_key_masked  TEXT,
         key_fingerprint TEXT,
         PRIMARY KEY (scope, version)
     );",
    // monitor (#13): every monitor result, each scope's health state, and
    // the lease that makes one process (or replica) the monitor. Never the
    // audit log, which stays for human actions.
    "CREATE TABLE health_results (
         id          {row_id},
         scope       TEXT NOT NULL,
         status      TEXT NOT NULL,
         http_status {int},
         latency_ms  {int} NOT NULL,
         checked_at  TEXT NOT NULL
     );
     CREATE INDEX health_results_by_scope ON health_results (scope, id);
     CREATE TABLE health_states (
         scope        TEXT PRIMARY KEY,
         config_id    TEXT NOT NULL,
         state        TEXT NOT NULL,
         since        TEXT NOT NULL,
         failures     {int} NOT NULL,
         last_ok      TEXT,
         last_checked TEXT,
         last_status  TEXT
     );
     CREATE TABLE monitor_lease (
         name       TEXT PRIMARY KEY,
         holder     TEXT NOT NULL,
         expires_ms {int} NOT NULL,
         round      {int} NOT NULL
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
         version_before {int} NOT NULL,
         version_after  {int} NOT NULL,
         PRIMARY KEY (rotation_id, scope)
     );",
    // Azure's api-version, a config field (live rows and kept versions).
    "ALTER TABLE configs ADD COLUMN api_version TEXT;
     ALTER TABLE config_versions ADD COLUMN api_version TEXT;",
    // OpenAI's organization and project headers.
    "ALTER TABLE configs ADD COLUMN organization TEXT;
     ALTER TABLE configs ADD COLUMN project TEXT;
     ALTER TABLE config_versions ADD COLUMN organization TEXT;
     ALTER TABLE config_versions ADD COLUMN project TEXT;",
    // Lifecycle facts: the last test's (JSON, NULL when none), and per key
    // and provider what the once-a-day extra call said and when it was
    // made, so a test in between reuses it, across processes.
    "ALTER TABLE last_tests ADD COLUMN lifecycle TEXT;
     CREATE TABLE key_facts (
         key_fingerprint TEXT NOT NULL,
         provider        TEXT NOT NULL,
         fetched_at      TEXT NOT NULL,
         facts           TEXT NOT NULL,
         PRIMARY KEY (key_fingerprint, provider)
     );",
    // Lifecycle alerts sent: one row per scope and threshold, so the
    // monitor sends each once across restarts and replicas.
    "CREATE TABLE lifecycle_alerts (
         scope   TEXT NOT NULL,
         mark    TEXT NOT NULL,
         sent_at TEXT NOT NULL,
         PRIMARY KEY (scope, mark)
     );",
];

impl Dialect {
    /// How this dialect spells each term the steps name, as
    /// `(name, spelling)` pairs.
    fn schema_terms(self) -> [(&'static str, &'static str); 7] {
        match self {
            Dialect::Sqlite => [
                ("{bytes}", "BLOB"),
                ("{int}", "INTEGER"),
                // SQLite has no boolean type: 0 and 1.
                ("{bool}", "INTEGER"),
                // AUTOINCREMENT: an audit id is never reused, even after the
                // newest entry is deleted.
                ("{serial_id}", "INTEGER PRIMARY KEY AUTOINCREMENT"),
                // A plain rowid alias: pruned result ids may be reused.
                ("{row_id}", "INTEGER PRIMARY KEY"),
                ("{scope_unique}", " UNIQUE"),
                ("{scope_index}", ""),
            ],
            Dialect::Postgres => [
                ("{bytes}", "BYTEA"),
                ("{int}", "BIGINT"),
                ("{bool}", "BOOLEAN"),
                ("{serial_id}", "BIGSERIAL PRIMARY KEY"),
                ("{row_id}", "BIGSERIAL PRIMARY KEY"),
                ("{scope_unique}", ""),
                // The control plane's scope is '' (never NULL), so the index
                // counts it as one value like any tenant: one config per
                // scope, global included.
                (
                    "{scope_index}",
                    "\n     CREATE UNIQUE INDEX configs_one_per_scope ON configs (scope);",
                ),
            ],
        }
    }
}

/// The steps in `dialect`'s SQL, in order; index + 1 is the version each
/// brings the schema to.
pub fn steps(dialect: Dialect) -> Vec<String> {
    let terms = dialect.schema_terms();
    STEPS
        .iter()
        .map(|step| {
            terms
                .iter()
                .fold((*step).to_string(), |sql, (name, spelling)| {
                    sql.replace(name, spelling)
                })
        })
        .collect()
}

/// How many steps have run, given the version a store records: an error when
/// the store was migrated by a newer llmcfg, whose schema this one must not
/// write to.
pub fn applied(recorded: i64, latest: usize) -> Result<usize, StoreError> {
    let version = usize::try_from(recorded).unwrap_or(usize::MAX);
    if version > latest {
        return Err(StoreError::Open(format!(
            "the store has schema version {recorded}, newer than this llmcfg understands ({latest}); upgrade llmcfg"
        )));
    }
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_term_is_spelled_in_both_dialects() {
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            let steps = steps(dialect);
            assert_eq!(steps.len(), STEPS.len());
            for step in &steps {
                assert!(!step.contains('{'), "{dialect:?} left a term: {step}");
            }
        }
    }

    #[test]
    fn each_dialect_spells_the_terms_its_own_way() {
        let sqlite = steps(Dialect::Sqlite);
        let postgres = steps(Dialect::Postgres);
        assert!(sqlite[0].contains("scope           TEXT NOT NULL UNIQUE,"));
        assert!(!sqlite[0].contains("configs_one_per_scope"));
        assert!(postgres[0].contains("CREATE UNIQUE INDEX configs_one_per_scope"));
        assert!(sqlite[0].contains("id              INTEGER PRIMARY KEY AUTOINCREMENT,"));
        assert!(postgres[3].contains("id          BIGSERIAL PRIMARY KEY,"));
        assert!(sqlite[1].contains("hash       BLOB NOT NULL UNIQUE"));
        assert!(postgres[1].contains("hash       BYTEA NOT NULL UNIQUE"));
    }

    #[test]
    fn a_store_from_a_newer_llmcfg_is_refused_by_version() {
        assert_eq!(applied(0, 5).unwrap(), 0);
        assert_eq!(applied(5, 5).unwrap(), 5);
        let err = applied(6, 5).unwrap_err().to_string();
        assert!(err.contains("schema version 6"), "{err}");
        assert!(err.contains("(5)"), "{err}");
        assert!(
            applied(-1, 5).is_err(),
            "a negative version is not a known one"
        );
    }
}
