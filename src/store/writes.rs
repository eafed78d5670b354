//! The writes of a config row, written once for both engines: the columns
//! an `INSERT` or `UPDATE` binds come from the row itself (the config fields
//! through [`ConfigFields::texts`](crate::domain::ConfigFields::texts)), the
//! deletes that go with a delete or a restore are listed here, and only the
//! parameter numbering differs by dialect. A new config field needs no edit
//! here.

use super::rows::{ConfigRow, fmt_time};
use crate::domain::Scope;

/// A value bound to a statement both engines run (a config row's `INSERT`
/// or `UPDATE`, a monitor result's writes); each engine binds it with its
/// own driver type (`store/columns.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A `TEXT` column, `None` for `NULL`.
    Text(Option<String>),
    /// A `BLOB`/`BYTEA` column, `None` for `NULL` (PostgreSQL types a
    /// `NULL` parameter, so a missing key is `Bytes(None)`, never `Text(None)`).
    Bytes(Option<Vec<u8>>),
    /// An `INTEGER`/`BIGINT` column, `None` for `NULL`.
    Int(Option<i64>),
}

impl Value {
    /// A `TEXT` value that is never `NULL`.
    pub(crate) fn text(s: impl Into<String>) -> Value {
        Value::Text(Some(s.into()))
    }

    /// An integer value that is never `NULL`.
    pub(crate) fn int(n: i64) -> Value {
        Value::Int(Some(n))
    }
}

/// How an engine numbers its statement parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `?1, ?2, …`
    Sqlite,
    /// `$1, $2, …`
    Postgres,
}

impl Dialect {
    pub(crate) fn param(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }
}

/// A statement both engines run and the values bound to it, in parameter
/// order.
pub struct Write {
    /// The SQL.
    pub sql: String,
    /// The parameters.
    pub values: Vec<Value>,
}

impl ConfigRow {
    /// Every column of this row but the ones an update never changes, with
    /// its value: the one list both engines' `INSERT` and `UPDATE` bind.
    fn changeable_columns(&self) -> Vec<(&'static str, Value)> {
        let mut columns: Vec<(&'static str, Value)> = self
            .fields
            .texts()
            .into_iter()
            .map(|(name, text)| (name, Value::Text(text.map(str::to_string))))
            .collect();
        columns.extend([
            (
                "sealed_key",
                Value::Bytes(Some(self.sealed_key().as_bytes().to_vec())),
            ),
            ("api_key_masked", Value::text(&self.api_key_masked)),
            ("key_fingerprint", Value::text(&self.key_fingerprint)),
            ("updated_at", Value::text(fmt_time(self.updated_at))),
        ]);
        columns
    }

    /// The `INSERT` of this row.
    pub fn insert(&self, dialect: Dialect) -> Write {
        let mut columns = vec![
            ("id", Value::text(self.id.to_string())),
            ("scope", Value::text(self.scope.key())),
            ("created_at", Value::text(fmt_time(self.created_at))),
        ];
        columns.extend(self.changeable_columns());
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let params: Vec<String> = (1..=columns.len()).map(|n| dialect.param(n)).collect();
        Write {
            sql: format!(
                "INSERT INTO configs ({}) VALUES ({})",
                names.join(", "),
                params.join(", ")
            ),
            values: columns.into_iter().map(|(_, value)| value).collect(),
        }
    }

    /// The statements that remove this row, and the last test of its scope
    /// with it.
    pub fn delete(&self, dialect: Dialect) -> [Write; 2] {
        [
            Write {
                sql: format!("DELETE FROM configs WHERE id = {}", dialect.param(1)),
                values: vec![Value::text(self.id.to_string())],
            },
            clear_last_test(&self.scope, dialect),
        ]
    }

    /// The statements that write this row as its scope's config, over the
    /// scope's stored row when `exists` (what a restore writes).
    pub fn put(&self, dialect: Dialect, exists: bool) -> Vec<Write> {
        let mut writes = Vec::with_capacity(3);
        if exists {
            writes.push(Write {
                sql: format!("DELETE FROM configs WHERE scope = {}", dialect.param(1)),
                values: vec![Value::text(self.scope.key())],
            });
        }
        writes.push(self.insert(dialect));
        // The restored key has not been tested in this state.
        writes.push(clear_last_test(&self.scope, dialect));
        writes
    }

    /// The `UPDATE` that writes this row over its stored version.
    pub fn update(&self, dialect: Dialect) -> Write {
        let columns = self.changeable_columns();
        let sets: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, (name, _))| format!("{name} = {}", dialect.param(i + 1)))
            .collect();
        let mut values: Vec<Value> = columns.into_iter().map(|(_, value)| value).collect();
        values.push(Value::text(self.id.to_string()));
        Write {
            sql: format!(
                "UPDATE configs SET {} WHERE id = {}",
                sets.join(", "),
                dialect.param(values.len())
            ),
            values,
        }
    }
}

/// Forgets the last test of `scope`: a new or restored key has not been
/// tested, so a result of the key before it would be stale.
pub fn clear_last_test(scope: &Scope, dialect: Dialect) -> Write {
    Write {
        sql: format!("DELETE FROM last_tests WHERE scope = {}", dialect.param(1)),
        values: vec![Value::text(scope.key())],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::MasterKey;
    use crate::domain::{ApiKey, ConfigFields, Scope};

    fn row() -> ConfigRow {
        let fields = ConfigFields {
            base_url: Some("https://gw.example/v1".into()),
            ..ConfigFields::new("openai", "gpt-4o")
        };
        ConfigRow::seal_new(
            &Scope::Global,
            fields,
            &ApiKey::new("k"),
            &MasterKey::generate(),
            &crate::crypto::Fingerprinter::generate(),
        )
    }

    #[test]
    fn an_insert_binds_every_selected_column_once() {
        let row = row();
        let insert = row.insert(Dialect::Postgres);
        let columns = insert
            .sql
            .strip_prefix("INSERT INTO configs (")
            .and_then(|rest| rest.split_once(") VALUES (").map(|(c, _)| c))
            .unwrap();
        let mut written: Vec<&str> = columns.split(", ").collect();
        let mut selected: Vec<&str> = super::super::rows::CONFIG_COLUMNS.split(", ").collect();
        written.sort_unstable();
        selected.sort_unstable();
        assert_eq!(written, selected);
        let n = selected.len();
        assert!(insert.sql.ends_with(&format!("${n})")), "{}", insert.sql);
        assert_eq!(insert.values.len(), n);
        assert!(insert.values.contains(&Value::text("gpt-4o")));
        assert!(
            insert
                .values
                .contains(&Value::Bytes(Some(row.sealed_key().as_bytes().to_vec())))
        );
    }

    #[test]
    fn an_update_sets_all_but_the_identity_and_binds_the_id_last() {
        let row = row();
        let update = row.update(Dialect::Sqlite);
        assert!(
            update
                .sql
                .starts_with("UPDATE configs SET provider = ?1, model = ?2, base_url = ?3, "),
            "{}",
            update.sql
        );
        let sets = update.sql.split(" WHERE ").next().unwrap();
        for changed in [
            "sealed_key",
            "api_key_masked",
            "key_fingerprint",
            "updated_at",
        ] {
            assert!(sets.contains(&format!("{changed} = ?")), "{}", update.sql);
        }
        for kept in [" id = ", "scope = ", "created_at = "] {
            assert!(
                !sets.contains(kept),
                "{kept} must not change: {}",
                update.sql
            );
        }
        assert!(
            update
                .sql
                .ends_with(&format!(" WHERE id = ?{}", update.values.len())),
            "{}",
            update.sql
        );
        assert_eq!(update.values.last(), Some(&Value::text(row.id.to_string())));
        assert_eq!(update.values[2], Value::text("https://gw.example/v1"));
    }

    #[test]
    fn a_restore_replaces_the_scope_row_and_forgets_its_last_test() {
        let row = row();
        let fresh: Vec<String> = row
            .put(Dialect::Sqlite, false)
            .into_iter()
            .map(|w| w.sql)
            .collect();
        assert_eq!(fresh.len(), 2, "{fresh:?}");
        assert!(fresh[0].starts_with("INSERT INTO configs "), "{fresh:?}");
        assert_eq!(fresh[1], "DELETE FROM last_tests WHERE scope = ?1");
        let over = row.put(Dialect::Postgres, true);
        assert_eq!(over[0].sql, "DELETE FROM configs WHERE scope = $1");
        assert_eq!(over[0].values, vec![Value::text(row.scope.key())]);
        assert!(over[1].sql.starts_with("INSERT INTO configs "));
        assert_eq!(over[2].sql, "DELETE FROM last_tests WHERE scope = $1");
    }

    #[test]
    fn a_delete_removes_the_row_by_id_and_its_scope_last_test() {
        let row = row();
        let [config, test] = row.delete(Dialect::Postgres);
        assert_eq!(config.sql, "DELETE FROM configs WHERE id = $1");
        assert_eq!(config.values, vec![Value::text(row.id.to_string())]);
        assert_eq!(test.sql, "DELETE FROM last_tests WHERE scope = $1");
        assert_eq!(test.values, vec![Value::text(row.scope.key())]);
    }
}
