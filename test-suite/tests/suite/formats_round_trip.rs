//! `ToolFormat::parse_calls` and `ToolFormat::render_outputs` against each provider's wire
//! format (docs/providers.md): a reply as the provider sends it is parsed, dispatched to real
//! `#[tool]` functions and rendered back, and the result is compared whole with what the
//! provider expects; malformed replies give exact errors; no input panics.

use std::collections::HashSet;

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tool_runtime::format::CallFormatError;
use tool_runtime::{tool, ToolCall, ToolFormat, ToolOutput, ToolRegistry};

// ---------------------------------------------------------------------------------------
// The tools
// ---------------------------------------------------------------------------------------

/// A temperature unit.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Unit {
    Celsius,
    Fahrenheit,
}

#[derive(Serialize)]
struct Weather {
    location: String,
    temperature: i32,
}

/// Get the current weather in a given location.
///
/// # Arguments
/// * `location` - The city, e.g. Paris.
/// * `unit` - The temperature unit; Fahrenheit if omitted.
#[tool]
fn get_current_weather(location: String, unit: Option<Unit>) -> Weather {
    let temperature = match unit {
        Some(Unit::Celsius) => 22,
        _ => 72,
    };
    Weather {
        location,
        temperature,
    }
}

/// Get the nickname of a city.
///
/// # Arguments
/// * `location` - The city, e.g. Paris.
#[tool]
fn get_nickname(location: String) -> String {
    if location == "Paris" {
        "City of Light".to_owned()
    } else {
        format!("{location} has no nickname")
    }
}

/// Count the letters of a word.
///
/// # Arguments
/// * `word` - The word.
#[tool]
fn count_letters(word: String) -> usize {
    word.chars().count()
}

/// List the cities with forecasts.
#[tool]
fn list_cities() -> Vec<String> {
    vec!["Paris".to_owned(), "Oslo".to_owned()]
}

fn registry() -> ToolRegistry {
    let mut registry = ToolRegistry::new();
    registry
        .register(GetCurrentWeather)
        .and_then(|r| r.register(GetNickname))
        .and_then(|r| r.register(CountLetters))
        .and_then(|r| r.register(ListCities))
        .expect("the tools register");
    registry
}

/// What the registry says to `"unit": "kelvin"`.
const KELVIN: &str = "invalid arguments for tool `get_current_weather`: unit: unknown variant `kelvin`, expected `celsius` or `fahrenheit`";

/// Parses `reply` in `format`, dispatches the calls and renders the outputs.
async fn round_trip(format: ToolFormat, reply: &Value) -> (Vec<ToolCall>, Value) {
    let calls = format
        .parse_calls(reply)
        .unwrap_or_else(|error| panic!("{format} reply: {error}"));
    let outputs = registry().dispatch_all(&calls).await;
    let rendered = format
        .render_outputs(&calls, &outputs)
        .unwrap_or_else(|error| panic!("{format} outputs: {error}"));
    (calls, rendered)
}

/// Asserts `id` is one `parse_calls` made, and returns it.
fn local_id(call: &ToolCall) -> &str {
    assert!(
        call.id.starts_with(ToolFormat::LOCAL_CALL_ID_PREFIX),
        "{} is not a local id",
        call.id
    );
    &call.id
}

// ---------------------------------------------------------------------------------------
// Round trips, one per format
// ---------------------------------------------------------------------------------------

/// A `chat.completion` from an OpenAI-compatible server that sends one call's arguments as
/// an object (Ollama, llama.cpp), and a call with arguments the tool refuses.
fn chat_completion() -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1763700000,
        "model": "qwen2.5:0.5b",
        "choices": [{
            "index": 0,
            "message": {
                "role": "assistant",
                "content": null,
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {
                        "name": "get_current_weather",
                        "arguments": {"location": "Paris", "unit": "celsius"}}},
                    {"id": "call_2", "type": "function", "function": {
                        "name": "get_nickname", "arguments": "{\"location\": \"Paris\"}"}},
                    {"id": "call_3", "type": "function", "function": {
                        "name": "get_current_weather",
                        "arguments": "{\"location\":\"Oslo\",\"unit\":\"kelvin\"}"}}
                ]
            },
            "finish_reason": "tool_calls"
        }],
        "usage": {"prompt_tokens": 80, "completion_tokens": 40, "total_tokens": 120}
    })
}

#[tokio::test]
async fn openai_chat_round_trip() {
    let (calls, rendered) = round_trip(ToolFormat::OpenAiChat, &chat_completion()).await;
    assert_eq!(
        calls[0],
        ToolCall::new(
            "call_1",
            "get_current_weather",
            r#"{"location":"Paris","unit":"celsius"}"#
        )
    );
    assert_eq!(
        rendered,
        json!([
            {"role": "tool", "tool_call_id": "call_1",
             "content": "{\"location\":\"Paris\",\"temperature\":22}"},
            {"role": "tool", "tool_call_id": "call_2", "content": "City of Light"},
            {"role": "tool", "tool_call_id": "call_3", "content": KELVIN}
        ])
    );
}

/// vLLM and llama.cpp may leave out ids (or send empty ones) and arguments: the calls get
/// fresh ids, which go back with the outputs.
#[tokio::test]
async fn openai_chat_calls_without_ids_or_arguments() {
    let tool_calls = json!([
        {"type": "function", "function": {"name": "list_cities"}},
        {"id": "", "type": "function", "function": {"name": "count_letters", "arguments": ""}}
    ]);
    let (calls, rendered) = round_trip(ToolFormat::OpenAiChat, &tool_calls).await;
    let (first, second) = (local_id(&calls[0]), local_id(&calls[1]));
    assert_ne!(first, second);
    assert_eq!(calls[0].arguments, "{}");
    assert_eq!(
        rendered,
        json!([
            {"role": "tool", "tool_call_id": first, "content": "[\"Paris\",\"Oslo\"]"},
            {"role": "tool", "tool_call_id": second,
             "content": "invalid arguments for tool `count_letters`: missing field `word`"}
        ])
    );
}

/// A Responses reply: reasoning first, then two calls; outputs answer the `call_id`s.
fn responses_reply() -> Value {
    json!({
        "id": "resp_1", "object": "response", "status": "completed", "model": "gpt-5",
        "output": [
            {"type": "reasoning", "id": "rs_1", "summary": []},
            {"type": "function_call", "id": "fc_1", "call_id": "call_a",
             "name": "get_current_weather", "arguments": "{\"location\":\"Paris\"}",
             "status": "completed"},
            {"type": "function_call", "id": "fc_2", "call_id": "call_b",
             "name": "count_letters", "arguments": "{\"word\":42}", "status": "completed"}
        ]
    })
}

#[tokio::test]
async fn openai_responses_round_trip() {
    let (calls, rendered) = round_trip(ToolFormat::OpenAiResponses, &responses_reply()).await;
    assert_eq!(
        calls,
        [
            ToolCall::new("call_a", "get_current_weather", r#"{"location":"Paris"}"#),
            ToolCall::new("call_b", "count_letters", r#"{"word":42}"#),
        ]
    );
    assert_eq!(
        rendered,
        json!([
            {"type": "function_call_output", "call_id": "call_a",
             "output": "{\"location\":\"Paris\",\"temperature\":72}"},
            {"type": "function_call_output", "call_id": "call_b",
             "output": "invalid arguments for tool `count_letters`: word: invalid type: integer `42`, expected a string"}
        ])
    );
}

/// An Anthropic message: text, then two `tool_use` blocks.
fn anthropic_message() -> Value {
    json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": [
            {"type": "text", "text": "I'll look up both."},
            {"type": "tool_use", "id": "toolu_01", "name": "get_nickname",
             "input": {"location": "Paris"}},
            {"type": "tool_use", "id": "toolu_02", "name": "get_current_weather",
             "input": {"location": "Oslo", "unit": "kelvin"}}
        ],
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 300, "output_tokens": 60}
    })
}

#[tokio::test]
async fn anthropic_round_trip() {
    let (_, rendered) = round_trip(ToolFormat::Anthropic, &anthropic_message()).await;
    assert_eq!(
        rendered,
        json!({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_01", "content": "City of Light"},
            {"type": "tool_result", "tool_use_id": "toolu_02", "content": KELVIN,
             "is_error": true}
        ]})
    );
}

/// A Gemini response: a call without id carrying a thought signature, one with an id, a
/// call without `args`, one with arguments the tool refuses, and a signed text part.
fn gemini_response() -> Value {
    json!({
        "candidates": [{
            "content": {"role": "model", "parts": [
                {"functionCall": {"name": "get_current_weather",
                                  "args": {"location": "Paris", "unit": "celsius"}},
                 "thoughtSignature": "CiQBcsjafHx0"},
                {"functionCall": {"id": "fc-7", "name": "count_letters",
                                  "args": {"word": "Paris"}}},
                {"functionCall": {"name": "list_cities"}},
                {"functionCall": {"name": "get_nickname", "args": {}}},
                {"text": "", "thoughtSignature": "EjQKMgFyyNp8"}
            ]},
            "finishReason": "STOP",
            "index": 0
        }],
        "usageMetadata": {"promptTokenCount": 90, "candidatesTokenCount": 30},
        "modelVersion": "gemini-2.5-flash"
    })
}

/// Ids Gemini gave go back; those it did not stay out. Objects and arrays go back as JSON,
/// other text (here the count, `5`) as a string.
#[tokio::test]
async fn gemini_round_trip() {
    for format in [ToolFormat::Gemini, ToolFormat::GeminiOpenApi] {
        let (calls, rendered) = round_trip(format, &gemini_response()).await;
        local_id(&calls[0]);
        assert_eq!(calls[1].id, "fc-7");
        assert_eq!(
            rendered,
            json!({"role": "user", "parts": [
                {"functionResponse": {"name": "get_current_weather",
                    "response": {"output": {"location": "Paris", "temperature": 22}}}},
                {"functionResponse": {"id": "fc-7", "name": "count_letters",
                    "response": {"output": "5"}}},
                {"functionResponse": {"name": "list_cities",
                    "response": {"output": ["Paris", "Oslo"]}}},
                {"functionResponse": {"name": "get_nickname",
                    "response": {"error": "invalid arguments for tool `get_nickname`: missing field `location`"}}}
            ]}),
            "{format}"
        );
    }
}

/// A whole JSON-RPC `tools/call` request: its id becomes the call's.
#[tokio::test]
async fn mcp_request_round_trip() {
    let request = json!({
        "jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": {"name": "get_nickname", "arguments": {"location": "Paris"},
                   "_meta": {"progressToken": "p-1"}}
    });
    let (calls, rendered) = round_trip(ToolFormat::Mcp, &request).await;
    assert_eq!(
        calls,
        [ToolCall::new(
            "7",
            "get_nickname",
            r#"{"location":"Paris"}"#
        )]
    );
    assert_eq!(
        rendered,
        json!([{"content": [{"type": "text", "text": "City of Light"}], "isError": false}])
    );
}

/// Only the `params`: a fresh id; a failure is a result with `isError`.
#[tokio::test]
async fn mcp_params_round_trip() {
    let params = json!({"name": "get_current_weather",
                        "arguments": {"location": "Oslo", "unit": "kelvin"}});
    let (calls, rendered) = round_trip(ToolFormat::Mcp, &params).await;
    local_id(&calls[0]);
    assert_eq!(
        rendered,
        json!([{"content": [{"type": "text", "text": KELVIN}], "isError": true}])
    );

    let (calls, _) = round_trip(ToolFormat::Mcp, &json!({"name": "list_cities"})).await;
    assert_eq!(calls[0].arguments, "{}");
}

// ---------------------------------------------------------------------------------------
// Containers
// ---------------------------------------------------------------------------------------

/// Every container a format accepts gives the same calls as the whole reply.
#[test]
fn containers_give_the_same_calls() {
    let completion = chat_completion();
    let message = &completion["choices"][0]["message"];
    let responses = responses_reply();
    let anthropic = anthropic_message();
    let gemini = gemini_response();
    let content = &gemini["candidates"][0]["content"];
    let cases = [
        (ToolFormat::OpenAiChat, &completion, message),
        (ToolFormat::OpenAiChat, &completion, &message["tool_calls"]),
        (
            ToolFormat::OpenAiResponses,
            &responses,
            &responses["output"],
        ),
        (ToolFormat::Anthropic, &anthropic, &anthropic["content"]),
        (ToolFormat::Gemini, &gemini, content),
        (ToolFormat::Gemini, &gemini, &content["parts"]),
    ];
    // Local ids differ from parse to parse; names and arguments must not.
    let named = |calls: Vec<ToolCall>| -> Vec<(String, String)> {
        calls
            .into_iter()
            .map(|call| (call.name, call.arguments))
            .collect()
    };
    for (format, whole, part) in cases {
        let expected = named(format.parse_calls(whole).expect("the whole reply"));
        assert_eq!(named(format.parse_calls(part).expect("a part")), expected);
        assert!(!expected.is_empty());
    }
}

/// Replies the provider sends when the model made no call.
#[test]
fn replies_without_calls() {
    let cases = [
        (
            ToolFormat::OpenAiChat,
            json!({"role": "assistant", "content": "Hello."}),
        ),
        (
            ToolFormat::OpenAiChat,
            json!({"role": "assistant", "content": "Hello.", "tool_calls": null}),
        ),
        (
            ToolFormat::OpenAiResponses,
            json!({"output": [{"type": "message", "role": "assistant", "content": []}]}),
        ),
        (
            ToolFormat::Anthropic,
            json!({"role": "assistant", "content": "Hello."}),
        ),
        (
            ToolFormat::Anthropic,
            json!([{"type": "text", "text": "Hello."}]),
        ),
        (
            ToolFormat::Gemini,
            json!({"promptFeedback": {"blockReason": "SAFETY"}}),
        ),
        (
            ToolFormat::Gemini,
            json!({"candidates": [{"finishReason": "SAFETY"}]}),
        ),
        (
            ToolFormat::Gemini,
            json!({"candidates": [{"content": {"role": "model"}, "finishReason": "MAX_TOKENS"}]}),
        ),
    ];
    for (format, reply) in cases {
        assert_eq!(
            format.parse_calls(&reply),
            Ok(Vec::new()),
            "{format}: {reply}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

#[test]
fn malformed_replies() {
    use ToolFormat::*;
    let cases = [
        (OpenAiChat, json!("call get_nickname"),
         "(root): expected a chat message, a chat.completion or a tool_calls array, found a string"),
        (OpenAiChat, json!({"choices": []}),
         "/choices: expected a non-empty array, found an empty array"),
        (OpenAiChat, json!({"choices": [{"message": null}]}),
         "/choices/0/message: expected an object, found null"),
        (OpenAiChat, json!({"role": "assistant", "tool_calls": {"id": "call_1"}}),
         "/tool_calls: expected an array, found an object"),
        (OpenAiChat, json!({"tool_calls": ["get_nickname"]}),
         "/tool_calls/0: expected an object, found a string"),
        (OpenAiChat, json!([{"id": "call_1", "type": "function", "function": {"arguments": "{}"}}]),
         "/0/function/name: expected a non-empty string, found nothing"),
        (OpenAiChat, json!([{"id": "call_1", "type": "custom", "custom": {"name": "x", "input": "y"}}]),
         r#"/0/type: expected "function", found "custom""#),
        (OpenAiChat, json!([{"id": "call_1", "type": "function"}]),
         "/0/function: expected an object, found nothing"),
        (OpenAiChat, json!([{"id": 7, "function": {"name": "list_cities"}}]),
         "/0/id: expected a string, found a number"),
        (OpenAiChat, json!([{"id": "call_1", "function": {"name": "list_cities", "arguments": [1]}}]),
         "/0/function/arguments: expected a JSON string or an object, found an array"),
        (OpenAiChat, json!([{"id": "call_1", "function": {"name": "list_cities"}},
                            {"id": "call_1", "function": {"name": "get_nickname"}}]),
         r#"/1/id: expected an id no other call has, found "call_1", also at /0/id"#),
        (OpenAiResponses, json!(null),
         "(root): expected a response or its output array, found null"),
        (OpenAiResponses, json!({"id": "resp_1", "status": "completed"}),
         "/output: expected an array, found nothing"),
        (OpenAiResponses, json!([{"id": "rs_1", "summary": []}]),
         "/0/type: expected a non-empty string, found nothing"),
        (OpenAiResponses, json!([{"type": "function_call", "name": "list_cities", "arguments": "{}"}]),
         "/0/call_id: expected a non-empty string, found nothing"),
        (OpenAiResponses, json!({"output": [{"type": "function_call", "call_id": "call_a", "name": "", "arguments": "{}"}]}),
         "/output/0/name: expected a non-empty string, found an empty string"),
        (Anthropic, json!({"role": "assistant", "content": [
            {"type": "text", "text": "Let me look."},
            {"type": "tool_use", "id": "toolu_1", "name": "get_nickname", "input": "Paris"}]}),
         "/content/1/input: expected an object, found a string"),
        (Anthropic, json!(42),
         "(root): expected a message or its content array, found a number"),
        (Anthropic, json!({"role": "assistant"}),
         "/content: expected an array, found nothing"),
        (Anthropic, json!([{"type": "tool_use", "name": "list_cities", "input": {}}]),
         "/0/id: expected a non-empty string, found nothing"),
        (Anthropic, json!([{"type": "tool_use", "id": "toolu_1", "name": "list_cities"}]),
         "/0/input: expected an object, found nothing"),
        (Gemini, json!({"text": "hi"}),
         "(root): expected a generateContent response, a content or its parts array, found an object"),
        (Gemini, json!({"candidates": {"content": {}}}),
         "/candidates: expected an array, found an object"),
        (Gemini, json!({"candidates": [{"content": {"parts": [
            {"functionCall": {"name": "get_nickname", "args": "{\"location\":\"Paris\"}"}}]}}]}),
         "/candidates/0/content/parts/0/functionCall/args: expected an object, found a string"),
        (GeminiOpenApi, json!({"parts": [{"functionCall": {"args": {}}}]}),
         "/parts/0/functionCall/name: expected a non-empty string, found nothing"),
        (Gemini, json!([{"functionCall": "get_nickname"}]),
         "/0/functionCall: expected an object, found a string"),
        (Gemini, json!({"parts": [{"functionCall": {"id": 1, "name": "list_cities"}}]}),
         "/parts/0/functionCall/id: expected a string, found a number"),
        (Gemini, json!({"parts": "get_nickname"}),
         "/parts: expected an array, found a string"),
        (Mcp, json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
         r#"/method: expected "tools/call", found "tools/list""#),
        (Mcp, json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call"}),
         "/params: expected an object, found nothing"),
        (Mcp, json!({"jsonrpc": "2.0", "id": [1], "method": "tools/call", "params": {"name": "list_cities"}}),
         "/id: expected a string or a number, found an array"),
        (Mcp, json!({"name": "get_nickname", "arguments": "{\"location\":\"Paris\"}"}),
         "/arguments: expected an object, found a string"),
        (Mcp, json!({"arguments": {}}),
         "/name: expected a non-empty string, found nothing"),
        (Mcp, json!(["get_nickname"]),
         "(root): expected a tools/call request or its params, found an array"),
    ];
    for (format, reply, expected) in cases {
        let error = format
            .parse_calls(&reply)
            .expect_err(&format!("{format} should refuse {reply}"));
        assert_eq!(error.to_string(), expected, "{format}: {reply}");
    }
}

#[test]
fn an_output_for_no_call_is_refused_in_every_format() {
    let calls = [ToolCall::new("call_1", "list_cities", "{}")];
    let stray = [ToolOutput::error(
        &ToolCall::new("call_9", "list_cities", "{}"),
        "boom",
    )];
    for format in ToolFormat::ALL {
        assert_eq!(
            format.render_outputs(&calls, &stray),
            Err(CallFormatError::UnmatchedOutput {
                index: 0,
                tool_call_id: "call_9".to_owned()
            }),
            "{format}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Any input
// ---------------------------------------------------------------------------------------

/// Small JSON values built from the keys and values the formats read.
fn json_value() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "id",
        "type",
        "function",
        "name",
        "arguments",
        "call_id",
        "content",
        "input",
        "parts",
        "functionCall",
        "args",
        "params",
        "method",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec![
            "",
            "function",
            "function_call",
            "tool_use",
            "tools/call",
            "call_1",
            "{}",
            "{",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..3).prop_map(|members| {
                Value::Object(
                    members
                        .into_iter()
                        .map(|(key, value)| (key.to_owned(), value))
                        .collect(),
                )
            }),
        ]
    })
}

/// The JSON pointers of `value` and of everything in it.
fn pointers(value: &Value, at: String, all: &mut Vec<String>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                pointers(member, format!("{at}/{key}"), all);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{index}"), all);
            }
        }
        _ => {}
    }
    all.push(at);
}

/// Takes out the value at `pointer` (a member or an item; not the root).
fn remove(document: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    match document.pointer_mut(parent) {
        Some(Value::Object(members)) => {
            members.remove(last);
        }
        Some(Value::Array(items)) => {
            if let Some(index) = last.parse().ok().filter(|index| *index < items.len()) {
                items.remove(index);
            }
        }
        _ => {}
    }
}

/// A provider's reply (in any format, so also the wrong one) with one value replaced or
/// taken out: close enough to the real thing to reach deep into the parsers.
fn damaged_reply() -> impl Strategy<Value = Value> {
    let replies = vec![
        chat_completion(),
        responses_reply(),
        anthropic_message(),
        gemini_response(),
        json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
               "params": {"name": "get_nickname", "arguments": {"location": "Paris"}}}),
    ];
    (
        prop::sample::select(replies),
        any::<prop::sample::Index>(),
        json_value(),
        any::<bool>(),
    )
        .prop_map(|(mut reply, at, replacement, take_out)| {
            let mut all = Vec::new();
            pointers(&reply, String::new(), &mut all);
            let pointer = at.get(&all).clone();
            if take_out {
                remove(&mut reply, &pointer);
            } else if let Some(value) = reply.pointer_mut(&pointer) {
                *value = replacement;
            }
            reply
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Whatever the reply, parsing returns, in every format, either an error or calls
    /// with names, arguments and distinct ids, whose outputs render.
    #[test]
    fn any_reply_parses_or_is_refused(reply in damaged_reply()) {
        for format in ToolFormat::ALL {
            let Ok(calls) = format.parse_calls(&reply) else { continue };
            let ids: HashSet<&str> = calls.iter().map(|call| call.id.as_str()).collect();
            prop_assert_eq!(ids.len(), calls.len());
            for call in &calls {
                prop_assert!(!call.id.is_empty() && !call.name.is_empty());
                prop_assert!(!call.arguments.trim().is_empty());
            }
            let outputs: Vec<ToolOutput> =
                calls.iter().map(|call| ToolOutput::success(call, "ok")).collect();
            prop_assert!(format.render_outputs(&calls, &outputs).is_ok());
        }
    }
}
