//! The Anthropic Messages client against a real HTTP server on 127.0.0.1, started by each
//! test, that speaks the Messages wire format (JSON replies, SSE streams, error bodies).
//! Each test asserts what the client sent (the server records every request with its
//! headers) and what it returned. The scenarios every client shares (retries, client
//! errors, an assistant run) are `support/providers.rs`'s, run here for this client.

use crate::support::providers::{self, piece, usage, with_fields, Provider};
use crate::support::{city_tools, model_server};

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};
use tokio::sync::Notify;
use tool_runtime::anthropic::AnthropicClient;
use tool_runtime::chat::{
    ChatDelta, ChatModel, ChatRequest, ChatResponse, FinishReason, Message, ModelError,
    RequestOptions, ToolChoice,
};
use tool_runtime::format::SchemaForm;
use tool_runtime::transport::ClientConfig;
use tool_runtime::{ToolCall, ToolFormat, ToolOutput};

use city_tools::registry;
use model_server::{collect, rebuild, typed_event, typed_events, Piece, Reply, Running};

// ---------------------------------------------------------------------------------------
// The server, speaking the Messages API.

/// Starts a server at `/v1/messages` answering with `replies`.
async fn serve(replies: impl IntoIterator<Item = Reply>) -> Running {
    providers::serve::<Messages>(replies).await
}

/// A client of `server` with short waits.
fn client(server: &Running) -> AnthropicClient {
    Messages::client(server)
}

/// Anthropic's Messages API, for the shared scenarios.
struct Messages;

impl Provider for Messages {
    type Client = AnthropicClient;
    const PATH: &'static str = "/v1/messages";
    const FORMAT: ToolFormat = ToolFormat::Anthropic;
    const KEY_HEADER: &'static str = "x-api-key";

    fn client(server: &Running) -> AnthropicClient {
        AnthropicClient::new(
            ClientConfig::new(&server.base_url, "claude-test")
                .with_timeout(Duration::from_secs(5))
                .with_backoff(Duration::from_millis(10), Duration::from_millis(50)),
        )
    }
    fn with_retries(client: AnthropicClient, retries: u32) -> AnthropicClient {
        client.map_config(|c| c.with_retries(retries))
    }
    fn with_api_key(client: AnthropicClient, key: &str) -> AnthropicClient {
        client.map_config(|c| c.with_api_key(key))
    }
    fn configured(
        client: AnthropicClient,
        change: impl FnOnce(ClientConfig) -> ClientConfig,
    ) -> AnthropicClient {
        client.map_config(change)
    }
    fn key_value(key: &str) -> String {
        key.to_owned()
    }
    fn text_reply(text: &str) -> Value {
        text_reply(text)
    }
    fn text_stream(text: &str) -> Reply {
        text_stream(text)
    }
    fn stream_head() -> Vec<String> {
        vec![typed_event(&message_start(30)), typed_event(&text_start(0))]
    }
    fn text_event(text: &str) -> String {
        typed_event(&text_delta(0, text))
    }
}

/// An error answer: `{"type": "error", "error": {"type", "message"}}`.
fn error_reply(status: u16, kind: &str, message: &str) -> Reply {
    Reply::status(
        status,
        json!({"type": "error", "error": {"type": kind, "message": message},
               "request_id": "req_test"}),
    )
}

// ---------------------------------------------------------------------------------------
// Wire helpers.

/// Which message the scripted replies are, as the client reads it from `message_start`
/// (streamed) or the message (whole).
fn named() -> ChatDelta {
    ChatDelta::Metadata {
        id: Some("msg_1".into()),
        model: Some("claude-test".into()),
    }
}

fn message_start(input_tokens: u64) -> Value {
    json!({"type": "message_start", "message": {
        "id": "msg_1", "type": "message", "role": "assistant", "content": [],
        "model": "claude-test", "stop_reason": null, "stop_sequence": null,
        "usage": {"input_tokens": input_tokens, "output_tokens": 1}}})
}

fn text_start(index: usize) -> Value {
    json!({"type": "content_block_start", "index": index,
           "content_block": {"type": "text", "text": ""}})
}

fn text_delta(index: usize, text: &str) -> Value {
    json!({"type": "content_block_delta", "index": index,
           "delta": {"type": "text_delta", "text": text}})
}

fn tool_use_start(index: usize, id: &str, name: &str) -> Value {
    json!({"type": "content_block_start", "index": index,
           "content_block": {"type": "tool_use", "id": id, "name": name, "input": {}}})
}

fn json_delta(index: usize, partial_json: &str) -> Value {
    json!({"type": "content_block_delta", "index": index,
           "delta": {"type": "input_json_delta", "partial_json": partial_json}})
}

fn block_stop(index: usize) -> Value {
    json!({"type": "content_block_stop", "index": index})
}

fn message_delta(stop_reason: &str, output_tokens: u64) -> Value {
    json!({"type": "message_delta",
           "delta": {"stop_reason": stop_reason, "stop_sequence": null},
           "usage": {"output_tokens": output_tokens}})
}

fn message_stop() -> Value {
    json!({"type": "message_stop"})
}

/// A whole reply with these content blocks.
fn message(content: Value, stop_reason: &str) -> Value {
    json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
        "content": content, "stop_reason": stop_reason, "stop_sequence": null,
        "usage": {"input_tokens": 12, "output_tokens": 3}
    })
}

fn text_reply(text: &str) -> Value {
    message(json!([{"type": "text", "text": text}]), "end_turn")
}

/// The events of a streamed text reply.
fn text_stream(text: &str) -> Reply {
    typed_events([
        message_start(30),
        text_start(0),
        text_delta(0, text),
        block_stop(0),
        message_delta("end_turn", 8),
        message_stop(),
    ])
}

// ---------------------------------------------------------------------------------------
// What the client sends.

#[tokio::test]
async fn sends_the_thread_as_alternating_blocks_with_the_headers() {
    let server = serve([Reply::json(text_reply("Paris: 72 F."))]).await;
    let client = client(&server).map_config(|c| c.with_api_key("sk-ant-test"));
    let registry = registry();
    let paris = ToolCall::new("toolu_a", "get_current_weather", r#"{"location": "Paris"}"#);
    let rome = ToolCall::new("toolu_b", "get_nickname", "");
    let thread = [
        Message::system("You are terse."),
        Message::user("Weather in Paris, and Rome's nickname?"),
        Message::Assistant {
            content: Some("Checking both.".into()),
            tool_calls: vec![paris.clone(), rome.clone()],
        },
        Message::tool(&ToolOutput::success(&paris, "Paris: 72 F")),
        Message::tool(&ToolOutput::error(
            &rome,
            "get_nickname: missing field `location`",
        )),
        Message::user("Be quick."),
        Message::system("Answer in English."),
    ];
    let request = ChatRequest::new(&thread)
        .with_tools(&registry)
        .with_options(
            RequestOptions::default()
                .with_tool_choice(ToolChoice::Required)
                .with_parallel_tool_calls(false),
        );

    let reply = client.complete(request).await.expect("a reply");

    assert_eq!(
        reply,
        ChatResponse::text("Paris: 72 F.")
            .with_usage(usage(12, 3))
            .with_id("msg_1")
            .with_model("claude-test")
    );
    assert_eq!(
        server.bodies(),
        [json!({
            "model": "claude-test",
            "max_tokens": 4096,
            "system": "You are terse.\n\nAnswer in English.",
            "messages": [
                {"role": "user", "content": [
                    {"type": "text", "text": "Weather in Paris, and Rome's nickname?"}
                ]},
                {"role": "assistant", "content": [
                    {"type": "text", "text": "Checking both."},
                    {"type": "tool_use", "id": "toolu_a", "name": "get_current_weather",
                     "input": {"location": "Paris"}},
                    {"type": "tool_use", "id": "toolu_b", "name": "get_nickname", "input": {}}
                ]},
                // Both outputs, and the user's next words, in one user message.
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_a", "content": "Paris: 72 F",
                     "is_error": false},
                    {"type": "tool_result", "tool_use_id": "toolu_b",
                     "content": "get_nickname: missing field `location`", "is_error": true},
                    {"type": "text", "text": "Be quick."}
                ]}
            ],
            "tools": registry.export_with(ToolFormat::Anthropic, SchemaForm::Plain),
            "tool_choice": {"type": "any", "disable_parallel_tool_use": true}
        })]
    );
    // The plain form: `unit` may be omitted, nothing is marked strict.
    let weather = &server.bodies()[0]["tools"][0];
    assert_eq!(weather["input_schema"]["required"], json!(["location"]));
    assert_eq!(weather.get("strict"), None);
    assert_eq!(server.paths(), ["/v1/messages"]);
    assert_eq!(server.header("x-api-key"), [Some("sk-ant-test".to_owned())]);
    assert_eq!(
        server.header("anthropic-version"),
        [Some("2023-06-01".to_owned())]
    );
    assert_eq!(
        server.header("content-type"),
        [Some("application/json".to_owned())]
    );
}

#[tokio::test]
async fn tool_choice_max_tokens_and_strict_tools_map_to_the_messages_api() {
    let server = serve((0..4).map(|_| Reply::json(text_reply("Done.")))).await;
    let client = client(&server)
        .map_config(|c| c.with_schema_form(SchemaForm::Declared))
        .with_default_max_tokens(1000);
    let registry = registry();
    let thread = [Message::user("What is Paris called?")];
    let requests = [
        ChatRequest::new(&thread)
            .with_tools(&registry)
            .with_options(
                RequestOptions::default()
                    .with_tool_choice(ToolChoice::Tool("get_nickname".into()))
                    .with_parallel_tool_calls(true)
                    .with_max_tokens(100),
            ),
        ChatRequest::new(&thread)
            .with_tools(&registry)
            .with_options(
                RequestOptions::default()
                    .with_tool_choice(ToolChoice::None)
                    .with_parallel_tool_calls(false),
            ),
        ChatRequest::new(&thread)
            .with_tools(&registry)
            .with_options(RequestOptions::default().with_parallel_tool_calls(false)),
        // No tools: no tool fields, whatever the choice.
        ChatRequest::new(&thread)
            .with_options(RequestOptions::default().with_tool_choice(ToolChoice::Required)),
    ];

    for request in requests {
        client.complete(request).await.expect("a reply");
    }

    let bodies = server.bodies();
    let user =
        json!([{"role": "user", "content": [{"type": "text", "text": "What is Paris called?"}]}]);
    assert_eq!(
        bodies[0],
        json!({
            "model": "claude-test",
            "max_tokens": 100,
            "messages": user,
            "tools": registry.export_with(ToolFormat::Anthropic, SchemaForm::Declared),
            "tool_choice": {"type": "tool", "name": "get_nickname"}
        })
    );
    let weather = &bodies[0]["tools"][0];
    assert_eq!(weather["strict"], json!(true));
    assert_eq!(
        bodies[1]["tool_choice"],
        json!({"type": "none"}),
        "`none` allows no call, so it has no parallel flag"
    );
    assert_eq!(bodies[1]["max_tokens"], json!(1000));
    assert_eq!(
        bodies[2]["tool_choice"],
        json!({"type": "auto", "disable_parallel_tool_use": true})
    );
    assert_eq!(
        bodies[3],
        json!({"model": "claude-test", "max_tokens": 1000, "messages": user})
    );
    assert_eq!(server.header("x-api-key"), [None, None, None, None]);
}

// ---------------------------------------------------------------------------------------
// Whole replies.

#[tokio::test]
async fn reads_text_and_parallel_tool_use_in_a_whole_reply() {
    let server = serve([Reply::json(message(
        json!([
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": "toolu_w", "name": "get_current_weather",
             "input": {"location": "Paris", "unit": "celsius"}},
            {"type": "tool_use", "id": "toolu_n", "name": "get_nickname",
             "input": {"location": "Rome"}}
        ]),
        "tool_use",
    ))])
    .await;
    let registry = registry();
    let thread = [Message::user("Weather in Paris, nickname of Rome?")];

    let reply = client(&server)
        .complete(ChatRequest::new(&thread).with_tools(&registry))
        .await
        .expect("a reply");

    let mut expected = ChatResponse::tool_calls(vec![
        ToolCall::new(
            "toolu_w",
            "get_current_weather",
            r#"{"location":"Paris","unit":"celsius"}"#,
        ),
        ToolCall::new("toolu_n", "get_nickname", r#"{"location":"Rome"}"#),
    ]);
    expected.content = Some("Let me check.".into());
    expected.usage = Some(usage(12, 3));
    assert_eq!(reply, expected.with_id("msg_1").with_model("claude-test"));
    let outputs = registry.dispatch_all(&reply.tool_calls).await;
    let contents: Vec<&str> = outputs.iter().map(|o| o.content.as_str()).collect();
    assert_eq!(contents, ["Paris: 22 C", "Rome: the City of Light"]);
}

#[tokio::test]
async fn a_reply_cut_at_max_tokens_finishes_for_length() {
    let server = serve([
        Reply::json(message(
            json!([{"type": "text", "text": "Once upon a"}]),
            "max_tokens",
        )),
        typed_events([
            message_start(5),
            text_start(0),
            text_delta(0, "Once upon a"),
            message_delta("max_tokens", 4),
            message_stop(),
        ]),
    ])
    .await;
    let client = client(&server);
    let thread = [Message::user("Tell a long story.")];

    let reply = client
        .complete(
            ChatRequest::new(&thread).with_options(RequestOptions::default().with_max_tokens(4)),
        )
        .await
        .expect("a reply");
    let (deltas, error) = collect(
        &client,
        ChatRequest::new(&thread).with_options(RequestOptions::default().with_max_tokens(4)),
    )
    .await;

    let mut expected = ChatResponse::text("Once upon a")
        .with_usage(usage(12, 3))
        .with_id("msg_1")
        .with_model("claude-test");
    expected.finish_reason = FinishReason::Length;
    assert_eq!(reply, expected);
    assert_eq!(error, None);
    assert_eq!(
        deltas,
        [
            named(),
            ChatDelta::Text("Once upon a".into()),
            ChatDelta::Usage(usage(5, 4)),
            ChatDelta::Finish(FinishReason::Length),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Streams.

#[tokio::test]
async fn streams_text_and_two_tool_calls_as_they_arrive() {
    let gate = Arc::new(Notify::new());
    let events = |events: &[Value]| {
        events
            .iter()
            .map(|event| Piece::Bytes(typed_event(event).into_bytes()))
            .collect::<Vec<_>>()
    };
    let mut pieces = events(&[
        message_start(40),
        text_start(0),
        json!({"type": "ping"}),
        text_delta(0, "Let me check."),
    ]);
    pieces.push(Piece::Wait(gate.clone()));
    pieces.extend(events(&[
        block_stop(0),
        tool_use_start(1, "toolu_w", "get_current_weather"),
        json_delta(1, ""),
        json_delta(1, "{\"location\": \"Par"),
        json_delta(1, "is\"}"),
        block_stop(1),
        tool_use_start(2, "toolu_n", "get_nickname"),
        json_delta(2, "{\"loca"),
        json_delta(2, "tion\": \"Rome\"}"),
        block_stop(2),
        message_delta("tool_use", 22),
        message_stop(),
    ]));
    let server = serve([Reply::Stream(pieces)]).await;
    let registry = registry();
    let thread = [Message::user("Weather in Paris, nickname of Rome?")];
    let client = client(&server);
    let mut stream = client.stream(ChatRequest::new(&thread).with_tools(&registry));

    // Which message it is, from `message_start`; then the first delta arrives while the
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

    assert_eq!(
        deltas,
        [
            named(),
            ChatDelta::Text("Let me check.".into()),
            piece(1, Some("toolu_w"), Some("get_current_weather"), ""),
            piece(1, None, None, "{\"location\": \"Par"),
            piece(1, None, None, "is\"}"),
            piece(2, Some("toolu_n"), Some("get_nickname"), ""),
            piece(2, None, None, "{\"loca"),
            piece(2, None, None, "tion\": \"Rome\"}"),
            // Tokens read from `message_start`, written from `message_delta`.
            ChatDelta::Usage(usage(40, 22)),
            ChatDelta::Finish(FinishReason::ToolCalls),
        ]
    );
    let mut expected = ChatResponse::tool_calls(vec![
        ToolCall::new("toolu_w", "get_current_weather", r#"{"location": "Paris"}"#),
        ToolCall::new("toolu_n", "get_nickname", r#"{"location": "Rome"}"#),
    ]);
    expected.content = Some("Let me check.".into());
    expected.usage = Some(usage(40, 22));
    assert_eq!(
        rebuild(&deltas),
        expected.with_id("msg_1").with_model("claude-test")
    );

    let body = &server.bodies()[0];
    assert_eq!(body["stream"], json!(true));
    assert_eq!(
        body["tools"],
        registry.export_with(ToolFormat::Anthropic, SchemaForm::Plain)
    );
    assert_eq!(body["tool_choice"], json!({"type": "auto"}));
}

#[tokio::test]
async fn an_error_event_mid_stream_ends_it_with_the_message() {
    let server = serve([typed_events([
        message_start(10),
        text_start(0),
        text_delta(0, "Hel"),
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        text_delta(0, "lo"),
    ])])
    .await;
    let thread = [Message::user("Hi")];

    let (deltas, error) = collect(&client(&server), ChatRequest::new(&thread)).await;

    assert_eq!(deltas, [named(), ChatDelta::Text("Hel".into())]);
    assert_eq!(
        error,
        Some(ModelError::Other(
            "the endpoint reported an error mid-stream: Overloaded".into()
        ))
    );
    assert_eq!(server.bodies().len(), 1, "deltas went out: no retry");
}

// ---------------------------------------------------------------------------------------
// Errors and retries.

#[tokio::test]
async fn error_bodies_give_their_message_and_a_400_is_not_retried() {
    providers::client_errors_are_not_retried::<Messages>(
        (
            error_reply(
                400,
                "invalid_request_error",
                "messages: roles must alternate between \"user\" and \"assistant\"",
            ),
            ModelError::Status {
                status: 400,
                message: "messages: roles must alternate between \"user\" and \"assistant\"".into(),
            },
        ),
        (
            error_reply(401, "authentication_error", "invalid x-api-key"),
            ModelError::Status {
                status: 401,
                message: "invalid x-api-key".into(),
            },
        ),
    )
    .await;
}

#[tokio::test]
async fn overloaded_and_rate_limited_answers_are_retried() {
    let overloaded = || error_reply(529, "overloaded_error", "Overloaded");
    providers::retried_then_answered::<Messages>(
        vec![
            overloaded(),
            error_reply(
                429,
                "rate_limit_error",
                "Number of request tokens has exceeded your rate limit",
            )
            .with_header("retry-after", "0"),
        ],
        vec![overloaded()],
    )
    .await;
}

#[tokio::test]
async fn gives_up_after_the_retries_with_the_message() {
    providers::gives_up_after_the_retries::<Messages>(
        || error_reply(529, "overloaded_error", "Overloaded"),
        ModelError::Status {
            status: 529,
            message: "Overloaded".into(),
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// The assistant loop.

#[tokio::test]
async fn an_assistant_run_dispatches_the_call_and_sends_its_result_back() {
    let call = typed_events([
        message_start(50),
        tool_use_start(0, "toolu_1", "get_nickname"),
        json_delta(0, "{\"location\": "),
        json_delta(0, "\"Paris\"}"),
        block_stop(0),
        message_delta("tool_use", 15),
        message_stop(),
    ]);
    providers::an_assistant_run_sends_the_output_back::<Messages>(call, "sk-ant-test", |tools| {
        json!({
            "model": "claude-test",
            "max_tokens": 4096,
            "system": "Answer briefly.",
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "What is Paris called?"}]},
                {"role": "assistant", "content": [
                    {"type": "tool_use", "id": "toolu_1", "name": "get_nickname",
                     "input": {"location": "Paris"}}
                ]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1",
                     "content": "Paris: the City of Light", "is_error": false}
                ]}
            ],
            "tools": tools,
            "tool_choice": {"type": "auto"},
            "stream": true
        })
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Bounds on a reply, and streams cut early (shared scenarios).

#[tokio::test]
async fn comments_are_not_progress() {
    providers::comments_are_not_progress::<Messages>().await;
}

#[tokio::test]
async fn a_trickling_reply_ends_at_the_total_timeout() {
    providers::a_trickling_reply_ends_at_the_total_timeout::<Messages>().await;
}

#[tokio::test]
async fn replies_past_the_size_limits_are_errors() {
    providers::replies_past_the_size_limits_are_errors::<Messages>().await;
}

#[tokio::test]
async fn a_stream_ended_before_its_first_delta_is_retried() {
    providers::a_stream_ended_before_its_first_delta_is_retried::<Messages>().await;
}

#[tokio::test]
async fn the_deltas_before_a_bad_event_are_delivered() {
    providers::the_deltas_before_a_bad_event_are_delivered::<Messages>().await;
}

// ---------------------------------------------------------------------------------------
// Request options: each under its Messages name; `seed` refused.

/// Every option the Messages API has, with `top_k` as an extra field.
fn every_option() -> RequestOptions {
    let mut options = providers::every_option().with_extra_field("top_k", 5);
    options.seed = None;
    options
}

/// The Messages fields of [`every_option`] (`max_tokens` is always sent).
fn every_option_fields() -> Value {
    json!({
        "max_tokens": 100,
        "temperature": 0.25,
        "top_p": 0.9,
        "stop_sequences": ["END"],
        "output_config": {"format": {"type": "json_schema", "schema": providers::city_schema()}},
        "top_k": 5
    })
}

#[tokio::test]
async fn sends_every_request_option_under_its_messages_name() {
    let server = serve([
        Reply::json(text_reply(r#"{"city": "Paris"}"#)),
        text_stream(r#"{"city": "Paris"}"#),
    ])
    .await;
    let client = client(&server);
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
            "model": "claude-test",
            "system": "Answer in JSON.",
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Which city is the City of Light?"}]}],
            "tools": registry.export_with(ToolFormat::Anthropic, SchemaForm::Plain),
            "tool_choice": {"type": "auto"}
        }),
        every_option_fields(),
    );
    let streamed = with_fields(whole.clone(), json!({"stream": true}));
    assert_eq!(server.bodies(), [whole, streamed]);
}

#[tokio::test]
async fn seed_is_refused_by_the_anthropic_client() {
    providers::refused_before_sending::<Messages>(
        RequestOptions::default().with_seed(42),
        "Anthropic's Messages API has no `seed` parameter; leave RequestOptions::seed unset \
         for this client (Chat Completions has it: OpenAiClient)",
    )
    .await;
    providers::refused_before_sending::<Messages>(
        RequestOptions::default().with_extra_field("stop_sequences", json!(["x"])),
        "the extra body field `stop_sequences` is one the Anthropic client writes itself; \
         extra fields never replace those (set it through RequestOptions or ClientConfig, or \
         leave it out)",
    )
    .await;
}

#[tokio::test]
async fn a_runs_request_options_reach_the_messages_api() {
    providers::run_options_reach_the_request::<Messages>(
        every_option(),
        with_fields(
            json!({
                "model": "claude-test",
                "system": "Answer in JSON.",
                "messages": [{"role": "user", "content": [{"type": "text", "text": "Which city is the City of Light?"}]}],
                "stream": true
            }),
            every_option_fields(),
        ),
    )
    .await;
}
