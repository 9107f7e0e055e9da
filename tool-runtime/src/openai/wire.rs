//! The Chat Completions JSON: requests out, whole replies and error bodies in
//! (docs/providers.md, "OpenAI Chat Completions" and "OpenAI-compatible local servers").

use serde_json::{json, Map, Value};

use crate::call::ToolCall;
use crate::chat::{
    ChatDelta, ChatRequest, ChatResponse, FinishReason, Message, ModelError, ResponseBuilder,
    ToolChoice, Usage,
};
use crate::format::{SchemaForm, ToolFormat};
use crate::transport::{
    excerpt, insert_extra, insert_sampling, metadata_of, transient, ErrorPolicy,
};

/// The fields a Chat Completions body may have: extra body fields may not name them.
const WRITTEN: &[&str] = &[
    "model",
    "messages",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "max_tokens",
    "temperature",
    "top_p",
    "seed",
    "stop",
    "response_format",
    "stream",
    "stream_options",
];

/// The body of a `POST /chat/completions` for `request`. Every option has a field here;
/// `max_tokens` stays `max_tokens` (not OpenAI's newer `max_completion_tokens`), the name
/// every compatible server reads; OpenAI's reasoning models want the newer one, which an
/// extra body field can send.
///
/// # Errors
///
/// [`ModelError::InvalidRequest`] for a temperature or `top_p` that is not finite, or an
/// extra field the client writes itself.
pub(crate) fn request_body(
    request: &ChatRequest<'_>,
    model: &str,
    form: SchemaForm,
    stream: bool,
) -> Result<Value, ModelError> {
    let options = &request.options;
    let mut body = Map::new();
    body.insert("model".into(), model.into());
    body.insert(
        "messages".into(),
        request.messages.iter().map(message).collect(),
    );
    insert_tools(
        &mut body,
        request,
        ToolFormat::OpenAiChat,
        form,
        |name| json!({"type": "function", "function": {"name": name}}),
    );
    if let Some(max_tokens) = options.max_tokens {
        body.insert("max_tokens".into(), max_tokens.into());
    }
    insert_sampling(&mut body, options)?;
    if let Some(seed) = options.seed {
        body.insert("seed".into(), seed.into());
    }
    if !options.stop.is_empty() {
        body.insert("stop".into(), options.stop.clone().into());
    }
    if let Some(format) = &options.response_format {
        body.insert(
            "response_format".into(),
            json!({"type": "json_schema", "json_schema": {
                "name": format.name, "schema": format.schema, "strict": format.strict}}),
        );
    }
    if stream {
        body.insert("stream".into(), true.into());
        let mut options = Map::new();
        options.insert("include_usage".into(), true.into());
        body.insert("stream_options".into(), options.into());
    }
    insert_extra(&mut body, options, WRITTEN, "Chat Completions client")?;
    Ok(Value::Object(body))
}

/// One message of the thread on the wire.
fn message(message: &Message) -> Value {
    let mut wire = Map::new();
    match message {
        Message::System { content } => {
            wire.insert("role".into(), "system".into());
            wire.insert("content".into(), content.as_str().into());
        }
        Message::User { content } => {
            wire.insert("role".into(), "user".into());
            wire.insert("content".into(), content.as_str().into());
        }
        Message::Assistant {
            content,
            tool_calls,
        } => {
            wire.insert("role".into(), "assistant".into());
            // Null content is allowed only beside tool calls.
            let content = match content {
                Some(text) => Value::from(text.as_str()),
                None if tool_calls.is_empty() => Value::from(""),
                None => Value::Null,
            };
            wire.insert("content".into(), content);
            if !tool_calls.is_empty() {
                wire.insert(
                    "tool_calls".into(),
                    tool_calls.iter().map(tool_call).collect(),
                );
            }
        }
        // Chat Completions has no error flag; the content already says what went wrong.
        Message::Tool {
            tool_call_id,
            content,
            ..
        } => {
            wire.insert("role".into(), "tool".into());
            wire.insert("tool_call_id".into(), tool_call_id.as_str().into());
            wire.insert("content".into(), content.as_str().into());
        }
    }
    Value::Object(wire)
}

/// A call the model made, as it goes back in the thread: `arguments` always a JSON string
/// (Ollama answers 400 to an object), `{}` when the model sent none (llama.cpp's templates
/// parse it).
fn tool_call(call: &ToolCall) -> Value {
    let mut function = Map::new();
    function.insert("name".into(), call.name.as_str().into());
    function.insert("arguments".into(), sent_arguments(call).into());
    let mut wire = Map::new();
    wire.insert("id".into(), call.id.as_str().into());
    wire.insert("type".into(), "function".into());
    wire.insert("function".into(), function.into());
    Value::Object(wire)
}

/// A call's arguments as they go back: the model's JSON text, or `{}` when it sent none.
pub(crate) fn sent_arguments(call: &ToolCall) -> &str {
    if call.arguments.trim().is_empty() {
        "{}"
    } else {
        &call.arguments
    }
}

/// Adds the request's tools to `body`, when it offers any: `tools` (each in `format`'s
/// shape, in `form`), `tool_choice` (`"auto"`, `"none"`, `"required"`, or `named(tool)`
/// for one tool) and `parallel_tool_calls` when set.
pub(crate) fn insert_tools(
    body: &mut Map<String, Value>,
    request: &ChatRequest<'_>,
    format: ToolFormat,
    form: SchemaForm,
    named: fn(&str) -> Value,
) {
    if request.tools.is_empty() {
        return;
    }
    let tools = request.tools.iter().map(|tool| tool.export(format, form));
    body.insert("tools".into(), tools.collect());
    let choice = match &request.options.tool_choice {
        ToolChoice::Auto => "auto".into(),
        ToolChoice::None => "none".into(),
        ToolChoice::Required => "required".into(),
        ToolChoice::Tool(name) => named(name),
    };
    body.insert("tool_choice".into(), choice);
    if let Some(parallel) = request.options.parallel_tool_calls {
        body.insert("parallel_tool_calls".into(), parallel.into());
    }
}

/// A whole (non-streamed) reply.
pub(crate) fn parse_response(body: &[u8]) -> Result<ChatResponse, ModelError> {
    let reply: Value = serde_json::from_slice(body).map_err(|error| {
        ModelError::Protocol(format!(
            "the reply is not JSON ({error}): {}",
            excerpt(body)
        ))
    })?;
    if let Some(message) = error_in(&reply) {
        return Err(ModelError::Protocol(format!(
            "the endpoint answered with an error: {message}"
        )));
    }
    let choice = reply
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|choices| {
            choices
                .iter()
                .find(|choice| choice_index(choice) == 0)
                .or(choices.first())
        })
        .ok_or_else(|| {
            ModelError::Protocol(format!("the reply has no choices: {}", excerpt(body)))
        })?;
    let empty = Value::Null;
    let message = choice.get("message").unwrap_or(&empty);

    let mut builder = ResponseBuilder::default();
    if let Some(metadata) = metadata_of(&reply) {
        builder.push(metadata);
    }
    if let Some(text) = message_text(message) {
        builder.push(ChatDelta::Text(text));
    }
    let calls = message.get("tool_calls").and_then(Value::as_array);
    let has_calls = calls.is_some_and(|calls| !calls.is_empty());
    for (index, call) in calls.into_iter().flatten().enumerate() {
        let piece = CallPiece::of(call);
        builder.push(ChatDelta::ToolCall {
            index,
            id: piece.id,
            name: piece.name,
            arguments: piece.arguments,
        });
    }
    if let Some(usage) = reply.get("usage").and_then(usage_of) {
        builder.push(ChatDelta::Usage(usage));
    }
    if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
        builder.push(ChatDelta::Finish(finish_reason(reason, has_calls)));
    }
    Ok(builder.finish())
}

/// The `index` of a choice (0 when the server leaves it out).
pub(crate) fn choice_index(choice: &Value) -> u64 {
    choice.get("index").and_then(Value::as_u64).unwrap_or(0)
}

/// The text of a message or delta: `content` as a string or as an array of text parts;
/// failing that, a `refusal`. Empty text is no text.
pub(crate) fn message_text(message: &Value) -> Option<String> {
    let text = match message.get("content") {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|part| part.get("text").and_then(Value::as_str))
            .collect(),
        _ => String::new(),
    };
    if !text.is_empty() {
        return Some(text);
    }
    message
        .get("refusal")
        .and_then(Value::as_str)
        .filter(|refusal| !refusal.is_empty())
        .map(str::to_owned)
}

/// What one entry of `tool_calls` says, normalized: the id and name when present and not
/// empty, and the arguments as JSON text (an object becomes its JSON text; none is empty).
#[derive(Debug)]
pub(crate) struct CallPiece {
    pub(crate) index: Option<usize>,
    pub(crate) id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) arguments: String,
}

impl CallPiece {
    pub(crate) fn of(call: &Value) -> Self {
        let function = call.get("function");
        Self {
            index: call
                .get("index")
                .and_then(Value::as_u64)
                .and_then(|index| usize::try_from(index).ok()),
            id: non_empty(call.get("id")),
            name: non_empty(function.and_then(|function| function.get("name"))),
            arguments: arguments_text(function.and_then(|function| function.get("arguments"))),
        }
    }
}

/// A string that is there and not empty.
pub(crate) fn non_empty(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

/// A call's arguments as JSON text: a string as it is, an object (some servers send one)
/// as its JSON text, none as nothing (read as `{}` once the call is complete).
pub(crate) fn arguments_text(arguments: Option<&Value>) -> String {
    match arguments {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// The usage object, when it is one (missing counts are 0).
pub(crate) fn usage_of(usage: &Value) -> Option<Usage> {
    let usage = usage.as_object()?;
    let count = |key: &str| usage.get(key).and_then(Value::as_u64).unwrap_or(0);
    Some(Usage {
        prompt_tokens: count("prompt_tokens"),
        completion_tokens: count("completion_tokens"),
    })
}

/// The finish reason a server gave, as [`FinishReason::of_reply`] reads it.
pub(crate) fn finish_reason(reason: &str, has_calls: bool) -> FinishReason {
    FinishReason::of_reply(Some(FinishReason::parse(reason)), has_calls)
}

/// How OpenAI and the servers compatible with it fail: [`error_in`], and `429` or `5xx`
/// are worth another try.
pub(crate) const DIALECT: ErrorPolicy = ErrorPolicy {
    error_in,
    retryable: transient,
};

/// The message of an error body: `{"error": {"message": ..}}` (OpenAI, vLLM, llama.cpp),
/// `{"error": ".."}` (Ollama), `{"message": ..}` or `{"detail": ..}`.
pub(crate) fn error_in(body: &Value) -> Option<String> {
    let error = body.get("error");
    let message = error
        .and_then(|error| error.get("message"))
        .or(error)
        .filter(|message| message.is_string())
        .or_else(|| {
            if body.get("choices").is_some() {
                return None;
            }
            body.get("message").or(body.get("detail"))
        })?;
    message.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn error_bodies_of_every_server() {
        let message = |body: &str| DIALECT.error_message(body.as_bytes());
        assert_eq!(
            message(r#"{"error": {"message": "bad key", "type": "auth"}}"#),
            "bad key"
        );
        assert_eq!(
            message(r#"{"error": "model not found"}"#),
            "model not found"
        );
        assert_eq!(message(r#"{"detail": "no"}"#), "no");
        assert_eq!(message("  <html>oops</html>\n"), "<html>oops</html>");
        assert_eq!(message(&"é".repeat(400)), format!("{}...", "é".repeat(300)));
    }

    #[test]
    fn a_reply_with_an_object_for_arguments_and_no_id() {
        let body = json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": null,
            "tool_calls": [{"type": "function", "function": {"name": "add", "arguments": {"a": 1}}}]},
            "finish_reason": "stop"}], "extra": true});
        let response = parse_response(body.to_string().as_bytes()).unwrap();
        assert_eq!(response.content, None);
        assert_eq!(response.tool_calls[0].arguments, r#"{"a":1}"#);
        assert!(!response.tool_calls[0].id.is_empty());
        assert_eq!(response.finish_reason, FinishReason::ToolCalls);
        assert_eq!(response.usage, None);
    }
}
