//! The Responses JSON: requests out (the thread as input items), whole responses in
//! (docs/providers.md, "OpenAI Responses API").

use serde_json::{json, Map, Value};

use crate::call::ToolCall;
use crate::chat::{
    ChatDelta, ChatRequest, ChatResponse, FinishReason, Message, ModelError, ResponseBuilder, Usage,
};
use crate::format::{SchemaForm, ToolFormat};
use crate::openai::wire::{arguments_text, insert_tools, non_empty, sent_arguments};
use crate::transport::{excerpt, insert_extra, insert_sampling, metadata_of, refuse_if};

/// The fields a Responses body may have: extra body fields may not name them.
const WRITTEN: &[&str] = &[
    "model",
    "instructions",
    "input",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "max_output_tokens",
    "temperature",
    "top_p",
    "text",
    "store",
    "stream",
];

/// The API's name in errors.
const API: &str = "OpenAI's Responses API";

/// The body of a `POST /responses` for `request`.
///
/// A thread that opens with a system message sends it as `instructions`; any later system
/// message stays in its place as a `system` input item. `store` is `false`: the whole
/// thread goes out each time, so nothing needs keeping on the server. A response format
/// is `text.format`, flat (`{"type": "json_schema", "name", "schema", "strict"}`).
///
/// # Errors
///
/// [`ModelError::InvalidRequest`] for `seed` or `stop` (the API has neither), a number
/// that is not finite, or an extra field the client writes itself.
pub(crate) fn request_body(
    request: &ChatRequest<'_>,
    model: &str,
    form: SchemaForm,
    stream: bool,
) -> Result<Value, ModelError> {
    let options = &request.options;
    refuse_if(
        options.seed.is_some(),
        "seed",
        API,
        "Chat Completions has it: OpenAiClient",
    )?;
    refuse_if(
        !options.stop.is_empty(),
        "stop",
        API,
        "Chat Completions has it: OpenAiClient",
    )?;
    let mut body = Map::new();
    body.insert("model".into(), model.into());
    let messages = match request.messages {
        [Message::System { content }, rest @ ..] => {
            body.insert("instructions".into(), content.as_str().into());
            rest
        }
        messages => messages,
    };
    let mut input = Vec::new();
    for message in messages {
        items(message, &mut input);
    }
    body.insert("input".into(), input.into());
    insert_tools(
        &mut body,
        request,
        ToolFormat::OpenAiResponses,
        form,
        |name| json!({"type": "function", "name": name}),
    );
    if let Some(max_tokens) = options.max_tokens {
        body.insert("max_output_tokens".into(), max_tokens.into());
    }
    insert_sampling(&mut body, options)?;
    if let Some(format) = &options.response_format {
        body.insert(
            "text".into(),
            json!({"format": {"type": "json_schema", "name": format.name,
                              "schema": format.schema, "strict": format.strict}}),
        );
    }
    body.insert("store".into(), false.into());
    if stream {
        body.insert("stream".into(), true.into());
    }
    insert_extra(&mut body, options, WRITTEN, "Responses client")?;
    Ok(Value::Object(body))
}

/// The input items of one message of the thread.
fn items(message: &Message, input: &mut Vec<Value>) {
    match message {
        Message::System { content } => input.push(text_item("system", content)),
        Message::User { content } => input.push(text_item("user", content)),
        Message::Assistant {
            content,
            tool_calls,
        } => {
            // Text beside calls only when there is some; an empty turn stays a turn.
            match content {
                Some(text) if !text.is_empty() || tool_calls.is_empty() => {
                    input.push(text_item("assistant", text));
                }
                None if tool_calls.is_empty() => input.push(text_item("assistant", "")),
                _ => {}
            }
            input.extend(tool_calls.iter().map(function_call));
        }
        // No error flag on the wire; the output already says what went wrong.
        Message::Tool {
            tool_call_id,
            content,
            ..
        } => {
            let mut item = Map::new();
            item.insert("type".into(), "function_call_output".into());
            item.insert("call_id".into(), tool_call_id.as_str().into());
            item.insert("output".into(), content.as_str().into());
            input.push(Value::Object(item));
        }
    }
}

fn text_item(role: &str, text: &str) -> Value {
    let mut item = Map::new();
    item.insert("type".into(), "message".into());
    item.insert("role".into(), role.into());
    item.insert("content".into(), text.into());
    Value::Object(item)
}

/// A call the model made, as it goes back: no item `id` (with `store: false` the server
/// could not look it up), `arguments` a JSON string, `{}` when the model sent none.
fn function_call(call: &ToolCall) -> Value {
    let mut item = Map::new();
    item.insert("type".into(), "function_call".into());
    item.insert("call_id".into(), call.id.as_str().into());
    item.insert("name".into(), call.name.as_str().into());
    item.insert("arguments".into(), sent_arguments(call).into());
    Value::Object(item)
}

/// A whole (non-streamed) response.
pub(crate) fn parse_response(body: &[u8]) -> Result<ChatResponse, ModelError> {
    let response: Value = serde_json::from_slice(body).map_err(|error| {
        ModelError::Protocol(format!(
            "the reply is not JSON ({error}): {}",
            excerpt(body)
        ))
    })?;
    if let Some(error) = failure(&response) {
        return Err(error);
    }
    let output = response
        .get("output")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ModelError::Protocol(format!("the reply has no output: {}", excerpt(body)))
        })?;
    let mut deltas: Vec<ChatDelta> = metadata_of(&response).into_iter().collect();
    output_deltas(output, &mut deltas);
    if let Some(usage) = usage_of(&response) {
        deltas.push(ChatDelta::Usage(usage));
    }
    if let Some(reason) = stated_finish(&response) {
        deltas.push(ChatDelta::Finish(reason));
    }
    let mut builder = ResponseBuilder::default();
    for delta in deltas {
        builder.push(delta);
    }
    Ok(builder.finish())
}

/// The deltas of whole output items: the text of `message` items, and `function_call`
/// items as calls numbered by their place in `output`. Reasoning and unknown items are
/// not for the thread.
pub(crate) fn output_deltas(output: &[Value], deltas: &mut Vec<ChatDelta>) {
    for (index, item) in output.iter().enumerate() {
        match item.get("type").and_then(Value::as_str) {
            Some("message") => deltas.extend(message_text(item).map(ChatDelta::Text)),
            Some("function_call") => deltas.push(call_delta(index, item)),
            _ => {}
        }
    }
}

/// A `function_call` item as the first (and here whole) piece of call `index`: its
/// `call_id` is the call's id; `arguments` a string, an object (its JSON text) or missing.
pub(crate) fn call_delta(index: usize, item: &Value) -> ChatDelta {
    ChatDelta::ToolCall {
        index,
        id: non_empty(item.get("call_id")),
        name: non_empty(item.get("name")),
        arguments: arguments_text(item.get("arguments")),
    }
}

/// The text of a `message` item: its `output_text` parts; failing those, its refusals.
pub(crate) fn message_text(item: &Value) -> Option<String> {
    let parts = item.get("content").and_then(Value::as_array)?;
    let joined = |kind: &str, key: &str| -> String {
        parts
            .iter()
            .filter(|part| part.get("type").and_then(Value::as_str) == Some(kind))
            .filter_map(|part| part.get(key).and_then(Value::as_str))
            .collect()
    };
    [joined("output_text", "text"), joined("refusal", "refusal")]
        .into_iter()
        .find(|text| !text.is_empty())
}

/// Why a response finished, as far as it says: nothing for `completed` (the calls decide),
/// the reason of an `incomplete` one (`max_output_tokens` is [`FinishReason::Length`]).
pub(crate) fn stated_finish(response: &Value) -> Option<FinishReason> {
    match response.get("status").and_then(Value::as_str) {
        None | Some("completed") => None,
        Some("incomplete") => {
            let reason = response
                .get("incomplete_details")
                .and_then(|details| details.get("reason"))
                .and_then(Value::as_str);
            Some(match reason {
                Some("max_output_tokens") => FinishReason::Length,
                Some("content_filter") => FinishReason::ContentFilter,
                Some(other) => FinishReason::Other(other.to_owned()),
                None => FinishReason::Other("incomplete".to_owned()),
            })
        }
        Some(other) => Some(FinishReason::Other(other.to_owned())),
    }
}

/// The error of a response that failed (`status: "failed"`, or an `error` object), with
/// the provider's message.
pub(crate) fn failure(response: &Value) -> Option<ModelError> {
    let error = response.get("error").filter(|error| !error.is_null());
    let failed = response.get("status").and_then(Value::as_str) == Some("failed");
    if error.is_none() && !failed {
        return None;
    }
    let message = error
        .and_then(|error| error.get("message").or(Some(error)))
        .and_then(Value::as_str)
        .unwrap_or("no message");
    let code = error
        .and_then(|error| error.get("code"))
        .and_then(Value::as_str);
    Some(ModelError::Other(match code {
        Some(code) => format!("the response failed ({code}): {message}"),
        None => format!("the response failed: {message}"),
    }))
}

/// The usage of a response, when it has one (missing counts are 0).
pub(crate) fn usage_of(response: &Value) -> Option<Usage> {
    let usage = response.get("usage")?.as_object()?;
    let count = |key: &str| usage.get(key).and_then(Value::as_u64).unwrap_or(0);
    Some(Usage {
        prompt_tokens: count("input_tokens"),
        completion_tokens: count("output_tokens"),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::chat::RequestOptions;

    #[test]
    fn the_first_system_message_is_the_instructions() {
        let call = ToolCall::new("call_1", "ping", "");
        let thread = [
            Message::system("Be terse."),
            Message::user("Hi"),
            Message::Assistant {
                content: Some(String::new()),
                tool_calls: vec![call.clone()],
            },
            Message::tool(&crate::call::ToolOutput::success(&call, "pong")),
            Message::system("Now in French."),
            Message::Assistant {
                content: None,
                tool_calls: Vec::new(),
            },
        ];
        let body = request_body(
            &ChatRequest::new(&thread).with_options(RequestOptions::default().with_max_tokens(50)),
            "m",
            SchemaForm::Plain,
            false,
        )
        .unwrap();
        assert_eq!(
            body,
            json!({
                "model": "m",
                "instructions": "Be terse.",
                "input": [
                    {"type": "message", "role": "user", "content": "Hi"},
                    {"type": "function_call", "call_id": "call_1", "name": "ping", "arguments": "{}"},
                    {"type": "function_call_output", "call_id": "call_1", "output": "pong"},
                    {"type": "message", "role": "system", "content": "Now in French."},
                    {"type": "message", "role": "assistant", "content": ""}
                ],
                "max_output_tokens": 50,
                "store": false
            })
        );
    }

    #[test]
    fn statuses_and_failures() {
        let incomplete = |reason: Value| {
            stated_finish(&json!({"status": "incomplete", "incomplete_details": reason}))
        };
        assert_eq!(
            incomplete(json!({"reason": "max_output_tokens"})),
            Some(FinishReason::Length)
        );
        assert_eq!(
            incomplete(json!({"reason": "content_filter"})),
            Some(FinishReason::ContentFilter)
        );
        assert_eq!(
            incomplete(Value::Null),
            Some(FinishReason::Other("incomplete".into()))
        );
        assert_eq!(stated_finish(&json!({"status": "completed"})), None);
        assert_eq!(
            failure(&json!({"status": "completed", "error": null})),
            None
        );
        assert_eq!(
            failure(
                &json!({"status": "failed", "error": {"code": "server_error", "message": "boom"}})
            ),
            Some(ModelError::Other(
                "the response failed (server_error): boom".into()
            ))
        );
        assert_eq!(
            failure(&json!({"status": "failed"})),
            Some(ModelError::Other("the response failed: no message".into()))
        );
    }

    #[test]
    fn refusals_are_text_when_there_is_no_other() {
        let item = json!({"type": "message", "content": [
            {"type": "refusal", "refusal": "I can't help with that."}]});
        assert_eq!(
            message_text(&item).as_deref(),
            Some("I can't help with that.")
        );
        let item = json!({"type": "message", "content": [
            {"type": "output_text", "text": "Hel", "annotations": []},
            {"type": "output_text", "text": "lo"}]});
        assert_eq!(message_text(&item).as_deref(), Some("Hello"));
        assert_eq!(
            message_text(&json!({"type": "message", "content": []})),
            None
        );
    }
}
