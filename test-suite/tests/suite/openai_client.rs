//! The OpenAI Chat Completions client against a real HTTP server on 127.0.0.1, started by
//! each test, that speaks the wire format (JSON replies and SSE streams) with the quirks of
//! OpenAI-compatible servers, failures, and retries. Each test asserts what the client sent
//! (the server records every request) and what it returned. The scenarios every client
//! shares (retries, giving up) are `support/providers.rs`'s, run here for this client.

use crate::support::providers::{self, thread_with_outputs, usage, with_fields, Provider};
use crate::support::{city_tools, model_server};

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{json, Value};
use tokio::sync::Notify;
use tool_runtime::chat::{
    ChatDelta, ChatModel, ChatRequest, ChatResponse, FinishReason, Message, ModelError,
    RequestOptions, ResponseFormat, ToolChoice,
};
use tool_runtime::format::SchemaForm;
use tool_runtime::openai::OpenAiClient;
use tool_runtime::transport::ClientConfig;
use tool_runtime::{ToolCall, ToolFormat};

use city_tools::registry;
use model_server::{collect, rebuild, Piece, Reply, Running};

// ---------------------------------------------------------------------------------------
// The server, speaking Chat Completions.

/// Starts a server at `/v1/chat/completions` answering with `replies`.
async fn serve(replies: impl IntoIterator<Item = Reply>) -> Running {
    providers::serve::<Chat>(replies).await
}

/// OpenAI's Chat Completions, for the shared scenarios.
struct Chat;

impl Provider for Chat {
    type Client = OpenAiClient;
    const PATH: &'static str = "/v1/chat/completions";
    const FORMAT: ToolFormat = ToolFormat::OpenAiChat;
    const KEY_HEADER: &'static str = "authorization";

    fn client(server: &Running) -> OpenAiClient {
        OpenAiClient::new(
            ClientConfig::new(format!("{}/v1", server.base_url), "test-model")
                .with_timeout(Duration::from_secs(5))
                .with_backoff(Duration::from_millis(10), Duration::from_millis(50)),
        )
    }
    fn with_retries(client: OpenAiClient, retries: u32) -> OpenAiClient {
        client.map_config(|c| c.with_retries(retries))
    }
    fn with_api_key(client: OpenAiClient, key: &str) -> OpenAiClient {
        client.map_config(|c| c.with_api_key(key))
    }
    fn configured(
        client: OpenAiClient,
        change: impl FnOnce(ClientConfig) -> ClientConfig,
    ) -> OpenAiClient {
        client.map_config(change)
    }
    fn key_value(key: &str) -> String {
        format!("Bearer {key}")
    }
    fn text_reply(text: &str) -> Value {
        text_reply(text)
    }
    fn text_stream(text: &str) -> Reply {
        Reply::sse([data(text_chunk(text)), data(finish_chunk("stop")), done()])
    }
    fn stream_head() -> Vec<String> {
        Vec::new()
    }
    fn text_event(text: &str) -> String {
        data(text_chunk(text))
    }
}

/// What these tests ask of a running server.
trait ChatServer {
    /// A client of this server with short waits.
    fn client(&self) -> OpenAiClient;
    /// The `authorization` header of each request.
    fn authorizations(&self) -> Vec<Option<String>>;
}

impl ChatServer for Running {
    fn client(&self) -> OpenAiClient {
        Chat::client(self)
    }

    fn authorizations(&self) -> Vec<Option<String>> {
        self.header("authorization")
    }
}

// ---------------------------------------------------------------------------------------
// Wire helpers.

fn data(chunk: Value) -> String {
    format!("data: {chunk}\n\n")
}

fn done() -> String {
    "data: [DONE]\n\n".to_owned()
}

/// Which reply the scripted chunks and replies are (`id`, `model`), as the client reads
/// it: the first delta of a stream.
fn named() -> ChatDelta {
    ChatDelta::Metadata {
        id: Some("chatcmpl-1".into()),
        model: Some("test-model".into()),
    }
}

fn text_chunk(text: &str) -> Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "test-model",
           "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]})
}

fn finish_chunk(reason: &str) -> Value {
    json!({"choices": [{"index": 0, "delta": {}, "finish_reason": reason}]})
}

fn call_chunk(calls: Value) -> Value {
    json!({"choices": [{"index": 0, "delta": {"tool_calls": calls}, "finish_reason": null}]})
}

fn text_reply(text: &str) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "test-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "finish_reason": "stop", "logprobs": null}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
        "system_fingerprint": "fp_test"
    })
}

// ---------------------------------------------------------------------------------------
// What the client sends.

#[tokio::test]
async fn sends_the_thread_and_plain_tools_to_a_local_endpoint() {
    let server = serve([Reply::json(text_reply("Paris: 72 F."))]).await;
    let client = server.client().map_config(|c| c.with_api_key("sk-test"));
    assert_eq!(client.schema_form(), SchemaForm::Plain);
    let registry = registry();
    let thread = thread_with_outputs(None);
    let request = ChatRequest::new(&thread)
        .with_tools(&registry)
        .with_options(
            RequestOptions::default()
                .with_tool_choice(ToolChoice::Required)
                .with_parallel_tool_calls(false)
                .with_max_tokens(100),
        );

    let reply = client.complete(request).await.expect("a reply");

    let mut expected = ChatResponse::text("Paris: 72 F.")
        .with_id("chatcmpl-1")
        .with_model("test-model");
    expected.usage = Some(usage(12, 3));
    assert_eq!(reply, expected);
    let bodies = server.bodies();
    assert_eq!(bodies.len(), 1);
    assert_eq!(
        bodies[0],
        json!({
            "model": "test-model",
            "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "Weather in Paris, and Rome's nickname?"},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_a", "type": "function",
                     "function": {"name": "get_current_weather", "arguments": "{\"location\": \"Paris\"}"}},
                    {"id": "call_b", "type": "function",
                     "function": {"name": "get_nickname", "arguments": "{}"}}
                ]},
                {"role": "tool", "tool_call_id": "call_a", "content": "Paris: 72 F"},
                {"role": "tool", "tool_call_id": "call_b", "content": "get_nickname: missing field `location`"}
            ],
            "tools": registry.export_with(ToolFormat::OpenAiChat, SchemaForm::Plain),
            "tool_choice": "required",
            "parallel_tool_calls": false,
            "max_tokens": 100
        })
    );
    // The plain form: `unit` may be omitted, nothing is marked strict.
    let weather = &bodies[0]["tools"][0]["function"];
    assert_eq!(weather["parameters"]["required"], json!(["location"]));
    assert_eq!(weather.get("strict"), None);
    assert_eq!(server.authorizations(), [Some("Bearer sk-test".to_owned())]);
}

#[tokio::test]
async fn sends_strict_tools_when_configured() {
    let server = serve([Reply::json(text_reply("Paris is the City of Light."))]).await;
    let client = server
        .client()
        .map_config(|c| c.with_schema_form(SchemaForm::Declared));
    let registry = registry();
    let thread = [Message::user("What is Paris called?")];
    let request = ChatRequest::new(&thread)
        .with_tools(&registry)
        .with_options(
            RequestOptions::default().with_tool_choice(ToolChoice::Tool("get_nickname".into())),
        );

    client.complete(request).await.expect("a reply");

    let body = &server.bodies()[0];
    assert_eq!(body["tools"], registry.export(ToolFormat::OpenAiChat));
    let weather = &body["tools"][0]["function"];
    assert_eq!(weather["strict"], json!(true));
    assert_eq!(
        weather["parameters"]["required"],
        json!(["location", "unit"])
    );
    assert_eq!(
        weather["parameters"]["properties"]["unit"]["type"],
        json!(["string", "null"])
    );
    assert_eq!(
        body["tool_choice"],
        json!({"type": "function", "function": {"name": "get_nickname"}})
    );
    assert_eq!(body.get("parallel_tool_calls"), None);
    assert_eq!(server.authorizations(), [None], "no key, no header");
}

#[tokio::test]
async fn the_default_form_depends_on_the_endpoint() {
    let openai = OpenAiClient::new(ClientConfig::new(
        "https://api.openai.com/v1",
        "gpt-4o-mini",
    ));
    assert_eq!(openai.schema_form(), SchemaForm::Declared);
    let plain = openai.map_config(|c| c.with_schema_form(SchemaForm::Plain));
    assert_eq!(plain.schema_form(), SchemaForm::Plain);
    let local = OpenAiClient::new(ClientConfig::new(
        "http://localhost:11434/v1",
        "qwen2.5-coder:0.5b",
    ));
    assert_eq!(local.schema_form(), SchemaForm::Plain);
}

#[tokio::test]
async fn streams_without_tools_send_no_tool_fields() {
    let server = serve([Reply::sse([
        data(text_chunk("Hello")),
        data(finish_chunk("stop")),
        done(),
    ])])
    .await;
    let thread = [
        Message::user("Hi"),
        Message::assistant("Hello"),
        Message::user("Again"),
    ];
    let request = ChatRequest::new(&thread).with_options(
        RequestOptions::default()
            .with_tool_choice(ToolChoice::Required)
            .with_parallel_tool_calls(true),
    );

    let (deltas, error) = collect(&server.client(), request).await;

    assert_eq!(error, None);
    assert_eq!(
        deltas,
        [
            named(),
            ChatDelta::Text("Hello".into()),
            ChatDelta::Finish(FinishReason::Stop)
        ]
    );
    assert_eq!(
        server.bodies()[0],
        json!({
            "model": "test-model",
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
                {"role": "user", "content": "Again"}
            ],
            "stream": true,
            "stream_options": {"include_usage": true}
        })
    );
}

// ---------------------------------------------------------------------------------------
// Whole replies, with the quirks of compatible servers.

#[tokio::test]
async fn reads_quirky_tool_calls_in_a_whole_reply() {
    // llama.cpp-style: arguments as an object; ids missing or empty; `stop` beside tool
    // calls; no usage; fields nobody asked for.
    let server = serve([Reply::json(json!({
        "id": "chatcmpl-9", "object": "chat.completion", "timings": {"predicted_ms": 12.5},
        "choices": [{"index": 0, "finish_reason": "stop", "message": {
            "role": "assistant", "content": null, "reasoning_content": "",
            "tool_calls": [
                {"type": "function", "function": {"name": "get_current_weather",
                                                  "arguments": {"location": "Paris", "unit": "celsius"}}},
                {"id": "", "type": "function", "function": {"name": "get_nickname",
                                                            "arguments": "{\"location\": \"Rome\"}"}},
                {"id": "call_c", "type": "function", "function": {"name": "get_nickname"}}
            ]}}]
    }))])
    .await;
    let registry = registry();
    let thread = [Message::user("Weather in Paris, nickname of Rome?")];

    let reply = server
        .client()
        .complete(ChatRequest::new(&thread).with_tools(&registry))
        .await
        .expect("a reply");

    assert_eq!(reply.content, None);
    assert_eq!(reply.usage, None);
    assert_eq!(reply.finish_reason, FinishReason::ToolCalls);
    let calls = &reply.tool_calls;
    assert_eq!(calls.len(), 3);
    assert_eq!(
        calls[0].arguments,
        r#"{"location":"Paris","unit":"celsius"}"#
    );
    assert_eq!(calls[1].arguments, r#"{"location": "Rome"}"#);
    assert_eq!(calls[2].arguments, "{}");
    assert!(!calls[0].id.is_empty() && !calls[1].id.is_empty());
    assert_ne!(calls[0].id, calls[1].id);
    assert_eq!(calls[2].id, "call_c");
    let outputs = registry.dispatch_all(&calls[..2]).await;
    assert_eq!(outputs[0].content, "Paris: 22 C");
    assert_eq!(outputs[1].content, "Rome: the City of Light");
    assert_eq!(outputs[0].tool_call_id, calls[0].id);
}

#[tokio::test]
async fn a_stream_request_answered_with_a_whole_reply_still_streams() {
    let server = serve([Reply::json(text_reply("No stream here."))]).await;
    let thread = [Message::user("Hi")];

    let (deltas, error) = collect(&server.client(), ChatRequest::new(&thread)).await;

    assert_eq!(error, None);
    assert_eq!(
        deltas,
        [
            named(),
            ChatDelta::Text("No stream here.".into()),
            ChatDelta::Usage(usage(12, 3)),
            ChatDelta::Finish(FinishReason::Stop)
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Streams.

#[tokio::test]
async fn streams_interleaved_parallel_calls_as_they_arrive() {
    let gate = Arc::new(Notify::new());
    let weather_start = call_chunk(json!([{"index": 0, "id": "call_w", "type": "function",
        "function": {"name": "get_current_weather", "arguments": ""}}]));
    let nickname_start = call_chunk(json!([{"index": 1, "id": "call_n", "type": "function",
        "function": {"name": "get_nickname", "arguments": "{\"loca"}}]));
    let both = call_chunk(json!([
        {"index": 0, "function": {"arguments": "{\"location\": \"Par"}},
        {"index": 1, "function": {"arguments": "tion\": \"Rome\"}"}}
    ]));
    let weather_end = call_chunk(json!([{"index": 0, "function": {"arguments": "is\"}"}}]));
    let usage_chunk = json!({"choices": [], "usage": {"prompt_tokens": 40, "completion_tokens": 22,
                                                       "total_tokens": 62}, "obfuscation": "x9"});
    // Multi-line data: the chunk's JSON spread over several `data:` lines.
    let multi_line = serde_json::to_string_pretty(&both)
        .expect("JSON")
        .lines()
        .map(|line| format!("data: {line}\r\n"))
        .collect::<String>()
        + "\r\n";
    let server = serve([Reply::Stream(vec![
        Piece::Bytes(b": keep-alive\r\n\r\n".to_vec()),
        Piece::Bytes(data(text_chunk("Let me check.")).into_bytes()),
        Piece::Wait(gate.clone()),
        Piece::Bytes(data(weather_start).replace('\n', "\r\n").into_bytes()),
        Piece::Bytes(data(nickname_start).into_bytes()),
        Piece::Bytes(multi_line.into_bytes()),
        Piece::Bytes(data(weather_end).into_bytes()),
        Piece::Bytes(data(finish_chunk("tool_calls")).into_bytes()),
        Piece::Bytes(data(usage_chunk).into_bytes()),
        Piece::Bytes(done().into_bytes()),
    ])])
    .await;
    let registry = registry();
    let thread = [Message::user("Weather in Paris, nickname of Rome?")];
    let client = server.client();
    let mut stream = client.stream(ChatRequest::new(&thread).with_tools(&registry));

    // The first delta (after the reply's name, from the same chunk) arrives while the
    // server holds the rest back.
    assert_eq!(stream.next().await, Some(Ok(named())));
    let first = tokio::time::timeout(Duration::from_secs(2), stream.next())
        .await
        .expect("the first delta before the rest is sent");
    assert_eq!(first, Some(Ok(ChatDelta::Text("Let me check.".into()))));
    gate.notify_one();
    let mut deltas = vec![named(), ChatDelta::Text("Let me check.".into())];
    while let Some(delta) = stream.next().await {
        deltas.push(delta.expect("a delta"));
    }
    drop(stream);

    let piece =
        |index, id: Option<&str>, name: Option<&str>, arguments: &str| ChatDelta::ToolCall {
            index,
            id: id.map(str::to_owned),
            name: name.map(str::to_owned),
            arguments: arguments.to_owned(),
        };
    assert_eq!(
        deltas,
        [
            named(),
            ChatDelta::Text("Let me check.".into()),
            piece(0, Some("call_w"), Some("get_current_weather"), ""),
            piece(1, Some("call_n"), Some("get_nickname"), "{\"loca"),
            piece(0, None, None, "{\"location\": \"Par"),
            piece(1, None, None, "tion\": \"Rome\"}"),
            piece(0, None, None, "is\"}"),
            ChatDelta::Usage(usage(40, 22)),
            ChatDelta::Finish(FinishReason::ToolCalls),
        ]
    );
    let reply = rebuild(&deltas);
    let mut expected = ChatResponse::tool_calls(vec![
        ToolCall::new("call_w", "get_current_weather", r#"{"location": "Paris"}"#),
        ToolCall::new("call_n", "get_nickname", r#"{"location": "Rome"}"#),
    ]);
    expected.content = Some("Let me check.".into());
    expected.usage = Some(usage(40, 22));
    assert_eq!(
        reply,
        expected.with_id("chatcmpl-1").with_model("test-model")
    );

    let body = &server.bodies()[0];
    assert_eq!(body["stream"], json!(true));
    assert_eq!(body["stream_options"], json!({"include_usage": true}));
    assert_eq!(
        body["tools"],
        registry.export_with(ToolFormat::OpenAiChat, SchemaForm::Plain)
    );
    assert_eq!(body["tool_choice"], json!("auto"));
}

#[tokio::test]
async fn streams_whole_calls_without_ids_or_usage() {
    // Ollama-style: each call whole in one chunk, no ids, `stop`, no usage, no `[DONE]`
    // needed once a finish reason came.
    let server = serve([Reply::sse([
        data(call_chunk(
            json!([{"function": {"name": "get_current_weather",
                                             "arguments": {"location": "Oslo"}}}]),
        )),
        data(call_chunk(json!([{"function": {"name": "get_nickname",
                                             "arguments": "{\"location\": \"Rome\"}"}}]))),
        data(finish_chunk("stop")),
    ])])
    .await;
    let registry = registry();
    let thread = [Message::user("Weather in Oslo, nickname of Rome?")];

    let (deltas, error) = collect(
        &server.client(),
        ChatRequest::new(&thread).with_tools(&registry),
    )
    .await;

    assert_eq!(error, None);
    assert_eq!(
        deltas.last(),
        Some(&ChatDelta::Finish(FinishReason::ToolCalls))
    );
    assert!(!deltas
        .iter()
        .any(|delta| matches!(delta, ChatDelta::Usage(_))));
    let reply = rebuild(&deltas);
    let calls: Vec<(&str, &str)> = reply
        .tool_calls
        .iter()
        .map(|call| (call.name.as_str(), call.arguments.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("get_current_weather", r#"{"location":"Oslo"}"#),
            ("get_nickname", r#"{"location": "Rome"}"#)
        ]
    );
    assert!(reply.tool_calls.iter().all(|call| !call.id.is_empty()));
    assert_ne!(reply.tool_calls[0].id, reply.tool_calls[1].id);
    assert_eq!(reply.usage, None);
}

#[tokio::test]
async fn a_truncated_stream_is_an_error_not_a_short_reply() {
    let server = serve([Reply::sse([
        data(text_chunk("The weather in Par")),
        data(call_chunk(json!([{"index": 0, "id": "call_1",
            "function": {"name": "get_current_weather", "arguments": "{\"locat"}}]))),
    ])])
    .await;
    let thread = [Message::user("Weather?")];

    let (deltas, error) = collect(&server.client(), ChatRequest::new(&thread)).await;

    assert_eq!(deltas.len(), 3, "what arrived was passed on: {deltas:?}");
    assert_eq!(
        error,
        Some(ModelError::Protocol(
            "the stream ended before the reply was complete".into()
        ))
    );
    assert_eq!(server.bodies().len(), 1, "deltas went out: no retry");
}

#[tokio::test]
async fn a_dropped_stream_is_retried_only_before_any_delta() {
    let server = serve([
        // Drops the connection after a comment: nothing emitted, so retried.
        Reply::Stream(vec![
            Piece::Bytes(b": hello\n\n".to_vec()),
            Piece::Pause(Duration::from_millis(50)),
            Piece::Abort,
        ]),
        // Drops it after a delta (the pause lets the delta leave first): not retried.
        Reply::Stream(vec![
            Piece::Bytes(data(text_chunk("Hel")).into_bytes()),
            Piece::Pause(Duration::from_millis(50)),
            Piece::Abort,
        ]),
    ])
    .await;
    let thread = [Message::user("Hi")];

    let (deltas, error) = collect(&server.client(), ChatRequest::new(&thread)).await;

    assert_eq!(deltas, [named(), ChatDelta::Text("Hel".into())]);
    assert!(matches!(error, Some(ModelError::Transport(_))), "{error:?}");
    assert_eq!(
        server.bodies().len(),
        2,
        "the second drop came after a delta"
    );
}

/// The first chunk of a stream names the reply and says the role, with no text yet: a
/// stream dropped after it has given nothing of the reply, so it is retried, and the
/// reply is named by the attempt that answered.
#[tokio::test]
async fn a_stream_dropped_after_naming_its_reply_is_retried() {
    let role = json!({"id": "chatcmpl-lost", "object": "chat.completion.chunk", "model": "test-model",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}]});
    let server = serve([
        Reply::Stream(vec![
            Piece::Bytes(data(role).into_bytes()),
            Piece::Pause(Duration::from_millis(50)),
            Piece::Abort,
        ]),
        Reply::sse([data(text_chunk("Hi.")), data(finish_chunk("stop")), done()]),
    ])
    .await;
    let thread = [Message::user("Hi")];

    let (deltas, error) = collect(&server.client(), ChatRequest::new(&thread)).await;

    assert_eq!(error, None);
    assert_eq!(server.bodies().len(), 2, "retried");
    let reply = rebuild(&deltas);
    assert_eq!(
        (reply.content.as_deref(), reply.id.as_deref()),
        (Some("Hi."), Some("chatcmpl-1"))
    );
}

#[tokio::test]
async fn a_stream_that_goes_quiet_times_out() {
    let server = serve([Reply::Stream(vec![
        Piece::Bytes(data(text_chunk("Thinking")).into_bytes()),
        Piece::Pause(Duration::from_secs(10)),
        Piece::Bytes(done().into_bytes()),
    ])])
    .await;
    let client = server
        .client()
        .map_config(|c| c.with_timeout(Duration::from_millis(200)));
    let thread = [Message::user("Hi")];
    let started = Instant::now();

    let (deltas, error) = collect(&client, ChatRequest::new(&thread)).await;

    assert_eq!(deltas, [named(), ChatDelta::Text("Thinking".into())]);
    assert!(
        matches!(&error, Some(ModelError::Transport(message)) if message.contains("quiet")),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.bodies().len(), 1);
}

#[tokio::test]
async fn garbage_is_a_protocol_error() {
    let server = serve([
        Reply::Http {
            status: 200,
            headers: vec![("content-type", "text/html".into())],
            body: b"<html><body>502 Bad Gateway</body></html>".to_vec(),
            delay: Duration::ZERO,
        },
        Reply::sse(["data: {\"choices\": [{\"delta\": {\"content\": \"a\"\n\n".to_owned()]),
        Reply::json(json!({"object": "list", "data": []})),
    ])
    .await;
    let client = server.client();
    let thread = [Message::user("Hi")];

    let error = client
        .complete(ChatRequest::new(&thread))
        .await
        .expect_err("garbage");
    assert!(
        matches!(&error, ModelError::Protocol(message) if message.contains("502 Bad Gateway")),
        "{error:?}"
    );
    let (deltas, error) = collect(&client, ChatRequest::new(&thread)).await;
    assert_eq!(deltas, []);
    assert!(matches!(error, Some(ModelError::Protocol(_))), "{error:?}");
    let error = client
        .complete(ChatRequest::new(&thread))
        .await
        .expect_err("no choices");
    assert!(
        matches!(&error, ModelError::Protocol(message) if message.contains("no choices")),
        "{error:?}"
    );
    assert_eq!(server.bodies().len(), 3, "protocol errors are not retried");
}

// ---------------------------------------------------------------------------------------
// Errors and retries.

#[tokio::test]
async fn retries_a_429_after_the_time_it_asks_for() {
    let server = serve([
        Reply::status(
            429,
            json!({"error": {"message": "Rate limit reached", "type": "requests"}}),
        )
        .with_header("retry-after", "1"),
        Reply::json(text_reply("Done.")),
    ])
    .await;
    let client = server
        .client()
        .map_config(|c| c.with_backoff(Duration::from_millis(10), Duration::from_secs(5)));
    let thread = [Message::user("Hi")];
    let started = Instant::now();

    let reply = client
        .complete(ChatRequest::new(&thread))
        .await
        .expect("a reply after the retry");

    let waited = started.elapsed();
    assert_eq!(reply.content.as_deref(), Some("Done."));
    assert!(
        waited >= Duration::from_secs(1),
        "Retry-After honoured: {waited:?}"
    );
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    assert_eq!(server.bodies().len(), 2);
    assert_eq!(
        server.bodies()[0],
        server.bodies()[1],
        "the same request again"
    );
}

#[tokio::test]
async fn a_long_retry_after_is_capped() {
    let server = serve([
        Reply::status(429, json!({"error": {"message": "slow down"}}))
            .with_header("retry-after", "30"),
        Reply::sse([
            data(text_chunk("Done.")),
            data(finish_chunk("stop")),
            done(),
        ]),
    ])
    .await;
    let client = server
        .client()
        .map_config(|c| c.with_backoff(Duration::from_millis(10), Duration::from_millis(100)));
    let thread = [Message::user("Hi")];
    let started = Instant::now();

    let (deltas, error) = collect(&client, ChatRequest::new(&thread)).await;

    assert_eq!(error, None);
    assert_eq!(rebuild(&deltas).content.as_deref(), Some("Done."));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        server.bodies().len(),
        2,
        "a stream is retried before its first delta"
    );
}

#[tokio::test]
async fn retries_server_errors_then_succeeds() {
    let empty_503 = || Reply::Http {
        status: 503,
        headers: vec![],
        body: Vec::new(),
        delay: Duration::ZERO,
    };
    providers::retried_then_answered::<Chat>(
        vec![
            Reply::status(500, json!({"error": {"message": "internal"}})),
            empty_503(),
        ],
        vec![empty_503()],
    )
    .await;
}

#[tokio::test]
async fn gives_up_after_the_retries_with_the_body_message() {
    providers::gives_up_after_the_retries::<Chat>(
        || {
            Reply::status(
                500,
                json!({"error": {"message": "The server is overloaded"}}),
            )
        },
        ModelError::Status {
            status: 500,
            message: "The server is overloaded".into(),
        },
    )
    .await;
}

#[tokio::test]
async fn a_client_error_is_not_retried_and_says_why() {
    let server = serve([
        Reply::status(
            400,
            json!({"error": {"message": "Invalid schema for function 'get_nickname'.",
                             "type": "invalid_request_error", "param": "tools[1]", "code": null}}),
        ),
        // Ollama's shape.
        Reply::status(
            404,
            json!({"error": "model \"test-model\" not found, try pulling it first"}),
        ),
        Reply::Http {
            status: 401,
            headers: vec![("content-type", "text/plain".into())],
            body: b"Unauthorized: bad key\n".to_vec(),
            delay: Duration::ZERO,
        },
    ])
    .await;
    let client = server.client();
    let thread = [Message::user("Hi")];
    let ask = || client.complete(ChatRequest::new(&thread));

    assert_eq!(
        ask().await.expect_err("400"),
        ModelError::Status {
            status: 400,
            message: "Invalid schema for function 'get_nickname'.".into()
        }
    );
    assert_eq!(
        ask().await.expect_err("404"),
        ModelError::Status {
            status: 404,
            message: "model \"test-model\" not found, try pulling it first".into()
        }
    );
    let error = ask().await.expect_err("401");
    assert_eq!(
        error,
        ModelError::Status {
            status: 401,
            message: "Unauthorized: bad key".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "the model's endpoint answered 401: Unauthorized: bad key"
    );
    assert_eq!(server.bodies().len(), 3, "no retries");
}

#[tokio::test]
async fn a_slow_server_times_out_and_is_retried() {
    let slow = || Reply::Http {
        status: 200,
        headers: vec![("content-type", "application/json".into())],
        body: text_reply("Too late.").to_string().into_bytes(),
        delay: Duration::from_secs(10),
    };
    let server = serve([slow(), slow()]).await;
    let client = server
        .client()
        .map_config(|c| c.with_timeout(Duration::from_millis(150)).with_retries(1));
    let thread = [Message::user("Hi")];
    let started = Instant::now();

    let error = client
        .complete(ChatRequest::new(&thread))
        .await
        .expect_err("timed out");

    assert!(
        matches!(&error, ModelError::Transport(message) if message.contains("no answer within")),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.bodies().len(), 2, "a timeout is retried like a 5xx");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_transport_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let address = listener.local_addr().expect("the port's address");
    drop(listener);
    let client = OpenAiClient::new(
        ClientConfig::new(format!("http://{address}/v1"), "test-model")
            .with_retries(1)
            .with_backoff(Duration::from_millis(10), Duration::from_millis(10)),
    );
    let thread = [Message::user("Hi")];

    let error = client
        .complete(ChatRequest::new(&thread))
        .await
        .expect_err("nobody listens");

    assert!(matches!(error, ModelError::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn a_call_written_as_text_by_a_small_model_is_read_as_the_call() {
    // What Qwen2.5-Coder-0.5B behind llama.cpp sometimes answers: the call as its JSON, in
    // the text, which the server then returns as content.
    let written = r#"{"name": "get_nickname", "arguments": {"location": "Rome"}}"#;
    let server = serve([
        Reply::json(text_reply(written)),
        Reply::sse([
            data(text_chunk("{\"name\": \"get_nickname\", ")),
            data(text_chunk("\"arguments\": {\"location\": \"Rome\"}}")),
            data(finish_chunk("stop")),
            done(),
        ]),
        Reply::json(text_reply(written)),
        Reply::json(text_reply(
            r#"{"name": "launch_missiles", "arguments": {}}"#,
        )),
    ])
    .await;
    let registry = registry();
    let thread = [Message::user("Nickname of Rome?")];
    let client = server.client();
    assert!(
        client.reads_text_tool_calls(),
        "on by default for a local endpoint"
    );

    let reply = client
        .complete(ChatRequest::new(&thread).with_tools(&registry))
        .await
        .expect("a reply");
    assert_eq!(
        (reply.content.as_deref(), reply.finish_reason.clone()),
        (None, FinishReason::ToolCalls)
    );
    assert_eq!(
        (
            reply.tool_calls[0].name.as_str(),
            reply.tool_calls[0].arguments.as_str()
        ),
        ("get_nickname", r#"{"location":"Rome"}"#)
    );
    assert_eq!(
        registry.dispatch(&reply.tool_calls[0]).await.content,
        "Rome: the City of Light"
    );

    let (deltas, error) = collect(&client, ChatRequest::new(&thread).with_tools(&registry)).await;
    assert_eq!(error, None);
    let streamed = rebuild(&deltas);
    assert_eq!(
        (streamed.content, streamed.tool_calls[0].name.as_str()),
        (None, "get_nickname")
    );

    // Off when asked; and text naming a tool nobody offered stays text.
    let reply = client
        .clone()
        .map_config(|c| c.with_text_tool_calls(false))
        .complete(ChatRequest::new(&thread).with_tools(&registry))
        .await
        .expect("a reply");
    assert_eq!(
        (reply.content.as_deref(), reply.tool_calls.len()),
        (Some(written), 0)
    );
    let reply = client
        .complete(ChatRequest::new(&thread).with_tools(&registry))
        .await
        .expect("a reply");
    assert_eq!(reply.tool_calls.len(), 0);
    assert!(!OpenAiClient::new(ClientConfig::new(
        "https://api.openai.com/v1",
        "gpt-4o-mini"
    ))
    .reads_text_tool_calls());
}

// ---------------------------------------------------------------------------------------
// Bounds on a reply, and streams cut early (shared scenarios).

#[tokio::test]
async fn comments_are_not_progress() {
    providers::comments_are_not_progress::<Chat>().await;
}

#[tokio::test]
async fn a_trickling_reply_ends_at_the_total_timeout() {
    providers::a_trickling_reply_ends_at_the_total_timeout::<Chat>().await;
}

#[tokio::test]
async fn replies_past_the_size_limits_are_errors() {
    providers::replies_past_the_size_limits_are_errors::<Chat>().await;
}

#[tokio::test]
async fn a_stream_ended_before_its_first_delta_is_retried() {
    providers::a_stream_ended_before_its_first_delta_is_retried::<Chat>().await;
}

#[tokio::test]
async fn the_deltas_before_a_bad_event_are_delivered() {
    providers::the_deltas_before_a_bad_event_are_delivered::<Chat>().await;
}

// ---------------------------------------------------------------------------------------
// Request options: each under its Chat Completions name, the extra fields as they are.

/// Every option, with `top_k` (llama.cpp's) as an extra field.
fn every_option() -> RequestOptions {
    providers::every_option().with_extra_field("top_k", 20)
}

/// The Chat Completions fields of [`every_option`].
fn every_option_fields() -> Value {
    json!({
        "max_tokens": 100,
        "temperature": 0.25,
        "top_p": 0.9,
        "seed": 42,
        "stop": ["END"],
        "response_format": {"type": "json_schema",
                            "json_schema": {"name": "city", "schema": providers::city_schema(), "strict": true}},
        "top_k": 20
    })
}

#[tokio::test]
async fn sends_every_request_option_under_its_chat_completions_name() {
    let server = serve([
        Reply::json(text_reply(r#"{"city": "Paris"}"#)),
        Chat::text_stream(r#"{"city": "Paris"}"#),
    ])
    .await;
    let client = server.client();
    let registry = registry();
    let thread = providers::json_thread();
    let request = || {
        ChatRequest::new(&thread)
            .with_tools(&registry)
            .with_options(every_option())
    };

    let reply = client.complete(request()).await.expect("a reply");
    let (deltas, error) = collect(&client, request()).await;

    assert_eq!(reply.content.as_deref(), Some(r#"{"city": "Paris"}"#));
    assert_eq!(error, None);
    assert_eq!(rebuild(&deltas).content, reply.content);
    let whole = with_fields(
        json!({
            "model": "test-model",
            "messages": [
                {"role": "system", "content": "Answer in JSON."},
                {"role": "user", "content": "Which city is the City of Light?"}
            ],
            "tools": registry.export_with(ToolFormat::OpenAiChat, SchemaForm::Plain),
            "tool_choice": "auto"
        }),
        every_option_fields(),
    );
    let streamed = with_fields(
        whole.clone(),
        json!({"stream": true, "stream_options": {"include_usage": true}}),
    );
    assert_eq!(server.bodies(), [whole, streamed]);
}

#[tokio::test]
async fn a_lenient_response_format_says_strict_false() {
    let server = serve([Reply::json(text_reply("{}"))]).await;
    let thread = [Message::user("Hi")];
    let format = ResponseFormat::json_schema("any", json!({"type": "object"})).with_strict(false);
    let request = ChatRequest::new(&thread)
        .with_options(RequestOptions::default().with_response_format(format));

    server.client().complete(request).await.expect("a reply");

    assert_eq!(
        server.bodies(),
        [json!({
            "model": "test-model",
            "messages": [{"role": "user", "content": "Hi"}],
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": "any", "schema": {"type": "object"}, "strict": false}}
        })]
    );
}

#[tokio::test]
async fn extra_fields_never_replace_what_the_client_writes() {
    for field in ["temperature", "model", "stream", "tools", "max_tokens"] {
        providers::refused_before_sending::<Chat>(
            RequestOptions::default().with_extra_field(field, 1),
            &format!(
                "the extra body field `{field}` is one the Chat Completions client writes \
                 itself; extra fields never replace those (set it through RequestOptions or \
                 ClientConfig, or leave it out)"
            ),
        )
        .await;
    }
}

#[tokio::test]
async fn a_temperature_json_cannot_carry_is_refused() {
    providers::refused_before_sending::<Chat>(
        RequestOptions::default().with_temperature(f64::NAN),
        "RequestOptions::temperature is NaN; it must be a finite number",
    )
    .await;
}

#[tokio::test]
async fn a_runs_request_options_reach_chat_completions() {
    providers::run_options_reach_the_request::<Chat>(
        every_option(),
        with_fields(
            json!({
                "model": "test-model",
                "messages": [
                    {"role": "system", "content": "Answer in JSON."},
                    {"role": "user", "content": "Which city is the City of Light?"}
                ],
                "stream": true,
                "stream_options": {"include_usage": true}
            }),
            every_option_fields(),
        ),
    )
    .await;
}
