//! A streamed Chat Completions reply: SSE chunks in, [`ChatDelta`]s out.

use std::collections::BTreeMap;

use serde_json::Value;

use super::wire::{self, CallPiece};
use crate::chat::{ChatDelta, FinishReason, ModelError, Usage};
use crate::sse::SseEvent;
use crate::transport::{excerpt, metadata_of, EventReader, SseDecoder};

/// Turns the bytes of a streamed Chat Completions reply into [`ChatDelta`]s as they arrive,
/// fed in pieces cut anywhere.
///
/// Text and tool-call pieces come out as soon as their chunk is complete; a call's id and
/// name come on its first piece. Quirks of OpenAI-compatible servers are smoothed over:
/// `arguments` sent as an object (its JSON text), calls without an `index` (numbered in
/// order), a whole call in one chunk, a name repeated on every piece (sent once), missing
/// usage. The usage (the last one reported) and then [`ChatDelta::Finish`] close the reply,
/// once `data: [DONE]` arrives or, failing that, when the stream ends after a
/// `finish_reason`; a reply with tool calls finishes with [`FinishReason::ToolCalls`]
/// whatever the server said. A stream that ends with neither is an error, never a silently
/// short reply.
///
/// Feed it with [`push`](StreamDecoder::push), end it with
/// [`finish`](StreamDecoder::finish), and put the deltas together with a
/// [`ResponseBuilder`](crate::chat::ResponseBuilder):
///
/// ```
/// use tool_runtime::openai::StreamDecoder;
/// use tool_runtime::chat::{FinishReason, ResponseBuilder};
///
/// let stream = concat!(
///     "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",",
///     "\"function\":{\"name\":\"add\",\"arguments\":\"{\\\"a\\\":\"}}]}}]}\n\n",
///     "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,",
///     "\"function\":{\"arguments\":\" 1}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n",
///     "data: [DONE]\n\n",
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
/// assert_eq!(reply.tool_calls[0].arguments, r#"{"a": 1}"#);
/// assert_eq!(reply.finish_reason, FinishReason::ToolCalls);
/// # Ok::<(), tool_runtime::chat::ModelError>(())
/// ```
#[derive(Debug, Default)]
pub struct StreamDecoder {
    inner: SseDecoder<ChatEvents>,
}

impl StreamDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next bytes of the stream; returns the deltas they complete.
    ///
    /// # Errors
    ///
    /// [`ModelError::Protocol`] when an event is not a Chat Completions chunk, or an event
    /// grows past 16 MiB; [`ModelError::Other`] when the server reports an error in the
    /// stream. When the bytes hold good events and then a bad one, the good events'
    /// deltas come back and the error on the next call (`push` or `finish`); after an
    /// error, every call returns it.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<ChatDelta>, ModelError> {
        self.inner.push(bytes)
    }

    /// Ends the stream: the deltas still held (usage, finish), or an error when the reply
    /// was cut short.
    ///
    /// # Errors
    ///
    /// [`ModelError::Protocol`] when the stream ended before `data: [DONE]` and before any
    /// `finish_reason`, or its last event is not a chunk.
    pub fn finish(&mut self) -> Result<Vec<ChatDelta>, ModelError> {
        self.inner.finish()
    }

    /// Whether the reply is complete (`data: [DONE]` arrived); later bytes are ignored.
    pub fn is_done(&self) -> bool {
        self.inner.is_done()
    }

    /// Whether any delta of the reply itself came out yet (its id and model are not).
    pub fn has_produced(&self) -> bool {
        self.inner.has_produced()
    }
}

/// The Chat Completions chunks of a stream, read as [`ChatDelta`]s.
#[derive(Debug, Default)]
pub(crate) struct ChatEvents {
    /// The name so far of each call seen, by index.
    calls: BTreeMap<usize, String>,
    /// The call the last piece was about (for pieces without an index).
    last_call: Option<usize>,
    finish_reason: Option<FinishReason>,
    usage: Option<Usage>,
    /// The reply's id and model went out (every chunk repeats them: once is enough).
    identified: bool,
    done: bool,
}

impl EventReader for ChatEvents {
    fn event(&mut self, event: SseEvent, deltas: &mut Vec<ChatDelta>) -> Result<(), ModelError> {
        let data = event.data.trim();
        if data == "[DONE]" {
            self.close(deltas);
            return Ok(());
        }
        if data.is_empty() {
            return Ok(());
        }
        // One chunk per event; some servers put several on consecutive `data:` lines.
        for chunk in serde_json::Deserializer::from_str(data).into_iter::<Value>() {
            let chunk = chunk.map_err(|error| {
                ModelError::Protocol(format!(
                    "a stream event is not JSON ({error}): {}",
                    excerpt(data.as_bytes())
                ))
            })?;
            if event.event.as_deref() == Some("error") || wire::error_in(&chunk).is_some() {
                let message = wire::error_in(&chunk).unwrap_or_else(|| chunk.to_string());
                return Err(ModelError::Other(format!(
                    "the endpoint reported an error mid-stream: {message}"
                )));
            }
            self.chunk(&chunk, deltas)?;
        }
        Ok(())
    }

    /// A stream that ends after a `finish_reason` but without `[DONE]` is complete.
    fn end(&mut self, deltas: &mut Vec<ChatDelta>) -> Result<(), ModelError> {
        if self.finish_reason.is_none() {
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

impl ChatEvents {
    fn chunk(&mut self, chunk: &Value, deltas: &mut Vec<ChatDelta>) -> Result<(), ModelError> {
        if !chunk.is_object() {
            return Err(ModelError::Protocol(format!(
                "a stream event is not a chunk object: {}",
                excerpt(chunk.to_string().as_bytes())
            )));
        }
        if !self.identified {
            if let Some(metadata) = metadata_of(chunk) {
                self.identified = true;
                deltas.push(metadata);
            }
        }
        if let Some(usage) = chunk.get("usage").and_then(wire::usage_of) {
            self.usage = Some(usage);
        }
        let choices = chunk.get("choices").and_then(Value::as_array);
        for choice in choices.into_iter().flatten() {
            if wire::choice_index(choice) != 0 {
                continue;
            }
            // `delta`, or a whole `message` from servers that stream those.
            if let Some(delta) = choice.get("delta").or(choice.get("message")) {
                if let Some(text) = wire::message_text(delta) {
                    deltas.push(ChatDelta::Text(text));
                }
                let calls = delta.get("tool_calls").and_then(Value::as_array);
                for call in calls.into_iter().flatten() {
                    self.call(CallPiece::of(call), deltas);
                }
            }
            if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
                self.finish_reason = Some(FinishReason::parse(reason));
            }
        }
        Ok(())
    }

    fn call(&mut self, piece: CallPiece, deltas: &mut Vec<ChatDelta>) {
        let index = match piece.index {
            Some(index) => index,
            // No index: a piece with a name starts the next call, one without continues
            // the last.
            None if piece.name.is_some() => self
                .calls
                .keys()
                .next_back()
                .map_or(0, |i| i.saturating_add(1)),
            None => self.last_call.unwrap_or(0),
        };
        self.last_call = Some(index);
        let started = !self.calls.contains_key(&index);
        let known = self.calls.entry(index).or_default();
        let name = match piece.name {
            // The whole name again, on a later piece: already sent.
            Some(name) if !known.is_empty() && *known == name => None,
            Some(name) => {
                known.push_str(&name);
                Some(name)
            }
            None => None,
        };
        if started || piece.id.is_some() || name.is_some() || !piece.arguments.is_empty() {
            deltas.push(ChatDelta::ToolCall {
                index,
                id: piece.id,
                name,
                arguments: piece.arguments,
            });
        }
    }

    /// The reply is complete: the usage, then why it finished.
    fn close(&mut self, deltas: &mut Vec<ChatDelta>) {
        self.done = true;
        if let Some(usage) = self.usage.take() {
            deltas.push(ChatDelta::Usage(usage));
        }
        let reason = FinishReason::of_reply(self.finish_reason.take(), !self.calls.is_empty());
        deltas.push(ChatDelta::Finish(reason));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::ResponseBuilder;

    fn decode(stream: &str) -> Result<crate::chat::ChatResponse, ModelError> {
        let mut decoder = StreamDecoder::new();
        let mut builder = ResponseBuilder::default();
        for delta in decoder.push(stream.as_bytes())? {
            builder.push(delta);
        }
        for delta in decoder.finish()? {
            builder.push(delta);
        }
        Ok(builder.finish())
    }

    #[test]
    fn calls_without_index_and_repeated_names() {
        let reply = decode(concat!(
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[",
            "{\"function\":{\"name\":\"a\",\"arguments\":{\"x\":1}}},",
            "{\"function\":{\"name\":\"b\",\"arguments\":\"{\\\"y\\\"\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[",
            "{\"function\":{\"arguments\":\":2}\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        ))
        .unwrap();
        let calls: Vec<(&str, &str)> = reply
            .tool_calls
            .iter()
            .map(|call| (call.name.as_str(), call.arguments.as_str()))
            .collect();
        // Without an index, a piece with a name starts a call and one without continues it.
        assert_eq!(calls, [("a", "{\"x\":1}"), ("b", "{\"y\":2}")]);
        assert_eq!(reply.finish_reason, FinishReason::ToolCalls);

        let reply = decode(concat!(
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"b\",\"arguments\":\"{\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"b\",\"arguments\":\"}\"}}]}}]}\n\n",
            "data: [DONE]\n\n",
        ))
        .unwrap();
        assert_eq!(reply.tool_calls.len(), 1);
        assert_eq!(reply.tool_calls[0].name, "b");
        assert_eq!(reply.tool_calls[0].arguments, "{}");
    }

    #[test]
    fn cut_short_garbage_and_errors() {
        let truncated = "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n";
        assert_eq!(
            decode(truncated).unwrap_err(),
            ModelError::Protocol("the stream ended before the reply was complete".into())
        );
        assert!(matches!(
            decode("data: {\"choices\":[{\"delta\":{\"content\":\"Hel"),
            Err(ModelError::Protocol(_))
        ));
        assert!(matches!(
            decode("data: not json\n\n"),
            Err(ModelError::Protocol(_))
        ));
        assert_eq!(
            decode("data: {\"error\":{\"message\":\"overloaded\"}}\n\n").unwrap_err(),
            ModelError::Other("the endpoint reported an error mid-stream: overloaded".into())
        );
        // A finish reason and then the end, without `[DONE]`: complete.
        let reply = decode(
            "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"length\"}]}\n\n",
        )
        .unwrap();
        assert_eq!(reply.finish_reason, FinishReason::Length);
    }
}
