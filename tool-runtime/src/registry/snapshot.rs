//! The drift check of a registry: its tools against a committed snapshot.

use std::path::Path;

use serde_json::Value;

use crate::snapshot::{self, SnapshotError};

use super::ToolRegistry;

impl ToolRegistry {
    /// What a snapshot holds: for each tool, in registration order, its name,
    /// description, markers (`destructive`, `needs_approval`, `read_only`, `idempotent`,
    /// `open_world`), whether it is exported strict, its plain parameter schema, and the
    /// schema of a typed ([`Json<T>`](crate::json::Json)) output.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolRegistry};
    ///
    /// /// Delete every task.
    /// #[tool(destructive)]
    /// fn delete_all_tasks() {}
    ///
    /// let mut registry = ToolRegistry::new();
    /// registry.register(DeleteAllTasks)?;
    /// let snapshot = registry.snapshot();
    /// assert_eq!(snapshot[0]["name"], "delete_all_tasks");
    /// assert_eq!(snapshot[0]["markers"], serde_json::json!(["destructive"]));
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// ```
    pub fn snapshot(&self) -> Value {
        snapshot::document(self.definitions())
    }

    /// Compares the registry with the snapshot at `path` (relative paths are from the
    /// current directory, the package's root under `cargo test`). With
    /// `UPDATE_SNAPSHOTS=1` in the environment, writes the snapshot instead (whole, or
    /// not at all) and succeeds.
    ///
    /// ```
    /// use tool_runtime::snapshot::SnapshotError;
    /// use tool_runtime::{tool, ToolRegistry};
    ///
    /// /// Delete every task.
    /// #[tool(destructive)]
    /// fn delete_all_tasks() {}
    ///
    /// let dir = std::env::temp_dir().join(format!("snapshot-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("tools.json");
    /// std::fs::write(&path, "[]")?;
    ///
    /// let mut registry = ToolRegistry::new();
    /// registry.register(DeleteAllTasks)?;
    /// let Err(SnapshotError::Changed { changes, .. }) = registry.check_snapshot(&path) else {
    ///     panic!("a new tool is a change");
    /// };
    /// assert_eq!(changes, ["+ `delete_all_tasks`: added (destructive), no parameters"]);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`SnapshotError`]: the snapshot is missing, unreadable, or differs.
    pub fn check_snapshot(&self, path: impl AsRef<Path>) -> Result<(), SnapshotError> {
        snapshot::check(path.as_ref(), &self.snapshot())
    }

    /// [`check_snapshot`](Self::check_snapshot) for tests: panics with the report of
    /// what changed.
    ///
    /// ```no_run
    /// # fn registry() -> tool_runtime::ToolRegistry { tool_runtime::ToolRegistry::new() }
    /// #[test]
    /// fn the_tools_the_model_sees_are_reviewed() {
    ///     registry().assert_snapshot("tests/snapshots/tools.json");
    /// }
    /// ```
    #[track_caller]
    pub fn assert_snapshot(&self, path: impl AsRef<Path>) {
        if let Err(error) = self.check_snapshot(path) {
            panic!("{error}");
        }
    }
}
