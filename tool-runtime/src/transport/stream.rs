//! A streamed reply: opened with retries, read with an idle timeout, decoded by the
//! provider's [`EventReader`], retried only while nothing has come out.

use std::collections::VecDeque;

use futures_util::stream::{self, BoxStream, StreamExt};
use reqwest::header::{self, HeaderMap};

use super::events::{EventReader, SseDecoder};
use super::send::{Failure, Request, Transport};
use crate::chat::{ChatDelta, ChatResponse, ModelError};

/// Reads a whole (non-streamed) reply; what a stream request gets from a server that
/// ignored `stream: true`.
pub(crate) type ParseWhole = fn(&[u8]) -> Result<ChatResponse, ModelError>;

impl Transport {
    /// Sends `request` for a stream and reads it through an `R` as it arrives. The stream
    /// must start within the timeout and never go quiet for longer; it is retried as a whole
    /// reply would be until its first delta, and not after. A server that answers with a
    /// whole JSON reply instead is read with `whole` and streamed as its deltas.
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
    pending: VecDeque<ChatDelta>,
    ended: bool,
}

impl<R: EventReader + Default> Streaming<'_, R> {
    async fn next(&mut self) -> Option<Result<ChatDelta, ModelError>> {
        let timeout = self.transport.timeout;
        loop {
            if let Some(delta) = self.pending.pop_front() {
                return Some(Ok(delta));
            }
            if self.ended {
                return None;
            }
            let step = match self.response.as_mut() {
                None => self.open().await,
                Some(response) => match tokio::time::timeout(timeout, response.chunk()).await {
                    Ok(Ok(Some(bytes))) => self.decoder.push(&bytes).map_err(Failure::fatal),
                    Ok(Ok(None)) => {
                        self.ended = true;
                        self.decoder.finish().map_err(Failure::fatal)
                    }
                    Ok(Err(error)) => Err(Failure::http(error)),
                    Err(_) => Err(Failure::transient(ModelError::Transport(format!(
                        "the stream went quiet for {timeout:?}"
                    )))),
                },
            };
            match step {
                Ok(deltas) => {
                    self.pending.extend(deltas);
                    if self.decoder.is_done() {
                        // The reply is complete: stop reading, whether or not the server
                        // hangs up.
                        self.ended = true;
                        self.response = None;
                    }
                }
                Err(failure) => {
                    self.response = None;
                    // Retried only while nothing has been emitted.
                    let retry = !self.decoder.has_produced()
                        && self
                            .transport
                            .wait_to_retry(&mut self.attempts, &failure)
                            .await;
                    if !retry {
                        self.ended = true;
                        return Some(Err(failure.error));
                    }
                    self.decoder = SseDecoder::default();
                    self.ended = false;
                }
            }
        }
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
                    let bytes = response.bytes().await.map_err(Failure::http)?;
                    let reply = whole(&bytes).map_err(Failure::fatal)?;
                    Ok(Opened::Whole(reply))
                })
            })
            .await
            .map_err(Failure::fatal)?;
        match opened {
            Opened::Stream(response) => {
                self.response = Some(response);
                Ok(Vec::new())
            }
            Opened::Whole(reply) => {
                self.ended = true;
                Ok(reply.into_deltas())
            }
        }
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
