//! The fuzz targets' properties (fuzz/README.md), in their quick form: bounded proptest
//! cases that run with the other tests, so a regression shows without a fuzzing toolchain.
//! `sse_properties.rs` holds the SSE parser's and the Chat decoder's; here are the
//! Responses and Anthropic decoders' (the same deltas or error however the bytes are cut),
//! `parse_calls`' (no panic; the calls take outputs back), the text-call readers' (no
//! panic; prose passes through; the two readers agree) and the snapshot diff's (no panic;
//! only an equal snapshot passes).

use futures::executor::block_on;
use futures::stream::{self, StreamExt};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Map, Value};
use tool_runtime::anthropic;
use tool_runtime::chat::{
    calls_in_text, read_text_tool_calls, ChatDelta, ChatResponse, FinishReason, ModelError,
    ResponseBuilder,
};
use tool_runtime::openai::ResponsesStreamDecoder;
use tool_runtime::snapshot::SnapshotError;
use tool_runtime::tool::{ToolFuture, ToolInput};
use tool_runtime::{Tool, ToolDefinition, ToolFormat, ToolOutput, ToolRegistry};

use crate::support::cuts;

/// Few enough cases to take a few seconds in all.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------
// The Responses and Anthropic stream decoders

fn responses(pieces: &[&[u8]]) -> Result<Vec<ChatDelta>, ModelError> {
    let mut decoder = ResponsesStreamDecoder::new();
    let mut deltas = Vec::new();
    for piece in pieces {
        deltas.extend(decoder.push(piece)?);
    }
    deltas.extend(decoder.finish()?);
    Ok(deltas)
}

fn messages(pieces: &[&[u8]]) -> Result<Vec<ChatDelta>, ModelError> {
    let mut decoder = anthropic::StreamDecoder::new();
    let mut deltas = Vec::new();
    for piece in pieces {
        deltas.extend(decoder.push(piece)?);
    }
    deltas.extend(decoder.finish()?);
    Ok(deltas)
}

/// Tokens of both providers' streams, so the soup reaches deep into the decoders.
const STREAM_SOUP: &[&str] = &[
    "event: ",
    "data: ",
    "data:",
    ": ping",
    "\n",
    "\r\n",
    "\n\n",
    "\r\r",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "null",
    "0",
    "1",
    "-1",
    "18446744073709551616",
    "[DONE]",
    "\"type\"",
    "\"response.output_item.added\"",
    "\"response.output_item.done\"",
    "\"response.function_call_arguments.delta\"",
    "\"response.function_call_arguments.done\"",
    "\"response.output_text.delta\"",
    "\"response.completed\"",
    "\"response.incomplete\"",
    "\"response.failed\"",
    "\"output_index\"",
    "\"item\"",
    "\"function_call\"",
    "\"call_id\"",
    "\"arguments\"",
    "\"response\"",
    "\"output\"",
    "\"status\"",
    "\"message_start\"",
    "\"content_block_start\"",
    "\"content_block_delta\"",
    "\"content_block_stop\"",
    "\"message_delta\"",
    "\"message_stop\"",
    "\"index\"",
    "\"content_block\"",
    "\"tool_use\"",
    "\"text_delta\"",
    "\"input_json_delta\"",
    "\"partial_json\"",
    "\"stop_reason\"",
    "\"end_turn\"",
    "\"usage\"",
    "\"input_tokens\"",
    "\"output_tokens\"",
    "\"delta\"",
    "\"text\"",
    "\"id\"",
    "\"name\"",
    "\"input\"",
    "\"error\"",
    "\"message\"",
    "\"x\"",
    "é",
    "🦀",
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_responses_decoder_reads_any_bytes_the_same_however_cut(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        cuts in prop::collection::vec(any::<Index>(), 0..16),
    ) {
        prop_assert_eq!(responses(&cuts::bytes(&bytes, &cuts)), responses(&[&bytes]));
    }

    #[test]
    fn the_anthropic_decoder_reads_any_bytes_the_same_however_cut(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        cuts in prop::collection::vec(any::<Index>(), 0..16),
    ) {
        prop_assert_eq!(messages(&cuts::bytes(&bytes, &cuts)), messages(&[&bytes]));
    }

    #[test]
    fn near_valid_streams_read_the_same_however_cut(
        tokens in prop::collection::vec(prop::sample::select(STREAM_SOUP), 0..150),
        cuts in prop::collection::vec(any::<Index>(), 0..16),
    ) {
        let soup = tokens.concat();
        let pieces = cuts::bytes(soup.as_bytes(), &cuts);
        prop_assert_eq!(responses(&pieces), responses(&[soup.as_bytes()]));
        prop_assert_eq!(messages(&pieces), messages(&[soup.as_bytes()]));
    }
}

// ---------------------------------------------------------------------------------------
// parse_calls

/// The keys and values of the providers' replies.
const REPLY_WORDS: &[&str] = &[
    "choices",
    "message",
    "tool_calls",
    "function",
    "name",
    "arguments",
    "id",
    "type",
    "content",
    "output",
    "function_call",
    "call_id",
    "tool_use",
    "input",
    "candidates",
    "parts",
    "functionCall",
    "args",
    "params",
    "method",
    "tools/call",
    "jsonrpc",
    "",
];

/// JSON made of the replies' words, nested a few levels.
fn reply_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(REPLY_WORDS).prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(REPLY_WORDS), inner), 0..5).prop_map(
                |entries| {
                    Value::Object(
                        entries
                            .into_iter()
                            .map(|(key, value)| (key.to_owned(), value))
                            .collect::<Map<String, Value>>(),
                    )
                }
            ),
        ]
    })
}

/// Every string in `value`.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| strings(item, out)),
        Value::Object(map) => map.values().for_each(|item| strings(item, out)),
        _ => {}
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parsed_calls_take_their_outputs_back_in_every_format(reply in reply_json()) {
        for format in ToolFormat::ALL {
            let Ok(calls) = format.parse_calls(&reply) else { continue };
            let outputs: Vec<ToolOutput> = calls
                .iter()
                .map(|call| ToolOutput::success(call, "ok"))
                .collect();
            let rendered = format.render_outputs(&calls, &outputs);
            prop_assert!(rendered.is_ok(), "{}: {:?}", format, rendered);
            let rendered = rendered.unwrap_or_default();
            if format == ToolFormat::Mcp {
                // A `tools/call` result names no call (JSON-RPC's response id does).
                prop_assert_eq!(rendered.as_array().map_or(0, Vec::len), calls.len());
                continue;
            }
            let mut said = Vec::new();
            strings(&rendered, &mut said);
            for call in &calls {
                let gemini = matches!(format, ToolFormat::Gemini | ToolFormat::GeminiOpenApi);
                let named = if gemini && call.id.starts_with(ToolFormat::LOCAL_CALL_ID_PREFIX) {
                    &call.name
                } else {
                    &call.id
                };
                prop_assert!(said.contains(named), "{}: {:?} is not answered", format, call);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The text-call readers

fn tools() -> Vec<String> {
    vec!["add_task".to_owned(), "get_tasks".to_owned()]
}

/// Text that may be calls: JSON of calls, fences, prose, pieces of each.
const TEXT_SOUP: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    " ",
    "\n",
    "```",
    "```json\n",
    "\n```",
    "\"name\"",
    ":",
    "\"arguments\"",
    "\"parameters\"",
    "\"type\"",
    "\"id\"",
    "\"add_task\"",
    "\"get_tasks\"",
    "\"x\"",
    "null",
    "{}",
    "[]",
    "[",
    "1",
    "Sure",
    "é",
    "{\"name\": \"add_task\", \"arguments\": {\"name\": \"bread\"}}",
];

/// What the streaming reader makes of `pieces` followed by `Finish(Stop)`, call ids blank.
fn streamed(pieces: &[String]) -> ChatResponse {
    let mut deltas: Vec<ChatDelta> = pieces.iter().cloned().map(ChatDelta::Text).collect();
    deltas.push(ChatDelta::Finish(FinishReason::Stop));
    let input = stream::iter(deltas.into_iter().map(Ok)).boxed();
    let out: Vec<Result<ChatDelta, ModelError>> =
        block_on(read_text_tool_calls(input, tools()).collect());
    let mut builder = ResponseBuilder::default();
    for delta in out.into_iter().flatten() {
        builder.push(delta);
    }
    without_ids(builder.finish())
}

fn without_ids(mut reply: ChatResponse) -> ChatResponse {
    for call in &mut reply.tool_calls {
        call.id.clear();
    }
    reply
}

fn model_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(TEXT_SOUP), 0..24).prop_map(|t| t.concat()),
        "\\PC{0,40}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_text_readers_pass_prose_through_whole(
        text in model_text(),
        cuts in prop::collection::vec(any::<Index>(), 0..8),
    ) {
        let _ = calls_in_text(&text, &tools());
        let reply = streamed(&cuts::text(&text, &cuts));
        if reply.tool_calls.is_empty() {
            prop_assert_eq!(reply.content, (!text.is_empty()).then(|| text.clone()));
            prop_assert_eq!(reply.finish_reason, FinishReason::Stop);
        }
    }

    #[test]
    fn the_streaming_text_reader_agrees_with_calls_in_text(
        text in model_text(),
        cuts in prop::collection::vec(any::<Index>(), 0..8),
    ) {
        let mut whole = ChatResponse::text(text.clone());
        if text.is_empty() {
            whole.content = None;
        }
        let expected = without_ids(whole.with_text_tool_calls(&tools()));
        prop_assert_eq!(streamed(&cuts::text(&text, &cuts)), expected);
    }
}

/// The shortest case the fuzzer found: `calls_in_text` read a call after an empty
/// array, while the streaming reader let the text go as soon as it saw `[]`.
#[test]
fn a_call_after_an_empty_array_is_read_alike_by_both_readers() {
    let text = r#"[]{"name": "add_task", "arguments": {}}"#;
    let whole = without_ids(ChatResponse::text(text).with_text_tool_calls(&tools()));
    assert_eq!(streamed(&[text.to_owned()]), whole);
}

// ---------------------------------------------------------------------------------------
// The snapshot diff

/// A tool made of a definition alone.
struct Made(ToolDefinition);

impl Tool for Made {
    const NAME: &'static str = "made";

    fn definition(&self) -> &ToolDefinition {
        &self.0
    }

    fn call<'a>(&'a self, _input: ToolInput<'a>) -> ToolFuture<'a> {
        ToolFuture::ready(Ok(String::new()))
    }
}

/// Schema words, for parameter schemas and snapshots that look nearly right.
const SCHEMA_WORDS: &[&str] = &[
    "name",
    "description",
    "parameters",
    "markers",
    "output",
    "type",
    "object",
    "string",
    "integer",
    "array",
    "null",
    "properties",
    "required",
    "items",
    "enum",
    "anyOf",
    "$ref",
    "#/$defs/a",
    "$defs",
    "a",
    "b",
    "minimum",
    "destructive",
];

fn schema_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..300).prop_map(Value::from),
        prop::sample::select(SCHEMA_WORDS).prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(SCHEMA_WORDS), inner), 0..5).prop_map(
                |entries| {
                    Value::Object(
                        entries
                            .into_iter()
                            .map(|(key, value)| (key.to_owned(), value))
                            .collect::<Map<String, Value>>(),
                    )
                }
            ),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..config() })]

    #[test]
    fn the_snapshot_diff_reports_any_difference_and_only_that(
        committed in schema_json(),
        tools in prop::collection::vec(("[a-c]{1,2}", schema_json()), 0..4),
        as_committed in any::<bool>(),
    ) {
        let mut registry = ToolRegistry::new();
        for (name, parameters) in tools {
            let _ = registry.register(Made(ToolDefinition::new(name, "A tool.", parameters)));
        }
        let committed = if as_committed {
            // The registry's own snapshot, perhaps with one tool changed.
            let mut snapshot = registry.snapshot();
            if let Some(first) = snapshot.as_array_mut().and_then(|tools| tools.first_mut()) {
                first["parameters"] = committed;
            }
            snapshot
        } else {
            committed
        };
        let dir = std::env::temp_dir().join(format!("fuzz-properties-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let path = dir.join(format!("{}.json", std::thread::current().name().unwrap_or("t").replace("::", "-")));
        std::fs::write(&path, committed.to_string()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let result = registry.check_snapshot(&path);
        let _ = std::fs::remove_file(&path);
        match result {
            Ok(()) => prop_assert_eq!(&committed, &registry.snapshot()),
            Err(SnapshotError::Changed { changes, .. }) => {
                prop_assert!(!changes.is_empty());
                prop_assert_ne!(&committed, &registry.snapshot());
            }
            Err(other) => prop_assert!(false, "{}", other),
        }
    }
}

#[test]
fn an_equal_snapshot_passes() {
    let mut registry = ToolRegistry::new();
    let parameters = json!({"type": "object", "properties": {"a": {"type": "string"}}});
    registry
        .register(Made(ToolDefinition::new("a", "A tool.", parameters)))
        .map(|_| ())
        .unwrap_or_else(|error| panic!("{error}"));
    let path = std::env::temp_dir().join(format!("fuzz-properties-eq-{}.json", std::process::id()));
    std::fs::write(&path, registry.snapshot().to_string()).unwrap();
    let result = registry.check_snapshot(&path);
    let _ = std::fs::remove_file(&path);
    assert!(result.is_ok(), "{result:?}");
}

/// Another the fuzzer found: empty arguments written as `""` were `""` for one reader and
/// `{}` for the other.
#[test]
fn empty_string_arguments_are_read_alike_by_both_readers() {
    for text in [
        "\t\t{\"name\": \"add_task\", \"arguments\": \"\"}",
        "{\"name\": \"add_task\", \"arguments\": \" \"}",
    ] {
        let whole = without_ids(ChatResponse::text(text).with_text_tool_calls(&tools()));
        assert_eq!(whole.tool_calls[0].arguments, "{}", "{text:?}");
        assert_eq!(streamed(&[text.to_owned()]), whole, "{text:?}");
    }
}
