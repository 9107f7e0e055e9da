//! The drift check: what the model may call, compared with a committed snapshot.
//!
//! A change to code can silently change the tools a model sees (the task planner in docs/examples.md: a
//! `deleteAllTasks` the assistant suddenly knows about). A test that calls
//! [`ToolRegistry::assert_snapshot`](crate::ToolRegistry::assert_snapshot) fails on any such change with a report of what
//! changed, until the snapshot is rewritten on purpose (`UPDATE_SNAPSHOTS=1`) and the
//! rewrite is reviewed with the code.

mod diff;

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::definition::ToolDefinition;

/// The environment variable that makes [`ToolRegistry::check_snapshot`](crate::ToolRegistry::check_snapshot) write the
/// snapshot instead of comparing with it: `UPDATE_SNAPSHOTS=1 cargo test`.
///
/// Any value but empty or `0` turns it on.
///
/// ```
/// use std::process::Command;
/// use tool_runtime::snapshot::UPDATE_SNAPSHOTS;
///
/// // A script that rewrites the snapshots, for review with the change that moved them.
/// let mut rewrite = Command::new("cargo");
/// rewrite.args(["test", "--test", "tools"]).env(UPDATE_SNAPSHOTS, "1");
/// assert_eq!(UPDATE_SNAPSHOTS, "UPDATE_SNAPSHOTS");
/// assert!(rewrite.get_envs().any(|(name, value)| name == "UPDATE_SNAPSHOTS" && value == Some("1".as_ref())));
/// ```
pub const UPDATE_SNAPSHOTS: &str = "UPDATE_SNAPSHOTS";

/// Why the registry does not match its snapshot.
///
/// ```
/// use tool_runtime::snapshot::{SnapshotError, UPDATE_SNAPSHOTS};
/// use tool_runtime::{tool, ToolRegistry};
///
/// /// Ping the service.
/// #[tool]
/// fn ping() -> &'static str { "pong" }
///
/// # if std::env::var_os(UPDATE_SNAPSHOTS).is_some() { return Ok(()); } // it would write the file
/// let mut registry = ToolRegistry::new();
/// registry.register(Ping)?;
/// let path = std::env::temp_dir().join(format!("no-such-dir-{}/tools.json", std::process::id()));
/// let error = registry.check_snapshot(&path).unwrap_err();
/// assert!(matches!(&error, SnapshotError::Missing { path: missing } if missing == &path));
/// assert!(error.to_string().contains("run the test with UPDATE_SNAPSHOTS=1 to write it"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum SnapshotError {
    /// There is no snapshot yet.
    Missing {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The snapshot could not be read or written, or is not JSON.
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        error: String,
    },
    /// The tools changed; each entry says one change, e.g.
    /// `` + `delete_all_tasks`: added (destructive) ``.
    Changed {
        /// The snapshot.
        path: PathBuf,
        /// What changed, tool by tool.
        changes: Vec<String>,
    },
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::Missing { path } => write!(
                f,
                "there is no tool snapshot at {}; run the test with {UPDATE_SNAPSHOTS}=1 to \
                 write it, and commit it",
                path.display()
            ),
            SnapshotError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            SnapshotError::Changed { path, changes } => {
                writeln!(f, "the tools a model sees differ from {}:", path.display())?;
                for change in changes {
                    writeln!(f, "  {change}")?;
                }
                write!(
                    f,
                    "if this is intended, run the test with {UPDATE_SNAPSHOTS}=1 to rewrite the \
                     snapshot, and review it with the change"
                )
            }
        }
    }
}

impl std::error::Error for SnapshotError {}

/// The snapshot of `definitions`: for each tool, in order, its name, description,
/// markers, strictness, plain parameter schema and typed output schema.
pub(crate) fn document<'a>(definitions: impl Iterator<Item = &'a ToolDefinition>) -> Value {
    Value::Array(definitions.map(entry).collect())
}

/// Compares `current` (a [`document`]) with the snapshot at `path`, or writes it there
/// when [`UPDATE_SNAPSHOTS`] is set.
pub(crate) fn check(path: &Path, current: &Value) -> Result<(), SnapshotError> {
    if std::env::var_os(UPDATE_SNAPSHOTS).is_some_and(|value| value != "0" && !value.is_empty()) {
        return write(path, current);
    }
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(SnapshotError::Missing {
                path: path.to_owned(),
            })
        }
        Err(error) => return Err(io(path, error)),
    };
    let committed: Value = serde_json::from_str(&text).map_err(|error| io(path, error))?;
    if &committed == current {
        return Ok(());
    }
    Err(SnapshotError::Changed {
        path: path.to_owned(),
        changes: diff::changes(&committed, current),
    })
}

fn entry(definition: &ToolDefinition) -> Value {
    let markers = definition.markers();
    let marked: Vec<Value> = [
        ("destructive", markers.destructive),
        ("needs_approval", markers.requires_approval),
        ("read_only", markers.read_only),
        ("idempotent", markers.idempotent),
        ("open_world", markers.open_world),
    ]
    .into_iter()
    .filter(|(_, set)| *set)
    .map(|(name, _)| name.into())
    .collect();
    let mut entry = Map::new();
    entry.insert("name".into(), definition.name().into());
    entry.insert("description".into(), definition.description().into());
    entry.insert("markers".into(), marked.into());
    entry.insert("strict".into(), definition.is_strict().into());
    entry.insert("parameters".into(), definition.parameters().clone());
    if let Some(output) = definition.output_schema() {
        entry.insert("output".into(), output.clone());
    }
    Value::Object(entry)
}

/// Writes the whole file or leaves the old one: a temporary file of this write alone
/// (tests run on threads of one process, and two may write the same snapshot), flushed
/// to disk, then renamed into place.
fn write(path: &Path, snapshot: &Value) -> Result<(), SnapshotError> {
    use std::io::Write as _;
    use std::sync::atomic::{AtomicU64, Ordering};

    static WRITES: AtomicU64 = AtomicU64::new(0);

    let mut text = serde_json::to_string_pretty(snapshot).map_err(|error| io(path, error))?;
    text.push('\n');
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).map_err(|error| io(path, error))?;
    }
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(format!(
        ".tmp-{}-{}",
        std::process::id(),
        WRITES.fetch_add(1, Ordering::Relaxed)
    ));
    let temporary = path.with_file_name(name);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .and_then(|mut file| {
            file.write_all(text.as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(io(path, error));
    }
    // The rename itself survives a crash once the directory is on disk (where a directory
    // can be opened and synced: not on every platform, hence best effort).
    if let Ok(dir) = std::fs::File::open(dir.unwrap_or(Path::new("."))) {
        let _ = dir.sync_all();
    }
    Ok(())
}

fn io(path: &Path, error: impl fmt::Display) -> SnapshotError {
    SnapshotError::Io {
        path: path.to_owned(),
        error: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Tests of one binary run on threads of one process, and two of them may rewrite the
    /// same snapshot at once (`UPDATE_SNAPSHOTS=1 cargo test`): each write is whole, none
    /// fails because another moved its temporary file away, and none is left behind.
    #[test]
    fn concurrent_writes_of_one_snapshot_each_succeed_whole() {
        let dir = std::env::temp_dir().join(format!("snapshot-write-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("tools.json");
        let snapshot = json!([{"name": "a", "description": "x".repeat(100_000)}]);
        let failures: Vec<String> = std::thread::scope(|scope| {
            let writers: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        (0..20)
                            .filter_map(|_| write(&path, &snapshot).err())
                            .map(|error| error.to_string())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            writers
                .into_iter()
                .flat_map(|writer| writer.join().unwrap())
                .collect()
        });
        assert_eq!(failures, Vec::<String>::new());
        let written: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(written, snapshot);
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(left, [std::ffi::OsString::from("tools.json")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
