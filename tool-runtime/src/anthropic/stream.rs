//! A streamed Messages reply: SSE events in, [`ChatDelta`]s out.

use std::collections::BTreeMap;

use serde_json::Value;

use super::wire::{self, UsageCounts};
use crate::chat::{ChatDelta, FinishReason, ModelError};
use crate::sse::SseEvent;
use crate::transport::{metadata_of, EventReader, SseDecoder};

/// What a content block of the reply is, as far as deltas go.
#[derive(Debug)]
enum Block {
    /// Text: its `text_delta`s are text.
    Text,
    /// A call of one of the offered tools: its `input_json_delta`s are its arguments.
    ToolUse {
        /// The `input` of `content_block_start`, when it was not empty: the arguments of
        /// a server that sends them whole there rather than as deltas.
        whole: Option<String>,
        /// Whether any piece of the arguments came as a delta.
        streamed: bool,
    },
    /// Anything else (thinking, a server tool's call or result...): ignored.
    Other,
}

/// Turns the bytes of a streamed Messages reply into [`ChatDelta`]s as they arrive, fed
/// in pieces cut anywhere.
///
/// - `content_block_start` of a `text` block starts the text; of a `tool_use` block, the
///   call at the block's index: its first [`ChatDelta::ToolCall`] piece carries the id and
///   name, and each `input_json_delta` then adds its `partial_json` to the arguments. A
///   call with no deltas has no arguments (`{}` once built), or the `input` its start
///   event held, for servers that send it whole.
/// - The usage of `message_start`, updated by the counts `message_delta` repeats, and the
///   `stop_reason` of `message_delta` close the reply at `message_stop` (or, failing that,
///   at the end of the stream): a [`ChatDelta::Usage`] (tokens read count the cached
///   ones), then [`ChatDelta::Finish`]. A stream that ends before any stop reason is an
///   error, never a silently short reply.
/// - An `error` event is a [`ModelError::Other`] with its message; `ping`, unknown events
///   and other block types (thinking, server tools...) are ignored.
///
/// Feed it with [`push`](StreamDecoder::push), end it with
/// [`finish`](StreamDecoder::finish), and put the deltas together with a
/// [`ResponseBuilder`](crate::chat::ResponseBuilder):
///
/// ```
/// use tool_runtime::anthropic::StreamDecoder;
/// use tool_runtime::chat::{FinishReason, ResponseBuilder};
///
/// let stream = concat!(
///     "event: message_start\n",
///     "data: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}\n\n",
///     "event: content_block_start\n",
///     "data: {\"type\":\"content_block_start\",\"index\":0,",
///     "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"add\",\"input\":{}}}\n\n",
///     "event: content_block_delta\n",
///     "data: {\"type\":\"content_block_delta\",\"index\":0,",
///     "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\": 1}\"}}\n\n",
///     "event: content_block_stop\n",
///     "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
///     "event: message_delta\n",
///     "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":9}}\n\n",
///     "event: message_stop\n",
///     "data: {\"type\":\"message_stop\"}\n\n",
/// );
/// let mut decoder = StreamDecoder::new();
/// let mut builder = ResponseBuilder::default();
/// for piece in stream.as_bytes().chunks(7) {
///     for delta in decoder.push(piece)? {
///         builder.push(delta);
///     }
/// }
/// for delta in decoder.finish()? {
///     builder.push(delta);
/// }
/// let reply = builder.finish();
/// assert_eq!((reply.tool_calls[0].id.as_str(), reply.tool_calls[0].arguments.as_str()), ("toolu_1", r#"{"a": 1}"#));
/// assert_eq!(reply.finish_reason, FinishReason::ToolCalls);
/// assert_eq!(reply.usage.map(|usage| usage.total()), Some(29));
/// # Ok::<(), tool_runtime::chat::ModelError>(())
/// ```
#[derive(Debug, Default)]
pub struct StreamDecoder(SseDecoder<Events>);

impl StreamDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next bytes of the stream; returns the deltas they complete.
    ///
    /// # Errors
    ///
    /// [`ModelError::Protocol`] when an event is not JSON, or an event grows past 16 MiB;
    /// [`ModelError::Other`] when the server reports an error in the stream. When the
    /// bytes hold good events and then a bad one, the good events' deltas come back and
    /// the error on the next call (`push` or `finish`); after an error, every call
    /// returns it.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<ChatDelta>, ModelError> {
        self.0.push(bytes)
    }

    /// Ends the stream: the deltas still held (usage, finish), or an error when the reply
    /// was cut short.
    ///
    /// # Errors
    ///
    /// [`ModelError::Protocol`] when the stream ended before `message_stop` and before any
    /// stop reason, or its last event is not JSON; [`ModelError::Other`] when that event
    /// is an error.
    pub fn finish(&mut self) -> Result<Vec<ChatDelta>, ModelError> {
        self.0.finish()
    }

    /// Whether the reply is complete (`message_stop` arrived); later bytes are ignored.
    pub fn is_done(&self) -> bool {
        self.0.is_done()
    }

    /// Whether any delta of the reply itself came out yet (its id and model are not).
    pub fn has_produced(&self) -> bool {
        self.0.has_produced()
    }
}

/// The events of a streamed Messages reply, read into [`ChatDelta`]s.
#[derive(Debug, Default)]
pub(crate) struct Events {
    /// The reply's content blocks so far, by index.
    blocks: BTreeMap<usize, Block>,
    usage: Option<UsageCounts>,
    stop_reason: Option<FinishReason>,
    done: bool,
}

impl EventReader for Events {
    fn event(&mut self, event: SseEvent, deltas: &mut Vec<ChatDelta>) -> Result<(), ModelError> {
        let data = event.data.trim();
        if data.is_empty() {
            return Ok(());
        }
        let value = wire::json_of(data.as_bytes(), "a stream event")?;
        // The data names its type; the `event:` line says the same, and serves when the
        // data does not.
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .or(event.event.as_deref());
        self.read(kind, &value, deltas)
    }

    fn end(&mut self, deltas: &mut Vec<ChatDelta>) -> Result<(), ModelError> {
        // A stop reason came, only `message_stop` did not: the reply is whole.
        if self.stop_reason.is_none() {
            return Err(ModelError::Protocol(
                "the stream ended before the reply was complete".into(),
            ));
        }
        self.close(deltas);
        Ok(())
    }

    fn is_done(&self) -> bool {
        self.done
    }
}

impl Events {
    /// Reads the event `event` of type `kind`.
    fn read(
        &mut self,
        kind: Option<&str>,
        event: &Value,
        deltas: &mut Vec<ChatDelta>,
    ) -> Result<(), ModelError> {
        let index = || {
            event
                .get("index")
                .and_then(Value::as_u64)
                .and_then(|index| usize::try_from(index).ok())
        };
        match kind {
            Some("message_start") => {
                let message = event.get("message");
                deltas.extend(message.and_then(metadata_of));
                self.add_usage(message.and_then(|message| message.get("usage")));
            }
            Some("content_block_start") => {
                let block = event.get("content_block").unwrap_or(&Value::Null);
                if let Some(index) = index() {
                    self.start_block(index, block, deltas);
                }
            }
            Some("content_block_delta") => {
                let delta = event.get("delta").unwrap_or(&Value::Null);
                if let Some(index) = index() {
                    self.block_delta(index, delta, deltas);
                }
            }
            Some("content_block_stop") => {
                if let Some(index) = index() {
                    self.stop_block(index, deltas);
                }
            }
            Some("message_delta") => {
                let reason = event
                    .get("delta")
                    .and_then(|delta| delta.get("stop_reason"))
                    .and_then(Value::as_str);
                if let Some(reason) = reason {
                    self.stop_reason = Some(wire::finish_reason(reason));
                }
                self.add_usage(event.get("usage"));
            }
            Some("message_stop") => self.close(deltas),
            Some("error") => {
                let message = wire::error_in(event).unwrap_or_else(|| event.to_string());
                return Err(ModelError::Other(format!(
                    "the endpoint reported an error mid-stream: {message}"
                )));
            }
            // `ping`, and events newer than this client.
            _ => {}
        }
        Ok(())
    }

    fn add_usage(&mut self, usage: Option<&Value>) {
        if let Some(later) = usage.and_then(UsageCounts::of) {
            self.usage = Some(self.usage.unwrap_or_default().updated(later));
        }
    }

    fn start_block(&mut self, index: usize, block: &Value, deltas: &mut Vec<ChatDelta>) {
        let kind = match block.get("type").and_then(Value::as_str) {
            Some("text") => {
                let text = block.get("text").and_then(Value::as_str).unwrap_or("");
                if !text.is_empty() {
                    deltas.push(ChatDelta::Text(text.to_owned()));
                }
                Block::Text
            }
            Some("tool_use") => {
                deltas.push(wire::tool_use_start(index, block));
                Block::ToolUse {
                    whole: wire::input_text(block),
                    streamed: false,
                }
            }
            _ => Block::Other,
        };
        self.blocks.insert(index, kind);
    }

    fn block_delta(&mut self, index: usize, delta: &Value, deltas: &mut Vec<ChatDelta>) {
        let piece = |key: &str| {
            delta
                .get(key)
                .and_then(Value::as_str)
                .filter(|piece| !piece.is_empty())
        };
        match (
            delta.get("type").and_then(Value::as_str),
            self.blocks.get_mut(&index),
        ) {
            (Some("text_delta"), Some(Block::Text)) => {
                if let Some(text) = piece("text") {
                    deltas.push(ChatDelta::Text(text.to_owned()));
                }
            }
            (Some("input_json_delta"), Some(Block::ToolUse { streamed, .. })) => {
                if let Some(json) = piece("partial_json") {
                    *streamed = true;
                    deltas.push(ChatDelta::ToolCall {
                        index,
                        id: None,
                        name: None,
                        arguments: json.to_owned(),
                    });
                }
            }
            _ => {}
        }
    }

    fn stop_block(&mut self, index: usize, deltas: &mut Vec<ChatDelta>) {
        if let Some(Block::ToolUse {
            whole,
            streamed: false,
        }) = self.blocks.get_mut(&index)
        {
            if let Some(arguments) = whole.take() {
                deltas.push(ChatDelta::ToolCall {
                    index,
                    id: None,
                    name: None,
                    arguments,
                });
            }
        }
    }

    /// The reply is complete: the usage, then why it finished.
    fn close(&mut self, deltas: &mut Vec<ChatDelta>) {
        self.done = true;
        if let Some(usage) = self.usage.take() {
            deltas.push(ChatDelta::Usage(usage.total()));
        }
        let has_calls = self
            .blocks
            .values()
            .any(|block| matches!(block, Block::ToolUse { .. }));
        let reason = FinishReason::of_reply(self.stop_reason.take(), has_calls);
        deltas.push(ChatDelta::Finish(reason));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::call::ToolCall;
    use crate::chat::{ChatResponse, ResponseBuilder, Usage};

    /// The deltas of `events`, sent as an SSE stream in pieces of 5 bytes, and then of
    /// its end.
    fn decode(events: &[Value]) -> Result<Vec<ChatDelta>, ModelError> {
        let stream: String = events
            .iter()
            .map(|event| {
                format!(
                    "event: {}\ndata: {event}\n\n",
                    event["type"].as_str().unwrap_or("")
                )
            })
            .collect();
        let mut decoder = StreamDecoder::new();
        let mut deltas = Vec::new();
        for piece in stream.as_bytes().chunks(5) {
            deltas.extend(decoder.push(piece)?);
        }
        deltas.extend(decoder.finish()?);
        Ok(deltas)
    }

    fn rebuild(deltas: Vec<ChatDelta>) -> ChatResponse {
        let mut builder = ResponseBuilder::default();
        for delta in deltas {
            builder.push(delta);
        }
        builder.finish()
    }

    fn start(input_tokens: u64) -> Value {
        json!({"type": "message_start", "message": {"id": "msg_1", "type": "message",
            "role": "assistant", "content": [], "model": "claude-test", "stop_reason": null,
            "usage": {"input_tokens": input_tokens, "output_tokens": 1}}})
    }

    fn block_start(index: usize, block: Value) -> Value {
        json!({"type": "content_block_start", "index": index, "content_block": block})
    }

    fn block_delta(index: usize, delta: Value) -> Value {
        json!({"type": "content_block_delta", "index": index, "delta": delta})
    }

    fn block_stop(index: usize) -> Value {
        json!({"type": "content_block_stop", "index": index})
    }

    fn message_delta(reason: &str, output_tokens: u64) -> Value {
        json!({"type": "message_delta", "delta": {"stop_reason": reason, "stop_sequence": null},
               "usage": {"output_tokens": output_tokens}})
    }

    #[test]
    fn thinking_server_tools_and_unknown_events_are_ignored() {
        let deltas = decode(&[
            start(3),
            json!({"type": "ping"}),
            block_start(0, json!({"type": "thinking", "thinking": ""})),
            block_delta(0, json!({"type": "thinking_delta", "thinking": "Let me see"})),
            block_delta(0, json!({"type": "signature_delta", "signature": "abc"})),
            block_stop(0),
            block_start(1, json!({"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}})),
            block_delta(1, json!({"type": "input_json_delta", "partial_json": "{\"query\": \"x\"}"})),
            block_stop(1),
            json!({"type": "something_new", "index": 2}),
            block_start(2, json!({"type": "text", "text": ""})),
            block_delta(2, json!({"type": "text_delta", "text": "Found it."})),
            block_delta(2, json!({"type": "citations_delta", "citation": {}})),
            block_stop(2),
            message_delta("end_turn", 9),
            json!({"type": "message_stop"}),
        ])
        .unwrap();
        assert_eq!(
            deltas,
            [
                // From `message_start`: which message this is.
                ChatDelta::Metadata {
                    id: Some("msg_1".into()),
                    model: Some("claude-test".into())
                },
                ChatDelta::Text("Found it.".into()),
                ChatDelta::Usage(Usage {
                    prompt_tokens: 3,
                    completion_tokens: 9
                }),
                ChatDelta::Finish(FinishReason::Stop),
            ]
        );
    }

    #[test]
    fn the_deltas_before_a_bad_event_come_first_then_the_error() {
        let good = block_delta(0, json!({"type": "text_delta", "text": "Hi"}));
        let start = block_start(0, json!({"type": "text", "text": ""}));
        let piece = format!("data: {start}\n\ndata: {good}\n\ndata: {{not json\n\n");
        let mut decoder = StreamDecoder::new();
        assert_eq!(
            decoder.push(piece.as_bytes()),
            Ok(vec![ChatDelta::Text("Hi".into())])
        );
        let error = decoder.finish().unwrap_err();
        assert!(matches!(error, ModelError::Protocol(_)), "{error:?}");
        assert_eq!(decoder.push(b"data: {}\n\n"), Err(error));
    }

    #[test]
    fn token_counts_past_u64_max_saturate() {
        let mut huge = start(u64::MAX);
        huge["message"]["usage"]["cache_read_input_tokens"] = json!(5);
        huge["message"]["usage"]["cache_creation_input_tokens"] = json!(u64::MAX);
        let deltas = decode(&[
            huge,
            message_delta("end_turn", u64::MAX),
            json!({"type": "message_stop"}),
        ])
        .unwrap();
        assert_eq!(
            rebuild(deltas).usage,
            Some(Usage {
                prompt_tokens: u64::MAX,
                completion_tokens: u64::MAX
            })
        );
    }

    #[test]
    fn a_call_without_deltas_gets_its_whole_input_or_none() {
        let deltas = decode(&[
            block_start(
                0,
                json!({"type": "tool_use", "id": "toolu_1", "name": "ping", "input": {}}),
            ),
            block_stop(0),
            block_start(
                1,
                json!({"type": "tool_use", "id": "toolu_2", "name": "add", "input": {"a": 1}}),
            ),
            block_stop(1),
            message_delta("tool_use", 4),
            json!({"type": "message_stop"}),
        ])
        .unwrap();
        assert_eq!(
            rebuild(deltas),
            ChatResponse::tool_calls(vec![
                ToolCall::new("toolu_1", "ping", "{}"),
                ToolCall::new("toolu_2", "add", r#"{"a":1}"#),
            ])
            .with_usage(Usage {
                prompt_tokens: 0,
                completion_tokens: 4
            })
        );
    }

    #[test]
    fn cut_short_garbage_and_errors() {
        let text = [
            block_start(0, json!({"type": "text", "text": "Hel"})),
            block_delta(0, json!({"type": "text_delta", "text": "lo"})),
        ];
        assert_eq!(
            decode(&text).unwrap_err(),
            ModelError::Protocol("the stream ended before the reply was complete".into())
        );
        // A stop reason and then the end, without `message_stop`: complete.
        let mut stopped = text.to_vec();
        stopped.push(message_delta("max_tokens", 2));
        let reply = rebuild(decode(&stopped).unwrap());
        assert_eq!(
            (reply.content.as_deref(), reply.finish_reason),
            (Some("Hello"), FinishReason::Length)
        );

        let mut decoder = StreamDecoder::new();
        assert!(matches!(
            decoder.push(b"event: message_start\ndata: {\"type\": \"mess\n\n"),
            Err(ModelError::Protocol(_))
        ));
        let error = json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}});
        assert_eq!(
            decode(&[error]).unwrap_err(),
            ModelError::Other("the endpoint reported an error mid-stream: Overloaded".into())
        );
        // The event's name serves when the data has no type.
        let mut decoder = StreamDecoder::new();
        assert_eq!(
            decoder.push(b"event: error\ndata: {\"error\": {\"message\": \"x\"}}\n\n"),
            Err(ModelError::Other(
                "the endpoint reported an error mid-stream: x".into()
            ))
        );
        assert!(!decoder.has_produced());
    }
}
