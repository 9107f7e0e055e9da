//! Tools that come as a set: the `#[tool]` methods of a `#[tools]` impl, registered
//! together from one value.

use std::sync::Arc;

use crate::context::StateKey;
use crate::definition::ToolDefinition;

use super::{DynTool, Tool, ToolFuture, ToolInput};

/// A value whose tools are registered together, sharing it:
/// [`ToolRegistry::register_all`](crate::ToolRegistry::register_all) takes one. `#[tools]`
/// implements it for the type of an impl block whose methods are `#[tool]`s; each tool
/// holds the value in an `Arc` and calls its method with `&self`.
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use tool_runtime::{tools, ToolCall, ToolRegistry};
///
/// struct Counter {
///     count: AtomicU32,
/// }
///
/// #[tools]
/// impl Counter {
///     /// Add to the counter and return the new total.
///     ///
///     /// # Arguments
///     /// * `step` - How much to add.
///     #[tool]
///     fn add(&self, step: u32) -> u32 {
///         self.count.fetch_add(step, Ordering::SeqCst) + step
///     }
///
///     /// Read the counter.
///     #[tool(read_only)]
///     async fn read(&self) -> u32 {
///         self.count.load(Ordering::SeqCst)
///     }
///
///     /// Not a tool: methods without `#[tool]` stay as they are.
///     fn reset(&self) {
///         self.count.store(0, Ordering::SeqCst);
///     }
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register_all(Counter { count: AtomicU32::new(0) })?;
/// assert_eq!(registry.names().collect::<Vec<_>>(), ["add", "read"]);
///
/// registry.dispatch(&ToolCall::new("call_1", "add", r#"{"step": 2}"#)).await;
/// let output = registry.dispatch(&ToolCall::new("call_2", "read", "")).await;
/// assert_eq!(output.content, "2");
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
///
/// To keep a handle on the value, register an `Arc` of it: the tools share that `Arc`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a set of tools",
    label = "`register_all` takes a value whose type has a `#[tools]` impl",
    note = "put #[tools] on an impl block of the type, with #[tool] on the methods the model may call; register a single tool with `register`"
)]
pub trait ToolSet: Send + Sync + 'static {
    /// Adds the set's tools to `tools`, in order.
    fn tools(self: Arc<Self>, tools: &mut ToolBatch);
}

/// An `Arc` of a set is the set, shared with whoever else holds the `Arc`.
impl<S: ToolSet> ToolSet for Arc<S> {
    fn tools(self: Arc<Self>, tools: &mut ToolBatch) {
        S::tools(Arc::unwrap_or_clone(self), tools);
    }
}

/// The tools a [`ToolSet`] hands the registry, which registers all of them or none.
///
/// `#[tools]` fills it; a hand-written set adds its tools itself:
///
/// ```
/// use std::sync::Arc;
/// use tool_runtime::tool::ToolBatch;
/// use tool_runtime::{tool, ToolRegistry, ToolSet};
///
/// /// Read a file.
/// #[tool(read_only)]
/// fn read_file() {}
///
/// /// Write a file.
/// #[tool]
/// fn write_file() {}
///
/// /// The file tools, read-only or not.
/// struct Files {
///     writable: bool,
/// }
///
/// impl ToolSet for Files {
///     fn tools(self: Arc<Self>, tools: &mut ToolBatch) {
///         tools.add(ReadFile);
///         if self.writable {
///             tools.add(WriteFile);
///         }
///     }
/// }
///
/// let mut registry = ToolRegistry::new();
/// registry.register_all(Files { writable: false })?;
/// assert_eq!(registry.names().collect::<Vec<_>>(), ["read_file"]);
/// # Ok::<(), tool_runtime::RegistryError>(())
/// ```
#[derive(Default)]
pub struct ToolBatch {
    pub(crate) tools: Vec<Arc<dyn DynTool>>,
}

impl ToolBatch {
    /// Adds a tool.
    pub fn add<T: Tool>(&mut self, tool: T) -> &mut Self {
        self.tools.push(Arc::new(tool));
        self
    }

    /// Adds a tool that messages call `origin` (a method's path) rather than its type.
    pub(crate) fn add_method<T: Tool>(&mut self, tool: T, origin: &'static str) {
        self.tools.push(Arc::new(Method { tool, origin }));
    }
}

impl std::fmt::Debug for ToolBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.tools.iter().map(|t| t.definition().name()).collect();
        f.debug_struct("ToolBatch").field("tools", &names).finish()
    }
}

/// A method's tool: its hidden struct, named in messages by the method's path.
struct Method<T> {
    tool: T,
    origin: &'static str,
}

impl<T: Tool> DynTool for Method<T> {
    fn definition(&self) -> &ToolDefinition {
        self.tool.definition()
    }
    fn call<'a>(&'a self, input: ToolInput<'a>) -> ToolFuture<'a> {
        self.tool.call(input)
    }
    fn type_name(&self) -> &'static str {
        self.origin
    }
    fn required_state(&self) -> Vec<StateKey> {
        self.tool.required_state()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{ToolBatch, ToolSet};
    use crate::context::StateMap;
    use crate::tool::ToolInput;
    use crate::tools;

    struct Clock;

    #[tools]
    impl Clock {
        /// Now.
        #[tool]
        fn now(&self) -> u32 {
            1
        }

        /// Later, without waiting.
        #[tool]
        async fn later(&self) -> u32 {
            2
        }

        /// Later still: it waits.
        #[tool]
        async fn latest(&self) -> u32 {
            std::future::ready(3).await
        }
    }

    // An `async fn` whose body has no `.await` is polled in `call`, where it completes.
    #[test]
    fn a_method_that_cannot_wait_answers_without_a_boxed_future_as_a_free_function_does() {
        let mut batch = ToolBatch::default();
        Arc::new(Clock).tools(&mut batch);
        let state = StateMap::default();
        let futures: Vec<String> = (batch.tools.iter())
            .map(|tool| format!("{:?}", tool.call(ToolInput::new("", "id", &state))))
            .collect();
        assert_eq!(
            futures,
            [
                "ToolFuture::Ready",
                "ToolFuture::Ready",
                "ToolFuture::Boxed"
            ]
        );
        assert_eq!(
            format!("{batch:?}"),
            r#"ToolBatch { tools: ["now", "later", "latest"] }"#
        );
    }
}
