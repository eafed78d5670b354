//! The instance list's row layer, the same on both engines: its select list
//! and joins (each engine adds its own `FROM`), and how one of its rows
//! becomes an [`InstanceSummary`] with its last test.

use std::sync::LazyLock;

use super::super::StoreError;
use super::super::columns::Columns;
use super::super::writes::Dialect;
use super::view_if_any;
use crate::domain::{ConfigFields, InstanceSummary, Lifecycle, TestResult, TestStatus};

/// Which rows of the instance list a query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListRows {
    /// Every scope.
    All,
    /// The first `$1` scopes in list order. Each source is read along its
    /// index and stops after `$1` rows, so the query costs the same at any
    /// fleet size: what the TUI draws before the whole fleet is read.
    First,
}

/// The instance list's query in `dialect`: the control plane, every
/// configured scope and every known instance with its config and last
/// test, ordered by bytes (`''`, the control plane, first). The dialects
/// differ only in typing `''` and in spelling the byte order.
pub fn list_sql(dialect: Dialect, rows: ListRows) -> String {
    let (empty, bytes) = match dialect {
        Dialect::Sqlite => ("''", ""),
        Dialect::Postgres => ("''::TEXT", " COLLATE \"C\""),
    };
    let scopes = match rows {
        ListRows::All => {
            format!("SELECT {empty} UNION SELECT scope FROM configs UNION SELECT id FROM instances")
        }
        ListRows::First => format!(
            "SELECT scope FROM (
                 SELECT {empty} AS scope
                 UNION SELECT scope FROM (SELECT scope FROM configs ORDER BY scope{bytes} LIMIT $1) c
                 UNION SELECT id FROM (SELECT id FROM instances ORDER BY id{bytes} LIMIT $1) i
             ) u ORDER BY scope{bytes} LIMIT $1"
        ),
    };
    format!(
        "WITH scopes(scope) AS ({scopes}) SELECT {} {LIST_JOINS} ORDER BY s.scope{bytes}",
        *LIST_COLUMNS
    )
}

/// The select list of the instance list, the same on both engines (see
/// [`list_sql`]). The config fields keep their own names.
static LIST_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    let fields: Vec<String> = ConfigFields::NAMES
        .iter()
        .map(|name| format!("c.{name} AS {name}"))
        .collect();
    format!("{}, {LIST_OTHER_COLUMNS}", fields.join(", "))
});

const LIST_OTHER_COLUMNS: &str = "s.scope AS scope, i.name AS name, \
     c.id AS config_id, \
     c.api_key_masked AS api_key_masked, c.created_at AS created_at, c.updated_at AS updated_at, \
     t.success AS test_success, t.provider AS test_provider, t.model AS test_model, \
     t.status AS test_status, t.message AS test_message, t.latency_ms AS test_latency_ms, \
     t.checked_at AS test_checked_at, t.lifecycle AS test_lifecycle";

/// The joins under [`LIST_COLUMNS`], from a CTE `scopes(scope)`.
const LIST_JOINS: &str = "FROM scopes s \
     LEFT JOIN instances i ON i.id = s.scope \
     LEFT JOIN configs c ON c.scope = s.scope \
     LEFT JOIN last_tests t ON t.scope = s.scope";

/// One instance-list row selected with [`LIST_COLUMNS`].
pub(crate) fn summary_from(r: &impl Columns) -> Result<InstanceSummary, StoreError> {
    let scope = r.text("scope")?;
    let instance_id = (!scope.is_empty()).then_some(scope);
    let config = view_if_any(r, instance_id.clone())?;
    let last_test = last_test_from(r)?;
    Ok(InstanceSummary {
        instance_id,
        name: r.opt_text("name")?,
        config,
        last_test,
    })
}

/// The last test selected as the `test_*` columns of [`LIST_COLUMNS`]
/// (`NULL` when the scope has none).
pub(crate) fn last_test_from(r: &impl Columns) -> Result<Option<TestResult>, StoreError> {
    let Some(status) = r.opt_text("test_status")? else {
        return Ok(None);
    };
    Ok(Some(TestResult {
        success: r
            .opt_bool("test_success")?
            .ok_or_else(|| super::super::columns::null("test_success"))?,
        provider: r.text("test_provider")?,
        model: r.text("test_model")?,
        status: TestStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("test status {status:?}")))?,
        message: r.text("test_message")?,
        latency_ms: r.int("test_latency_ms")?.max(0) as u64,
        checked_at: r.time("test_checked_at")?,
        lifecycle: lifecycle_from(r.opt_text("test_lifecycle")?)?,
    }))
}

/// The stored JSON of a last test's lifecycle facts (`NULL` when none).
fn lifecycle_from(text: Option<String>) -> Result<Option<Box<Lifecycle>>, StoreError> {
    text.map(|t| {
        serde_json::from_str(&t)
            .map_err(|e| StoreError::Corrupt(format!("lifecycle facts {t:?}: {e}")))
    })
    .transpose()
}

/// A last test's lifecycle facts as stored: JSON, or `NULL` when none.
pub(crate) fn lifecycle_text(result: &TestResult) -> Option<String> {
    result
        .lifecycle
        .as_ref()
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::to_string(l).expect("lifecycle facts always serialise"))
}
