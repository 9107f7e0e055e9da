//! Playing a recording back, checking that the run asks what it asked when it was
//! recorded.

use std::fmt;
use std::sync::{Mutex, PoisonError};

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt};
use serde_json::Value;

use crate::chat::{ChatDelta, ChatModel, ChatRequest, ChatResponse, ModelError};

use super::recording::request_record;
use super::redact::Redactor;
use super::{RecordedRequest, Recording, ScriptedModel};

/// Values are quoted in a [`ReplayError`] up to this many characters.
const QUOTE_CHARS: usize = 200;

/// A filter every text of both requests passes through before they are compared.
type TextFilter = Box<dyn Fn(&str) -> String + Send + Sync>;

/// Why a replay did not go as recorded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The run asked something other than what was recorded: request `exchange` (from 1)
    /// differs first at `path` (such as `messages[3].content`, or
    /// `tools[0].parameters.properties.name.description`).
    #[error("request {exchange} differs from the recording at {path}: recorded {recorded}, the run sent {sent}")]
    Diverged {
        /// Which request, from 1.
        exchange: usize,
        /// Where in the request, as in the file: `messages[3].content`.
        path: String,
        /// The recorded value there, as JSON (cut to 200 characters), or `nothing`.
        recorded: String,
        /// The run's value there, as JSON (cut to 200 characters), or `nothing`.
        sent: String,
    },
    /// The run asked more often than the recording has exchanges.
    #[error("the run made request {asked}, but the recording has only {recorded} exchanges")]
    TooMany {
        /// The request that had no exchange, from 1.
        asked: usize,
        /// How many the recording has.
        recorded: usize,
    },
    /// The run ended having asked fewer times than the recording has exchanges.
    #[error("the run made {asked} requests, but the recording has {recorded} exchanges")]
    TooFew {
        /// How many the run made.
        asked: usize,
        /// How many the recording has.
        recorded: usize,
    },
}

/// A model that replays a [`Recording`]: each request gets the next recorded reply (a
/// streamed one as the same deltas, an error as the same [`ModelError`], tool call ids as
/// recorded), after a check that the request is the recorded one: the same thread, tool
/// definitions and options. A run that asks something else gets a [`ModelError::Other`]
/// naming the first difference (the run fails), and [`finish`](Self::finish) reports it,
/// so a regression test fails when the loop changes what it sends.
///
/// The run's requests are scrubbed as a [`Recorder`](super::Recorder) scrubs them before
/// they are compared (a key in the environment now reads `[redacted]`, as in the file);
/// give any secret the recorder was given with [`with_secret`](Self::with_secret). Texts
/// that differ from run to run by nature (timestamps a tool returns, say) can be evened
/// out with [`with_text_filter`](Self::with_text_filter).
///
/// ```
/// use std::sync::Arc;
/// use tool_runtime::ToolRegistry;
/// use tool_runtime::chat::Message;
/// use tool_runtime::run::{Assistant, RunStatus, Thread};
/// use tool_runtime::testing::{Recorder, Replay, ReplayError, ScriptedModel, ScriptedReply};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// // Recorded once (against a real model, in a real test)...
/// let recorder = Arc::new(Recorder::new(ScriptedModel::new([ScriptedReply::text("Hello!")])));
/// Assistant::from_shared(recorder.clone(), Arc::new(ToolRegistry::new()))
///     .run(Thread::from(vec![Message::user("Hi")]))
///     .await;
/// let recording = recorder.recording();
///
/// // ... replayed: the same run gets the same answer.
/// let replay = Arc::new(Replay::new(&recording));
/// let run = Assistant::from_shared(replay.clone(), Arc::new(ToolRegistry::new()))
///     .run(Thread::from(vec![Message::user("Hi")]))
///     .await;
/// assert_eq!(run.answer(), Some("Hello!"));
/// assert_eq!(replay.finish(), Ok(()));
///
/// // A run that asks something else fails, and says where it differs.
/// let replay = Arc::new(Replay::new(&recording));
/// let run = Assistant::from_shared(replay.clone(), Arc::new(ToolRegistry::new()))
///     .run(Thread::from(vec![Message::user("Hello")]))
///     .await;
/// assert_eq!(run.status(), RunStatus::Failed);
/// assert_eq!(
///     replay.finish().unwrap_err().to_string(),
///     r#"request 1 differs from the recording at messages[0].content: recorded "Hi", the run sent "Hello""#
/// );
/// # });
/// ```
pub struct Replay {
    script: ScriptedModel,
    /// The recorded model's provider and model, which this replay says it is (so a
    /// replayed run's spans name them as the recorded run's did).
    provider: Option<String>,
    model: Option<String>,
    expected: Vec<Value>,
    redactor: Redactor,
    filter: Option<TextFilter>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    asked: usize,
    error: Option<ReplayError>,
}

impl fmt::Debug for Replay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Replay")
            .field("exchanges", &self.expected.len())
            .finish_non_exhaustive()
    }
}

impl Replay {
    /// A model that replays `recording`, checking each request.
    pub fn new(recording: &Recording) -> Self {
        Self {
            script: ScriptedModel::new(recording.replies()),
            provider: recording.provider().map(str::to_owned),
            model: recording.model().map(str::to_owned),
            expected: recording
                .exchanges()
                .iter()
                .map(|exchange| exchange.record.clone())
                .collect(),
            redactor: Redactor::from_env(),
            filter: None,
            state: Mutex::default(),
        }
    }

    /// Also scrubs `secret` from the run's requests before they are compared.
    pub fn with_secret(mut self, secret: impl AsRef<str>) -> Self {
        self.redactor.add(secret.as_ref());
        self
    }

    /// Passes every text of both the recorded and the run's request (every JSON string,
    /// tool outputs and arguments included) through `filter` before they are compared:
    /// for what differs from run to run by nature, such as a timestamp in a tool's output.
    ///
    /// ```
    /// use tool_runtime::testing::{Recording, Replay};
    ///
    /// // Every `2026-12-06T10:00:00Z`-like timestamp reads `<time>`.
    /// let replay = Replay::new(&Recording::default()).with_text_filter(|text| {
    ///     let mut out = String::new();
    ///     let mut rest = text;
    ///     while let Some(at) = rest.find("\"created_at\":\"") {
    ///         let (head, tail) = rest.split_at(at + 14);
    ///         out.push_str(head);
    ///         out.push_str("<time>");
    ///         rest = tail.find('"').map_or("", |end| &tail[end..]);
    ///     }
    ///     out + rest
    /// });
    /// # let _ = replay;
    /// ```
    pub fn with_text_filter(
        mut self,
        filter: impl Fn(&str) -> String + Send + Sync + 'static,
    ) -> Self {
        self.filter = Some(Box::new(filter));
        self
    }

    /// What the model was asked, oldest first (those that matched the recording).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.script.requests()
    }

    /// Whether the replay went as recorded: every request as recorded, and all of the
    /// recording's exchanges asked for. The first difference, if any.
    pub fn finish(&self) -> Result<(), ReplayError> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(error) = &state.error {
            return Err(error.clone());
        }
        if state.asked < self.expected.len() {
            return Err(ReplayError::TooFew {
                asked: state.asked,
                recorded: self.expected.len(),
            });
        }
        Ok(())
    }

    /// Checks the next request against the recording.
    fn check(&self, request: &ChatRequest<'_>) -> Result<(), ModelError> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.asked += 1;
        let asked = state.asked;
        if let Some(error) = &state.error {
            // Once off the recording, nothing after it is meaningful.
            return Err(ModelError::Other(format!("replay stopped: {error}")));
        }
        let Some(expected) = self.expected.get(asked - 1) else {
            let error = ReplayError::TooMany {
                asked,
                recorded: self.expected.len(),
            };
            let message = error.to_string();
            state.error = Some(error);
            return Err(ModelError::Other(message));
        };
        let mut sent = request_record(request);
        self.redactor.value(&mut sent);
        // The recorded side too: a secret this replay scrubs that the recorder did not
        // (the environment differs between machines) must not make the two differ.
        let mut recorded = expected.clone();
        self.redactor.value(&mut recorded);
        if let Some(filter) = &self.filter {
            filter_texts(&mut sent, filter);
            filter_texts(&mut recorded, filter);
        }
        let mut path = String::new();
        if let Some((recorded, sent)) = first_difference(&recorded, &sent, &mut path) {
            let (recorded, sent) = quote_both(recorded, sent);
            let error = ReplayError::Diverged {
                exchange: asked,
                path,
                recorded,
                sent,
            };
            let message = error.to_string();
            state.error = Some(error);
            return Err(ModelError::Other(message));
        }
        Ok(())
    }
}

impl ChatModel for Replay {
    fn complete<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxFuture<'a, Result<ChatResponse, ModelError>> {
        match self.check(&request) {
            Ok(()) => self.script.complete(request),
            Err(error) => Box::pin(async move { Err(error) }),
        }
    }

    fn stream<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxStream<'a, Result<ChatDelta, ModelError>> {
        match self.check(&request) {
            Ok(()) => self.script.stream(request),
            Err(error) => stream::iter([Err(error)]).boxed(),
        }
    }

    fn provider(&self) -> Option<&str> {
        self.provider.as_deref()
    }

    fn model(&self) -> Option<&str> {
        self.model.as_deref()
    }
}

fn filter_texts(value: &mut Value, filter: &TextFilter) {
    match value {
        Value::String(text) => *text = filter(text),
        Value::Array(items) => items.iter_mut().for_each(|item| filter_texts(item, filter)),
        Value::Object(map) => map.values_mut().for_each(|item| filter_texts(item, filter)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// The first place, in the recorded document's order, where `sent` differs from
/// `recorded`: both values there (`None`: nothing there). `path` is left naming it.
fn first_difference<'v>(
    recorded: &'v Value,
    sent: &'v Value,
    path: &mut String,
) -> Option<(Option<&'v Value>, Option<&'v Value>)> {
    match (recorded, sent) {
        (Value::Object(recorded), Value::Object(sent)) => {
            let base = path.len();
            for (key, value) in recorded {
                push_key(path, key);
                match sent.get(key) {
                    None => return Some((Some(value), None)),
                    Some(other) => {
                        if let Some(found) = first_difference(value, other, path) {
                            return Some(found);
                        }
                    }
                }
                path.truncate(base);
            }
            let (key, extra) = sent.iter().find(|(key, _)| !recorded.contains_key(*key))?;
            push_key(path, key);
            Some((None, Some(extra)))
        }
        (Value::Array(recorded), Value::Array(sent)) => {
            let base = path.len();
            for index in 0..recorded.len().max(sent.len()) {
                path.push_str(&format!("[{index}]"));
                match (recorded.get(index), sent.get(index)) {
                    (Some(value), Some(other)) => {
                        if let Some(found) = first_difference(value, other, path) {
                            return Some(found);
                        }
                    }
                    (value, other) => return Some((value, other)),
                }
                path.truncate(base);
            }
            None
        }
        // Integers exactly (a seed near 2^62 is not "about" another); floats up to the last
        // digit a JSON round trip may change.
        (Value::Number(a), Value::Number(b))
            if a == b || ((a.is_f64() || b.is_f64()) && same_float(a.as_f64(), b.as_f64())) =>
        {
            None
        }
        (recorded, sent) if recorded == sent => None,
        (recorded, sent) => Some((Some(recorded), Some(sent))),
    }
}

/// Whether two floats are the same number, but for the last digit a JSON round trip may
/// change.
fn same_float(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= f64::EPSILON * a.abs().max(b.abs()).max(1.0),
        _ => false,
    }
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// Two differing values for a message, as [`quote`] gives them; two long texts are quoted
/// from a little before their first differing character, so the difference shows.
fn quote_both(recorded: Option<&Value>, sent: Option<&Value>) -> (String, String) {
    let (Some(Value::String(a)), Some(Value::String(b))) = (recorded, sent) else {
        return (quote(recorded, 0), quote(sent, 0));
    };
    let same = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    // JSON quoting may lengthen what comes before; counting in the raw text is near enough
    // to keep the difference in view.
    let skip = same.saturating_sub(QUOTE_CHARS / 4);
    (quote(recorded, skip), quote(sent, skip))
}

/// A value for a message: compact JSON, its first `skip` characters left out (`...`
/// says so), cut to [`QUOTE_CHARS`] characters.
fn quote(value: Option<&Value>, skip: usize) -> String {
    let Some(value) = value else {
        return "nothing".to_owned();
    };
    let text = value.to_string();
    let mut quoted = String::new();
    if skip > 0 {
        quoted.push_str("...");
    }
    quoted.extend(text.chars().skip(skip).take(QUOTE_CHARS));
    if text.chars().count() > skip.saturating_add(QUOTE_CHARS) {
        quoted.push_str("...");
    }
    quoted
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn difference(recorded: Value, sent: Value) -> Option<(String, String, String)> {
        let mut path = String::new();
        first_difference(&recorded, &sent, &mut path).map(|(recorded, sent)| {
            let (recorded, sent) = quote_both(recorded, sent);
            (path.clone(), recorded, sent)
        })
    }

    #[test]
    fn the_first_difference_is_named_by_its_path() {
        let recorded = json!({"messages": [{"role": "user", "content": "a"}, {"role": "tool", "content": "x"}], "options": {"max_tokens": 3}});
        assert_eq!(difference(recorded.clone(), recorded.clone()), None);
        let mut sent = recorded.clone();
        sent["messages"][1]["content"] = json!("y");
        sent["options"]["max_tokens"] = json!(4);
        assert_eq!(
            difference(recorded.clone(), sent),
            Some(("messages[1].content".into(), "\"x\"".into(), "\"y\"".into()))
        );
        let mut sent = recorded.clone();
        sent["messages"]
            .as_array_mut()
            .unwrap()
            .push(json!({"role": "user", "content": "more"}));
        assert_eq!(
            difference(recorded.clone(), sent),
            Some((
                "messages[2]".into(),
                "nothing".into(),
                r#"{"role":"user","content":"more"}"#.into()
            ))
        );
        let mut sent = recorded.clone();
        sent["options"]["seed"] = json!(7);
        assert_eq!(
            difference(recorded, sent),
            Some(("options.seed".into(), "nothing".into(), "7".into()))
        );
    }

    #[test]
    fn integers_compare_exactly_and_floats_to_the_last_digit() {
        let big = json!({"seed": 4_611_686_018_427_387_904_i64});
        let next = json!({"seed": 4_611_686_018_427_387_905_i64});
        assert_eq!(
            difference(big, next),
            Some((
                "seed".into(),
                "4611686018427387904".into(),
                "4611686018427387905".into()
            ))
        );
        let third = 0.1_f64 + 0.2;
        assert_eq!(difference(json!({"t": 0.3}), json!({"t": third})), None);
        assert_eq!(difference(json!({"t": 1}), json!({"t": 1.0})), None);
        assert!(difference(json!({"t": 0.3}), json!({"t": 0.31})).is_some());
    }

    #[test]
    fn long_values_are_cut_around_the_difference() {
        let long = "x".repeat(500);
        let quoted = quote(Some(&json!(long)), 0);
        assert_eq!(quoted.chars().count(), QUOTE_CHARS + 3);
        assert!(quoted.starts_with("\"xxx") && quoted.ends_with("..."));

        let recorded = format!("{}A{}", "x".repeat(300), "y".repeat(10));
        let sent = format!("{}B{}", "x".repeat(300), "y".repeat(10));
        let (a, b) = quote_both(Some(&json!(recorded)), Some(&json!(sent)));
        let tail = format!("A{}\"", "y".repeat(10));
        assert!(a.starts_with("...xxx") && a.ends_with(&tail), "{a}");
        assert_eq!(b, a.replace('A', "B"));
        assert_eq!(
            quote_both(Some(&json!(1)), None),
            ("1".to_owned(), "nothing".to_owned())
        );
    }
}
