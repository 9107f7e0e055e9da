//! A model that answers from a script: for tests and offline runs, never mistaken for a
//! real one.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt};

use crate::call::fresh_call_id;
use crate::call::ToolCall;
use crate::chat::{
    ChatDelta, ChatModel, ChatRequest, ChatResponse, Message, ModelError, RequestOptions,
    ResponseBuilder, ToolChoice,
};

/// One reply of a [`ScriptedModel`].
///
/// ```
/// use tool_runtime::{ToolCall, ToolRegistry};
/// use tool_runtime::chat::{ChatResponse, Message, ModelError};
/// use tool_runtime::run::{Assistant, RunStatus, Thread};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let model = ScriptedModel::new([
///     // A call with a chosen id, through a whole response.
///     ChatResponse::tool_calls(vec![ToolCall::new("call_1", "lookup", "{}")]).into(),
///     ScriptedReply::Fail(ModelError::Transport("connection reset".into())),
/// ]);
/// let run = Assistant::new(model, ToolRegistry::new())
///     .run(Thread::from(vec![Message::user("Look it up")]))
///     .await;
/// // The unknown tool's error output went back to the model, which then failed.
/// assert_eq!(run.status(), RunStatus::Failed);
/// assert_eq!(run.last_error().unwrap().message, "could not reach the model: connection reset");
/// assert!(matches!(&run.thread().messages()[2], Message::Tool { tool_call_id, is_error: true, .. } if tool_call_id == "call_1"));
/// # });
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptedReply {
    /// This response.
    Respond(ChatResponse),
    /// This error.
    Fail(ModelError),
    /// These deltas, exactly as given (not split further), then `error` if there is one:
    /// a streamed reply as it came, such as a [`Recording`](super::Recording) keeps. Asked
    /// for a whole reply, the model puts the deltas together (or gives the error).
    Stream {
        /// The pieces, in order.
        deltas: Vec<ChatDelta>,
        /// The error that ended the stream, if one did.
        error: Option<ModelError>,
    },
}

impl ScriptedReply {
    /// A text reply.
    pub fn text(content: impl Into<String>) -> Self {
        Self::Respond(ChatResponse::text(content))
    }

    /// A reply of tool calls, each `(name, arguments)`, with fresh ids.
    pub fn tool_calls<'a>(calls: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let calls = calls
            .into_iter()
            .map(|(name, arguments)| ToolCall::new(fresh_call_id(), name, arguments))
            .collect();
        Self::Respond(ChatResponse::tool_calls(calls))
    }
}

impl From<ChatResponse> for ScriptedReply {
    fn from(response: ChatResponse) -> Self {
        Self::Respond(response)
    }
}

/// What a [`ScriptedModel`] was asked: what a test of an assistant checks it was shown.
///
/// ```
/// use std::sync::Arc;
/// use tool_runtime::{tool, ToolRegistry};
/// use tool_runtime::chat::{Message, ToolChoice};
/// use tool_runtime::run::{Assistant, Thread};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// /// Ping the service.
/// #[tool]
/// fn ping() -> &'static str { "pong" }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(Ping)?;
/// let model = Arc::new(ScriptedModel::new([ScriptedReply::text("Up.")]));
/// let assistant = Assistant::from_shared(model.clone(), Arc::new(registry)).with_instructions("Be brief.");
/// assistant.run(Thread::from(vec![Message::user("Is it up?")])).await;
///
/// let [request] = &model.requests()[..] else { panic!("one request") };
/// assert_eq!(request.messages, [Message::system("Be brief."), Message::user("Is it up?")]);
/// assert_eq!(request.tools, ["ping"]);
/// assert_eq!(request.tool_choice, ToolChoice::Auto);
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The thread it was shown.
    pub messages: Vec<Message>,
    /// The names of the tools it was offered.
    pub tools: Vec<String>,
    /// The tool choice it was given.
    pub tool_choice: ToolChoice,
    /// All of its options (the tool choice among them).
    pub options: RequestOptions,
}

/// A model that gives the replies of its script, in order, and records what it was asked.
/// When the script runs out it fails, so a test that expects fewer turns finds out.
///
/// Streaming splits each reply into small pieces, as a real provider would, so code that
/// renders a stream is exercised.
///
/// ```
/// use tool_runtime::chat::{ChatModel, ChatRequest, Message};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let model = ScriptedModel::new([
///     ScriptedReply::tool_calls([("get_nickname", r#"{"location": "Paris"}"#)]),
///     ScriptedReply::text("Paris is the City of Light."),
/// ]);
/// let thread = [Message::user("What is Paris called?")];
/// let first = model.complete(ChatRequest::new(&thread)).await.unwrap();
/// assert_eq!(first.tool_calls[0].name, "get_nickname");
/// let second = model.complete(ChatRequest::new(&thread)).await.unwrap();
/// assert_eq!(second.content.as_deref(), Some("Paris is the City of Light."));
/// assert!(model.complete(ChatRequest::new(&thread)).await.is_err());
/// assert_eq!(model.requests().len(), 3);
/// # });
/// ```
#[derive(Debug, Default)]
pub struct ScriptedModel {
    replies: Mutex<VecDeque<ScriptedReply>>,
    requests: Mutex<Vec<RecordedRequest>>,
    /// The model it stands in for, if it says (see [`with_model`](Self::with_model)).
    model: Option<String>,
}

impl ScriptedModel {
    /// A model that will give `replies`, in order.
    pub fn new(replies: impl IntoIterator<Item = ScriptedReply>) -> Self {
        Self {
            replies: Mutex::new(replies.into_iter().collect()),
            requests: Mutex::default(),
            model: None,
        }
    }

    /// The same model, naming `model` as the one it is asked for
    /// ([`ChatModel::model`]): for traces of a script that stands in for a real model,
    /// a replayed conversation say. Its provider stays `"scripted"`, so it is never
    /// mistaken for the real one.
    ///
    /// ```
    /// use tool_runtime::chat::ChatModel;
    /// use tool_runtime::testing::ScriptedModel;
    ///
    /// let model = ScriptedModel::default().with_model("gpt-4o-mini");
    /// assert_eq!((model.provider(), model.model()), (Some("scripted"), Some("gpt-4o-mini")));
    /// ```
    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Adds a reply at the end of the script.
    ///
    /// ```
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// let model = ScriptedModel::default();
    /// model.push(ScriptedReply::text("Hi"));
    /// assert_eq!(model.remaining(), 1);
    /// ```
    pub fn push(&self, reply: impl Into<ScriptedReply>) {
        self.replies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(reply.into());
    }

    /// What the model was asked, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many replies are left.
    pub fn remaining(&self) -> usize {
        self.replies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn next(&self, request: &ChatRequest<'_>) -> ScriptedReply {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(RecordedRequest {
                messages: request.messages.to_vec(),
                tools: request
                    .tools
                    .iter()
                    .map(|tool| tool.name().to_owned())
                    .collect(),
                tool_choice: request.options.tool_choice.clone(),
                options: request.options.clone(),
            });
        let reply = self
            .replies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front();
        reply.unwrap_or_else(|| {
            ScriptedReply::Fail(ModelError::Other(
                "the scripted model has no reply left".into(),
            ))
        })
    }
}

impl ChatModel for ScriptedModel {
    fn complete<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxFuture<'a, Result<ChatResponse, ModelError>> {
        let reply = match self.next(&request) {
            ScriptedReply::Respond(response) => Ok(response),
            ScriptedReply::Fail(error) => Err(error),
            ScriptedReply::Stream {
                error: Some(error), ..
            } => Err(error),
            ScriptedReply::Stream {
                deltas,
                error: None,
            } => {
                let mut builder = ResponseBuilder::default();
                for delta in deltas {
                    builder.push(delta);
                }
                Ok(builder.finish())
            }
        };
        Box::pin(async move { reply })
    }

    fn stream<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxStream<'a, Result<ChatDelta, ModelError>> {
        let deltas: Vec<Result<ChatDelta, ModelError>> = match self.next(&request) {
            ScriptedReply::Respond(response) => response
                .into_deltas()
                .into_iter()
                .flat_map(split)
                .map(Ok)
                .collect(),
            ScriptedReply::Fail(error) => vec![Err(error)],
            ScriptedReply::Stream { deltas, error } => {
                deltas.into_iter().map(Ok).chain(error.map(Err)).collect()
            }
        };
        stream::iter(deltas).boxed()
    }

    /// `"scripted"`: a trace of a scripted run says so.
    fn provider(&self) -> Option<&str> {
        Some("scripted")
    }

    fn model(&self) -> Option<&str> {
        self.model.as_deref()
    }
}

/// A delta as the smaller pieces a provider streams: text word by word, arguments a few
/// characters at a time, a call's id and name on its first piece only.
fn split(delta: ChatDelta) -> Vec<ChatDelta> {
    match delta {
        ChatDelta::Text(text) => text
            .split_inclusive(' ')
            .map(|word| ChatDelta::Text(word.to_owned()))
            .collect(),
        ChatDelta::ToolCall {
            index,
            id,
            name,
            arguments,
        } => {
            let mut pieces = vec![ChatDelta::ToolCall {
                index,
                id,
                name,
                arguments: String::new(),
            }];
            let chars: Vec<char> = arguments.chars().collect();
            pieces.extend(chars.chunks(6).map(|chunk| ChatDelta::ToolCall {
                index,
                id: None,
                name: None,
                arguments: chunk.iter().collect(),
            }));
            pieces
        }
        other => vec![other],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_streamed_reply_builds_back_into_the_reply() {
        let script = ScriptedReply::tool_calls([("add", r#"{"a": 1, "b": 22}"#), ("ping", "")]);
        let ScriptedReply::Respond(expected) = script.clone() else {
            unreachable!()
        };
        let model = ScriptedModel::new([script, ScriptedReply::text("The sum is 23.")]);
        let thread = [Message::user("Add 1 and 22")];

        let deltas: Vec<ChatDelta> = model
            .stream(ChatRequest::new(&thread))
            .map(|d| d.unwrap())
            .collect()
            .await;
        assert!(deltas.len() > 4, "streamed in pieces: {deltas:?}");
        let mut builder = ResponseBuilder::default();
        let started: Vec<bool> = deltas
            .into_iter()
            .map(|delta| builder.push(delta))
            .collect();
        assert_eq!(
            started.iter().filter(|s| **s).count(),
            2,
            "each call starts once"
        );
        let mut rebuilt = builder.finish();
        assert_eq!(rebuilt.tool_calls[1].arguments, "{}");
        rebuilt.tool_calls[1].arguments = String::new();
        assert_eq!(rebuilt, expected);

        let text: Vec<ChatDelta> = model
            .stream(ChatRequest::new(&thread))
            .map(|d| d.unwrap())
            .collect()
            .await;
        assert_eq!(
            text[..4],
            [
                ChatDelta::Text("The ".into()),
                ChatDelta::Text("sum ".into()),
                ChatDelta::Text("is ".into()),
                ChatDelta::Text("23.".into())
            ]
        );
    }
}
