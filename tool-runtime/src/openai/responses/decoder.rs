//! A streamed Responses reply for those who bring their own transport: bytes in,
//! [`ChatDelta`]s out, as [`crate::openai::StreamDecoder`] does for Chat Completions.

use super::stream::ResponseEvents;
use crate::chat::{ChatDelta, ModelError};
use crate::transport::SseDecoder;

/// Turns the bytes of a streamed Responses API reply (`"stream": true` on `/v1/responses`)
/// into [`ChatDelta`]s as they arrive, fed in pieces cut anywhere: the decoder
/// [`ResponsesClient`](crate::openai::ResponsesClient) reads its streams with.
///
/// Text deltas come out as they arrive; a function call's id (its `call_id`) and name come
/// with `response.output_item.added`, its arguments with the
/// `response.function_call_arguments.*` events, interleaved with other calls' as they may
/// be. `response.completed` or `response.incomplete` closes the reply with its usage and
/// finish reason; `response.failed` and `error` events are errors. A stream that ends
/// before the reply is complete is an error, never a silently short reply.
///
/// ```
/// use tool_runtime::chat::{FinishReason, ResponseBuilder};
/// use tool_runtime::openai::ResponsesStreamDecoder;
///
/// let stream = concat!(
///     "event: response.output_item.added\n",
///     "data: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":",
///     "{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"add\",\"arguments\":\"\"}}\n\n",
///     "data: {\"type\":\"response.function_call_arguments.delta\",\"output_index\":0,",
///     "\"delta\":\"{\\\"a\\\": 1}\"}\n\n",
///     "data: {\"type\":\"response.completed\",\"response\":{\"status\":\"completed\",",
///     "\"output\":[],\"usage\":{\"input_tokens\":20,\"output_tokens\":9}}}\n\n",
/// );
/// let mut decoder = ResponsesStreamDecoder::new();
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
/// assert_eq!((reply.tool_calls[0].id.as_str(), reply.tool_calls[0].arguments.as_str()), ("call_1", r#"{"a": 1}"#));
/// assert_eq!(reply.finish_reason, FinishReason::ToolCalls);
/// # Ok::<(), tool_runtime::chat::ModelError>(())
/// ```
#[derive(Debug, Default)]
pub struct ResponsesStreamDecoder(SseDecoder<ResponseEvents>);

impl ResponsesStreamDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next bytes of the stream; returns the deltas they complete.
    ///
    /// # Errors
    ///
    /// [`ModelError::Protocol`] when an event is not JSON, or an event grows past 16 MiB;
    /// [`ModelError::Other`] when the server reports a failure or an error in the stream.
    /// After an error the stream is unusable.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<ChatDelta>, ModelError> {
        self.0.push(bytes)
    }

    /// Ends the stream: the deltas still held, or an error when the reply was cut short.
    ///
    /// # Errors
    ///
    /// [`ModelError::Protocol`] when the stream ended before `response.completed` or
    /// `response.incomplete`, or its last event is not JSON; [`ModelError::Other`] when
    /// that event is a failure or an error.
    pub fn finish(&mut self) -> Result<Vec<ChatDelta>, ModelError> {
        self.0.finish()
    }

    /// Whether the reply is complete; later bytes are ignored.
    pub fn is_done(&self) -> bool {
        self.0.is_done()
    }

    /// Whether any delta of the reply itself came out yet (its id and model are not).
    pub fn has_produced(&self) -> bool {
        self.0.has_produced()
    }
}
