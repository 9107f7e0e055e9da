//! Calls written as text: the reader of whole replies (`calls_in_text`, through
//! `ChatResponse::with_text_tool_calls`) and the reader of streams (`read_text_tool_calls`)
//! give one answer for every text, whatever pieces the stream cuts it into.

use futures::executor::block_on;
use futures::stream::{self, StreamExt};
use proptest::prelude::*;
use proptest::sample::Index;
use tool_runtime::chat::{read_text_tool_calls, ChatDelta, ChatResponse, FinishReason};
use tool_runtime::chat::{ModelError, ResponseBuilder};

use crate::support::cuts;

/// The tools offered.
fn tools() -> Vec<String> {
    vec!["a".to_owned(), "add_task".to_owned()]
}

/// What a reply says, ids aside (the readers make fresh ones): its text (none and empty
/// alike), its calls as (name, arguments), and why it finished.
fn said(reply: ChatResponse) -> (String, Vec<(String, String)>, FinishReason) {
    let calls = reply
        .tool_calls
        .into_iter()
        .map(|call| (call.name, call.arguments))
        .collect();
    (
        reply.content.unwrap_or_default(),
        calls,
        reply.finish_reason,
    )
}

/// The whole reply `text`, read by the reader of whole replies.
fn whole(text: &str) -> (String, Vec<(String, String)>, FinishReason) {
    said(ChatResponse::text(text).with_text_tool_calls(&tools()))
}

/// `text` streamed in `pieces` and read by the stream reader.
fn streamed(pieces: Vec<String>) -> (String, Vec<(String, String)>, FinishReason) {
    let mut deltas: Vec<Result<ChatDelta, ModelError>> = pieces
        .into_iter()
        .map(|piece| Ok(ChatDelta::Text(piece)))
        .collect();
    deltas.push(Ok(ChatDelta::Finish(FinishReason::Stop)));
    let read = read_text_tool_calls(stream::iter(deltas).boxed(), tools());
    let mut builder = ResponseBuilder::default();
    for delta in block_on(read.collect::<Vec<_>>()) {
        builder.push(delta.expect("no error came in"));
    }
    said(builder.finish())
}

/// Tokens that make texts look nearly like calls, so the two readers meet the hard cases.
const SOUP: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    " ",
    "\n",
    "\t",
    "```",
    "```json\n",
    "```\n",
    "json",
    "\"name\"",
    "\"arguments\"",
    "\"parameters\"",
    "\"id\"",
    "\"a\"",
    "\"add_task\"",
    "\"x\"",
    "{}",
    "[]",
    "[\n]\n",
    "null",
    "1",
    "Sure",
    "é",
    "\u{a0}",
    "`",
    r#"{"name":"a","arguments":"x"}"#,
    r#"{"name": "add_task", "arguments": {}}"#,
];

/// Whole JSON values and the separators between them: texts made mostly of these are
/// often calls, so the property reaches the readers' answers of "calls" as well as "text".
const VALUES: &[&str] = &[
    "[]",
    "[\n]\n",
    " ",
    "\n",
    "```json\n",
    "```\n",
    "```",
    "{}",
    r#"{"name":"a","arguments":"x"}"#,
    r#"{"name": "add_task", "arguments": {}}"#,
    r#"[{"name": "a", "parameters": null}]"#,
];

/// A text of values and soup, mostly values.
fn text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        3 => prop::sample::select(VALUES),
        1 => prop::sample::select(SOUP),
    ];
    prop::collection::vec(token, 0..8).prop_map(|tokens| tokens.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn whole_and_streamed_readers_agree(
        text in text(),
        cuts in prop::collection::vec(any::<Index>(), 0..6),
    ) {
        prop_assert_eq!(streamed(cuts::text(&text, &cuts)), whole(&text), "{:?}", text);
    }

    #[test]
    fn arbitrary_text_agrees_too(text in ".{0,40}", cuts in prop::collection::vec(any::<Index>(), 0..6)) {
        prop_assert_eq!(streamed(cuts::text(&text, &cuts)), whole(&text), "{:?}", text);
    }
}

/// The case the issue found: an empty array, then a call.
#[test]
fn an_empty_array_then_a_call() {
    let text = "[\n]\n{\"name\":\"a\",\"arguments\":\"x\"}";
    assert_eq!(streamed(cuts::text(text, &[])), whole(text));
}
