//! The contract between a tool and the registry: the `Tool` trait that `#[tool]`
//! implements, and what a call receives.

use crate::context::{StateKey, StateMap};
use crate::definition::ToolDefinition;

use super::ToolFuture;

/// A function a model can call. `#[tool]` implements it on a unit struct named after the
/// function; implement it by hand only for tools whose shape is known at run time.
///
/// ```
/// use tool_runtime::{tool, Tool};
///
/// /// Say hello.
/// ///
/// /// # Arguments
/// /// * `name` - Who to greet.
/// #[tool]
/// fn greet(name: String) -> String {
///     format!("Hello, {name}!")
/// }
///
/// assert_eq!(Greet::NAME, "greet");
/// assert_eq!(Greet.definition().description(), "Say hello.");
/// assert_eq!(greet("Ada".into()), "Hello, Ada!"); // the function is unchanged
/// ```
///
/// By hand, a tool whose definition comes from configuration:
///
/// ```
/// use serde_json::{json, Value};
/// use tool_runtime::tool::{ToolFuture, ToolInput};
/// use tool_runtime::{Tool, ToolCall, ToolDefinition, ToolError, ToolRegistry};
///
/// /// Looks a key up in a table loaded at start-up.
/// struct Lookup {
///     definition: ToolDefinition,
///     table: Value,
/// }
///
/// impl Tool for Lookup {
///     const NAME: &'static str = "lookup";
///
///     fn definition(&self) -> &ToolDefinition {
///         &self.definition
///     }
///
///     fn call<'a>(&'a self, input: ToolInput<'a>) -> ToolFuture<'a> {
///         let result = serde_json::from_str::<Value>(input.arguments)
///             .map_err(|error| ToolError::InvalidArguments(error.to_string()))
///             .and_then(|arguments| match self.table.get(arguments["key"].as_str().unwrap_or_default()) {
///                 Some(value) => Ok(value.to_string()),
///                 None => Err(ToolError::Failed("no such key".into())),
///             });
///         ToolFuture::ready(result)
///     }
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let parameters = json!({"type": "object", "properties": {"key": {"type": "string"}}, "required": ["key"]});
/// let lookup = Lookup {
///     definition: ToolDefinition::new("lookup", "Look a key up.", parameters),
///     table: json!({"answer": 42}),
/// };
/// let mut registry = ToolRegistry::new();
/// registry.register(lookup)?;
/// let output = registry.dispatch(&ToolCall::new("call_1", "lookup", r#"{"key": "answer"}"#)).await;
/// assert_eq!(output.content, "42");
/// let output = registry.dispatch(&ToolCall::new("call_2", "lookup", "{")).await;
/// assert!(output.is_error && output.content.starts_with("invalid arguments for tool `lookup`"));
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
pub trait Tool: Send + Sync + 'static {
    /// The name the model calls the tool by.
    const NAME: &'static str;

    /// The definition, built on first use and kept.
    fn definition(&self) -> &ToolDefinition;

    /// The state types the tool takes from the registry (`State<T>` parameters).
    fn required_state(&self) -> Vec<StateKey> {
        Vec::new()
    }

    /// Parses the arguments, runs the function and renders its output. A sync tool does
    /// all of it here and returns a [ready](ToolFuture::ready) future; an async tool
    /// returns its work [boxed](ToolFuture::boxed). `#[tool]` on an `async fn` whose body
    /// has no `.await` (nor a macro call other than the standard library's formatting and
    /// assertion macros) makes a sync tool of it: such a future completes when first
    /// polled, so it is polled here, in place, and nothing is allocated.
    fn call<'a>(&'a self, input: ToolInput<'a>) -> ToolFuture<'a>;
}

/// What a tool receives for one call. A test can build one to call a tool directly.
///
/// ```
/// use tool_runtime::tool::{StateMap, ToolInput};
/// use tool_runtime::{tool, Tool};
///
/// /// Add two numbers.
/// ///
/// /// # Arguments
/// /// * `a` - The first number.
/// /// * `b` - The second number.
/// #[tool]
/// fn add(a: i64, b: i64) -> i64 { a + b }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let state = StateMap::default();
/// let input = ToolInput::new(r#"{"a": 2, "b": 3}"#, "call_1", &state);
/// assert_eq!(input.call_id, "call_1");
/// assert_eq!(Add.call(input).await, Ok("5".to_owned()));
/// # });
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ToolInput<'a> {
    /// The arguments as the JSON text the model sent.
    pub arguments: &'a str,
    /// The id of the call.
    pub call_id: &'a str,
    /// The registry's state.
    pub state: &'a StateMap,
}

impl<'a> ToolInput<'a> {
    /// Input for a call with these arguments, id and state.
    pub fn new(arguments: &'a str, call_id: &'a str, state: &'a StateMap) -> Self {
        Self {
            arguments,
            call_id,
            state,
        }
    }
}
