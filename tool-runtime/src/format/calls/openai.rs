//! OpenAI's calls and outputs: Chat Completions' `tool_calls` and `tool` messages,
//! Responses' `function_call` and `function_call_output` items.

use serde_json::{json, Value};

use super::{list_in, typed_calls, Answer, CallFormatError, Calls, Node};
use crate::call::ToolCall;

/// The `tool_calls` of a `chat.completion`'s first choice, of a message, or the array.
pub(super) fn chat_calls(reply: Node<'_>) -> Result<Vec<ToolCall>, CallFormatError> {
    let message = match reply.value {
        Some(Value::Array(_)) => return chat_tool_calls(&reply),
        Some(Value::Object(fields)) if fields.contains_key("choices") => {
            let choices = reply.get("choices").items()?;
            let first = choices
                .into_iter()
                .next()
                .ok_or_else(|| reply.get("choices").expected("a non-empty array"))?;
            first.get("message")
        }
        Some(Value::Object(_)) => reply,
        _ => return Err(reply.expected("a chat message, a chat.completion or a tool_calls array")),
    };
    message.object()?;
    // A message without calls has no `tool_calls`, or `null` there.
    match message.get("tool_calls").optional() {
        Some(tool_calls) => chat_tool_calls(&tool_calls),
        None => Ok(Vec::new()),
    }
}

/// `[{"id", "type": "function", "function": {"name", "arguments"}}]`.
fn chat_tool_calls(tool_calls: &Node<'_>) -> Result<Vec<ToolCall>, CallFormatError> {
    let mut calls = Calls::default();
    for call in tool_calls.items()? {
        call.object()?;
        if let Some(kind) = call.get("type").optional() {
            kind.literal("function")?;
        }
        let function = call.get("function");
        function.object()?;
        let id = call.get("id");
        calls.push(
            &id,
            id.optional_id()?,
            function.get("name").text()?,
            function.get("arguments").arguments_text()?,
        )?;
    }
    Ok(calls.into_calls())
}

/// The `function_call` items of a response's `output`, or of the array. Their `id`
/// (`fc_...`) names the item; outputs answer the `call_id`.
pub(super) fn responses_calls(reply: Node<'_>) -> Result<Vec<ToolCall>, CallFormatError> {
    let output = list_in(reply, "output", "a response or its output array")?;
    typed_calls(&output, "function_call", "call_id", |item| {
        item.get("arguments").arguments_text()
    })
}

/// `[{"role": "tool", "tool_call_id", "content"}]`: OpenAI has no error flag, the content
/// says what went wrong.
pub(super) fn chat_outputs(answers: &[Answer<'_>]) -> Value {
    answers
        .iter()
        .map(|answer| {
            json!({
                "role": "tool",
                "tool_call_id": answer.output.tool_call_id,
                "content": answer.output.content,
            })
        })
        .collect()
}

/// `[{"type": "function_call_output", "call_id", "output"}]`.
pub(super) fn responses_outputs(answers: &[Answer<'_>]) -> Value {
    answers
        .iter()
        .map(|answer| {
            json!({
                "type": "function_call_output",
                "call_id": answer.output.tool_call_id,
                "output": answer.output.content,
            })
        })
        .collect()
}
