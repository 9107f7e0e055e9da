//! `Tool` without its associated const, so tools of different types live in one `Vec`.

use crate::context::StateKey;
use crate::definition::ToolDefinition;

use super::{Tool, ToolFuture, ToolInput};

/// What the registry needs of a tool, object-safe.
pub(crate) trait DynTool: Send + Sync {
    fn definition(&self) -> &ToolDefinition;
    fn call<'a>(&'a self, input: ToolInput<'a>) -> ToolFuture<'a>;
    /// The Rust type (or method path) that messages name the tool by.
    fn type_name(&self) -> &'static str;
    fn required_state(&self) -> Vec<StateKey>;
}

impl<T: Tool> DynTool for T {
    fn definition(&self) -> &ToolDefinition {
        Tool::definition(self)
    }
    fn call<'a>(&'a self, input: ToolInput<'a>) -> ToolFuture<'a> {
        Tool::call(self, input)
    }
    fn type_name(&self) -> &'static str {
        std::any::type_name::<T>()
    }
    fn required_state(&self) -> Vec<StateKey> {
        Tool::required_state(self)
    }
}
