//! The text-call readers on any text: `calls_in_text` (a whole reply) and the streaming
//! `read_text_tool_calls` (the same text in pieces) never panic, and the streaming reader
//! passes prose through unchanged.
//!
//! READERS_AGREE: the two readers read the same text the same way (calls, or the text
//! unchanged). It found `[]{...}` read as a call by one and as text by the other (fixed:
//! an empty array is no call); `FUZZ_TEXT_READERS_AGREE=0` turns the check off.
#![no_main]

use futures::executor::block_on;
use futures::stream::{self, StreamExt};
use libfuzzer_sys::fuzz_target;
use tool_runtime::chat::{
    calls_in_text, read_text_tool_calls, ChatDelta, ChatResponse, FinishReason, ResponseBuilder,
};
use tool_runtime_fuzz::cuts;

fn tools() -> Vec<String> {
    vec!["add_task".to_owned(), "get_tasks".to_owned()]
}

/// The reply with every call id blanked (both readers make fresh ones).
fn without_ids(mut reply: ChatResponse) -> ChatResponse {
    for call in &mut reply.tool_calls {
        call.id.clear();
    }
    reply
}

fn readers_agree() -> bool {
    std::env::var_os("FUZZ_TEXT_READERS_AGREE").is_none_or(|value| value != "0")
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let whole = calls_in_text(&text, &tools());

    let mut deltas: Vec<ChatDelta> = cuts::text_pieces(&text)
        .into_iter()
        .map(|piece| ChatDelta::Text(piece.to_owned()))
        .collect();
    deltas.push(ChatDelta::Finish(FinishReason::Stop));
    let input = stream::iter(deltas.into_iter().map(Ok)).boxed();
    let out: Vec<ChatDelta> = block_on(
        read_text_tool_calls(input, tools())
            .map(|delta| delta.expect("the input has no errors"))
            .collect(),
    );
    let mut builder = ResponseBuilder::default();
    for delta in out {
        builder.push(delta);
    }
    let streamed = without_ids(builder.finish());

    if streamed.tool_calls.is_empty() {
        // Prose (or what is not calls) comes out as it went in.
        let expected = (!text.is_empty()).then(|| text.clone().into_owned());
        assert_eq!(streamed.content, expected, "the text passes through whole");
        assert_eq!(streamed.finish_reason, FinishReason::Stop);
    }
    if readers_agree() {
        let mut reply = ChatResponse::text(text.clone());
        if text.is_empty() {
            reply.content = None;
        }
        let expected = without_ids(reply.with_text_tool_calls(&tools()));
        assert_eq!(
            streamed, expected,
            "the streaming reader reads the text as calls_in_text does ({whole:?})"
        );
    }
});
