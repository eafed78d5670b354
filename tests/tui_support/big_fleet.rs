//! A fleet of many configured tenants in seconds: one config is written
//! through the library (so it is sealed and audited like any other), then
//! copied in SQL to `n` tenants in one transaction. The copies share the
//! original's sealed key, which nothing in these tests opens: listing,
//! marking and deleting read masks and fingerprints only.

use std::path::Path;

use super::pty::Store;

/// Seeds the control plane with `key` at `base_url`, then copies its
/// config to tenants `tenant-000000` … (`n` of them).
pub fn seed_fleet(store: &Store, n: usize, key: &str, base_url: &str) {
    store.seed(&[None], key, base_url);
    copy_control_plane(&store.db(), n);
}

/// Copies the control plane's config to `n` tenants in one transaction.
fn copy_control_plane(db: &Path, n: usize) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(&format!(
        "BEGIN;
         WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < {last})
         INSERT INTO configs (id, scope, provider, model, base_url, sealed_key, api_key_masked,
                              key_fingerprint, created_at, updated_at)
         SELECT printf('00000000-0000-7000-8000-%012d', x), printf('tenant-%06d', x),
                c.provider, c.model, c.base_url, c.sealed_key, c.api_key_masked,
                c.key_fingerprint, c.created_at, c.updated_at
         FROM n, configs c WHERE c.scope = '';
         COMMIT;",
        last = n - 1
    ))
    .unwrap();
}

/// How many configurations the store holds, read straight from the file.
pub fn config_count(store: &Store) -> usize {
    let conn = rusqlite::Connection::open(store.db()).unwrap();
    conn.query_row("SELECT COUNT(*) FROM configs", [], |r| r.get::<_, i64>(0))
        .unwrap() as usize
}
