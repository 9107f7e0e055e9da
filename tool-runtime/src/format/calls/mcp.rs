//! MCP's calls and outputs: a `tools/call` request, and its results.

use serde_json::{json, Value};

use super::{Answer, CallFormatError, Node};
use crate::call::local_call_id;
use crate::call::ToolCall;

/// The call of a `tools/call` request (its id the request's), or of its `params`.
pub(super) fn call(reply: Node<'_>) -> Result<ToolCall, CallFormatError> {
    let Some(Value::Object(fields)) = reply.value else {
        return Err(reply.expected("a tools/call request or its params"));
    };
    let (params, id) = if fields.contains_key("method") || fields.contains_key("jsonrpc") {
        reply.get("method").literal("tools/call")?;
        (reply.get("params"), request_id(&reply.get("id"))?)
    } else {
        (reply, None)
    };
    params.object()?;
    Ok(ToolCall::new(
        id.unwrap_or_else(local_call_id),
        params.get("name").text()?,
        params.get("arguments").optional_object_text()?,
    ))
}

/// A JSON-RPC id, a string or a number (as its text); `null` or none is no id.
fn request_id(id: &Node<'_>) -> Result<Option<String>, CallFormatError> {
    match id.value {
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(Value::String(_)) | Some(Value::Null) | None => {
            Ok(id.optional_id()?.map(str::to_owned))
        }
        Some(_) => Err(id.expected("a string or a number")),
    }
}

/// `[{"content": [{"type": "text", "text"}], "isError"}]`, one result per output.
pub(super) fn outputs(answers: &[Answer<'_>]) -> Value {
    answers
        .iter()
        .map(|answer| {
            json!({
                "content": [{"type": "text", "text": answer.output.content}],
                "isError": answer.output.is_error,
            })
        })
        .collect()
}
