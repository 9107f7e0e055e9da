//! The drift check the task planner calls for (docs/examples.md): a `delete_all_tasks` that appears in the code must not
//! reach the model unnoticed. One test, run in order, because it sets the process's
//! environment (`UPDATE_SNAPSHOTS`), which other tests in this binary would otherwise
//! read concurrently.

use std::path::PathBuf;

use tool_runtime::snapshot::{SnapshotError, UPDATE_SNAPSHOTS};
use tool_runtime::{tool, ToolRegistry};

/// Add a task to the list.
///
/// # Arguments
/// * `name` - What to do.
#[tool]
fn add_task(name: String) -> String {
    name
}

mod v2 {
    use tool_runtime::tool;

    /// Add a task to the list.
    ///
    /// # Arguments
    /// * `name` - What to do.
    /// * `priority` - 1 is the most urgent; omit it for 3.
    #[tool]
    pub(crate) fn add_task(name: String, priority: Option<u8>) -> String {
        format!("{name} {priority:?}")
    }
}

/// Delete every task.
#[tool(destructive)]
fn delete_all_tasks() -> &'static str {
    "deleted"
}

fn registry(tools: &[&str]) -> ToolRegistry {
    let mut registry = ToolRegistry::new();
    for tool in tools {
        match *tool {
            "add_task" => registry.register(AddTask),
            "add_task v2" => registry.register(v2::AddTask),
            "delete_all_tasks" => registry.register(DeleteAllTasks),
            other => panic!("no tool {other}"),
        }
        .unwrap();
    }
    registry
}

#[test]
fn a_new_tool_or_parameter_fails_the_check_until_the_snapshot_is_rewritten() {
    let dir = std::env::temp_dir().join(format!("tool-drift-{}", std::process::id()));
    let path: PathBuf = dir.join("snapshots/tools.json");
    let _ = std::fs::remove_dir_all(&dir);

    // No snapshot yet: a failure that says how to write one.
    let missing = registry(&["add_task"]).check_snapshot(&path).unwrap_err();
    assert!(matches!(missing, SnapshotError::Missing { .. }));
    assert_eq!(
        missing.to_string(),
        format!(
            "there is no tool snapshot at {}; run the test with UPDATE_SNAPSHOTS=1 to write it, and commit it",
            path.display()
        )
    );

    // Written on request (directories too), whole, ending in a newline.
    std::env::set_var(UPDATE_SNAPSHOTS, "1");
    registry(&["add_task"]).check_snapshot(&path).unwrap();
    std::env::remove_var(UPDATE_SNAPSHOTS);
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.ends_with("]\n"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&written).unwrap(),
        registry(&["add_task"]).snapshot()
    );
    registry(&["add_task"]).assert_snapshot(&path);

    // The code changes: a parameter and a destructive tool appear.
    let changed = registry(&["add_task v2", "delete_all_tasks"]);
    let error = changed.check_snapshot(&path).unwrap_err();
    let SnapshotError::Changed { changes, .. } = &error else {
        panic!("expected a change, got {error:?}");
    };
    assert_eq!(
        changes,
        &[
            "~ `add_task`: parameter `priority` added (optional, integer or null)",
            "+ `delete_all_tasks`: added (destructive), no parameters",
        ]
    );
    assert_eq!(
        error.to_string(),
        format!(
            "the tools a model sees differ from {}:\n  \
             ~ `add_task`: parameter `priority` added (optional, integer or null)\n  \
             + `delete_all_tasks`: added (destructive), no parameters\n\
             if this is intended, run the test with UPDATE_SNAPSHOTS=1 to rewrite the snapshot, and review it with the change",
            path.display()
        )
    );
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        changed.assert_snapshot(&path)
    }))
    .unwrap_err();
    assert_eq!(panicked.downcast_ref::<String>(), Some(&error.to_string()));
    // The failed check left the snapshot as it was.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);

    // Rewritten on purpose, it passes again; going back is a change too.
    std::env::set_var(UPDATE_SNAPSHOTS, "1");
    changed.check_snapshot(&path).unwrap();
    std::env::remove_var(UPDATE_SNAPSHOTS);
    changed.assert_snapshot(&path);
    let back = registry(&["add_task"]).check_snapshot(&path).unwrap_err();
    assert_eq!(
        back.to_string().lines().skip(1).take(2).collect::<Vec<_>>(),
        [
            "  - `delete_all_tasks`: removed",
            "  ~ `add_task`: parameter `priority` removed"
        ]
    );

    // A snapshot that is not JSON is an error that names the file.
    std::fs::write(&path, "{ not json").unwrap();
    let unreadable = registry(&["add_task"]).check_snapshot(&path).unwrap_err();
    assert!(matches!(unreadable, SnapshotError::Io { .. }));
    assert!(unreadable
        .to_string()
        .starts_with(&format!("{}: ", path.display())));

    std::fs::remove_dir_all(&dir).unwrap();
}
