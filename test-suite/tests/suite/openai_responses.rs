//! The OpenAI Responses client against a real HTTP server on 127.0.0.1, started by each
//! test, that speaks the Responses wire format (JSON responses, named SSE events, error
//! bodies). Each test asserts what the client sent (the server records every request) and
//! what it returned. The scenarios every client shares (retries, client errors, an
//! assistant run) are `support/providers.rs`'s, run here for this client.

use crate::support::providers::{self, piece, thread_with_outputs, usage, with_fields, Provider};
use crate::support::{city_tools, model_server};

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};
use tokio::sync::Notify;
use tool_runtime::chat::{
    ChatDelta, ChatModel, ChatRequest, ChatResponse, FinishReason, Message, ModelError,
    RequestOptions, ToolChoice,
};
use tool_runtime::format::SchemaForm;
use tool_runtime::openai::ResponsesClient;
use tool_runtime::transport::ClientConfig;
use tool_runtime::{ToolCall, ToolFormat};

use city_tools::registry;
use model_server::{collect, rebuild, typed_event, typed_events, Piece, Reply, Running};

// ---------------------------------------------------------------------------------------
// The server, speaking the Responses API.

/// Starts a server at `/v1/responses` answering with `replies`.
async fn serve(replies: impl IntoIterator<Item = Reply>) -> Running {
    providers::serve::<Responses>(replies).await
}

/// A client of `server` with short waits.
fn client(server: &Running) -> ResponsesClient {
    Responses::client(server)
}

/// OpenAI's Responses API, for the shared scenarios.
struct Responses;

impl Provider for Responses {
    type Client = ResponsesClient;
    const PATH: &'static str = "/v1/responses";
    const FORMAT: ToolFormat = ToolFormat::OpenAiResponses;
    const KEY_HEADER: &'static str = "authorization";

    fn client(server: &Running) -> ResponsesClient {
        ResponsesClient::new(
            ClientConfig::new(format!("{}/v1", server.base_url), "test-model")
                .with_timeout(Duration::from_secs(5))
                .with_backoff(Duration::from_millis(10), Duration::from_millis(50)),
        )
    }
    fn with_retries(client: ResponsesClient, retries: u32) -> ResponsesClient {
        client.map_config(|c| c.with_retries(retries))
    }
    fn with_api_key(client: ResponsesClient, key: &str) -> ResponsesClient {
        client.map_config(|c| c.with_api_key(key))
    }
    fn configured(
        client: ResponsesClient,
        change: impl FnOnce(ClientConfig) -> ClientConfig,
    ) -> ResponsesClient {
        client.map_config(change)
    }
    fn key_value(key: &str) -> String {
        format!("Bearer {key}")
    }
    fn text_reply(text: &str) -> Value {
        text_response(text)
    }
    fn text_stream(text: &str) -> Reply {
        text_stream(text)
    }
    fn stream_head() -> Vec<String> {
        vec![
            typed_event(&created()),
            typed_event(&item_added(
                0,
                json!({"type": "message", "id": "msg_1", "role": "assistant", "content": []}),
            )),
        ]
    }
    fn text_event(text: &str) -> String {
        typed_event(&text_delta(0, text))
    }
}

// ---------------------------------------------------------------------------------------
// Wire helpers.

/// Which response the scripted ones are (`id`, `model`), as the client reads it: from
/// `response.created` (streamed, the first delta) or the response (whole).
fn named() -> ChatDelta {
    ChatDelta::Metadata {
        id: Some("resp_1".into()),
        model: Some("test-model".into()),
    }
}

/// A whole response: `output` items, a status, usage.
fn response(status: &str, output: Value, usage: Value) -> Value {
    json!({
        "id": "resp_1", "object": "response", "created_at": 1_763_700_000, "model": "test-model",
        "status": status, "error": null, "incomplete_details": null, "output": output,
        "parallel_tool_calls": true, "store": false, "usage": usage
    })
}

fn usage_of(input_tokens: u64, output_tokens: u64) -> Value {
    json!({"input_tokens": input_tokens, "input_tokens_details": {"cached_tokens": 0},
           "output_tokens": output_tokens, "output_tokens_details": {"reasoning_tokens": 0},
           "total_tokens": input_tokens + output_tokens})
}

fn message_item(text: &str) -> Value {
    json!({"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
           "content": [{"type": "output_text", "text": text, "annotations": []}]})
}

fn call_item(id: &str, call_id: &str, name: &str, arguments: &str) -> Value {
    json!({"type": "function_call", "id": id, "call_id": call_id, "name": name,
           "arguments": arguments, "status": "completed"})
}

fn text_response(text: &str) -> Value {
    response("completed", json!([message_item(text)]), usage_of(12, 3))
}

fn created() -> Value {
    json!({"type": "response.created", "sequence_number": 0,
           "response": response("in_progress", json!([]), Value::Null)})
}

fn item_added(output_index: usize, item: Value) -> Value {
    json!({"type": "response.output_item.added", "output_index": output_index, "item": item})
}

fn item_done(output_index: usize, item: Value) -> Value {
    json!({"type": "response.output_item.done", "output_index": output_index, "item": item})
}

fn arguments_delta(output_index: usize, item_id: &str, delta: &str) -> Value {
    json!({"type": "response.function_call_arguments.delta", "output_index": output_index,
           "item_id": item_id, "delta": delta})
}

fn arguments_done(output_index: usize, item_id: &str, arguments: &str) -> Value {
    json!({"type": "response.function_call_arguments.done", "output_index": output_index,
           "item_id": item_id, "arguments": arguments})
}

fn text_delta(output_index: usize, delta: &str) -> Value {
    json!({"type": "response.output_text.delta", "output_index": output_index,
           "content_index": 0, "item_id": "msg_1", "delta": delta})
}

fn completed(output: Value, usage: Value) -> Value {
    json!({"type": "response.completed", "response": response("completed", output, usage)})
}

/// A streamed text answer.
fn text_stream(text: &str) -> Reply {
    typed_events([
        created(),
        item_added(
            0,
            json!({"type": "message", "id": "msg_1", "role": "assistant", "content": []}),
        ),
        text_delta(0, text),
        item_done(0, message_item(text)),
        completed(json!([message_item(text)]), usage_of(30, 8)),
    ])
}

// ---------------------------------------------------------------------------------------
// What the client sends.

#[tokio::test]
async fn sends_the_thread_as_input_items_and_flat_tools() {
    let server = serve([Reply::json(text_response("Paris: 72 F."))]).await;
    let client = client(&server).map_config(|c| c.with_api_key("sk-test"));
    assert_eq!(client.schema_form(), SchemaForm::Plain);
    let registry = registry();
    let thread = thread_with_outputs(Some("Checking both."));
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
        .with_id("resp_1")
        .with_model("test-model");
    expected.usage = Some(usage(12, 3));
    assert_eq!(reply, expected);
    assert_eq!(server.paths(), ["/v1/responses"]);
    assert_eq!(
        server.header("authorization"),
        [Some("Bearer sk-test".to_owned())]
    );
    assert_eq!(
        server.bodies(),
        [json!({
            "model": "test-model",
            "instructions": "You are terse.",
            "input": [
                {"type": "message", "role": "user", "content": "Weather in Paris, and Rome's nickname?"},
                {"type": "message", "role": "assistant", "content": "Checking both."},
                {"type": "function_call", "call_id": "call_a", "name": "get_current_weather",
                 "arguments": "{\"location\": \"Paris\"}"},
                {"type": "function_call", "call_id": "call_b", "name": "get_nickname",
                 "arguments": "{}"},
                {"type": "function_call_output", "call_id": "call_a", "output": "Paris: 72 F"},
                {"type": "function_call_output", "call_id": "call_b",
                 "output": "get_nickname: missing field `location`"}
            ],
            "tools": registry.export_with(ToolFormat::OpenAiResponses, SchemaForm::Plain),
            "tool_choice": "required",
            "parallel_tool_calls": false,
            "max_output_tokens": 100,
            "store": false
        })]
    );
    // Flat, in the plain form, with `strict: false` spelled out.
    assert_eq!(
        server.bodies()[0]["tools"][1],
        json!({"type": "function", "name": "get_nickname",
               "description": "Get the nickname of a city.",
               "parameters": {"type": "object", "properties": {
                   "location": {"type": "string", "description": "The city, e.g. Paris."}},
                 "required": ["location"], "additionalProperties": false},
               "strict": false})
    );
}

#[tokio::test]
async fn sends_strict_tools_and_a_forced_tool_in_the_responses_shape() {
    let server = serve([Reply::json(text_response("Paris is the City of Light."))]).await;
    let client = client(&server).map_config(|c| c.with_schema_form(SchemaForm::Declared));
    let registry = registry();
    let thread = [Message::user("What is Paris called?")];
    let request = ChatRequest::new(&thread)
        .with_tools(&registry)
        .with_options(
            RequestOptions::default().with_tool_choice(ToolChoice::Tool("get_nickname".into())),
        );

    client.complete(request).await.expect("a reply");

    let body = &server.bodies()[0];
    assert_eq!(body["tools"], registry.export(ToolFormat::OpenAiResponses));
    let weather = &body["tools"][0];
    assert_eq!(weather["strict"], json!(true));
    assert_eq!(
        weather["parameters"]["properties"]["unit"]["type"],
        json!(["string", "null"])
    );
    assert_eq!(
        body["tool_choice"],
        json!({"type": "function", "name": "get_nickname"})
    );
    assert_eq!(body.get("instructions"), None);
    assert_eq!(body.get("parallel_tool_calls"), None);
    assert_eq!(server.header("authorization"), [None], "no key, no header");
}

// ---------------------------------------------------------------------------------------
// Whole responses.

#[tokio::test]
async fn reads_parallel_calls_with_arguments_as_object_or_missing() {
    let server = serve([Reply::json(response(
        "completed",
        json!([
            {"type": "reasoning", "id": "rs_1", "summary": []},
            message_item("Checking."),
            call_item("fc_1", "call_w", "get_current_weather", "{\"location\": \"Paris\", \"unit\": \"celsius\"}"),
            {"type": "function_call", "id": "fc_2", "call_id": "call_n", "name": "get_nickname",
             "arguments": {"location": "Rome"}},
            {"type": "function_call", "id": "fc_3", "call_id": "call_x", "name": "get_nickname"},
            {"type": "web_search_call", "id": "ws_1", "status": "completed"}
        ]),
        usage_of(40, 22),
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
            "call_w",
            "get_current_weather",
            r#"{"location": "Paris", "unit": "celsius"}"#,
        ),
        ToolCall::new("call_n", "get_nickname", r#"{"location":"Rome"}"#),
        ToolCall::new("call_x", "get_nickname", "{}"),
    ]);
    expected.content = Some("Checking.".into());
    expected.usage = Some(usage(40, 22));
    assert_eq!(reply, expected.with_id("resp_1").with_model("test-model"));
    let outputs = registry.dispatch_all(&reply.tool_calls[..2]).await;
    assert_eq!(outputs[0].content, "Paris: 22 C");
    assert_eq!(outputs[1].content, "Rome: the City of Light");
}

#[tokio::test]
async fn an_incomplete_response_finishes_for_length() {
    let mut cut = response(
        "incomplete",
        json!([message_item("The weather in Par")]),
        usage_of(9, 16),
    );
    cut["incomplete_details"] = json!({"reason": "max_output_tokens"});
    let server = serve([Reply::json(cut)]).await;
    let thread = [Message::user("Weather?")];

    let reply = client(&server)
        .complete(
            ChatRequest::new(&thread).with_options(RequestOptions::default().with_max_tokens(16)),
        )
        .await
        .expect("a reply");

    let mut expected = ChatResponse::text("The weather in Par")
        .with_id("resp_1")
        .with_model("test-model");
    expected.finish_reason = FinishReason::Length;
    expected.usage = Some(usage(9, 16));
    assert_eq!(reply, expected);
    assert_eq!(server.bodies()[0]["max_output_tokens"], json!(16));
}

// ---------------------------------------------------------------------------------------
// Streams.

#[tokio::test]
async fn streams_interleaved_argument_deltas_of_two_calls() {
    let gate = Arc::new(Notify::new());
    let weather = call_item(
        "fc_w",
        "call_w",
        "get_current_weather",
        "{\"location\": \"Paris\"}",
    );
    let nickname = call_item("fc_n", "call_n", "get_nickname", "{\"location\": \"Rome\"}");
    let started = |item: &Value| {
        let mut item = item.clone();
        item["arguments"] = json!("");
        item["status"] = json!("in_progress");
        item
    };
    let stream = [
        created(),
        item_added(0, json!({"type": "reasoning", "id": "rs_1", "summary": []})),
        item_done(0, json!({"type": "reasoning", "id": "rs_1", "summary": []})),
        item_added(
            1,
            json!({"type": "message", "id": "msg_1", "role": "assistant", "content": []}),
        ),
        text_delta(1, "Let me "),
        text_delta(1, "check."),
        json!({"type": "response.output_text.done", "output_index": 1, "content_index": 0, "text": "Let me check."}),
        item_done(1, message_item("Let me check.")),
        item_added(2, started(&weather)),
        item_added(3, started(&nickname)),
        arguments_delta(2, "fc_w", "{\"location\": \"Par"),
        arguments_delta(3, "fc_n", "{\"loca"),
        arguments_delta(3, "fc_n", "tion\": \"Rome\"}"),
        arguments_delta(2, "fc_w", "is\"}"),
        arguments_done(3, "fc_n", "{\"location\": \"Rome\"}"),
        item_done(3, nickname.clone()),
        arguments_done(2, "fc_w", "{\"location\": \"Paris\"}"),
        item_done(2, weather.clone()),
        json!({"type": "response.some_future_event", "output_index": 2}),
        completed(
            json!([message_item("Let me check."), weather, nickname]),
            usage_of(40, 22),
        ),
    ];
    let mut pieces: Vec<Piece> = stream
        .iter()
        .map(|event| Piece::Bytes(typed_event(event).into_bytes()))
        .collect();
    // The server holds the rest back until the first text delta has been read.
    pieces.insert(5, Piece::Wait(gate.clone()));
    let server = serve([Reply::Stream(pieces)]).await;
    let registry = registry();
    let thread = [Message::user("Weather in Paris, nickname of Rome?")];
    let client = client(&server);
    let mut deltas = client.stream(ChatRequest::new(&thread).with_tools(&registry));

    // Which response it is, from `response.created`; then the first delta arrives while
    // the server holds the rest back.
    assert_eq!(deltas.next().await, Some(Ok(named())));
    let first = tokio::time::timeout(Duration::from_secs(2), deltas.next())
        .await
        .expect("the first delta before the rest is sent");
    assert_eq!(first, Some(Ok(ChatDelta::Text("Let me ".into()))));
    gate.notify_one();
    let mut all = vec![named(), ChatDelta::Text("Let me ".into())];
    while let Some(delta) = deltas.next().await {
        all.push(delta.expect("a delta"));
    }
    drop(deltas);

    assert_eq!(
        all,
        [
            named(),
            ChatDelta::Text("Let me ".into()),
            ChatDelta::Text("check.".into()),
            piece(2, Some("call_w"), Some("get_current_weather"), ""),
            piece(3, Some("call_n"), Some("get_nickname"), ""),
            piece(2, None, None, "{\"location\": \"Par"),
            piece(3, None, None, "{\"loca"),
            piece(3, None, None, "tion\": \"Rome\"}"),
            piece(2, None, None, "is\"}"),
            ChatDelta::Usage(usage(40, 22)),
            ChatDelta::Finish(FinishReason::ToolCalls),
        ]
    );
    let mut expected = ChatResponse::tool_calls(vec![
        ToolCall::new("call_w", "get_current_weather", r#"{"location": "Paris"}"#),
        ToolCall::new("call_n", "get_nickname", r#"{"location": "Rome"}"#),
    ]);
    expected.content = Some("Let me check.".into());
    expected.usage = Some(usage(40, 22));
    assert_eq!(
        rebuild(&all),
        expected.with_id("resp_1").with_model("test-model")
    );
    let body = &server.bodies()[0];
    assert_eq!(body["stream"], json!(true));
    assert_eq!(body["store"], json!(false));
    assert_eq!(
        body["tools"],
        registry.export_with(ToolFormat::OpenAiResponses, SchemaForm::Plain)
    );
}

#[tokio::test]
async fn streamed_calls_whose_arguments_come_only_whole() {
    // No argument deltas: one call's arguments come in its `.done` event, another's only
    // in its finished item, a third call is never announced before its finished item.
    let server = serve([typed_events([
        created(),
        item_added(0, call_item("fc_1", "call_1", "get_nickname", "")),
        arguments_done(0, "fc_1", "{\"location\": \"Rome\"}"),
        item_done(
            0,
            call_item("fc_1", "call_1", "get_nickname", "{\"location\": \"Rome\"}"),
        ),
        item_added(1, call_item("fc_2", "call_2", "get_nickname", "")),
        item_done(
            1,
            call_item("fc_2", "call_2", "get_nickname", "{\"location\": \"Oslo\"}"),
        ),
        item_done(
            2,
            json!({"type": "function_call", "id": "fc_3", "call_id": "call_3",
                            "name": "get_current_weather", "arguments": {"location": "Lima"}}),
        ),
        completed(json!([]), usage_of(5, 5)),
    ])])
    .await;
    let thread = [Message::user("Nicknames?")];

    let (deltas, error) = collect(&client(&server), ChatRequest::new(&thread)).await;

    assert_eq!(error, None);
    assert_eq!(
        deltas,
        [
            named(),
            piece(0, Some("call_1"), Some("get_nickname"), ""),
            piece(0, None, None, "{\"location\": \"Rome\"}"),
            piece(1, Some("call_2"), Some("get_nickname"), ""),
            piece(1, None, None, "{\"location\": \"Oslo\"}"),
            piece(
                2,
                Some("call_3"),
                Some("get_current_weather"),
                "{\"location\":\"Lima\"}"
            ),
            ChatDelta::Usage(usage(5, 5)),
            ChatDelta::Finish(FinishReason::ToolCalls),
        ]
    );
}

#[tokio::test]
async fn a_stream_of_only_the_completed_response_is_read_from_its_output() {
    let server = serve([typed_events([
        created(),
        completed(
            json!([
                message_item("Rome it is."),
                call_item("fc_1", "call_1", "get_nickname", "{\"location\": \"Rome\"}")
            ]),
            usage_of(7, 4),
        ),
        // After `response.completed`, nothing is read.
        text_delta(0, "ignored"),
    ])])
    .await;
    let thread = [Message::user("Rome?")];

    let (deltas, error) = collect(&client(&server), ChatRequest::new(&thread)).await;

    assert_eq!(error, None);
    assert_eq!(
        deltas,
        [
            // No `response.created`: named by the `response.completed` it ends with.
            named(),
            ChatDelta::Text("Rome it is.".into()),
            piece(
                1,
                Some("call_1"),
                Some("get_nickname"),
                "{\"location\": \"Rome\"}"
            ),
            ChatDelta::Usage(usage(7, 4)),
            ChatDelta::Finish(FinishReason::ToolCalls),
        ]
    );
}

#[tokio::test]
async fn a_stream_cut_at_max_output_tokens_finishes_for_length() {
    let mut cut = response(
        "incomplete",
        json!([message_item("The weather in Par")]),
        usage_of(9, 16),
    );
    cut["incomplete_details"] = json!({"reason": "max_output_tokens"});
    let server = serve([typed_events([
        created(),
        text_delta(0, "The weather in Par"),
        json!({"type": "response.incomplete", "response": cut}),
    ])])
    .await;
    let thread = [Message::user("Weather?")];

    let (deltas, error) = collect(&client(&server), ChatRequest::new(&thread)).await;

    assert_eq!(error, None);
    assert_eq!(
        deltas,
        [
            named(),
            ChatDelta::Text("The weather in Par".into()),
            ChatDelta::Usage(usage(9, 16)),
            ChatDelta::Finish(FinishReason::Length),
        ]
    );
}

#[tokio::test]
async fn a_stream_that_ends_before_it_completes_is_an_error() {
    let server = serve([typed_events([
        created(),
        text_delta(0, "The weather in Par"),
        item_added(1, call_item("fc_1", "call_1", "get_current_weather", "")),
        arguments_delta(1, "fc_1", "{\"locat"),
    ])])
    .await;
    let thread = [Message::user("Weather?")];

    let (deltas, error) = collect(&client(&server), ChatRequest::new(&thread)).await;

    assert_eq!(deltas.len(), 4, "what arrived was passed on: {deltas:?}");
    assert_eq!(
        error,
        Some(ModelError::Protocol(
            "the stream ended before the reply was complete".into()
        ))
    );
    assert_eq!(server.bodies().len(), 1, "deltas went out: no retry");
}

// ---------------------------------------------------------------------------------------
// Errors and retries.

#[tokio::test]
async fn a_400_is_not_retried_and_gives_the_message() {
    providers::client_errors_are_not_retried::<Responses>(
        (
            Reply::status(
                400,
                json!({"error": {"message": "Invalid schema for function 'get_nickname'.",
                                 "type": "invalid_request_error", "param": "tools[1].parameters",
                                 "code": "invalid_function_parameters"}}),
            ),
            ModelError::Status {
                status: 400,
                message: "Invalid schema for function 'get_nickname'.".into(),
            },
        ),
        (
            Reply::status(
                401,
                json!({"error": {"message": "Incorrect API key provided.",
                                 "type": "invalid_request_error", "param": null,
                                 "code": "invalid_api_key"}}),
            ),
            ModelError::Status {
                status: 401,
                message: "Incorrect API key provided.".into(),
            },
        ),
    )
    .await;
}

#[tokio::test]
async fn gives_up_after_the_retries_with_the_message() {
    providers::gives_up_after_the_retries::<Responses>(
        || {
            Reply::status(
                500,
                json!({"error": {"message": "The server had an error.", "type": "server_error"}}),
            )
        },
        ModelError::Status {
            status: 500,
            message: "The server had an error.".into(),
        },
    )
    .await;
}

#[tokio::test]
async fn a_429_is_retried_then_the_reply_comes() {
    let rate_limited = || {
        Reply::status(
            429,
            json!({"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}),
        )
        .with_header("retry-after-ms", "20")
    };
    providers::retried_then_answered::<Responses>(vec![rate_limited()], vec![rate_limited()]).await;
}

#[tokio::test]
async fn a_failed_response_is_an_error_with_its_message() {
    let mut failed = response("failed", json!([]), Value::Null);
    failed["error"] = json!({"code": "server_error", "message": "The model crashed."});
    let server = serve([
        Reply::json(failed.clone()),
        typed_events([
            created(),
            json!({"type": "response.failed", "response": failed}),
        ]),
        typed_events([
            created(),
            text_delta(0, "Hel"),
            json!({"type": "error", "code": "server_error", "message": "Stream interrupted.",
                   "param": null, "sequence_number": 2}),
        ]),
    ])
    .await;
    let client = client(&server);
    let thread = [Message::user("Hi")];
    let failure =
        ModelError::Other("the response failed (server_error): The model crashed.".into());

    let error = client
        .complete(ChatRequest::new(&thread))
        .await
        .expect_err("failed");
    assert_eq!(error, failure);
    let (deltas, error) = collect(&client, ChatRequest::new(&thread)).await;
    assert_eq!((deltas, error), (vec![named()], Some(failure)));
    let (deltas, error) = collect(&client, ChatRequest::new(&thread)).await;
    assert_eq!(deltas, [named(), ChatDelta::Text("Hel".into())]);
    assert_eq!(
        error,
        Some(ModelError::Other(
            "the endpoint reported an error mid-stream: Stream interrupted.".into()
        ))
    );
    assert_eq!(server.bodies().len(), 3, "a failed response is not retried");
}

// ---------------------------------------------------------------------------------------
// The assistant loop.

#[tokio::test]
async fn an_assistant_run_dispatches_the_call_and_sends_its_output_back() {
    let call = call_item(
        "fc_1",
        "call_1",
        "get_nickname",
        "{\"location\": \"Paris\"}",
    );
    let mut started = call.clone();
    started["arguments"] = json!("");
    let stream = typed_events([
        created(),
        item_added(0, started),
        arguments_delta(0, "fc_1", "{\"location\": "),
        arguments_delta(0, "fc_1", "\"Paris\"}"),
        item_done(0, call.clone()),
        completed(json!([call]), usage_of(50, 15)),
    ]);
    providers::an_assistant_run_sends_the_output_back::<Responses>(stream, "sk-test", |tools| {
        json!({
            "model": "test-model",
            "instructions": "Answer briefly.",
            "input": [
                {"type": "message", "role": "user", "content": "What is Paris called?"},
                {"type": "function_call", "call_id": "call_1", "name": "get_nickname",
                 "arguments": "{\"location\": \"Paris\"}"},
                {"type": "function_call_output", "call_id": "call_1",
                 "output": "Paris: the City of Light"}
            ],
            "tools": tools,
            "tool_choice": "auto",
            "store": false,
            "stream": true
        })
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Bounds on a reply, and streams cut early (shared scenarios).

#[tokio::test]
async fn comments_are_not_progress() {
    providers::comments_are_not_progress::<Responses>().await;
}

#[tokio::test]
async fn a_trickling_reply_ends_at_the_total_timeout() {
    providers::a_trickling_reply_ends_at_the_total_timeout::<Responses>().await;
}

#[tokio::test]
async fn replies_past_the_size_limits_are_errors() {
    providers::replies_past_the_size_limits_are_errors::<Responses>().await;
}

#[tokio::test]
async fn a_stream_ended_before_its_first_delta_is_retried() {
    providers::a_stream_ended_before_its_first_delta_is_retried::<Responses>().await;
}

#[tokio::test]
async fn the_deltas_before_a_bad_event_are_delivered() {
    providers::the_deltas_before_a_bad_event_are_delivered::<Responses>().await;
}

// ---------------------------------------------------------------------------------------
// Request options: each under its Responses name; `seed` and `stop` refused.

/// Every option the Responses API has, with `reasoning` as an extra field.
fn every_option() -> RequestOptions {
    let mut options =
        providers::every_option().with_extra_field("reasoning", json!({"effort": "low"}));
    options.seed = None;
    options.stop.clear();
    options
}

/// The Responses fields of [`every_option`].
fn every_option_fields() -> Value {
    json!({
        "max_output_tokens": 100,
        "temperature": 0.25,
        "top_p": 0.9,
        "text": {"format": {"type": "json_schema", "name": "city",
                            "schema": providers::city_schema(), "strict": true}},
        "store": false,
        "reasoning": {"effort": "low"}
    })
}

#[tokio::test]
async fn sends_every_request_option_under_its_responses_name() {
    let server = serve([
        Reply::json(text_response(r#"{"city": "Paris"}"#)),
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
            "model": "test-model",
            "instructions": "Answer in JSON.",
            "input": [{"type": "message", "role": "user", "content": "Which city is the City of Light?"}],
            "tools": registry.export_with(ToolFormat::OpenAiResponses, SchemaForm::Plain),
            "tool_choice": "auto"
        }),
        every_option_fields(),
    );
    let streamed = with_fields(whole.clone(), json!({"stream": true}));
    assert_eq!(server.bodies(), [whole, streamed]);
}

#[tokio::test]
async fn seed_and_stop_are_refused_by_the_responses_client() {
    for (options, option) in [
        (RequestOptions::default().with_seed(42), "seed"),
        (RequestOptions::default().with_stop(["END"]), "stop"),
    ] {
        providers::refused_before_sending::<Responses>(
            options,
            &format!(
                "OpenAI's Responses API has no `{option}` parameter; leave \
                 RequestOptions::{option} unset for this client (Chat Completions has it: \
                 OpenAiClient)"
            ),
        )
        .await;
    }
    providers::refused_before_sending::<Responses>(
        RequestOptions::default().with_extra_field("text", json!({"verbosity": "low"})),
        "the extra body field `text` is one the Responses client writes itself; extra fields \
         never replace those (set it through RequestOptions or ClientConfig, or leave it out)",
    )
    .await;
}

#[tokio::test]
async fn a_runs_request_options_reach_the_responses_api() {
    providers::run_options_reach_the_request::<Responses>(
        every_option(),
        with_fields(
            json!({
                "model": "test-model",
                "instructions": "Answer in JSON.",
                "input": [{"type": "message", "role": "user", "content": "Which city is the City of Light?"}],
                "stream": true
            }),
            every_option_fields(),
        ),
    )
    .await;
}
