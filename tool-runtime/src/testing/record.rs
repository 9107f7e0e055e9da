//! A model wrapper that records every exchange passing through it, secrets scrubbed.

use std::collections::HashSet;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use serde_json::Value;

use crate::call::fresh_call_id;
use crate::chat::{ChatDelta, ChatModel, ChatRequest, ChatResponse, ModelError};

use super::recording::{reply_of_record, reply_record, request_record, Exchange};
use super::redact::Redactor;
use super::{Recording, RecordingError, ScriptedReply};

/// What a stream that the run stopped reading is recorded as ending with.
const CUT_SHORT: &str = "the recorded stream ends here: the run stopped reading it";

/// A [`ChatModel`] that passes every request to `model` and records the exchange: the
/// request (thread, tool definitions, options) and the reply, whole, or for a stream the
/// deltas as they came and the error that ended it, if any. Model errors are recorded
/// too, and replay as the same [`ModelError`].
///
/// **Secrets never reach the recording.** Before an exchange is kept, every text in it
/// (messages, tool definitions, options' `extra_body`, the reply, errors) has these
/// replaced with `[redacted]`: the values of `OPENAI_API_KEY` and `ANTHROPIC_API_KEY` when
/// set in the environment (8 characters or more), anything shaped like an OpenAI or
/// Anthropic key (`sk-` and 16 or more key characters, at the start of a word), the token
/// after `Bearer` (and any whitespace), and the secrets given with [`with_secret`](Self::with_secret). HTTP
/// headers never reach a `ChatModel`, so there are none to record.
///
/// With [`with_file`](Self::with_file), the whole recording is written to the file after
/// each exchange, through a temporary file renamed over it: the file always holds every
/// exchange finished so far, and never half of one. The write is synchronous (a
/// recording is small) and a failure does not fail the run: it is logged, and
/// [`write_error`](Self::write_error) reports it.
///
/// A stream is recorded once it ends, fails, or is dropped (a cancelled or expired run:
/// then it ends with a [`ModelError::Other`] saying so). A tool call's first piece without
/// an id gets one here, as the loop would give it, so the recorded thread and a replayed
/// one have the same ids. Exchanges are kept in the order they finish: record one run at a
/// time. Every exchange stays in memory and each write rewrites the file: a recorder is
/// for a run or a few, not for a server's lifetime.
///
/// ```
/// use tool_runtime::ToolRegistry;
/// use tool_runtime::chat::{Message, RequestOptions};
/// use tool_runtime::run::{Assistant, RunOptions, Thread};
/// use tool_runtime::testing::{Recorder, ScriptedModel, ScriptedReply};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let path = std::env::temp_dir().join(format!("doc-recorder-{}.json", std::process::id()));
/// let recorder = std::sync::Arc::new(
///     Recorder::new(ScriptedModel::new([ScriptedReply::text("Hello!")]))
///         .with_file(&path)
///         .with_secret("my-password"),
/// );
/// let options = RequestOptions::default().with_extra_field("api_key", "my-password");
/// let run = Assistant::from_shared(recorder.clone(), std::sync::Arc::new(ToolRegistry::new()))
///     .with_options(RunOptions::default().with_request(options))
///     .run(Thread::from(vec![Message::user("Hi")]))
///     .await;
/// assert_eq!(run.answer(), Some("Hello!"));
/// assert!(recorder.write_error().is_none());
/// let text = std::fs::read_to_string(&path).unwrap();
/// assert!(text.contains("[redacted]") && !text.contains("my-password"));
/// # std::fs::remove_file(&path).unwrap();
/// # });
/// ```
pub struct Recorder<M: ?Sized = dyn ChatModel> {
    model: Arc<M>,
    redactor: Redactor,
    file: Option<PathBuf>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    recording: Recording,
    write_error: Option<RecordingError>,
    /// Why an exchange is missing from the recording, if one is.
    lost: Option<RecordingError>,
}

impl<M: ?Sized> std::fmt::Debug for Recorder<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl<M: ChatModel> Recorder<M> {
    /// Records what passes through `model`, in memory (see [`with_file`](Self::with_file)).
    pub fn new(model: M) -> Self {
        Self::from_shared(Arc::new(model))
    }
}

impl<M: ChatModel + ?Sized> Recorder<M> {
    /// Records what passes through a shared model (such as an `Arc<dyn ChatModel>`).
    pub fn from_shared(model: Arc<M>) -> Self {
        let mut state = State::default();
        state.recording.set_model(model.provider(), model.model());
        Self {
            model,
            redactor: Redactor::from_env(),
            file: None,
            state: Mutex::new(state),
        }
    }

    /// Also writes the recording to `path` after each exchange (see the type's page),
    /// replacing whatever file was there.
    pub fn with_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// Also replaces `secret` wherever it appears (an empty one is ignored).
    pub fn with_secret(mut self, secret: impl AsRef<str>) -> Self {
        self.redactor.add(secret.as_ref());
        self
    }

    /// The exchanges recorded so far.
    pub fn recording(&self) -> Recording {
        self.lock().recording.clone()
    }

    /// Why the recording is not whole: an exchange that could not be kept (for the rest of
    /// the recorder's life), or else the last write of the file, if it failed (a later
    /// success clears that).
    pub fn write_error(&self) -> Option<RecordingError> {
        let state = self.lock();
        state.lost.clone().or_else(|| state.write_error.clone())
    }
}

// Without `M: ChatModel`: a dropped stream (`Drop` cannot add bounds) records here too.
impl<M: ?Sized> Recorder<M> {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps one exchange, scrubbed, and writes the file.
    fn keep(&self, mut request: Value, reply: ScriptedReply) {
        let reply = match reply {
            ScriptedReply::Stream { deltas, error } => ScriptedReply::Stream {
                deltas: join_split_secrets(&self.redactor, deltas),
                error,
            },
            other => other,
        };
        let mut reply = reply_record(&reply);
        self.redactor.value(&mut request);
        self.redactor.value(&mut reply);
        // Kept as it will read back from the file, so the recording in memory and the
        // file's are the same.
        let exchange =
            reply_of_record(reply).and_then(|reply| Exchange::from_record(request, reply));
        let exchange = match exchange {
            Ok(exchange) => exchange,
            Err(error) => {
                // Scrubbing made it unreadable (a secret that is also a word of the
                // format, say): the recording is not whole, and says so until the end.
                tracing::warn!(%error, "an exchange could not be recorded");
                self.lock().lost = Some(RecordingError::Invalid(format!(
                    "an exchange could not be recorded: {error}"
                )));
                return;
            }
        };
        let mut state = self.lock();
        state.recording.push(exchange);
        if let Some(path) = &self.file {
            state.write_error = state.recording.save(path).err();
            if let Some(error) = &state.write_error {
                tracing::warn!(%error, "the recording was not written");
            }
        }
    }
}

impl<M: ChatModel + ?Sized> ChatModel for Recorder<M> {
    fn complete<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxFuture<'a, Result<ChatResponse, ModelError>> {
        let record = request_record(&request);
        Box::pin(async move {
            let reply = self.model.complete(request).await;
            let kept = match &reply {
                Ok(response) => ScriptedReply::Respond(response.clone()),
                Err(error) => ScriptedReply::Fail(error.clone()),
            };
            self.keep(record, kept);
            reply
        })
    }

    fn stream<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxStream<'a, Result<ChatDelta, ModelError>> {
        let record = request_record(&request);
        Tap {
            inner: self.model.stream(request),
            recorder: self,
            record: Some(record),
            deltas: Vec::new(),
            calls: HashSet::new(),
        }
        .boxed()
    }

    // The wrapped model's, so the loop's spans name the real provider and model.
    fn provider(&self) -> Option<&str> {
        self.model.provider()
    }

    fn model(&self) -> Option<&str> {
        self.model.model()
    }
}

/// A stream passed through, its deltas kept; the exchange is recorded when it ends.
struct Tap<'a, M: ?Sized> {
    inner: BoxStream<'a, Result<ChatDelta, ModelError>>,
    recorder: &'a Recorder<M>,
    /// The request, until the exchange is recorded.
    record: Option<Value>,
    deltas: Vec<ChatDelta>,
    /// The calls (by index) whose first piece has passed.
    calls: HashSet<usize>,
}

impl<M: ?Sized> Tap<'_, M> {
    fn end(&mut self, error: Option<ModelError>) {
        if let Some(record) = self.record.take() {
            let deltas = std::mem::take(&mut self.deltas);
            self.recorder
                .keep(record, ScriptedReply::Stream { deltas, error });
        }
    }
}

impl<M: ChatModel + ?Sized> Stream for Tap<'_, M> {
    type Item = Result<ChatDelta, ModelError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.record.is_none() {
            // Recorded already (after an error): nothing more is passed on.
            return Poll::Ready(None);
        }
        match this.inner.poll_next_unpin(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                this.end(None);
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(error))) => {
                this.end(Some(error.clone()));
                Poll::Ready(Some(Err(error)))
            }
            Poll::Ready(Some(Ok(mut delta))) => {
                if let ChatDelta::ToolCall { index, id, .. } = &mut delta {
                    // The id the loop would make for a call that came without one, made
                    // here instead so that the recording has it.
                    if this.calls.insert(*index) && id.as_deref().is_none_or(str::is_empty) {
                        *id = Some(fresh_call_id());
                    }
                }
                this.deltas.push(delta.clone());
                Poll::Ready(Some(Ok(delta)))
            }
        }
    }
}

impl<M: ?Sized> Drop for Tap<'_, M> {
    fn drop(&mut self) {
        if let Some(record) = self.record.take() {
            let deltas = std::mem::take(&mut self.deltas);
            let error = Some(ModelError::Other(CUT_SHORT.to_owned()));
            self.recorder
                .keep(record, ScriptedReply::Stream { deltas, error });
        }
    }
}

/// The deltas with the pieces of a text or of a call's arguments joined into one when a
/// secret spans two of them: scrubbing piece by piece would miss it.
fn join_split_secrets(redactor: &Redactor, deltas: Vec<ChatDelta>) -> Vec<ChatDelta> {
    // Each group: the text (None), or a call's arguments (Some(index)).
    let mut groups: Vec<Option<usize>> = Vec::new();
    for delta in &deltas {
        let group = match delta {
            ChatDelta::Text(_) => None,
            ChatDelta::ToolCall { index, .. } => Some(*index),
            _ => continue,
        };
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
    let mut deltas = deltas;
    for group in groups {
        let pieces: Vec<usize> = (0..deltas.len())
            .filter(|at| piece_of(&deltas[*at], group).is_some())
            .collect();
        let whole: String = pieces
            .iter()
            .filter_map(|at| piece_of(&deltas[*at], group))
            .collect();
        let piecewise: String = pieces
            .iter()
            .filter_map(|at| piece_of(&deltas[*at], group))
            .map(|piece| redactor.text(piece))
            .collect();
        if redactor.text(&whole) == piecewise || pieces.len() < 2 {
            continue;
        }
        // The first piece takes the whole text, and the call's id and name wherever they
        // came (a server may send them in a later piece); the others go.
        let first = pieces[0];
        let named = |pick: fn(&ChatDelta) -> Option<&String>| {
            pieces.iter().find_map(|at| pick(&deltas[*at])).cloned()
        };
        let call_id = named(|delta| match delta {
            ChatDelta::ToolCall { id, .. } => id.as_ref(),
            _ => None,
        });
        let call_name = named(|delta| match delta {
            ChatDelta::ToolCall { name, .. } => name.as_ref(),
            _ => None,
        });
        match &mut deltas[first] {
            ChatDelta::Text(text) => *text = whole,
            ChatDelta::ToolCall {
                id,
                name,
                arguments,
                ..
            } => {
                *id = call_id;
                *name = call_name;
                *arguments = whole;
            }
            _ => {}
        }
        let mut at = 0;
        deltas.retain(|_| {
            let keep = at == first || !pieces.contains(&at);
            at += 1;
            keep
        });
    }
    deltas
}

/// The text a delta adds to `group` (the text, or call `index`'s arguments), if any.
fn piece_of(delta: &ChatDelta, group: Option<usize>) -> Option<&str> {
    match (delta, group) {
        (ChatDelta::Text(text), None) => Some(text),
        (
            ChatDelta::ToolCall {
                index, arguments, ..
            },
            Some(group),
        ) if *index == group => Some(arguments),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(id: Option<&str>, name: Option<&str>, arguments: &str) -> ChatDelta {
        ChatDelta::ToolCall {
            index: 0,
            id: id.map(str::to_owned),
            name: name.map(str::to_owned),
            arguments: arguments.to_owned(),
        }
    }

    #[test]
    fn a_secret_split_across_pieces_is_joined_keeping_the_calls_id_and_name() {
        let redactor = Redactor::default();
        // The name and id come in the second piece, as some servers send them.
        let deltas = vec![
            piece(None, None, r#"{"key": "sk-proj-abcd"#),
            piece(Some("call_1"), Some("login"), r#"efghijklmnop1234"}"#),
            ChatDelta::Finish(crate::chat::FinishReason::ToolCalls),
        ];
        let joined = join_split_secrets(&redactor, deltas);
        assert_eq!(
            joined,
            [
                piece(
                    Some("call_1"),
                    Some("login"),
                    r#"{"key": "sk-proj-abcdefghijklmnop1234"}"#
                ),
                ChatDelta::Finish(crate::chat::FinishReason::ToolCalls),
            ]
        );
        // Pieces that hold no secret between them stay as they came.
        let clean = vec![
            piece(Some("call_2"), Some("lookup"), r#"{"city": "#),
            piece(None, None, r#""Oslo"}"#),
        ];
        assert_eq!(join_split_secrets(&redactor, clean.clone()), clean);
    }
}
