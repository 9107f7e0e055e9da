//! How a tool call fails, before the registry words it for the model.

/// Why a tool call failed; the registry turns it into an error output the model reads.
///
/// ```
/// use tool_runtime::{tool, ToolCall, ToolError, ToolRegistry};
/// use tool_runtime::tool::{StateMap, ToolInput};
/// use tool_runtime::Tool;
///
/// /// Halve a number.
/// ///
/// /// # Arguments
/// /// * `n` - An even number.
/// #[tool]
/// fn halve(n: u32) -> Result<u32, String> {
///     if n % 2 == 1 { Err(format!("{n} is odd")) } else { Ok(n / 2) }
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// // What the tool itself returns...
/// let state = StateMap::default();
/// let failed = Halve.call(ToolInput::new(r#"{"n": 3}"#, "call_1", &state)).await;
/// assert_eq!(failed, Err(ToolError::Failed("3 is odd".into())));
/// let invalid = Halve.call(ToolInput::new(r#"{"n": -1}"#, "call_2", &state)).await;
/// assert!(matches!(invalid, Err(ToolError::InvalidArguments(_))));
///
/// // ...and what the model reads, through the registry.
/// let mut registry = ToolRegistry::new();
/// registry.register(Halve)?;
/// let output = registry.dispatch(&ToolCall::new("call_3", "halve", r#"{"n": 3}"#)).await;
/// assert_eq!((output.content.as_str(), output.is_error), ("3 is odd", true));
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ToolError {
    /// The arguments were not JSON, or did not fit the parameters: the path and the problem.
    InvalidArguments(String),
    /// The tool ran and returned `Err`: that error's text.
    Failed(String),
    /// The registry holds no value of a state type the tool takes.
    MissingState(&'static str),
}
