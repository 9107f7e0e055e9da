//! A model, the tools it may call, and how to run it.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::chat::{ChatModel, Message, RequestOptions, Usage};
use crate::definition::ToolDefinition;
use crate::live::LiveRegistry;
use crate::registry::ToolRegistry;
use crate::run::{Run, RunStatus, Thread};

/// Whether the run executes tool calls itself.
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use tool_runtime::{tool, State, ToolRegistry};
/// use tool_runtime::chat::Message;
/// use tool_runtime::run::{Assistant, Mode, RunOptions, RunStatus, Thread};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// /// Count a visit.
/// #[tool]
/// fn visit(visits: State<AtomicU32>) -> u32 {
///     visits.fetch_add(1, Ordering::SeqCst) + 1
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let script = || ScriptedModel::new([ScriptedReply::tool_calls([("visit", "")]), ScriptedReply::text("Done.")]);
/// let registry = || -> Result<_, tool_runtime::RegistryError> {
///     let mut registry = ToolRegistry::new().with_state(AtomicU32::new(0));
///     registry.register(Visit)?;
///     Ok(registry)
/// };
/// let thread = || Thread::from(vec![Message::user("Visit")]);
///
/// let run = Assistant::new(script(), registry()?).run(thread()).await;
/// assert_eq!(run.status(), RunStatus::Completed); // the run called the tool itself
///
/// let manual = RunOptions::default().with_mode(Mode::Manual);
/// let run = Assistant::new(script(), registry()?).with_options(manual).run(thread()).await;
/// assert_eq!(run.status(), RunStatus::RequiresAction); // the caller runs it
/// assert_eq!(run.required_action()[0].name, "visit");
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The run dispatches the calls through the registry and goes on (calls that need
    /// approval still wait for the caller).
    #[default]
    Automatic,
    /// The run stops in `requires_action` with the calls; the caller runs them and
    /// submits the outputs (the callback flow of the Assistants API).
    Manual,
}

/// How an assistant runs: its limits, its mode, and the options every request of a run
/// starts from.
///
/// ```
/// use std::time::Duration;
/// use tool_runtime::chat::RequestOptions;
/// use tool_runtime::run::{Mode, RunOptions};
///
/// let options = RunOptions::default()
///     .with_max_turns(4)
///     .with_deadline(Duration::from_secs(60))
///     .with_mode(Mode::Manual)
///     .with_request(RequestOptions::default().with_max_tokens(300));
/// assert_eq!(options.request.max_tokens, Some(300));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RunOptions {
    /// Model requests per run before it ends as `incomplete` (default 10).
    pub max_turns: u32,
    /// How long a run may take before it ends as `expired` (default: no limit).
    pub deadline: Option<Duration>,
    /// Automatic or manual tool calls (default automatic).
    pub mode: Mode,
    /// The options of the run's requests (default: the model decides which tool, the
    /// provider's defaults for the rest). A forced tool choice is reset to `auto` once the
    /// model has made its calls, so the loop cannot spin.
    pub request: RequestOptions,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            max_turns: 10,
            deadline: None,
            mode: Mode::Automatic,
            request: RequestOptions::default(),
        }
    }
}

impl RunOptions {
    /// At most `turns` model requests.
    pub fn with_max_turns(mut self, turns: u32) -> Self {
        self.max_turns = turns;
        self
    }

    /// At most `deadline` for the whole run.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Automatic or manual tool calls.
    pub fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// The options every request of a run starts from.
    pub fn with_request(mut self, request: RequestOptions) -> Self {
        self.request = request;
        self
    }
}

/// A model, the tools it may call, its instructions, and how to run it.
///
/// ```
/// use tool_runtime::{tool, ToolRegistry};
/// use tool_runtime::chat::Message;
/// use tool_runtime::run::{Assistant, RunStatus, Thread};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// /// Get the nickname of a city.
/// ///
/// /// # Arguments
/// /// * `location` - The city.
/// #[tool]
/// fn get_nickname(location: String) -> String {
///     if location == "Paris" { "City of Light".into() } else { location }
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(GetNickname)?;
/// // A scripted model: it answers from its script, for examples and tests.
/// let model = ScriptedModel::new([
///     ScriptedReply::tool_calls([("get_nickname", r#"{"location": "Paris"}"#)]),
///     ScriptedReply::text("Paris is the City of Light."),
/// ]);
/// let assistant = Assistant::new(model, registry).with_instructions("Answer briefly.");
///
/// let mut thread = Thread::new();
/// thread.push(Message::user("What is Paris called?"));
/// let run = assistant.run(thread).await;
/// assert_eq!(run.status(), RunStatus::Completed);
/// assert_eq!(run.answer(), Some("Paris is the City of Light."));
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct Assistant {
    pub(crate) model: Arc<dyn ChatModel>,
    pub(crate) registry: LiveRegistry,
    pub(crate) instructions: Option<String>,
    pub(crate) options: RunOptions,
    pub(crate) caller_tools: Arc<[ToolDefinition]>,
}

impl Assistant {
    /// An assistant with `model` and the tools of `registry`, with the default
    /// [`RunOptions`] and no instructions.
    ///
    /// ```
    /// use tool_runtime::ToolRegistry;
    /// use tool_runtime::run::{Assistant, Mode};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// let assistant = Assistant::new(ScriptedModel::new([ScriptedReply::text("Hi")]), ToolRegistry::new());
    /// assert!(assistant.registry().is_empty());
    /// assert_eq!((assistant.options().max_turns, assistant.options().mode), (10, Mode::Automatic));
    /// ```
    pub fn new(model: impl ChatModel + 'static, registry: ToolRegistry) -> Self {
        Self::from_shared(Arc::new(model), Arc::new(registry))
    }

    /// An assistant sharing a model and a registry with others.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tool_runtime::ToolRegistry;
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::run::{Assistant, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let model = Arc::new(ScriptedModel::new([ScriptedReply::text("Hi"), ScriptedReply::text("Bonjour")]));
    /// let registry = Arc::new(ToolRegistry::new());
    /// let english = Assistant::from_shared(model.clone(), registry.clone());
    /// let french = Assistant::from_shared(model.clone(), registry).with_instructions("Answer in French.");
    ///
    /// english.run(Thread::from(vec![Message::user("Hello")])).await;
    /// let run = french.run(Thread::from(vec![Message::user("Hello")])).await;
    /// assert_eq!(run.answer(), Some("Bonjour"));
    /// assert_eq!(model.requests().len(), 2); // both asked the one model
    /// # });
    /// ```
    pub fn from_shared(model: Arc<dyn ChatModel>, registry: Arc<ToolRegistry>) -> Self {
        Self::from_live(model, LiveRegistry::from_shared(registry))
    }

    /// An assistant whose tools change while it runs: its runs take the registry that is
    /// current at each step (the tool list when the model is asked, the approval check when
    /// its calls arrive, the dispatch when they run), so a tool added, replaced or removed
    /// through `registry` is offered from the next model request on. A call of a tool
    /// removed meanwhile is answered as any unknown tool is.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::live::LiveRegistry;
    /// use tool_runtime::run::{Assistant, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    /// use tool_runtime::{tool, ToolRegistry};
    ///
    /// /// Ping.
    /// #[tool]
    /// fn ping() -> &'static str { "pong" }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let live = LiveRegistry::new(ToolRegistry::new());
    /// let model = ScriptedModel::new([
    ///     ScriptedReply::tool_calls([("ping", "")]),
    ///     ScriptedReply::text("It answered."),
    /// ]);
    /// let assistant = Assistant::from_live(Arc::new(model), live.clone());
    /// live.update(|registry| registry.register(Ping).map(|_| ()))?;
    /// let run = assistant.run(Thread::from(vec![Message::user("Ping it.")])).await;
    /// assert!(matches!(&run.thread().messages()[2], Message::Tool { content, .. } if content == "pong"));
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn from_live(model: Arc<dyn ChatModel>, registry: LiveRegistry) -> Self {
        Self {
            model,
            registry,
            instructions: None,
            options: RunOptions::default(),
            caller_tools: Arc::new([]),
        }
    }

    /// Instructions, given to the model as the thread's first (system) message.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tool_runtime::ToolRegistry;
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::run::{Assistant, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let model = Arc::new(ScriptedModel::new([ScriptedReply::text("Bonjour !")]));
    /// let assistant = Assistant::from_shared(model.clone(), Arc::new(ToolRegistry::new()))
    ///     .with_instructions("Answer in French.");
    /// assistant.run(Thread::from(vec![Message::user("Hello")])).await;
    /// assert_eq!(model.requests()[0].messages[0], Message::system("Answer in French."));
    /// # });
    /// ```
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// How runs go: limits, mode, and the options of every request.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use tool_runtime::ToolRegistry;
    /// use tool_runtime::chat::{Message, RequestOptions};
    /// use tool_runtime::run::{Assistant, RunOptions, RunStatus, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let model = Arc::new(ScriptedModel::new([ScriptedReply::text("Hi.")]));
    /// let options = RunOptions::default()
    ///     .with_max_turns(3)
    ///     .with_request(RequestOptions::default().with_temperature(0.0).with_max_tokens(100));
    /// let assistant = Assistant::from_shared(model.clone(), Arc::new(ToolRegistry::new())).with_options(options);
    /// let run = assistant.run(Thread::from(vec![Message::user("Hello")])).await;
    /// assert_eq!(run.status(), RunStatus::Completed);
    /// let asked = &model.requests()[0].options;
    /// assert_eq!((asked.temperature, asked.max_tokens), (Some(0.0), Some(100)));
    /// # });
    /// ```
    pub fn with_options(mut self, options: RunOptions) -> Self {
        self.options = options;
        self
    }

    /// Tools the caller runs: offered to the model after the registry's, and a call of one
    /// always stops the run in `requires_action` for its output, in either [`Mode`] (the
    /// function tools an Assistants API client declares and runs itself). A name the
    /// registry also has is the caller's.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolDefinition, ToolOutput, ToolRegistry};
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::run::{Assistant, RunStatus, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// /// Get the nickname of a city.
    /// ///
    /// /// # Arguments
    /// /// * `location` - The city.
    /// #[tool]
    /// fn get_nickname(location: String) -> String { format!("{location}, the City of Light") }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut registry = ToolRegistry::new();
    /// registry.register(GetNickname)?;
    /// let weather = ToolDefinition::new(
    ///     "get_weather",
    ///     "The weather in a city.",
    ///     serde_json::json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    /// );
    /// let model = ScriptedModel::new([
    ///     ScriptedReply::tool_calls([("get_nickname", r#"{"location": "Paris"}"#), ("get_weather", r#"{"city": "Paris"}"#)]),
    ///     ScriptedReply::text("Sunny in the City of Light."),
    /// ]);
    /// let assistant = Assistant::new(model, registry).with_caller_tools([weather]);
    /// let mut run = assistant.run(Thread::from(vec![Message::user("Weather in Paris?")])).await;
    ///
    /// // The registry's tool ran; the caller's waits for its output.
    /// assert_eq!(run.status(), RunStatus::RequiresAction);
    /// let waiting: Vec<_> = run.required_action().into_iter().cloned().collect();
    /// assert_eq!(waiting.len(), 1);
    /// assert_eq!(waiting[0].name, "get_weather");
    /// run.submit_tool_outputs(vec![ToolOutput::success(&waiting[0], "sunny")])?;
    /// assistant.drive(&mut run).await;
    /// assert_eq!(run.answer(), Some("Sunny in the City of Light."));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn with_caller_tools(mut self, tools: impl IntoIterator<Item = ToolDefinition>) -> Self {
        self.caller_tools = tools.into_iter().collect();
        self
    }

    /// Whether `name` is one of the [caller's tools](Self::with_caller_tools).
    pub(crate) fn is_caller_tool(&self, name: &str) -> bool {
        self.caller_tools.iter().any(|tool| tool.name() == name)
    }

    /// The tools, as the next model request will see them.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolRegistry};
    /// use tool_runtime::run::Assistant;
    /// use tool_runtime::testing::ScriptedModel;
    ///
    /// /// Say hello.
    /// #[tool]
    /// fn hello() -> &'static str { "Hello!" }
    ///
    /// let mut registry = ToolRegistry::new();
    /// registry.register(Hello)?;
    /// let assistant = Assistant::new(ScriptedModel::new([]), registry);
    /// assert_eq!(assistant.registry().names().collect::<Vec<_>>(), ["hello"]);
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// ```
    pub fn registry(&self) -> Arc<ToolRegistry> {
        self.registry.load()
    }

    /// The live registry, through which the tools change while runs go on.
    pub fn live_registry(&self) -> &LiveRegistry {
        &self.registry
    }

    /// The options.
    ///
    /// ```
    /// use tool_runtime::ToolRegistry;
    /// use tool_runtime::run::{Assistant, RunOptions};
    /// use tool_runtime::testing::ScriptedModel;
    ///
    /// let assistant = Assistant::new(ScriptedModel::new([]), ToolRegistry::new())
    ///     .with_options(RunOptions::default().with_max_turns(3));
    /// assert_eq!(assistant.options().max_turns, 3);
    /// ```
    pub fn options(&self) -> &RunOptions {
        &self.options
    }

    /// A queued run on `thread`, not started yet: the model is asked only when the run is
    /// [driven](Self::drive). The instructions become the thread's first message, unless
    /// it starts with a system message already.
    ///
    /// ```
    /// use tool_runtime::ToolRegistry;
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::run::{Assistant, RunStatus, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// let assistant = Assistant::new(ScriptedModel::new([ScriptedReply::text("Hi")]), ToolRegistry::new())
    ///     .with_instructions("Answer briefly.");
    /// let run = assistant.start(Thread::from(vec![Message::user("Hello")]));
    /// assert_eq!((run.status(), run.turns()), (RunStatus::Queued, 0));
    /// assert_eq!(run.thread().messages(), [Message::system("Answer briefly."), Message::user("Hello")]);
    /// assert!(run.id().starts_with("run_"));
    /// ```
    pub fn start(&self, mut thread: Thread) -> Run {
        if let Some(instructions) = &self.instructions {
            if !matches!(thread.messages().first(), Some(Message::System { .. })) {
                thread.insert_first(Message::system(instructions.clone()));
            }
        }
        Run {
            id: format!("run_{}", crate::call::unique_suffix()),
            status: RunStatus::Queued,
            thread,
            turns: 0,
            pending: Vec::new(),
            steps: Vec::new(),
            usage: Usage::default(),
            last_error: None,
            tool_choice: self.options.request.tool_choice.clone(),
            expires_at: self
                .options
                .deadline
                .map(|deadline| SystemTime::now() + deadline),
            started_at: None,
            ended_at: None,
            tool_timings: Vec::new(),
            cancel: Default::default(),
        }
    }

    /// Starts a run on `thread` and drives it until it needs the caller or ends:
    /// [`start`](Self::start) then [`drive`](Self::drive).
    ///
    /// ```
    /// use tool_runtime::ToolRegistry;
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::run::{Assistant, RunStatus, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let assistant = Assistant::new(ScriptedModel::new([ScriptedReply::text("Hello, Ada.")]), ToolRegistry::new());
    /// let mut thread = Thread::new();
    /// thread.push(Message::user("Hi, I am Ada."));
    /// let run = assistant.run(thread).await;
    /// assert_eq!(run.status(), RunStatus::Completed);
    /// assert_eq!(run.answer(), Some("Hello, Ada."));
    /// assert_eq!(run.thread().messages().last(), Some(&Message::assistant("Hello, Ada.")));
    /// # });
    /// ```
    pub async fn run(&self, thread: Thread) -> Run {
        let mut run = self.start(thread);
        self.drive(&mut run).await;
        run
    }
}

impl std::fmt::Debug for Assistant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Assistant")
            .field("registry", &self.registry)
            .field("instructions", &self.instructions)
            .field("options", &self.options)
            .field(
                "caller_tools",
                &self
                    .caller_tools
                    .iter()
                    .map(ToolDefinition::name)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}
