//! Where the server keeps its objects: a trait, so that another database can follow the
//! SQLite one ([`SqliteStore`](crate::server::SqliteStore)).

use serde_json::Value;

/// The kinds of object the server keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// `asst_...`
    Assistant,
    /// `thread_...`
    Thread,
    /// `msg_...`, on a thread.
    Message,
    /// `run_...`, on a thread.
    Run,
    /// `step_...`, of a run.
    Step,
}

impl Kind {
    /// The name a store files it under: `assistant`, `thread`, `message`, `run`, `step`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Assistant => "assistant",
            Self::Thread => "thread",
            Self::Message => "message",
            Self::Run => "run",
            Self::Step => "step",
        }
    }
}

/// One stored object: its API body (the JSON the endpoints answer with), what it belongs
/// to, and for a run, the server's own state (what resuming it needs).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Record {
    /// The object's id.
    pub id: String,
    /// The thread it is on (messages, runs, steps).
    pub thread_id: Option<String>,
    /// The run it belongs to (steps; messages a run wrote).
    pub run_id: Option<String>,
    /// The object as the API shows it; its `status`, when it has one, is what
    /// [`Store::unfinished_runs`] looks at.
    pub body: Value,
    /// The server's state for a run: its plan and, while it waits, the paused loop.
    pub state: Option<Value>,
}

impl Record {
    /// A record of `body`, belonging to nothing.
    pub fn new(id: impl Into<String>, body: Value) -> Self {
        Self {
            id: id.into(),
            thread_id: None,
            run_id: None,
            body,
            state: None,
        }
    }

    /// On thread `id`.
    pub fn on_thread(mut self, id: impl Into<String>) -> Self {
        self.thread_id = Some(id.into());
        self
    }

    /// Of run `id`.
    pub fn of_run(mut self, id: Option<String>) -> Self {
        self.run_id = id;
        self
    }

    /// With the server's state.
    pub fn with_state(mut self, state: Option<Value>) -> Self {
        self.state = state;
        self
    }

    /// The `status` of its body.
    pub fn status(&self) -> Option<&str> {
        self.body.get("status").and_then(Value::as_str)
    }
}

/// One change; a [`Store::commit`] applies a batch of them all or not at all.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Write {
    /// Inserts the record, or replaces the one with its id (which keeps its place in
    /// listings).
    Put(Kind, Record),
    /// Deletes the object; deleting a thread deletes everything on it.
    Delete(Kind, String),
}

/// Which records a listing wants, and which page of them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListQuery {
    /// Their kind.
    pub kind: Kind,
    /// Only those on this thread.
    pub thread_id: Option<String>,
    /// Only those of this run.
    pub run_id: Option<String>,
    /// At most this many (the page).
    pub limit: usize,
    /// Newest first.
    pub descending: bool,
    /// Those after this id, in the listing's order.
    pub after: Option<String>,
    /// Those before this id, in the listing's order.
    pub before: Option<String>,
}

impl ListQuery {
    /// Every record of `kind`, oldest first.
    pub fn all(kind: Kind) -> Self {
        Self {
            kind,
            thread_id: None,
            run_id: None,
            limit: usize::MAX,
            descending: false,
            after: None,
            before: None,
        }
    }
}

/// A page of a listing.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page {
    /// The records, in the listing's order.
    pub records: Vec<Record>,
    /// Whether more follow them.
    pub has_more: bool,
}

/// A store failed (the database is unreadable, the disk full...).
#[derive(Debug, thiserror::Error)]
#[error("the store failed: {0}")]
pub struct StoreError(pub String);

/// Where the server keeps assistants, threads, messages, runs and run steps.
///
/// Objects are listed in the order they were first put. A commit is one transaction: a
/// crash leaves all of its writes or none.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// The record of `kind` with `id`.
    fn get(&self, kind: Kind, id: &str) -> Result<Option<Record>, StoreError>;

    /// A page of a listing.
    fn list(&self, query: &ListQuery) -> Result<Page, StoreError>;

    /// Applies `writes`, all or none.
    fn commit(&self, writes: Vec<Write>) -> Result<(), StoreError>;

    /// The runs whose status is `queued`, `in_progress` or `cancelling`: at startup, those
    /// the previous process was driving when it stopped.
    fn unfinished_runs(&self) -> Result<Vec<Record>, StoreError>;

    /// The run on `thread_id` that has not ended (queued, in progress, waiting for the
    /// caller, cancelling), if any.
    fn active_run(&self, thread_id: &str) -> Result<Option<Record>, StoreError>;
}
