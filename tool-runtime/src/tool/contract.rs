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
    /// returns its work [boxed](ToolFuture::boxed).
    fn call<'a>(&'a self, input: ToolInput<'a>) -> ToolFuture<'a>;
}

/// What a tool receives for one call.
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
