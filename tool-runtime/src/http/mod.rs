//! The HTTP machinery the provider clients share: sending a JSON request with the
//! provider's headers, a timeout per attempt, retries with exponential backoff (honouring
//! `Retry-After`, capped), error bodies read into [`ModelError::Status`] with the provider's
//! message, and streamed replies read with an idle timeout and decoded from server-sent
//! events. A client only says what differs: its URL, headers, body, and how its provider
//! words errors and events.
//!
//! How a client uses it:
//!
//! 1. Keep a [`Transport`], made with the provider's [`Dialect`]: where an error body puts
//!    its message (`error_in`, given the parsed JSON) and which statuses are worth another
//!    try (`retryable`; [`transient`] is `429` and every `5xx`, Anthropic's `529`
//!    included). Its public fields `timeout`, `retries`, `backoff` and `max_backoff` are
//!    the client's `with_timeout`, `with_retries` and `with_backoff`.
//! 2. For each request, build a [`Request`]: `Request::post(url, body_bytes)`, then
//!    `.bearer(key)` (OpenAI) or `.secret("x-api-key", key).header("anthropic-version",
//!    ..)` (Anthropic). Content type and `Accept` are set by the transport.
//! 3. A whole reply: `transport.complete(&request, parse).await`, where `parse` reads the
//!    body of a success into what the client returns; a parse error is not retried.
//! 4. A stream: `transport.stream::<R>(request, parse_whole)`, where `R` is the provider's
//!    [`EventReader`] (each [`SseEvent`](crate::sse::SseEvent) into [`ChatDelta`]s, and
//!    when the reply is complete) and `parse_whole` reads a whole JSON reply, for servers
//!    that answer a stream request without streaming. It yields the deltas as they come.
//!
//! [`excerpt`] and [`chain`] put a body and an error chain into an error message.

mod events;
mod stream;
mod transport;

pub(crate) use events::{EventReader, SseDecoder};
pub(crate) use transport::{transient, Dialect, Request, Transport};

#[cfg(doc)]
use crate::{ChatDelta, ModelError};

/// An error and its causes, `: `-separated (reqwest's own text hides the cause).
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The start of a body, as text, for an error message.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const LIMIT: usize = 300;
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}
