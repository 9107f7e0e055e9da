//! Gemini's calls and outputs: `functionCall` parts, and one user content of
//! `functionResponse` parts.

use serde_json::{json, Map, Value};

use super::{Answer, CallFormatError, Calls, Node};
use crate::call::ToolCall;
use crate::format::ToolFormat;

/// The `functionCall` parts of a response's first candidate, of a content, or of the
/// array. Gemini's JSON leaves out empty lists and messages, so a response without
/// candidates (a blocked prompt), a candidate without content, or a content without
/// parts has no calls.
pub(super) fn calls(reply: Node<'_>) -> Result<Vec<ToolCall>, CallFormatError> {
    let parts = match reply.value {
        Some(Value::Array(_)) => Some(reply),
        Some(Value::Object(fields))
            if fields.contains_key("candidates") || fields.contains_key("promptFeedback") =>
        {
            first_candidate_parts(&reply)?
        }
        Some(Value::Object(fields))
            if fields.contains_key("parts") || fields.contains_key("role") =>
        {
            reply.get("parts").optional()
        }
        _ => return Err(reply.expected("a generateContent response, a content or its parts array")),
    };
    let Some(parts) = parts else {
        return Ok(Vec::new());
    };
    let mut calls = Calls::default();
    for part in parts.items()? {
        part.object()?;
        // Text, thoughts and `thoughtSignature` parts are not calls.
        let Some(call) = part.get("functionCall").optional() else {
            continue;
        };
        call.object()?;
        let id = call.get("id");
        calls.push(
            &id,
            id.optional_id()?,
            call.get("name").text()?,
            call.get("args").optional_object_text()?,
        )?;
    }
    Ok(calls.into_calls())
}

/// `candidates[0].content.parts`, if there are any.
fn first_candidate_parts<'a>(response: &Node<'a>) -> Result<Option<Node<'a>>, CallFormatError> {
    let Some(candidates) = response.get("candidates").optional() else {
        return Ok(None);
    };
    let Some(first) = candidates.items()?.into_iter().next() else {
        return Ok(None);
    };
    first.object()?;
    let Some(content) = first.get("content").optional() else {
        return Ok(None);
    };
    content.object()?;
    Ok(content.get("parts").optional())
}

/// `{"role": "user", "parts": [{"functionResponse": {"id"?, "name", "response"}}]}`.
pub(super) fn outputs(answers: &[Answer<'_>]) -> Value {
    let parts: Vec<Value> = answers
        .iter()
        .map(|answer| json!({"functionResponse": function_response(answer)}))
        .collect();
    json!({"role": "user", "parts": parts})
}

fn function_response(answer: &Answer<'_>) -> Value {
    let mut response = Map::new();
    // An id Gemini did not give is one it cannot match; without one it matches by name.
    if !answer.call.id.starts_with(ToolFormat::LOCAL_CALL_ID_PREFIX) {
        response.insert("id".into(), answer.call.id.as_str().into());
    }
    response.insert("name".into(), answer.call.name.as_str().into());
    let key = if answer.output.is_error {
        "error"
    } else {
        "output"
    };
    response.insert(
        "response".into(),
        json!({ key: response_value(&answer.output.content) }),
    );
    Value::Object(response)
}

/// A JSON object or array as itself (what a tool returning a `Serialize` struct or list
/// gives), anything else as the text: a tool's text that reads as a number stays text.
fn response_value(content: &str) -> Value {
    match serde_json::from_str::<Value>(content) {
        Ok(value @ (Value::Object(_) | Value::Array(_))) => value,
        _ => Value::String(content.to_owned()),
    }
}
