//! The messages of a thread.

use serde::{Deserialize, Serialize};

use crate::call::{ToolCall, ToolOutput};

/// One message of a thread, in the roles every chat API has.
///
/// It serializes as `{"role": "user", "content": ...}` and so on, so a saved thread reads
/// like a Chat Completions request; clients translate it to their provider's wire format.
///
/// ```
/// use tool_runtime::{ToolCall, ToolOutput};
/// use tool_runtime::chat::Message;
///
/// let call = ToolCall::new("call_1", "get_nickname", r#"{"location": "Paris"}"#);
/// let thread = vec![
///     Message::user("What is Paris called?"),
///     Message::assistant_calls(vec![call.clone()]),
///     Message::tool(&ToolOutput::success(&call, "City of Light")),
/// ];
/// assert_eq!(
///     serde_json::to_value(&thread[2]).unwrap(),
///     serde_json::json!({"role": "tool", "tool_call_id": "call_1", "content": "City of Light"})
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum Message {
    /// Instructions from the developer.
    System {
        /// The instructions.
        content: String,
    },
    /// What the user said.
    User {
        /// The text.
        content: String,
    },
    /// What the model said: text, tool calls, or both.
    Assistant {
        /// The text, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<String>,
        /// The tool calls, in the order the model made them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<ToolCall>,
    },
    /// The output of one tool call.
    Tool {
        /// The call it answers.
        tool_call_id: String,
        /// The output, or what went wrong.
        content: String,
        /// Whether the call failed (providers that have the notion receive it).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        is_error: bool,
    },
}

impl Message {
    /// Developer instructions.
    pub fn system(content: impl Into<String>) -> Self {
        Self::System {
            content: content.into(),
        }
    }

    /// A user's message.
    pub fn user(content: impl Into<String>) -> Self {
        Self::User {
            content: content.into(),
        }
    }

    /// A model's text answer.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self::Assistant {
            content: Some(content.into()),
            tool_calls: Vec::new(),
        }
    }

    /// A model's tool calls, without text.
    pub fn assistant_calls(tool_calls: Vec<ToolCall>) -> Self {
        Self::Assistant {
            content: None,
            tool_calls,
        }
    }

    /// The output of a tool call.
    pub fn tool(output: &ToolOutput) -> Self {
        Self::Tool {
            tool_call_id: output.tool_call_id.clone(),
            content: output.content.clone(),
            is_error: output.is_error,
        }
    }
}
