//! A tool call as a model makes it, and the output that goes back.

use serde::{Deserialize, Serialize};

/// One tool call from a model.
///
/// ```
/// use tool_runtime::ToolCall;
///
/// let call = ToolCall::new("call_1", "get_current_weather", r#"{"location": "Paris"}"#);
/// assert_eq!(call.arguments, r#"{"location": "Paris"}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ToolCall {
    /// The provider's id for the call; the output is matched to the call by it.
    pub id: String,
    /// The tool the model asked for.
    pub name: String,
    /// The arguments as the JSON text the model sent. Empty text means no arguments.
    pub arguments: String,
}

impl ToolCall {
    /// A call of tool `name` with `arguments`, the JSON text the model sent.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        arguments: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            arguments: arguments.into(),
        }
    }
}

/// A tool call borrowed from wherever it was read: a provider's reply, an MCP request.
/// [`ToolRegistry::dispatch`](crate::ToolRegistry::dispatch) takes one (or a `&ToolCall`),
/// so a caller holding the id, name and arguments as `&str` need not copy them first.
///
/// ```
/// use tool_runtime::{tool, CallRef, ToolRegistry};
///
/// /// Double a number.
/// ///
/// /// # Arguments
/// /// * `n` - The number.
/// #[tool]
/// fn double(n: i64) -> i64 { n * 2 }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(Double)?;
/// // E.g. read out of a JSON-RPC request without building a `ToolCall`.
/// let (id, name, arguments) = ("7", "double", r#"{"n": 21}"#);
/// let output = registry.dispatch(CallRef::new(id, name, arguments)).await;
/// assert_eq!((output.tool_call_id.as_str(), output.content.as_str()), ("7", "42"));
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CallRef<'a> {
    /// The provider's id for the call.
    pub id: &'a str,
    /// The tool the model asked for.
    pub name: &'a str,
    /// The arguments as the JSON text the model sent; empty text means no arguments.
    pub arguments: &'a str,
}

impl<'a> CallRef<'a> {
    /// A call of tool `name` with `arguments`, borrowed.
    pub fn new(id: &'a str, name: &'a str, arguments: &'a str) -> Self {
        Self {
            id,
            name,
            arguments,
        }
    }

    /// The owned call.
    pub fn to_call(self) -> ToolCall {
        ToolCall::new(self.id, self.name, self.arguments)
    }
}

impl<'a> From<&'a ToolCall> for CallRef<'a> {
    fn from(call: &'a ToolCall) -> Self {
        Self::new(&call.id, &call.name, &call.arguments)
    }
}

/// The result of one tool call, ready to send back to the model.
///
/// Failures are outputs too (`is_error: true`): the model reads what went wrong and can
/// correct itself.
///
/// ```
/// use tool_runtime::{ToolCall, ToolOutput};
///
/// let call = ToolCall::new("call_1", "get_nickname", r#"{"location": "Paris"}"#);
/// let output = ToolOutput::success(&call, "City of Light");
/// assert_eq!(output.tool_call_id, "call_1");
/// assert!(!output.is_error);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolOutput {
    /// The id of the call this answers.
    pub tool_call_id: String,
    /// The output text: a string result as is, anything else as compact JSON, or the error.
    pub content: String,
    /// Whether the call failed.
    pub is_error: bool,
}

impl ToolOutput {
    /// A successful output for `call`.
    pub fn success(call: &ToolCall, content: impl Into<String>) -> Self {
        Self::new(call, content.into(), false)
    }

    /// A failed output for `call`, with the message the model will read.
    pub fn error(call: &ToolCall, message: impl Into<String>) -> Self {
        Self::new(call, message.into(), true)
    }

    fn new(call: &ToolCall, content: String, is_error: bool) -> Self {
        Self::answering(&call.id, content, is_error)
    }

    /// The output of the call with id `id`.
    pub(crate) fn answering(id: &str, content: String, is_error: bool) -> Self {
        Self {
            tool_call_id: id.to_owned(),
            content,
            is_error,
        }
    }
}

/// The prefix of the ids given to calls a provider sent without one (Gemini's, MCP's
/// without a request id), so they are known as local and not sent back.
pub(crate) const LOCAL_CALL_ID_PREFIX: &str = "call_local_";

/// A fresh id for a call read from a provider's reply that gave none.
pub(crate) fn local_call_id() -> String {
    format!("{LOCAL_CALL_ID_PREFIX}{}", unique_suffix())
}

/// An id for a call that came without one, unique in this process.
pub(crate) fn fresh_call_id() -> String {
    format!("call_{}", unique_suffix())
}

/// A suffix unique in this process and, with a per-process random part, across the
/// processes a serialized run may be resumed in.
pub(crate) fn unique_suffix() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::OnceLock;
    static SEED: OnceLock<u64> = OnceLock::new();
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let seed = *SEED.get_or_init(|| {
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    });
    format!(
        "{seed:016x}{:x}",
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}
