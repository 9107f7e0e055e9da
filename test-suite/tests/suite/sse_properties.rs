//! Properties of the Chat Completions stream reader (`tool_runtime::openai::StreamDecoder`
//! and its `SseParser`): a valid stream of chunks, generated from a random reply with text
//! and several parallel tool calls, reassembles to that reply however its bytes are cut
//! (inside lines, between CR and LF, inside multi-byte characters); a stream cut before its
//! finish is an error, never a short reply; and no input makes either panic.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Value};
use tool_runtime::chat::{
    ChatDelta, ChatResponse, FinishReason, ModelError, ResponseBuilder, Usage,
};
use tool_runtime::openai::StreamDecoder;
use tool_runtime::sse::SseParser;
use tool_runtime::ToolCall;

use crate::support::cuts;

/// A reply to stream.
#[derive(Clone, Debug)]
struct Reply {
    /// The text, in the pieces it streams in.
    text: Vec<String>,
    /// Each call: name, and its arguments' JSON text in the pieces it streams in.
    calls: Vec<(String, Vec<String>)>,
    finish_reason: &'static str,
    usage: Option<(u32, u32)>,
}

impl Reply {
    fn expected(&self) -> ChatResponse {
        let calls: Vec<ToolCall> = self
            .calls
            .iter()
            .enumerate()
            .map(|(index, (name, pieces))| {
                ToolCall::new(format!("call_{index}"), name, pieces.concat())
            })
            .collect();
        let mut response = ChatResponse::tool_calls(calls);
        let text = self.text.concat();
        response.content = (!text.is_empty()).then_some(text);
        // Calls wait for their outputs even when the server said `stop`; `length` stays.
        response.finish_reason = match FinishReason::parse(self.finish_reason) {
            FinishReason::Stop if !response.tool_calls.is_empty() => FinishReason::ToolCalls,
            reason => reason,
        };
        response.usage = self.usage.map(|(prompt, completion)| Usage {
            prompt_tokens: prompt.into(),
            completion_tokens: completion.into(),
        });
        response
    }
}

/// Arbitrary text, multi-byte characters included.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z ]{0,20}",
        "\\PC{0,20}",
        Just("héllo wörld — ☀️ 東京 🦀".to_owned()),
    ]
}

fn arguments() -> impl Strategy<Value = String> {
    prop::collection::btree_map("[a-z_]{1,8}", text(), 0..4).prop_map(|map| {
        let map: BTreeMap<String, Value> = map
            .into_iter()
            .map(|(key, value)| (key, value.into()))
            .collect();
        serde_json::to_string(&map).unwrap_or_default()
    })
}

fn reply() -> impl Strategy<Value = Reply> {
    let text = (text(), prop::collection::vec(any::<Index>(), 0..4))
        .prop_map(|(t, c)| non_empty(cuts::text(&t, &c)));
    let call = (
        "[a-z_]{1,12}",
        arguments(),
        prop::collection::vec(any::<Index>(), 0..6),
    )
        .prop_map(|(name, arguments, cuts)| (name, non_empty(cuts::text(&arguments, &cuts))));
    (
        text,
        prop::collection::vec(call, 0..4),
        prop_oneof![Just("stop"), Just("length"), Just("tool_calls")],
        prop::option::of((0..5000u32, 0..5000u32)),
    )
        .prop_map(|(text, calls, finish_reason, usage)| Reply {
            text,
            calls,
            finish_reason,
            usage,
        })
}

/// How each event is written.
#[derive(Clone, Debug)]
struct Style {
    line_end: &'static str,
    pretty: bool,
    space: bool,
    comment: bool,
}

fn style() -> impl Strategy<Value = Style> {
    (
        prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(line_end, pretty, space, comment)| Style {
            line_end,
            pretty,
            space,
            comment,
        })
}

/// One SSE event carrying `data` (possibly over several `data:` lines).
fn event(data: &str, style: &Style) -> String {
    let mut out = String::new();
    if style.comment {
        out.push_str(": keep-alive");
        out.push_str(style.line_end);
    }
    for line in data.lines() {
        out.push_str(if style.space { "data: " } else { "data:" });
        out.push_str(line);
        out.push_str(style.line_end);
    }
    out.push_str(style.line_end);
    out
}

fn chunk_data(chunk: &Value, style: &Style) -> String {
    if style.pretty {
        serde_json::to_string_pretty(chunk).unwrap_or_default()
    } else {
        chunk.to_string()
    }
}

/// The reply as an SSE stream, the pieces of its parts interleaved in `order`; also where
/// the finish chunk starts.
fn encode(reply: &Reply, order: &[Index], styles: &[Style]) -> (Vec<u8>, usize) {
    // Each part's queue of chunks: the text's, then each call's.
    let mut queues: Vec<Vec<Value>> = vec![reply
        .text
        .iter()
        .map(|piece| json!({"choices": [{"index": 0, "delta": {"content": piece}}]}))
        .collect()];
    for (index, (name, pieces)) in reply.calls.iter().enumerate() {
        let mut queue = vec![json!({"choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": index, "id": format!("call_{index}"), "type": "function",
             "function": {"name": name, "arguments": ""}}]}}]})];
        queue.extend(pieces.iter().map(|piece| {
            json!({"choices": [{"index": 0, "delta": {"tool_calls": [
                {"index": index, "function": {"arguments": piece}}]}}]})
        }));
        queues.push(queue);
    }
    for queue in &mut queues {
        queue.reverse();
    }
    let mut chunks = Vec::new();
    let mut order = order.iter().cycle();
    while queues.iter().any(|queue| !queue.is_empty()) {
        let live: Vec<usize> = (0..queues.len())
            .filter(|&q| !queues[q].is_empty())
            .collect();
        let pick = order.next().map_or(0, |index| index.index(live.len()));
        if let Some(chunk) = queues[live[pick]].pop() {
            chunks.push(chunk);
        }
    }

    let mut styles = styles.iter().cycle();
    let mut next_style = || {
        styles.next().cloned().unwrap_or(Style {
            line_end: "\n",
            pretty: false,
            space: true,
            comment: false,
        })
    };
    let mut stream = String::new();
    for chunk in &chunks {
        let style = next_style();
        stream.push_str(&event(&chunk_data(chunk, &style), &style));
    }
    let finish_at = stream.len();
    let finish =
        json!({"choices": [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}]});
    let style = next_style();
    stream.push_str(&event(&chunk_data(&finish, &style), &style));
    if let Some((prompt, completion)) = reply.usage {
        let usage = json!({"choices": [], "usage": {"prompt_tokens": prompt,
            "completion_tokens": completion, "total_tokens": prompt + completion}});
        let style = next_style();
        stream.push_str(&event(&chunk_data(&usage, &style), &style));
    }
    let style = next_style();
    stream.push_str(&event("[DONE]", &style));
    (stream.into_bytes(), finish_at)
}

/// Feeds `pieces` to a decoder; the deltas, or the first error.
fn decode(pieces: &[&[u8]]) -> Result<Vec<ChatDelta>, ModelError> {
    let mut decoder = StreamDecoder::new();
    let mut deltas = Vec::new();
    for piece in pieces {
        deltas.extend(decoder.push(piece)?);
    }
    deltas.extend(decoder.finish()?);
    Ok(deltas)
}

fn build(deltas: &[ChatDelta]) -> ChatResponse {
    let mut builder = ResponseBuilder::default();
    for delta in deltas {
        builder.push(delta.clone());
    }
    builder.finish()
}

/// Tokens that make streams look nearly valid, so the soup reaches deep into the decoder.
const SOUP: &[&str] = &[
    "data:",
    "data: ",
    "event: error",
    "id: 1",
    ":",
    "\n",
    "\r",
    "\r\n",
    "\n\n",
    "[DONE]",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "null",
    "0",
    "1",
    "-1",
    "18446744073709551616",
    "1e400",
    "\"choices\":",
    "\"index\":",
    "\"delta\":",
    "\"content\":",
    "\"tool_calls\":",
    "\"function\":",
    "\"name\":",
    "\"arguments\":",
    "\"id\":",
    "\"finish_reason\":",
    "\"usage\":",
    "\"error\":",
    "\"message\":",
    "\"stop\"",
    "\"x\"",
    "é",
    "🦀",
    "\u{feff}",
    "\u{fffd}",
];

proptest! {
    #[test]
    fn a_stream_cut_anywhere_reassembles_the_reply(
        reply in reply(),
        order in prop::collection::vec(any::<Index>(), 1..40),
        styles in prop::collection::vec(style(), 1..6),
        cuts in prop::collection::vec(any::<Index>(), 0..40),
    ) {
        let (stream, _) = encode(&reply, &order, &styles);
        let whole = decode(&[&stream]).map_err(|error| TestCaseError::fail(error.to_string()))?;
        let pieces = cuts::bytes(&stream, &cuts);
        let cut_up = decode(&pieces).map_err(|error| TestCaseError::fail(error.to_string()))?;
        prop_assert_eq!(&cut_up, &whole, "the same deltas however the bytes are cut");
        prop_assert_eq!(build(&cut_up), reply.expected());
        prop_assert!(matches!(cut_up.last(), Some(ChatDelta::Finish(_))));
    }

    #[test]
    fn a_stream_cut_before_its_finish_is_an_error(
        reply in reply(),
        order in prop::collection::vec(any::<Index>(), 1..10),
        styles in prop::collection::vec(style(), 1..4),
        end in any::<Index>(),
        cuts in prop::collection::vec(any::<Index>(), 0..10),
    ) {
        let (stream, finish_at) = encode(&reply, &order, &styles);
        let truncated = &stream[..end.index(finish_at + 1)];
        let result = decode(&cuts::bytes(truncated, &cuts));
        prop_assert!(matches!(result, Err(ModelError::Protocol(_))), "{:?}", result);
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        cuts in prop::collection::vec(any::<Index>(), 0..20),
    ) {
        let pieces = cuts::bytes(&bytes, &cuts);
        prop_assert_eq!(decode(&pieces), decode(&[&bytes]), "cutting changes nothing");
        let events = |pieces: &[&[u8]]| {
            let mut parser = SseParser::new();
            let mut events: Vec<_> = pieces.iter().flat_map(|piece| parser.push(piece)).collect();
            events.extend(parser.finish());
            events
        };
        prop_assert_eq!(events(&pieces), events(&[&bytes]));
    }

    #[test]
    fn near_valid_soup_never_panics(
        tokens in prop::collection::vec(prop::sample::select(SOUP), 0..200),
        cuts in prop::collection::vec(any::<Index>(), 0..20),
    ) {
        let soup = tokens.concat();
        prop_assert_eq!(decode(&cuts::bytes(soup.as_bytes(), &cuts)), decode(&[soup.as_bytes()]));
    }
}

/// The pieces that hold something: a delta the model sends carries text.
fn non_empty(pieces: Vec<String>) -> Vec<String> {
    pieces
        .into_iter()
        .filter(|piece| !piece.is_empty())
        .collect()
}
