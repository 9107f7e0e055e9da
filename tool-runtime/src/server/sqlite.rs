//! The SQLite store: one table of objects, each write batch one transaction.

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

use super::store::{Kind, ListQuery, Page, Record, Store, StoreError, Write};

/// The statuses of a run that has not ended.
const ACTIVE: &str = "'queued', 'in_progress', 'requires_action', 'cancelling'";

/// A [`Store`] in a SQLite database (embedded: rusqlite with SQLite bundled).
///
/// ```
/// use serde_json::json;
/// use tool_runtime::server::{Kind, Record, SqliteStore, Store, Write};
///
/// let store = SqliteStore::in_memory()?;
/// let thread = Record::new("thread_1", json!({"id": "thread_1", "object": "thread"}));
/// store.commit(vec![Write::Put(Kind::Thread, thread.clone())])?;
/// assert_eq!(store.get(Kind::Thread, "thread_1")?, Some(thread));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SqliteStore {
    // One connection: writes are serialized anyway, and each is short.
    connection: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (or creates) the database at `path`.
    ///
    /// # Errors
    ///
    /// The file cannot be opened or is not a database this store made.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let connection = Connection::open(path).map_err(failed)?;
        // Write-ahead logging: a crash in a commit leaves the last whole transaction.
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(failed)?;
        Self::with(connection)
    }

    /// A database in memory, gone when the store is dropped.
    ///
    /// # Errors
    ///
    /// SQLite could not start.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::with(Connection::open_in_memory().map_err(failed)?)
    }

    fn with(connection: Connection) -> Result<Self, StoreError> {
        connection
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS objects (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    id TEXT NOT NULL UNIQUE,
                    thread_id TEXT,
                    run_id TEXT,
                    status TEXT,
                    body TEXT NOT NULL,
                    state TEXT
                );
                CREATE INDEX IF NOT EXISTS objects_by_thread ON objects (kind, thread_id, seq);
                CREATE INDEX IF NOT EXISTS objects_by_status ON objects (kind, status);",
            )
            .map_err(failed)?;
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    fn connection(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock left no half transaction: SQLite rolls back.
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn failed(error: impl std::fmt::Display) -> StoreError {
    StoreError(error.to_string())
}

type Row = (
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
);

fn record_of(row: Row) -> Result<Record, StoreError> {
    let (id, thread_id, run_id, body, state) = row;
    let body: Value = serde_json::from_str(&body).map_err(failed)?;
    let state = state
        .map(|state| serde_json::from_str::<Value>(&state))
        .transpose()
        .map_err(failed)?;
    Ok(Record {
        id,
        thread_id,
        run_id,
        body,
        state,
    })
}

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    ))
}

const COLUMNS: &str = "id, thread_id, run_id, body, state";

impl Store for SqliteStore {
    fn get(&self, kind: Kind, id: &str) -> Result<Option<Record>, StoreError> {
        let connection = self.connection();
        let row = connection
            .query_row(
                &format!("SELECT {COLUMNS} FROM objects WHERE kind = ?1 AND id = ?2"),
                params![kind.as_str(), id],
                read_row,
            )
            .optional()
            .map_err(failed)?;
        row.map(record_of).transpose()
    }

    fn list(&self, query: &ListQuery) -> Result<Page, StoreError> {
        let connection = self.connection();
        let cursor = |id: &Option<String>| -> Result<Option<i64>, StoreError> {
            match id {
                None => Ok(None),
                Some(id) => connection
                    .query_row(
                        "SELECT seq FROM objects WHERE kind = ?1 AND id = ?2",
                        params![query.kind.as_str(), id],
                        |row| row.get(0),
                    )
                    .optional()
                    .map_err(failed)
                    // An unknown cursor lists nothing past it, as if it were the end.
                    .map(|seq| Some(seq.unwrap_or(if query.descending { 0 } else { i64::MAX }))),
            }
        };
        let after = cursor(&query.after)?;
        let before = cursor(&query.before)?;
        // "After" in the listing's order is a larger seq ascending, a smaller descending.
        let (after_op, before_op) = if query.descending {
            ("<", ">")
        } else {
            (">", "<")
        };
        let mut sql = format!("SELECT {COLUMNS} FROM objects WHERE kind = ?1");
        let mut values: Vec<rusqlite::types::Value> = vec![query.kind.as_str().to_owned().into()];
        let mut bind = |sql: &mut String, clause: &str, value: rusqlite::types::Value| {
            values.push(value);
            sql.push_str(&format!(" AND {clause} ?{}", values.len()));
        };
        if let Some(thread) = &query.thread_id {
            bind(&mut sql, "thread_id =", thread.clone().into());
        }
        if let Some(run) = &query.run_id {
            bind(&mut sql, "run_id =", run.clone().into());
        }
        if let Some(seq) = after {
            bind(&mut sql, &format!("seq {after_op}"), seq.into());
        }
        if let Some(seq) = before {
            bind(&mut sql, &format!("seq {before_op}"), seq.into());
        }
        // With only `before`, the page is the one just before it: read backwards from it.
        let backwards = before.is_some() && after.is_none();
        let ascending = query.descending == backwards;
        let fetch = i64::try_from(query.limit.saturating_add(1)).unwrap_or(i64::MAX);
        sql.push_str(&format!(
            " ORDER BY seq {} LIMIT {fetch}",
            if ascending { "ASC" } else { "DESC" }
        ));
        let mut statement = connection.prepare(&sql).map_err(failed)?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(values), read_row)
            .map_err(failed)?
            .collect::<Result<Vec<Row>, _>>()
            .map_err(failed)?;
        let has_more = rows.len() > query.limit;
        let mut records = rows
            .into_iter()
            .take(query.limit)
            .map(record_of)
            .collect::<Result<Vec<_>, _>>()?;
        if backwards {
            records.reverse();
        }
        Ok(Page { records, has_more })
    }

    fn commit(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let mut connection = self.connection();
        let transaction = connection.transaction().map_err(failed)?;
        for write in writes {
            match write {
                Write::Put(kind, record) => {
                    let body = serde_json::to_string(&record.body).map_err(failed)?;
                    let state = record
                        .state
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()
                        .map_err(failed)?;
                    transaction
                        .execute(
                            "INSERT INTO objects (kind, id, thread_id, run_id, status, body, state)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                             ON CONFLICT (id) DO UPDATE SET thread_id = excluded.thread_id,
                               run_id = excluded.run_id, status = excluded.status,
                               body = excluded.body, state = excluded.state",
                            params![
                                kind.as_str(),
                                record.id,
                                record.thread_id,
                                record.run_id,
                                record.status(),
                                body,
                                state
                            ],
                        )
                        .map_err(failed)?;
                }
                Write::Delete(kind, id) => {
                    transaction
                        .execute(
                            "DELETE FROM objects WHERE kind = ?1 AND id = ?2",
                            params![kind.as_str(), id],
                        )
                        .map_err(failed)?;
                    if kind == Kind::Thread {
                        transaction
                            .execute("DELETE FROM objects WHERE thread_id = ?1", params![id])
                            .map_err(failed)?;
                    }
                }
            }
        }
        // Dropped without commit on any error above: rolled back, nothing half-written.
        transaction.commit().map_err(failed)
    }

    fn unfinished_runs(&self) -> Result<Vec<Record>, StoreError> {
        let connection = self.connection();
        let mut statement = connection
            .prepare(&format!(
                "SELECT {COLUMNS} FROM objects WHERE kind = 'run'
                 AND status IN ('queued', 'in_progress', 'cancelling') ORDER BY seq"
            ))
            .map_err(failed)?;
        let rows = statement
            .query_map([], read_row)
            .map_err(failed)?
            .collect::<Result<Vec<Row>, _>>()
            .map_err(failed)?;
        rows.into_iter().map(record_of).collect()
    }

    fn active_run(&self, thread_id: &str) -> Result<Option<Record>, StoreError> {
        let connection = self.connection();
        let row = connection
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM objects WHERE kind = 'run' AND thread_id = ?1
                     AND status IN ({ACTIVE}) ORDER BY seq DESC LIMIT 1"
                ),
                params![thread_id],
                read_row,
            )
            .optional()
            .map_err(failed)?;
        row.map(record_of).transpose()
    }
}
