//! Anthropic's calls and outputs: `tool_use` content blocks, and one user message of
//! `tool_result` blocks.

use serde_json::{json, Value};

use super::{list_in, typed_calls, Answer, CallFormatError, Node};
use crate::call::ToolCall;

/// The `tool_use` blocks of a message's `content`, or of the array.
pub(super) fn calls(reply: Node<'_>) -> Result<Vec<ToolCall>, CallFormatError> {
    let content = list_in(reply, "content", "a message or its content array")?;
    // A message's content may be plain text, which holds no calls.
    if content.value.is_some_and(Value::is_string) {
        return Ok(Vec::new());
    }
    typed_calls(&content, "tool_use", "id", |block| {
        block.get("input").object_text()
    })
}

/// `{"role": "user", "content": [{"type": "tool_result", "tool_use_id", "content",
/// "is_error"?}]}`, `is_error` only when true (Anthropic's default is false).
pub(super) fn outputs(answers: &[Answer<'_>]) -> Value {
    let results: Vec<Value> = answers
        .iter()
        .map(|answer| {
            let mut result = json!({
                "type": "tool_result",
                "tool_use_id": answer.output.tool_call_id,
                "content": answer.output.content,
            });
            if answer.output.is_error {
                result["is_error"] = true.into();
            }
            result
        })
        .collect();
    json!({"role": "user", "content": results})
}
