//! A registry holding some of another's tools: one server registry, a different set of
//! tools offered to each assistant.

use crate::definition::ToolDefinition;

use super::ToolRegistry;

impl ToolRegistry {
    /// A registry with the tools of this one that `keep` accepts, in the same order,
    /// sharing their state, timeout, concurrency bound and checks. Nothing is registered
    /// again: the tools are shared, not copied.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolCall, ToolRegistry};
    ///
    /// /// List the tasks.
    /// #[tool(read_only)]
    /// fn list_tasks() -> &'static str { "1: water the plants" }
    ///
    /// /// Delete every task.
    /// #[tool(destructive)]
    /// fn delete_all_tasks() {}
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut registry = ToolRegistry::new();
    /// registry.register(ListTasks)?.register(DeleteAllTasks)?;
    /// let readers = registry.subset(|definition| definition.markers().read_only);
    /// assert_eq!(readers.names().collect::<Vec<_>>(), ["list_tasks"]);
    /// let output = readers.dispatch(&ToolCall::new("call_1", "delete_all_tasks", "")).await;
    /// assert_eq!(output.content, "unknown tool `delete_all_tasks`; available tools: `list_tasks`");
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn subset(&self, mut keep: impl FnMut(&ToolDefinition) -> bool) -> ToolRegistry {
        let mut subset = ToolRegistry {
            tools: (self.tools.iter())
                .filter(|tool| keep(tool.definition()))
                .cloned()
                .collect(),
            index: Default::default(),
            names: Vec::new(),
            state: self.state.clone(),
            concurrency: self.concurrency,
            timeout: self.timeout,
            checks: self.checks.clone(),
        };
        subset.reindex();
        subset
    }
}
