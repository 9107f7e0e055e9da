//! What the provider clients share: [`ClientConfig`], the settings each is made from
//! (endpoint, model, key, timeout, retries and backoff, schema form), and the HTTP layer
//! they send with (retries honouring `Retry-After`, timeouts per attempt and between the
//! pieces of a stream, error bodies read into
//! [`ModelError::Status`](crate::chat::ModelError::Status), server-sent events decoded).
//! Behind the `openai` or `anthropic` feature.

// For the clients' authors (crate-internal):
// **API in one paragraph.** `Transport::new(ErrorPolicy { error_in, retryable })` holds a
// reqwest client and the pub(crate) fields `timeout` (per attempt; for streams, to the
// start and then between events: comments do not count), `total_timeout` (the whole
// request, retries included; default 10 min), `max_reply_bytes` (a whole body, or a
// stream's deltas together; default 16 MiB; error bodies are read up to 64 KiB),
// `retries`, `backoff` and `max_backoff` (defaults 60 s, 3, 500 ms, 30 s); `ErrorPolicy::error_in: fn(&serde_json::Value) -> Option<String>` finds
// the message in an error body (the body's text is used when it finds none) and
// `ErrorPolicy::retryable: fn(StatusCode) -> bool` picks the statuses to retry (`transient`:
// `429` and every `5xx`, `529` included). `Request::post(url: &str, body: Vec<u8>)`
// `.bearer(key)` / `.secret(name, value)` / `.header(name, value)` (lower-case names;
// an invalid value fails the request, naming the header, not its value) is one request.
// `transport.complete(&request, parse).await -> Result<T, ModelError>` sends it, reads
// the whole body within the timeout, retries transient failures (`Retry-After` and
// `retry-after-ms` honoured, capped at `max_backoff`), turns an error status into
// `ModelError::Status { status, message }` and a success into `parse(&bytes)` (its error
// is final). `transport.stream::<R>(request, parse_whole) -> BoxStream<Result<ChatDelta,
// ModelError>>` streams it: `R: EventReader + Default + Send` turns each
// `SseEvent` into `ChatDelta`s (`event`), says when the reply is
// complete (`is_done`: the connection is then let go) and what an early end means
// (`end`: usually an error); the stream is retried until its first delta, never after,
// and `parse_whole` reads a whole JSON reply from a server that did not stream.
// `excerpt` and `chain` put a body and an error's causes into a message.
//
// The HTTP machinery the provider clients share: sending a JSON request with the
// provider's headers, a timeout per attempt, retries with exponential backoff (honouring
// `Retry-After`, capped), error bodies read into `ModelError::Status` with the provider's
// message, and streamed replies read with an idle timeout and decoded from server-sent
// events. A client only says what differs: its URL, headers, body, and how its provider
// words errors and events.
//
// How a client uses it:
//
// 1. Keep a `Transport`, made with the provider's `ErrorPolicy`: where an error body puts
//    its message (`error_in`, given the parsed JSON) and which statuses are worth another
//    try (`retryable`; `transient` is `429` and every `5xx`, Anthropic's `529`
//    included). Its public fields `timeout`, `retries`, `backoff` and `max_backoff` are
//    the client's `with_timeout`, `with_retries` and `with_backoff`.
// 2. For each request, build a `Request`: `Request::post(url, body_bytes)`, then
//    `.bearer(key)` (OpenAI) or `.secret("x-api-key", key).header("anthropic-version",
//    ..)` (Anthropic). Content type and `Accept` are set by the transport.
// 3. A whole reply: `transport.complete(&request, parse).await`, where `parse` reads the
//    body of a success into what the client returns; a parse error is not retried.
// 4. A stream: `transport.stream::<R>(request, parse_whole)`, where `R` is the provider's
//    `EventReader` (each `SseEvent` into `ChatDelta`s, and
//    when the reply is complete) and `parse_whole` reads a whole JSON reply, for servers
//    that answer a stream request without streaming. It yields the deltas as they come.

mod body;
mod config;
mod events;
mod failure;
mod options;
mod send;
mod stream;

pub use config::ClientConfig;
pub(crate) use config::{env_vars, is_http_url, read_var};
pub(crate) use events::{EventReader, SseDecoder};
pub(crate) use options::{insert_extra, insert_sampling, refuse_if};
pub(crate) use send::{transient, ErrorPolicy, Request, Transport};

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

/// Which reply `object` is (a chunk, a message, a response): its `id` and `model`, the
/// names every provider gives them, as a [`ChatDelta::Metadata`]; none when it has
/// neither. Each is cut to 256 bytes: real ones are far shorter, and they end up in
/// traces.
pub(crate) fn metadata_of(object: &serde_json::Value) -> Option<crate::chat::ChatDelta> {
    const LIMIT: usize = 256;
    let field = |key: &str| {
        let text = object.get(key)?.as_str()?;
        let mut end = text.len().min(LIMIT);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Some(&text[..end])
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let (id, model) = (field("id"), field("model"));
    (id.is_some() || model.is_some()).then_some(crate::chat::ChatDelta::Metadata { id, model })
}
