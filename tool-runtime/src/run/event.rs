//! What a run reports as it happens.

use crate::call::ToolOutput;
use crate::chat::{Message, Usage};
use crate::run::RunStatus;

/// Something that happened in a run, in order: enough to render the run as it goes.
/// [`Assistant::events`](crate::run::Assistant::events) streams them.
///
/// ```
/// use tool_runtime::chat::StreamExt;
/// use tool_runtime::{tool, ToolRegistry};
/// use tool_runtime::chat::Message;
/// use tool_runtime::run::{Assistant, RunEvent, RunStatus, Thread};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// /// Ping the service.
/// #[tool]
/// fn ping() -> &'static str { "pong" }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(Ping)?;
/// let model = ScriptedModel::new([
///     ScriptedReply::tool_calls([("ping", "")]),
///     ScriptedReply::text("It is up."),
/// ]);
/// let assistant = Assistant::new(model, registry);
/// let mut run = assistant.start(Thread::from(vec![Message::user("Is it up?")]));
/// let events: Vec<RunEvent> = assistant.events(&mut run).collect().await;
///
/// assert_eq!(events.first(), Some(&RunEvent::Status(RunStatus::InProgress)));
/// assert!(events.iter().any(|event| matches!(event, RunEvent::ToolCallCreated { name, .. } if name == "ping")));
/// assert!(events.iter().any(|event| matches!(event, RunEvent::ToolOutput(output) if output.content == "pong")));
/// let text: String = events.iter().filter_map(|event| match event {
///     RunEvent::TextDelta(text) => Some(text.as_str()),
///     _ => None,
/// }).collect();
/// assert_eq!(text, "It is up.");
/// assert_eq!(events.last(), Some(&RunEvent::Finished(RunStatus::Completed)));
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunEvent {
    /// The status changed.
    Status(RunStatus),
    /// A piece of the model's text.
    TextDelta(String),
    /// The model began a tool call: its id and name come before any of its arguments.
    ToolCallCreated {
        /// The call's id.
        id: String,
        /// The tool's name.
        name: String,
    },
    /// More of a tool call's arguments.
    ToolCallDelta {
        /// The call's id.
        id: String,
        /// The piece of the arguments' JSON text.
        arguments: String,
    },
    /// A tool call's output (or its rejection).
    ToolOutput(ToolOutput),
    /// The model's message is complete.
    MessageDone(Message),
    /// Tokens one model request used.
    Usage(Usage),
    /// The run stopped: a terminal status, or `RequiresAction`.
    Finished(RunStatus),
}
