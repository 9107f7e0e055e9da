//! What a model is asked.

use crate::chat::Message;
use crate::definition::ToolDefinition;
use crate::registry::ToolRegistry;

/// Which tool, if any, the model must call. In a run, a forced choice holds until the
/// model has made its calls, then is back to `Auto`, so the loop cannot spin.
///
/// ```
/// use std::sync::Arc;
/// use tool_runtime::{tool, ToolRegistry};
/// use tool_runtime::chat::{Message, RequestOptions, ToolChoice};
/// use tool_runtime::run::{Assistant, RunOptions, Thread};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// /// Get the time.
/// #[tool]
/// fn get_time() -> &'static str { "12:00" }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(GetTime)?;
/// let model = Arc::new(ScriptedModel::new([
///     ScriptedReply::tool_calls([("get_time", "")]),
///     ScriptedReply::text("It is noon."),
/// ]));
/// let forced = RequestOptions::default().with_tool_choice(ToolChoice::Tool("get_time".into()));
/// let assistant = Assistant::from_shared(model.clone(), Arc::new(registry))
///     .with_options(RunOptions::default().with_request(forced));
/// let run = assistant.run(Thread::from(vec![Message::user("Time?")])).await;
///
/// assert_eq!(run.answer(), Some("It is noon."));
/// let choices: Vec<ToolChoice> = model.requests().into_iter().map(|request| request.tool_choice).collect();
/// assert_eq!(choices, [ToolChoice::Tool("get_time".into()), ToolChoice::Auto]);
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolChoice {
    /// The model decides.
    #[default]
    Auto,
    /// No tool calls.
    None,
    /// At least one tool call.
    Required,
    /// A call of this tool.
    Tool(String),
}

/// One request to a model: the thread so far and the tools it may call. It borrows both,
/// so asking costs no copy of a long thread.
///
/// ```
/// use tool_runtime::ToolRegistry;
/// use tool_runtime::chat::{ChatRequest, Message, RequestOptions, ToolChoice};
///
/// let thread = [Message::user("Hello")];
/// let registry = ToolRegistry::new();
/// let options = RequestOptions::default().with_max_tokens(200);
/// let request = ChatRequest::new(&thread).with_tools(&registry).with_options(options);
/// assert_eq!(request.options.tool_choice, ToolChoice::Auto);
/// assert_eq!(request.options.max_tokens, Some(200));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ChatRequest<'a> {
    /// The thread, oldest first.
    pub messages: &'a [Message],
    /// The tools the model may call; each client exports them in its provider's format.
    pub tools: Vec<&'a ToolDefinition>,
    /// How the model may answer: tool choice, parallel calls, length.
    pub options: RequestOptions,
}

impl<'a> ChatRequest<'a> {
    /// A request with the thread `messages`, no tools and default options.
    pub fn new(messages: &'a [Message]) -> Self {
        Self {
            messages,
            tools: Vec::new(),
            options: RequestOptions::default(),
        }
    }

    /// Offers every tool of `registry`.
    pub fn with_tools(mut self, registry: &'a ToolRegistry) -> Self {
        self.tools = registry.definitions().collect();
        self
    }

    /// Asks with `options`.
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }
}

/// How a model may answer one request, whatever the provider: which tool it must call,
/// whether it may call several at once, and how long the reply may be. A
/// [`ChatRequest`] carries one; an assistant's [`RunOptions`](crate::run::RunOptions)
/// carry the one every request of a run starts from.
///
/// ```
/// use tool_runtime::chat::{RequestOptions, ToolChoice};
///
/// let options = RequestOptions::default().with_max_tokens(200).with_parallel_tool_calls(false);
/// assert_eq!(options.tool_choice, ToolChoice::Auto);
/// assert_eq!((options.max_tokens, options.parallel_tool_calls), (Some(200), Some(false)));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Which tool, if any, the model must call (default: the model decides).
    pub tool_choice: ToolChoice,
    /// Whether the model may make several calls in one reply (default `None`: the
    /// provider's default).
    pub parallel_tool_calls: Option<bool>,
    /// The most tokens the reply may have (default `None`: the provider's default, or
    /// the client's where the provider needs one).
    pub max_tokens: Option<u32>,
}

impl RequestOptions {
    /// Sets which tool, if any, the model must call.
    pub fn with_tool_choice(mut self, choice: ToolChoice) -> Self {
        self.tool_choice = choice;
        self
    }

    /// Allows or forbids several calls in one reply.
    pub fn with_parallel_tool_calls(mut self, parallel: bool) -> Self {
        self.parallel_tool_calls = Some(parallel);
        self
    }

    /// Caps the reply's length.
    pub fn with_max_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = Some(max_tokens);
        self
    }
}
