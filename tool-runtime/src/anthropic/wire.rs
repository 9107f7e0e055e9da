//! The Messages API JSON: requests out, whole replies and error bodies in (docs/providers.md,
//! "Anthropic Messages").

use serde_json::{json, Map, Value};

use crate::call::ToolCall;
use crate::chat::{
    ChatDelta, ChatRequest, ChatResponse, FinishReason, Message, ModelError, ResponseBuilder,
    ToolChoice, Usage,
};
use crate::format::{SchemaForm, ToolFormat};
use crate::transport::{excerpt, insert_extra, insert_sampling, metadata_of, refuse_if};

/// What [`request_body`] needs besides the request itself.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BodyOptions<'a> {
    pub(crate) model: &'a str,
    pub(crate) form: SchemaForm,
    /// `max_tokens` when the request sets none (the API requires one).
    pub(crate) max_tokens: u32,
    pub(crate) stream: bool,
}

/// The fields a Messages body may have: extra body fields may not name them.
const WRITTEN: &[&str] = &[
    "model",
    "max_tokens",
    "system",
    "messages",
    "tools",
    "tool_choice",
    "temperature",
    "top_p",
    "stop_sequences",
    "output_config",
    "stream",
];

/// The body of a `POST /v1/messages` for `request`. A response format is
/// `output_config.format` (`{"type": "json_schema", "schema"}`): the API has no name for
/// it and always enforces it, so `name` and `strict` are not sent.
///
/// # Errors
///
/// [`ModelError::InvalidRequest`] for `seed` (the API has none), a number that is not
/// finite, or an extra field the client writes itself.
pub(crate) fn request_body(
    request: &ChatRequest<'_>,
    options: BodyOptions<'_>,
) -> Result<Value, ModelError> {
    let asked = &request.options;
    refuse_if(
        asked.seed.is_some(),
        "seed",
        "Anthropic's Messages API",
        "Chat Completions has it: OpenAiClient",
    )?;
    let mut body = Map::new();
    body.insert("model".into(), options.model.into());
    body.insert(
        "max_tokens".into(),
        asked.max_tokens.unwrap_or(options.max_tokens).into(),
    );
    if let Some(system) = system(request.messages) {
        body.insert("system".into(), system.into());
    }
    body.insert("messages".into(), messages(request.messages).into());
    if !request.tools.is_empty() {
        body.insert(
            "tools".into(),
            request
                .tools
                .iter()
                .map(|tool| tool.export(ToolFormat::Anthropic, options.form))
                .collect(),
        );
        body.insert(
            "tool_choice".into(),
            tool_choice(&asked.tool_choice, asked.parallel_tool_calls),
        );
    }
    insert_sampling(&mut body, asked)?;
    if !asked.stop.is_empty() {
        body.insert("stop_sequences".into(), asked.stop.clone().into());
    }
    if let Some(format) = &asked.response_format {
        body.insert(
            "output_config".into(),
            json!({"format": {"type": "json_schema", "schema": format.schema}}),
        );
    }
    if options.stream {
        body.insert("stream".into(), true.into());
    }
    insert_extra(&mut body, asked, WRITTEN, "Anthropic client")?;
    Ok(Value::Object(body))
}

/// The thread's system messages, wherever they are, joined by a blank line (the API takes
/// instructions only at the top level).
fn system(messages: &[Message]) -> Option<String> {
    let parts: Vec<&str> = messages
        .iter()
        .filter_map(|message| match message {
            Message::System { content } if !content.trim().is_empty() => Some(content.as_str()),
            _ => None,
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// The thread without its system messages, as alternating user and assistant messages of
/// content blocks: consecutive messages of one role become one (tool outputs are user
/// content here), and messages left without content are dropped (the API refuses empty
/// content and empty text blocks).
fn messages(thread: &[Message]) -> Vec<Value> {
    let mut turns: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for message in thread {
        let (role, blocks) = match message {
            Message::System { .. } => continue,
            Message::User { content } => ("user", text_block(content).into_iter().collect()),
            Message::Assistant {
                content,
                tool_calls,
            } => {
                let text = content.as_deref().and_then(text_block);
                let calls = tool_calls.iter().map(tool_use);
                ("assistant", text.into_iter().chain(calls).collect())
            }
            Message::Tool {
                tool_call_id,
                content,
                is_error,
            } => ("user", vec![tool_result(tool_call_id, content, *is_error)]),
        };
        if blocks.is_empty() {
            continue;
        }
        match turns.last_mut() {
            Some((last, merged)) if *last == role => merged.extend(blocks),
            _ => turns.push((role, blocks)),
        }
    }
    turns
        .into_iter()
        .map(|(role, mut blocks)| {
            // A user message answering tool calls must open with its `tool_result` blocks;
            // a stable sort keeps the order within each kind.
            blocks.sort_by_key(|block| block["type"] != "tool_result");
            let mut message = Map::new();
            message.insert("role".into(), role.into());
            message.insert("content".into(), blocks.into());
            Value::Object(message)
        })
        .collect()
}

/// `{"type": "text", "text"}`, unless the text is empty.
fn text_block(text: &str) -> Option<Value> {
    if text.is_empty() {
        return None;
    }
    let mut block = Map::new();
    block.insert("type".into(), "text".into());
    block.insert("text".into(), text.into());
    Some(Value::Object(block))
}

/// A call the model made, as it goes back in the thread: `{"type": "tool_use", "id",
/// "name", "input"}`.
fn tool_use(call: &ToolCall) -> Value {
    let mut block = Map::new();
    block.insert("type".into(), "tool_use".into());
    block.insert("id".into(), call.id.as_str().into());
    block.insert("name".into(), call.name.as_str().into());
    block.insert("input".into(), input_of(&call.arguments));
    Value::Object(block)
}

/// A call's `input`: the object its arguments text holds, read as the dispatcher read it
/// (an object, or a JSON string holding one). Anything else - no arguments, `null`, text
/// that is not JSON or not an object - goes back as `{}`: the API takes only an object
/// here, and the call's output (an error, for arguments the dispatcher refused) already
/// tells the model what was wrong with what it sent.
fn input_of(arguments: &str) -> Value {
    match serde_json::from_str::<Value>(arguments) {
        Ok(object @ Value::Object(_)) => object,
        Ok(Value::String(inner)) => match serde_json::from_str::<Value>(&inner) {
            Ok(object @ Value::Object(_)) => object,
            _ => Value::Object(Map::new()),
        },
        _ => Value::Object(Map::new()),
    }
}

/// The output of a call: `{"type": "tool_result", "tool_use_id", "content", "is_error"}`.
fn tool_result(tool_call_id: &str, content: &str, is_error: bool) -> Value {
    let mut block = Map::new();
    block.insert("type".into(), "tool_result".into());
    block.insert("tool_use_id".into(), tool_call_id.into());
    block.insert("content".into(), content.into());
    block.insert("is_error".into(), is_error.into());
    Value::Object(block)
}

/// `{"type": "auto" | "any" | "none"}` or `{"type": "tool", "name"}`, with
/// `disable_parallel_tool_use: true` when several calls in one reply are forbidden (the
/// `none` choice has no such field: it allows no call at all).
fn tool_choice(choice: &ToolChoice, parallel: Option<bool>) -> Value {
    let mut wire = Map::new();
    let kind = match choice {
        ToolChoice::Auto => "auto",
        ToolChoice::Required => "any",
        ToolChoice::None => "none",
        ToolChoice::Tool(_) => "tool",
    };
    wire.insert("type".into(), kind.into());
    if let ToolChoice::Tool(name) = choice {
        wire.insert("name".into(), name.as_str().into());
    }
    if parallel == Some(false) && *choice != ToolChoice::None {
        wire.insert("disable_parallel_tool_use".into(), true.into());
    }
    Value::Object(wire)
}

/// A whole (non-streamed) reply: `{"type": "message", "content": [blocks], "stop_reason",
/// "usage"}`. Text blocks are joined; `tool_use` blocks become calls with their ids, their
/// `input` as compact JSON text; other blocks (thinking...) are left out.
pub(crate) fn parse_response(body: &[u8]) -> Result<ChatResponse, ModelError> {
    let reply = json_of(body, "the reply")?;
    if let Some(message) = error_in(&reply) {
        return Err(ModelError::Protocol(format!(
            "the endpoint answered with an error: {message}"
        )));
    }
    let blocks = reply
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ModelError::Protocol(format!(
                "the reply has no content blocks: {}",
                excerpt(body)
            ))
        })?;
    let mut builder = ResponseBuilder::default();
    if let Some(metadata) = metadata_of(&reply) {
        builder.push(metadata);
    }
    for (index, block) in blocks.iter().enumerate() {
        match block.get("type").and_then(Value::as_str) {
            Some("text") => {
                if let Some(text) = block.get("text").and_then(Value::as_str) {
                    builder.push(ChatDelta::Text(text.to_owned()));
                }
            }
            Some("tool_use") => {
                builder.push(tool_use_start(index, block));
                if let Some(arguments) = input_text(block) {
                    builder.push(ChatDelta::ToolCall {
                        index,
                        id: None,
                        name: None,
                        arguments,
                    });
                }
            }
            _ => {}
        }
    }
    if let Some(usage) = reply.get("usage").and_then(usage_of) {
        builder.push(ChatDelta::Usage(usage));
    }
    if let Some(reason) = reply.get("stop_reason").and_then(Value::as_str) {
        builder.push(ChatDelta::Finish(finish_reason(reason)));
    }
    Ok(builder.finish())
}

/// `body` as JSON, or a protocol error that quotes it (`what` says what it is).
pub(crate) fn json_of(body: &[u8], what: &str) -> Result<Value, ModelError> {
    serde_json::from_slice(body).map_err(|error| {
        ModelError::Protocol(format!("{what} is not JSON ({error}): {}", excerpt(body)))
    })
}

/// The first piece of the call a `tool_use` block starts: its id and name, no arguments.
pub(crate) fn tool_use_start(index: usize, block: &Value) -> ChatDelta {
    let text = |key: &str| {
        block
            .get(key)
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    ChatDelta::ToolCall {
        index,
        id: text("id"),
        name: text("name"),
        arguments: String::new(),
    }
}

/// A `tool_use` block's `input` as compact JSON text, unless it is missing, `null` or `{}`
/// (no arguments: the reply builder makes those `{}`).
pub(crate) fn input_text(block: &Value) -> Option<String> {
    match block.get("input")? {
        Value::Null => None,
        Value::Object(input) if input.is_empty() => None,
        // A proxy's arguments already as JSON text.
        Value::String(text) => Some(text.clone()),
        input => Some(input.to_string()),
    }
}

/// Why the reply stopped: `end_turn` and `stop_sequence` said what they had to say;
/// `tool_use` waits for outputs; `max_tokens` and `model_context_window_exceeded` ran out
/// of room; `refusal` was withheld by the provider's classifiers; anything else (such as
/// `pause_turn`, a long server-tool turn the caller may resume) is kept as said.
pub(crate) fn finish_reason(reason: &str) -> FinishReason {
    match reason {
        "end_turn" | "stop_sequence" => FinishReason::Stop,
        "tool_use" => FinishReason::ToolCalls,
        "max_tokens" | "model_context_window_exceeded" => FinishReason::Length,
        "refusal" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_owned()),
    }
}

/// The usage object, when it is one. Tokens read count the cached ones too
/// (`cache_creation_input_tokens`, `cache_read_input_tokens`), which `input_tokens` leaves
/// out; missing counts are 0.
pub(crate) fn usage_of(usage: &Value) -> Option<Usage> {
    let counts = UsageCounts::of(usage)?;
    Some(counts.total())
}

/// The counts of a usage object, each when present: a stream's `message_delta` repeats
/// only some of them, and those it has replace the ones from `message_start`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct UsageCounts {
    input: Option<u64>,
    cache_creation: Option<u64>,
    cache_read: Option<u64>,
    output: Option<u64>,
}

impl UsageCounts {
    pub(crate) fn of(usage: &Value) -> Option<Self> {
        let usage = usage.as_object()?;
        let count = |key: &str| usage.get(key).and_then(Value::as_u64);
        Some(Self {
            input: count("input_tokens"),
            cache_creation: count("cache_creation_input_tokens"),
            cache_read: count("cache_read_input_tokens"),
            output: count("output_tokens"),
        })
    }

    /// These counts, updated by the ones `later` has.
    pub(crate) fn updated(self, later: Self) -> Self {
        Self {
            input: later.input.or(self.input),
            cache_creation: later.cache_creation.or(self.cache_creation),
            cache_read: later.cache_read.or(self.cache_read),
            output: later.output.or(self.output),
        }
    }

    pub(crate) fn total(self) -> Usage {
        let read = [self.input, self.cache_creation, self.cache_read];
        Usage {
            // Saturating: three counts from the network may sum past `u64::MAX`.
            prompt_tokens: read.into_iter().flatten().fold(0, u64::saturating_add),
            completion_tokens: self.output.unwrap_or(0),
        }
    }
}

/// The message of an error body, `{"type": "error", "error": {"type", "message"}}`; also
/// read from `{"error": {"message"}}` and `{"error": ".."}` (proxies in front of the API).
pub(crate) fn error_in(body: &Value) -> Option<String> {
    let error = body.get("error")?;
    error
        .get("message")
        .unwrap_or(error)
        .as_str()
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::ToolOutput;

    fn body(request: &ChatRequest<'_>) -> Value {
        request_body(
            request,
            BodyOptions {
                model: "claude-test",
                form: SchemaForm::Declared,
                max_tokens: 4096,
                stream: false,
            },
        )
        .expect("a body")
    }

    #[test]
    fn a_thread_becomes_alternating_messages_of_blocks() {
        let ok = ToolCall::new("toolu_a", "get_nickname", r#"{"location": "Paris"}"#);
        let broken = ToolCall::new("toolu_b", "get_nickname", r#"{"location": "Ro"#);
        let listed = ToolCall::new("toolu_c", "get_nickname", "[1]");
        let encoded = ToolCall::new("toolu_d", "get_nickname", r#""{\"location\": \"Oslo\"}""#);
        let thread = [
            Message::system("Be terse."),
            Message::user("Nicknames?"),
            Message::user("Of Paris and Rome."),
            Message::Assistant {
                content: Some("Looking.".into()),
                tool_calls: vec![ok.clone(), broken.clone()],
            },
            Message::tool(&ToolOutput::success(&ok, "City of Light")),
            Message::tool(&ToolOutput::error(&broken, "not JSON")),
            Message::assistant_calls(vec![listed.clone(), encoded.clone()]),
            Message::user("Hurry."),
            Message::tool(&ToolOutput::error(&listed, "not an object")),
            Message::tool(&ToolOutput::success(&encoded, "Oslo")),
            Message::system("Answer in English."),
            Message::assistant(""),
        ];
        let request = ChatRequest::new(&thread);
        assert_eq!(
            body(&request),
            json!({
                "model": "claude-test",
                "max_tokens": 4096,
                "system": "Be terse.\n\nAnswer in English.",
                "messages": [
                    {"role": "user", "content": [
                        {"type": "text", "text": "Nicknames?"},
                        {"type": "text", "text": "Of Paris and Rome."}
                    ]},
                    {"role": "assistant", "content": [
                        {"type": "text", "text": "Looking."},
                        {"type": "tool_use", "id": "toolu_a", "name": "get_nickname",
                         "input": {"location": "Paris"}},
                        {"type": "tool_use", "id": "toolu_b", "name": "get_nickname", "input": {}}
                    ]},
                    {"role": "user", "content": [
                        {"type": "tool_result", "tool_use_id": "toolu_a",
                         "content": "City of Light", "is_error": false},
                        {"type": "tool_result", "tool_use_id": "toolu_b",
                         "content": "not JSON", "is_error": true}
                    ]},
                    {"role": "assistant", "content": [
                        {"type": "tool_use", "id": "toolu_c", "name": "get_nickname", "input": {}},
                        {"type": "tool_use", "id": "toolu_d", "name": "get_nickname",
                         "input": {"location": "Oslo"}}
                    ]},
                    // The results first, then the user's text.
                    {"role": "user", "content": [
                        {"type": "tool_result", "tool_use_id": "toolu_c",
                         "content": "not an object", "is_error": true},
                        {"type": "tool_result", "tool_use_id": "toolu_d",
                         "content": "Oslo", "is_error": false},
                        {"type": "text", "text": "Hurry."}
                    ]}
                ]
            })
        );
    }

    #[test]
    fn tool_choices() {
        let choice = |choice: ToolChoice, parallel| tool_choice(&choice, parallel);
        assert_eq!(choice(ToolChoice::Auto, None), json!({"type": "auto"}));
        assert_eq!(
            choice(ToolChoice::Required, Some(false)),
            json!({"type": "any", "disable_parallel_tool_use": true})
        );
        assert_eq!(
            choice(ToolChoice::None, Some(false)),
            json!({"type": "none"})
        );
        assert_eq!(
            choice(ToolChoice::Tool("get_nickname".into()), Some(true)),
            json!({"type": "tool", "name": "get_nickname"})
        );
    }

    #[test]
    fn a_whole_reply_with_text_calls_and_cached_usage() {
        let reply = json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
            "content": [
                {"type": "thinking", "thinking": "hmm", "signature": "x"},
                {"type": "text", "text": "Checking."},
                {"type": "tool_use", "id": "toolu_1", "name": "add", "input": {"a": 1, "b": [2]}},
                {"type": "tool_use", "id": "toolu_2", "name": "ping", "input": {}}
            ],
            "stop_reason": "tool_use", "stop_sequence": null,
            "usage": {"input_tokens": 10, "cache_read_input_tokens": 5, "output_tokens": 7}
        });
        let response = parse_response(reply.to_string().as_bytes()).unwrap();
        let mut expected = ChatResponse::tool_calls(vec![
            ToolCall::new("toolu_1", "add", r#"{"a":1,"b":[2]}"#),
            ToolCall::new("toolu_2", "ping", "{}"),
        ]);
        expected.content = Some("Checking.".into());
        expected.usage = Some(Usage {
            prompt_tokens: 15,
            completion_tokens: 7,
        });
        // The message's id and model are read.
        assert_eq!(
            response,
            expected.with_id("msg_1").with_model("claude-test")
        );
    }

    #[test]
    fn stop_reasons() {
        let reasons = [
            "end_turn",
            "stop_sequence",
            "tool_use",
            "max_tokens",
            "model_context_window_exceeded",
            "refusal",
            "pause_turn",
        ]
        .map(finish_reason);
        assert_eq!(
            reasons,
            [
                FinishReason::Stop,
                FinishReason::Stop,
                FinishReason::ToolCalls,
                FinishReason::Length,
                FinishReason::Length,
                FinishReason::ContentFilter,
                FinishReason::Other("pause_turn".into()),
            ]
        );
    }

    #[test]
    fn error_bodies() {
        let message = |body: &str| {
            let body: Value = serde_json::from_str(body).unwrap();
            error_in(&body)
        };
        assert_eq!(
            message(
                r#"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}, "request_id": "req_1"}"#
            )
            .as_deref(),
            Some("Overloaded")
        );
        let gateway = message(r#"{"error": "bad gateway"}"#);
        assert_eq!(gateway.as_deref(), Some("bad gateway"));
        // Not an error of this API: the transport reports the body's text instead.
        assert_eq!(message(r#"{"message": "not ours"}"#), None);
        assert!(matches!(
            parse_response(br#"{"type": "error", "error": {"type": "api_error", "message": "boom"}}"#),
            Err(ModelError::Protocol(message)) if message.ends_with("boom")
        ));
        assert!(matches!(
            parse_response(br#"{"type": "message"}"#),
            Err(ModelError::Protocol(message)) if message.contains("no content blocks")
        ));
    }
}
