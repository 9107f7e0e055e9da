//! A streamed reply: opened with retries, read with an idle timeout and within a total
//! timeout and a size bound, decoded by the provider's [`EventReader`], retried only while
//! nothing has come out.

use std::collections::VecDeque;

use futures_util::stream::{self, BoxStream, StreamExt};
use reqwest::header::{self, HeaderMap};
use tokio::time::Instant;

use super::body;
use super::events::{EventReader, SseDecoder};
use super::failure::Failure;
use super::send::{Request, Transport};
use crate::chat::{ChatDelta, ChatResponse, ModelError};

/// Reads a whole (non-streamed) reply; what a stream request gets from a server that
/// ignored `stream: true`.
pub(crate) type ParseWhole = fn(&[u8]) -> Result<ChatResponse, ModelError>;

impl Transport {
    /// Sends `request` for a stream and reads it through an `R` as it arrives. The stream
    /// must start within the timeout and never go longer without an event (comments are
    /// not progress), its deltas may hold at most `max_reply_bytes`, and all of it must
    /// come within the total timeout. It is retried as a whole reply would be until its
    /// first delta, and not after, whether it was cut by a transport error or ended early.
    /// A server that answers with a whole JSON reply instead is read with `whole` and
    /// streamed as its deltas.
    pub(crate) fn stream<'a, R>(
        &'a self,
        request: Request<'a>,
        whole: ParseWhole,
    ) -> BoxStream<'a, Result<ChatDelta, ModelError>>
    where
        R: EventReader + Default + Send + 'a,
    {
        let streaming = Streaming {
            transport: self,
            request,
            whole,
            attempts: 0,
            response: None,
            decoder: SseDecoder::<R>::default(),
            pending: VecDeque::new(),
            ended: false,
            deadline: None,
            last_progress: Instant::now(),
            reply_bytes: 0,
        };
        stream::unfold(streaming, |mut streaming| async move {
            let item = streaming.next().await?;
            Some((item, streaming))
        })
        .boxed()
    }
}

/// A stream in progress.
struct Streaming<'a, R> {
    transport: &'a Transport,
    request: Request<'a>,
    whole: ParseWhole,
    attempts: u32,
    response: Option<reqwest::Response>,
    decoder: SseDecoder<R>,
    /// What to hand out next: deltas, then maybe the error that ended the stream.
    pending: VecDeque<Result<ChatDelta, ModelError>>,
    ended: bool,
    /// When the whole request must be over: set when it is first polled; `None` when the
    /// total timeout is too long to be a point in time.
    deadline: Option<Option<Instant>>,
    /// When the stream last made progress (opened, or an event read): the idle timeout
    /// counts from here.
    last_progress: Instant,
    /// The bytes of the deltas handed out so far (text, names, ids, arguments).
    reply_bytes: usize,
}

impl<R: EventReader + Default> Streaming<'_, R> {
    async fn next(&mut self) -> Option<Result<ChatDelta, ModelError>> {
        let total = self.transport.total_timeout;
        let deadline = *self
            .deadline
            .get_or_insert_with(|| Instant::now().checked_add(total));
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.ended {
                return None;
            }
            let advanced = match deadline {
                Some(deadline) => tokio::time::timeout_at(deadline, self.advance())
                    .await
                    .is_ok(),
                None => {
                    self.advance().await;
                    true
                }
            };
            if !advanced {
                // Past the total timeout (a trickling server, or retries that took too
                // long): not retried, there is no time left for it.
                self.response = None;
                self.ended = true;
                self.pending.push_back(Err(self.transport.past_total()));
            }
        }
    }

    /// One step: opens the stream, or reads its next piece; what comes out goes to
    /// `pending`, and a failure ends the stream or starts it again.
    async fn advance(&mut self) {
        let (deltas, failure) = match self.response.as_mut() {
            None => match self.open().await {
                Ok(deltas) => (deltas, None),
                Err(failure) => (Vec::new(), Some(failure)),
            },
            Some(response) => {
                let timeout = self.transport.timeout;
                let quiet = self.last_progress.checked_add(timeout);
                let chunk = match quiet {
                    Some(quiet) => tokio::time::timeout_at(quiet, response.chunk()).await,
                    None => Ok(response.chunk().await),
                };
                match chunk {
                    Ok(Ok(Some(bytes))) => {
                        let events = self.decoder.events();
                        let step = self.decoder.feed(&bytes);
                        if self.decoder.events() > events {
                            self.last_progress = Instant::now();
                        }
                        (step.deltas, step.error.map(Failure::fatal))
                    }
                    Ok(Ok(None)) => {
                        self.ended = true;
                        let step = self.decoder.end();
                        // Cut short before the first delta: as retryable as the same cut
                        // seen as a transport error.
                        let failure = step.error.map(|error| match step.cut_short {
                            true => Failure::transient(error),
                            false => Failure::fatal(error),
                        });
                        (step.deltas, failure)
                    }
                    Ok(Err(error)) => (Vec::new(), Some(Failure::http(error))),
                    Err(_) => (
                        Vec::new(),
                        Some(Failure::transient(ModelError::Transport(format!(
                            "the stream went quiet: no event for {timeout:?}"
                        )))),
                    ),
                }
            }
        };
        let failure = self.hand_out(deltas).or(failure);
        match failure {
            None => {
                if self.decoder.is_done() {
                    // The reply is complete: stop reading, whether or not the server
                    // hangs up.
                    self.ended = true;
                    self.response = None;
                }
            }
            Some(failure) => {
                self.response = None;
                // Retried only while nothing has been handed out.
                let retry = !self.decoder.has_produced()
                    && self.pending.is_empty()
                    && self
                        .transport
                        .wait_to_retry(&mut self.attempts, &failure)
                        .await;
                if retry {
                    self.decoder = SseDecoder::default();
                    self.ended = false;
                } else {
                    self.ended = true;
                    self.pending.push_back(Err(failure.error));
                }
            }
        }
    }

    /// Queues `deltas` while the reply stays within `max_reply_bytes`; the failure that
    /// ends it when one would grow it past.
    fn hand_out(&mut self, deltas: Vec<ChatDelta>) -> Option<Failure> {
        let limit = self.transport.max_reply_bytes;
        for delta in deltas {
            self.reply_bytes = self.reply_bytes.saturating_add(size_of(&delta));
            if self.reply_bytes > limit {
                return Some(Failure::fatal(ModelError::Protocol(format!(
                    "the reply grew past the limit of {limit} bytes \
                     (ClientConfig::with_max_reply_bytes)"
                ))));
            }
            self.pending.push_back(Ok(delta));
        }
        None
    }

    /// Sends the request (retrying as a whole reply would); the deltas of a server that
    /// answered with a whole JSON reply instead of a stream.
    async fn open(&mut self) -> Result<Vec<ChatDelta>, Failure> {
        let transport = self.transport;
        let request = &self.request;
        let whole = self.whole;
        let opened = transport
            .retrying(&mut self.attempts, || {
                transport.timed(async {
                    let response = transport.send(request, true).await?;
                    if !is_json(response.headers()) {
                        return Ok(Opened::Stream(response));
                    }
                    let bytes = body::whole(response, transport.max_reply_bytes).await?;
                    let reply = whole(&bytes).map_err(Failure::fatal)?;
                    Ok(Opened::Whole(reply))
                })
            })
            .await
            .map_err(Failure::fatal)?;
        match opened {
            Opened::Stream(response) => {
                self.response = Some(response);
                self.last_progress = Instant::now();
                Ok(Vec::new())
            }
            Opened::Whole(reply) => {
                self.ended = true;
                Ok(reply.into_deltas())
            }
        }
    }
}

/// The bytes a delta adds to the reply being put together.
fn size_of(delta: &ChatDelta) -> usize {
    match delta {
        ChatDelta::Text(text) => text.len(),
        ChatDelta::ToolCall {
            id,
            name,
            arguments,
            ..
        } => [id.as_deref(), name.as_deref(), Some(arguments.as_str())]
            .into_iter()
            .flatten()
            .map(str::len)
            .fold(0, usize::saturating_add),
        ChatDelta::Metadata { id, model } => [id.as_deref(), model.as_deref()]
            .into_iter()
            .flatten()
            .map(str::len)
            .fold(0, usize::saturating_add),
        _ => 0,
    }
}

/// What a stream request got.
enum Opened {
    /// A stream to read.
    Stream(reqwest::Response),
    /// A whole reply, from a server that does not stream.
    Whole(ChatResponse),
}

/// Whether a response is a whole JSON reply (a server that ignored `stream: true`).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("application/json"))
}
