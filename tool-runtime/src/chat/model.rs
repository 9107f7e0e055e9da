//! The seam between the assistant loop and a provider.

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt};

use crate::chat::{ChatDelta, ChatRequest, ChatResponse};

/// A model the assistant loop can talk to.
///
/// Implement [`complete`](ChatModel::complete); implement [`stream`](ChatModel::stream) too
/// when the provider streams (the default streams the whole reply as one set of deltas),
/// and [`provider`](ChatModel::provider) and [`model`](ChatModel::model) for the loop's
/// traces to name them. A wrapper around another model forwards all four.
///
/// ```
/// use tool_runtime::ToolRegistry;
/// use tool_runtime::chat::{BoxFuture, ChatModel, ChatRequest, ChatResponse, Message, ModelError};
/// use tool_runtime::run::{Assistant, Thread};
///
/// /// A model that repeats the last thing it was told.
/// struct Echo;
///
/// impl ChatModel for Echo {
///     fn complete<'a>(&'a self, request: ChatRequest<'a>) -> BoxFuture<'a, Result<ChatResponse, ModelError>> {
///         let last = match request.messages.last() {
///             Some(Message::User { content }) => content.clone(),
///             _ => String::new(),
///         };
///         Box::pin(async move { Ok(ChatResponse::text(last)) })
///     }
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// // The default `stream` streams the whole reply: the assistant loop runs on it.
/// let run = Assistant::new(Echo, ToolRegistry::new())
///     .run(Thread::from(vec![Message::user("Hello?")]))
///     .await;
/// assert_eq!(run.answer(), Some("Hello?"));
/// # });
/// ```
pub trait ChatModel: Send + Sync {
    /// The model's whole reply to `request`.
    fn complete<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxFuture<'a, Result<ChatResponse, ModelError>>;

    /// The model's reply to `request` as it is generated.
    fn stream<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxStream<'a, Result<ChatDelta, ModelError>> {
        stream::once(self.complete(request))
            .flat_map(|reply| {
                let deltas = match reply {
                    Ok(response) => response.into_deltas().into_iter().map(Ok).collect(),
                    Err(error) => vec![Err(error)],
                };
                stream::iter(deltas)
            })
            .boxed()
    }

    /// Who serves the model, for traces: OpenTelemetry's `gen_ai.provider.name`
    /// (`"openai"`, `"anthropic"`, or a name of your own). `None` (the default) leaves it
    /// out of the loop's spans.
    ///
    /// The HTTP clients say who they are (the OpenAI clients `"openai"` and their
    /// configured model, whichever server they talk to); a scripted model says
    /// `"scripted"`:
    ///
    /// ```
    /// use tool_runtime::chat::ChatModel;
    /// use tool_runtime::testing::ScriptedModel;
    ///
    /// let model = ScriptedModel::default();
    /// assert_eq!((model.provider(), model.model()), (Some("scripted"), None));
    /// let model = ScriptedModel::default().with_model("replayed-gpt-4o");
    /// assert_eq!(model.model(), Some("replayed-gpt-4o"));
    /// ```
    fn provider(&self) -> Option<&str> {
        None
    }

    /// The model requests ask for, for traces: OpenTelemetry's `gen_ai.request.model`.
    /// `None` (the default) leaves it out of the loop's spans.
    fn model(&self) -> Option<&str> {
        None
    }
}

/// Why a model gave no reply. The message is the provider's, not a bare status.
///
/// ```
/// use tool_runtime::chat::ModelError;
///
/// let error = ModelError::Status { status: 401, message: "Incorrect API key provided".into() };
/// assert_eq!(error.to_string(), "the model's endpoint answered 401: Incorrect API key provided");
/// let error = ModelError::Transport("operation timed out".into());
/// assert_eq!(error.to_string(), "could not reach the model: operation timed out");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The endpoint refused the request or failed (`status`, and the body's message).
    #[error("the model's endpoint answered {status}: {message}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// What the body said.
        message: String,
    },
    /// The endpoint could not be reached, or did not answer in time.
    #[error("could not reach the model: {0}")]
    Transport(String),
    /// The answer was not in the provider's format.
    #[error("the model's answer could not be read: {0}")]
    Protocol(String),
    /// The request was not sent: it sets an option the provider's API does not have (the
    /// message names the option and the provider), an option's value cannot be sent (a
    /// temperature that is not a finite number), or an extra body field is one the client
    /// writes itself. Not retried: the same request would fail the same way.
    #[error("the request was not sent: {0}")]
    InvalidRequest(String),
    /// Anything else (a scripted model out of replies, say).
    #[error("{0}")]
    Other(String),
}

impl ModelError {
    /// What kind of failure this is, in a few words a dashboard can group by: the HTTP
    /// status (`"429"`), `"transport"`, `"protocol"`, `"invalid_request"`, or `"_OTHER"`
    /// (OpenTelemetry's name for any other). The loop's spans carry it as `error.type`.
    ///
    /// ```
    /// use tool_runtime::chat::ModelError;
    ///
    /// let error = ModelError::Status { status: 429, message: "Rate limit reached".into() };
    /// assert_eq!(error.kind(), "429");
    /// assert_eq!(ModelError::Transport("timed out".into()).kind(), "transport");
    /// ```
    pub fn kind(&self) -> std::borrow::Cow<'static, str> {
        // Borrowed but for a status: spans ask for it on every failed request.
        match self {
            Self::Status { status, .. } => status.to_string().into(),
            Self::Transport(_) => "transport".into(),
            Self::Protocol(_) => "protocol".into(),
            Self::InvalidRequest(_) => "invalid_request".into(),
            Self::Other(_) => "_OTHER".into(),
        }
    }
}
