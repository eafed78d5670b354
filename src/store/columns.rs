//! Reading a result row by column name, the same way on both engines: the
//! row layer ([`super::rows`]) maps rows through [`Columns`] once, and each
//! engine only says how its driver fetches one named value.

use time::OffsetDateTime;

use super::StoreError;
use super::rows::parse_time;
use super::writes::Value;
use crate::domain::Scope;

/// A result row whose values are fetched by column name.
pub trait Columns {
    /// What `read` makes of a `TEXT` column that may be `NULL`, borrowed
    /// from the row: a value parsed into something else (a time, an id, a
    /// role) is never copied into a `String` first.
    fn with_text<T>(
        &self,
        name: &str,
        read: impl FnOnce(Option<&str>) -> T,
    ) -> Result<T, StoreError>;
    /// What `read` makes of a `BLOB`/`BYTEA` column's bytes, borrowed from
    /// the row (a token check compares a hash without copying it).
    fn with_blob<T>(&self, name: &str, read: impl FnOnce(&[u8]) -> T) -> Result<T, StoreError>;
    /// An integer column that may be `NULL`.
    fn opt_int(&self, name: &str) -> Result<Option<i64>, StoreError>;
    /// A boolean column (SQLite's 0/1) that may be `NULL`.
    fn opt_bool(&self, name: &str) -> Result<Option<bool>, StoreError>;

    /// A `TEXT` column that may be `NULL`.
    fn opt_text(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.with_text(name, |t| t.map(str::to_owned))
    }

    /// A `BLOB`/`BYTEA` column.
    fn blob(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        self.with_blob(name, <[u8]>::to_vec)
    }

    /// A `TEXT NOT NULL` column; a `NULL` there is a corrupt row.
    fn text(&self, name: &str) -> Result<String, StoreError> {
        self.opt_text(name)?.ok_or_else(|| null(name))
    }

    /// An integer `NOT NULL` column.
    fn int(&self, name: &str) -> Result<i64, StoreError> {
        self.opt_int(name)?.ok_or_else(|| null(name))
    }

    /// An RFC 3339 timestamp in a `TEXT NOT NULL` column.
    fn time(&self, name: &str) -> Result<OffsetDateTime, StoreError> {
        self.opt_time(name)?.ok_or_else(|| null(name))
    }

    /// An RFC 3339 timestamp in a `TEXT` column that may be `NULL`.
    fn opt_time(&self, name: &str) -> Result<Option<OffsetDateTime>, StoreError> {
        self.with_text(name, |t| t.map(parse_time).transpose())?
    }

    /// A scope stored as its key (`''` for the control plane).
    fn scope(&self, name: &str) -> Result<Scope, StoreError> {
        self.with_text(name, |key| {
            let key = key.ok_or_else(|| null(name))?;
            Scope::from_key(key).map_err(|e| StoreError::Corrupt(format!("scope {key:?}: {e}")))
        })?
    }
}

/// The error for a `NULL` where the schema says there is none.
pub fn null(name: &str) -> StoreError {
    StoreError::Corrupt(format!("{name} is NULL"))
}

/// A SQLite result row with its statement's column names, looked up once
/// per query: rusqlite's own by-name lookup fetches and validates every
/// column name through the C API on each call, which costs more than the
/// read itself on a 10,000-row list.
pub struct SqliteRow<'a, 'stmt> {
    row: &'a rusqlite::Row<'stmt>,
    names: &'a [String],
    /// Where the next name is looked for first: the row layer reads most
    /// columns in the order they are selected, so the search usually ends
    /// at its first comparison.
    next: std::cell::Cell<usize>,
}

impl<'a, 'stmt> SqliteRow<'a, 'stmt> {
    /// `row`, whose statement has the columns `names` (see [`column_names`]).
    pub fn new(row: &'a rusqlite::Row<'stmt>, names: &'a [String]) -> Self {
        SqliteRow {
            row,
            names,
            next: std::cell::Cell::new(0),
        }
    }

    fn index(&self, name: &str) -> Result<usize, StoreError> {
        let start = self.next.get().min(self.names.len());
        let (before, after) = self.names.split_at(start);
        let found = match after.iter().position(|n| n == name) {
            Some(i) => start + i,
            None => before
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| StoreError::Corrupt(format!("the query has no column {name}")))?,
        };
        self.next.set(found + 1);
        Ok(found)
    }
}

/// The column names of `stmt`, for [`SqliteRow`].
pub fn column_names(stmt: &rusqlite::Statement<'_>) -> Vec<String> {
    let names: Vec<String> = stmt.column_names().map(String::from).collect();
    // A name selected twice would be read from whichever copy the lookup
    // of [`SqliteRow`] meets first after the last column read.
    debug_assert!(
        names
            .iter()
            .enumerate()
            .all(|(i, n)| !names[..i].contains(n)),
        "a query selects a column name twice: {names:?}"
    );
    names
}

/// Every row `stmt` returns for `params`, each read by name through `read`.
pub fn read_all<T>(
    stmt: &mut rusqlite::Statement<'_>,
    params: impl rusqlite::Params,
    read: impl Fn(&SqliteRow<'_, '_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let names = column_names(stmt);
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(read(&SqliteRow::new(r, &names))?);
    }
    Ok(out)
}

/// The column names of `stmt`, read once per process into `once`: for the
/// hot point reads, whose SQL is a constant, so their names never change
/// and need not be copied out of SQLite on every request.
pub fn constant_column_names<'a>(
    once: &'a std::sync::OnceLock<Vec<String>>,
    stmt: &rusqlite::Statement<'_>,
) -> &'a [String] {
    once.get_or_init(|| column_names(stmt))
}

impl Columns for SqliteRow<'_, '_> {
    fn with_text<T>(
        &self,
        name: &str,
        read: impl FnOnce(Option<&str>) -> T,
    ) -> Result<T, StoreError> {
        let text = self.row.get_ref(self.index(name)?)?.as_str_or_null();
        let text = text.map_err(|e| StoreError::Corrupt(format!("{name} is not text: {e}")))?;
        Ok(read(text))
    }
    fn with_blob<T>(&self, name: &str, read: impl FnOnce(&[u8]) -> T) -> Result<T, StoreError> {
        let bytes = self
            .row
            .get_ref(self.index(name)?)?
            .as_blob()
            .map_err(|e| StoreError::Corrupt(format!("{name} is not a blob: {e}")))?;
        Ok(read(bytes))
    }
    fn opt_int(&self, name: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.row.get(self.index(name)?)?)
    }
    fn opt_bool(&self, name: &str) -> Result<Option<bool>, StoreError> {
        Ok(self.row.get(self.index(name)?)?)
    }
}

impl Columns for tokio_postgres::Row {
    fn with_text<T>(
        &self,
        name: &str,
        read: impl FnOnce(Option<&str>) -> T,
    ) -> Result<T, StoreError> {
        Ok(read(self.try_get::<_, Option<&str>>(name)?))
    }
    fn with_blob<T>(&self, name: &str, read: impl FnOnce(&[u8]) -> T) -> Result<T, StoreError> {
        Ok(read(self.try_get::<_, &[u8]>(name)?))
    }
    fn opt_int(&self, name: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(name)?)
    }
    fn opt_bool(&self, name: &str) -> Result<Option<bool>, StoreError> {
        Ok(self.try_get(name)?)
    }
}

/// SQLite binds a written [`Value`] as the text, blob or integer it holds.
impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Value::Text(text) => text.to_sql(),
            Value::Bytes(bytes) => bytes.to_sql(),
            Value::Int(n) => n.to_sql(),
        }
    }
}

/// The parameters of a PostgreSQL statement for `values`, each bound as the
/// driver's own type for it (`TEXT`, `BYTEA` or `BIGINT`).
pub fn pg_params(values: &[Value]) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
    values
        .iter()
        .map(|value| -> &(dyn tokio_postgres::types::ToSql + Sync) {
            match value {
                Value::Text(text) => text,
                Value::Bytes(bytes) => bytes,
                Value::Int(n) => n,
            }
        })
        .collect()
}
