//! What a run reports as it happens.

use crate::call::ToolOutput;
use crate::chat::{Message, Usage};
use crate::run::RunStatus;

/// Something that happened in a run, in order: enough to render the run as it goes.
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
