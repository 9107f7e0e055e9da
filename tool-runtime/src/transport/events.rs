//! A streamed reply's bytes to [`ChatDelta`]s: SSE framing here, the provider's events in
//! an [`EventReader`].

use crate::chat::{ChatDelta, ModelError};
use crate::sse::{SseEvent, SseParser};

/// The most bytes an unfinished line or event may hold: far more than any real event, and
/// a bound on what a runaway server can make the client buffer.
const MAX_EVENT_BYTES: usize = 16 << 20;

/// What a provider's stream means: each server-sent event read into [`ChatDelta`]s.
pub(crate) trait EventReader {
    /// Reads one event, adding the deltas it completes to `deltas`.
    ///
    /// # Errors
    ///
    /// The event is not one of the provider's, or reports an error; the stream ends there.
    fn event(&mut self, event: SseEvent, deltas: &mut Vec<ChatDelta>) -> Result<(), ModelError>;

    /// The stream ended before [`is_done`](EventReader::is_done): adds the deltas still
    /// held, or fails when the reply was cut short (never a silently short reply).
    fn end(&mut self, deltas: &mut Vec<ChatDelta>) -> Result<(), ModelError>;

    /// Whether the reply is complete: later events are ignored, and the connection is let
    /// go whether or not the server hangs up.
    fn is_done(&self) -> bool;
}

/// Bytes of a stream, cut anywhere, through the SSE parser into `R`; `default()` is a
/// decoder at the start of a stream.
#[derive(Debug, Default)]
pub(crate) struct SseDecoder<R> {
    sse: SseParser,
    reader: R,
    produced: bool,
}

impl<R: EventReader> SseDecoder<R> {
    /// Feeds the next bytes of the stream; returns the deltas they complete.
    ///
    /// # Errors
    ///
    /// The reader's, and [`ModelError::Protocol`] when an event grows past 16 MiB.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Result<Vec<ChatDelta>, ModelError> {
        let mut deltas = Vec::new();
        if self.reader.is_done() {
            return Ok(deltas);
        }
        let events = self.sse.push(bytes);
        self.read(events, &mut deltas)?;
        if self.sse.buffered() > MAX_EVENT_BYTES {
            return Err(ModelError::Protocol(format!(
                "a stream event grew past {MAX_EVENT_BYTES} bytes"
            )));
        }
        Ok(deltas)
    }

    /// Ends the stream: the last event even without its blank line, then the reader's
    /// [`end`](EventReader::end) unless the reply was already complete.
    pub(crate) fn finish(&mut self) -> Result<Vec<ChatDelta>, ModelError> {
        let mut deltas = Vec::new();
        if self.reader.is_done() {
            return Ok(deltas);
        }
        let last = self.sse.finish();
        self.read(last, &mut deltas)?;
        if !self.reader.is_done() {
            let end = self.reader.end(&mut deltas);
            self.produced |= !deltas.is_empty();
            end?;
        }
        Ok(deltas)
    }

    /// Whether the reply is complete.
    pub(crate) fn is_done(&self) -> bool {
        self.reader.is_done()
    }

    /// Whether any delta came out yet (after one, a failed stream cannot be retried).
    pub(crate) fn has_produced(&self) -> bool {
        self.produced
    }

    /// Reads `events` until the reply is complete.
    fn read(
        &mut self,
        events: impl IntoIterator<Item = SseEvent>,
        deltas: &mut Vec<ChatDelta>,
    ) -> Result<(), ModelError> {
        let mut result = Ok(());
        for event in events {
            if self.reader.is_done() {
                break;
            }
            result = self.reader.event(event, deltas);
            if result.is_err() {
                break;
            }
        }
        self.produced |= !deltas.is_empty();
        result
    }
}
