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

/// What one piece of a stream gave: its deltas, then the error that ended the stream, if
/// any (the deltas of the events before a bad one are delivered, not dropped with it).
#[derive(Debug, Default)]
pub(crate) struct Step {
    /// The deltas the piece completed, in order.
    pub(crate) deltas: Vec<ChatDelta>,
    /// The error after them, which ends the stream.
    pub(crate) error: Option<ModelError>,
    /// The error is the stream's end coming before the reply was complete (the reader's
    /// [`end`](EventReader::end)), not a bad event: a cut another attempt may not meet.
    pub(crate) cut_short: bool,
}

/// Bytes of a stream, cut anywhere, through the SSE parser into `R`; `default()` is a
/// decoder at the start of a stream.
#[derive(Debug, Default)]
pub(crate) struct SseDecoder<R> {
    sse: SseParser,
    reader: R,
    produced: bool,
    /// How many events were read: a stream's progress (comments are not events).
    events: u64,
    /// The error that ended the stream: returned again by every later call.
    failed: Option<ModelError>,
}

impl<R: EventReader> SseDecoder<R> {
    /// Feeds the next bytes of the stream; returns the deltas they complete.
    ///
    /// When the bytes complete good events and then a bad one, the good events' deltas
    /// come back now and the error on the next call.
    ///
    /// # Errors
    ///
    /// The reader's, and [`ModelError::Protocol`] when an event grows past 16 MiB.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Result<Vec<ChatDelta>, ModelError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        Self::deliver(self.feed(bytes))
    }

    /// Ends the stream: the last event even without its blank line, then the reader's
    /// [`end`](EventReader::end) unless the reply was already complete. An error wins
    /// over the deltas before it here: there is no later call to report it.
    pub(crate) fn finish(&mut self) -> Result<Vec<ChatDelta>, ModelError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let step = self.end();
        match step.error {
            Some(error) => Err(error),
            None => Ok(step.deltas),
        }
    }

    /// The deltas of `step`, or its error when it has no deltas to deliver first (the
    /// error is kept in `failed` for the next call either way).
    fn deliver(step: Step) -> Result<Vec<ChatDelta>, ModelError> {
        match step.error {
            Some(error) if step.deltas.is_empty() => Err(error),
            _ => Ok(step.deltas),
        }
    }

    /// Feeds the next bytes of the stream: the deltas they complete, and the error after
    /// them, if any.
    pub(crate) fn feed(&mut self, bytes: &[u8]) -> Step {
        let mut step = Step::default();
        if self.reader.is_done() || self.failed.is_some() {
            return step;
        }
        let events = self.sse.push(bytes);
        let mut result = self.read(events, &mut step.deltas);
        if result.is_ok() && self.sse.buffered() > MAX_EVENT_BYTES {
            result = Err(ModelError::Protocol(format!(
                "a stream event grew past {MAX_EVENT_BYTES} bytes"
            )));
        }
        self.fail(&mut step, result, false);
        step
    }

    /// Ends the stream: the last event even without its blank line, then the reader's
    /// [`end`](EventReader::end) unless the reply was already complete.
    pub(crate) fn end(&mut self) -> Step {
        let mut step = Step::default();
        if self.reader.is_done() || self.failed.is_some() {
            return step;
        }
        let last = self.sse.finish();
        let result = self.read(last, &mut step.deltas);
        if result.is_err() {
            self.fail(&mut step, result, false);
            return step;
        }
        if !self.reader.is_done() {
            let end = self.reader.end(&mut step.deltas);
            self.produced |= has_content(&step.deltas);
            self.fail(&mut step, end, true);
        }
        step
    }

    /// Records `result`'s error in `step` and as the stream's end.
    fn fail(&mut self, step: &mut Step, result: Result<(), ModelError>, cut_short: bool) {
        if let Err(error) = result {
            self.failed = Some(error.clone());
            step.error = Some(error);
            step.cut_short = cut_short;
        }
    }

    /// Whether the reply is complete.
    pub(crate) fn is_done(&self) -> bool {
        self.reader.is_done()
    }

    /// Whether any delta of the reply itself came out yet (after one, a failed stream
    /// cannot be retried).
    pub(crate) fn has_produced(&self) -> bool {
        self.produced
    }

    /// How many events were read so far (comments and blank lines are none).
    pub(crate) fn events(&self) -> u64 {
        self.events
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
            self.events = self.events.saturating_add(1);
            result = self.reader.event(event, deltas);
            if result.is_err() {
                break;
            }
        }
        self.produced |= has_content(deltas);
        result
    }
}

/// Whether `deltas` hold any of the reply itself. Which reply it is
/// ([`ChatDelta::Metadata`]) is not: a stream that failed after saying only that is
/// retried as if nothing had come.
fn has_content(deltas: &[ChatDelta]) -> bool {
    deltas
        .iter()
        .any(|delta| !matches!(delta, ChatDelta::Metadata { .. }))
}
