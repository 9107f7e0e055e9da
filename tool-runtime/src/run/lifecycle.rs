//! A run's state: everything needed to resume it, and what the caller does to it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::call::{ToolCall, ToolOutput};
use crate::chat::{Message, ToolChoice, Usage};
use crate::run::summary::ToolTiming;
use crate::run::{RunError, RunStatus, RunSummary};

/// The messages of a conversation, oldest first.
///
/// ```
/// use tool_runtime::chat::Message;
/// use tool_runtime::run::Thread;
///
/// let mut thread = Thread::new();
/// thread.push(Message::user("Hello"));
/// assert_eq!(thread.messages().len(), 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    messages: Vec<Message>,
}

impl Thread {
    /// An empty thread.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a message at the end.
    pub fn push(&mut self, message: Message) {
        self.messages.push(message);
    }

    /// The messages, oldest first.
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// The text of the last assistant message that has text.
    ///
    /// ```
    /// use tool_runtime::ToolCall;
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::run::Thread;
    ///
    /// let call = ToolCall::new("call_1", "ping", "");
    /// let thread = Thread::from(vec![
    ///     Message::user("Are you there?"),
    ///     Message::assistant("Let me check."),
    ///     Message::assistant_calls(vec![call]),
    /// ]);
    /// // The calls-only message has no text: the one before it answers.
    /// assert_eq!(thread.last_answer(), Some("Let me check."));
    /// ```
    pub fn last_answer(&self) -> Option<&str> {
        self.messages
            .iter()
            .rev()
            .find_map(|message| match message {
                Message::Assistant {
                    content: Some(text),
                    ..
                } => Some(text.as_str()),
                _ => None,
            })
    }

    pub(crate) fn insert_first(&mut self, message: Message) {
        self.messages.insert(0, message);
    }
}

impl From<Vec<Message>> for Thread {
    fn from(messages: Vec<Message>) -> Self {
        Self { messages }
    }
}

/// The caller's decision on a call that needs approval, as
/// [`Run::approve`], [`Run::approve_with`] and [`Run::reject`] record it in the call's
/// [`PendingCall::decision`] until the run is driven on.
///
/// ```
/// use tool_runtime::{tool, ToolRegistry};
/// use tool_runtime::chat::Message;
/// use tool_runtime::run::{Assistant, Decision, Thread};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// /// Delete a task.
/// ///
/// /// # Arguments
/// /// * `id` - The task's id.
/// #[tool(destructive)]
/// fn delete_task(id: u32) {}
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(DeleteTask)?;
/// let model = ScriptedModel::new([ScriptedReply::tool_calls([("delete_task", r#"{"id": 7}"#)])]);
/// let assistant = Assistant::new(model, registry);
/// let mut run = assistant.run(Thread::from(vec![Message::user("Delete task 7")])).await;
///
/// let id = run.required_action()[0].id.clone();
/// run.reject(&id, "The user keeps task 7.")?;
/// assert_eq!(
///     run.pending_calls()[0].decision,
///     Some(Decision::Reject { message: "The user keeps task 7.".into() })
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    /// Run it; with other arguments (JSON text) when given.
    Approve {
        /// Arguments to use instead of the model's.
        arguments: Option<String>,
    },
    /// Do not run it; the model reads `message` as the call's (error) output.
    Reject {
        /// What the model is told.
        message: String,
    },
}

/// A tool call of the current turn and where it stands.
///
/// Calls that wait for nobody run as soon as the model makes them, even when another call
/// of the same turn waits for the caller:
///
/// ```
/// use tool_runtime::{tool, ToolRegistry};
/// use tool_runtime::chat::Message;
/// use tool_runtime::run::{Assistant, RunStatus, Thread};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// /// List the tasks.
/// #[tool(read_only)]
/// fn list_tasks() -> &'static str { "7: water the plants" }
///
/// /// Delete a task.
/// ///
/// /// # Arguments
/// /// * `id` - The task's id.
/// #[tool(destructive)]
/// fn delete_task(id: u32) {}
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(ListTasks)?.register(DeleteTask)?;
/// let model = ScriptedModel::new([ScriptedReply::tool_calls([
///     ("list_tasks", ""),
///     ("delete_task", r#"{"id": 7}"#),
/// ])]);
/// let run = Assistant::new(model, registry)
///     .run(Thread::from(vec![Message::user("Delete my only task")]))
///     .await;
/// assert_eq!(run.status(), RunStatus::RequiresAction);
///
/// let [list, delete] = run.pending_calls() else { panic!("two calls") };
/// assert!(!list.needs_approval && !list.awaits_caller());
/// assert_eq!(list.output.as_ref().map(|o| o.content.as_str()), Some("7: water the plants"));
/// assert!(delete.needs_approval && delete.awaits_caller());
/// assert_eq!(delete.output, None);
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PendingCall {
    /// The call, as the model made it.
    pub call: ToolCall,
    /// Whether the tool is marked `destructive` or `needs_approval` (in manual mode too,
    /// where running it, and so approving it, is the caller's business).
    pub needs_approval: bool,
    /// Whether the run waits for the caller's decision on it (automatic mode, a call that
    /// needs approval) rather than for its output (manual mode) or for nothing.
    pub(crate) awaits_decision: bool,
    /// Whether the run waits for the caller's output for it (manual mode).
    pub(crate) awaits_output: bool,
    /// The caller's decision, once made.
    pub decision: Option<Decision>,
    /// The output, once there is one.
    pub output: Option<ToolOutput>,
}

impl PendingCall {
    /// Whether the run still waits for the caller on this call.
    pub fn awaits_caller(&self) -> bool {
        if self.awaits_decision {
            self.decision.is_none()
        } else {
            self.awaits_output && self.output.is_none()
        }
    }
}

/// What a run did, step by step.
///
/// ```
/// use tool_runtime::{tool, ToolRegistry};
/// use tool_runtime::chat::Message;
/// use tool_runtime::run::{Assistant, RunStep, Thread};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// /// Ping the service.
/// #[tool]
/// fn ping() -> &'static str { "pong" }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(Ping)?;
/// let model = ScriptedModel::new([
///     ScriptedReply::tool_calls([("ping", "")]),
///     ScriptedReply::text("The service is up."),
/// ]);
/// let run = Assistant::new(model, registry)
///     .run(Thread::from(vec![Message::user("Is the service up?")]))
///     .await;
///
/// let [RunStep::MessageCreation { .. }, RunStep::ToolCalls { calls, outputs }, RunStep::MessageCreation { message }] =
///     run.steps()
/// else {
///     panic!("a call, its output, an answer: {:?}", run.steps())
/// };
/// assert_eq!(calls[0].name, "ping");
/// assert_eq!(outputs[0].content, "pong");
/// assert_eq!(message, &Message::assistant("The service is up."));
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RunStep {
    /// The model wrote a message.
    MessageCreation {
        /// The message.
        message: Message,
    },
    /// Tool calls ran (or were rejected), with their outputs.
    ToolCalls {
        /// The calls.
        calls: Vec<ToolCall>,
        /// Their outputs, in the same order.
        outputs: Vec<ToolOutput>,
    },
}

/// Why [`Run::submit_tool_outputs`], [`Run::approve`] or [`Run::reject`] was refused.
/// A refused submission changes nothing: the run still waits.
///
/// ```
/// use tool_runtime::{tool, ToolOutput, ToolRegistry};
/// use tool_runtime::chat::Message;
/// use tool_runtime::run::{Assistant, Mode, RunOptions, RunStatus, SubmitError, Thread};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// /// Ping a host.
/// ///
/// /// # Arguments
/// /// * `host` - The host.
/// #[tool]
/// fn ping(host: String) -> String { host }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(Ping)?;
/// let model = ScriptedModel::new([ScriptedReply::tool_calls([
///     ("ping", r#"{"host": "a"}"#),
///     ("ping", r#"{"host": "b"}"#),
/// ])]);
/// let assistant = Assistant::new(model, registry)
///     .with_options(RunOptions::default().with_mode(Mode::Manual));
/// let mut run = assistant.run(Thread::from(vec![Message::user("Ping a and b")])).await;
/// let calls: Vec<_> = run.required_action().into_iter().cloned().collect();
///
/// // Both outputs go in one submission.
/// let one = run.submit_tool_outputs(vec![ToolOutput::success(&calls[0], "up")]);
/// assert_eq!(one, Err(SubmitError::Missing(vec![calls[1].id.clone()])));
/// // In manual mode the caller runs the calls: there is nothing to approve.
/// assert_eq!(run.approve(&calls[0].id), Err(SubmitError::NotPending(calls[0].id.clone())));
/// assert_eq!(run.status(), RunStatus::RequiresAction);
///
/// run.cancel();
/// assert_eq!(run.approve(&calls[0].id), Err(SubmitError::NotWaiting(RunStatus::Cancelled)));
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubmitError {
    /// The run is not waiting for the caller.
    #[error("the run is {0:?}, not waiting for the caller")]
    NotWaiting(RunStatus),
    /// No pending call has this id, or it does not wait for this (an output for a call
    /// that needs approval, a decision for one that needs an output).
    #[error("no pending call `{0}` waits for that")]
    NotPending(String),
    /// Outputs must be submitted for all waiting calls at once.
    #[error("outputs are missing for: {}", .0.join(", "))]
    Missing(Vec<String>),
    /// The run's deadline has passed: nothing more is run for it.
    #[error("the run's deadline has passed")]
    Expired,
}

/// Cancels a run from anywhere, even while it is being driven.
///
/// ```
/// use std::time::Duration;
/// use tool_runtime::{tool, ToolRegistry};
/// use tool_runtime::chat::Message;
/// use tool_runtime::run::{Assistant, RunStatus, Thread};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// /// Wait a minute.
/// #[tool]
/// async fn wait_a_minute() {
///     tokio::time::sleep(Duration::from_secs(60)).await;
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(WaitAMinute)?;
/// let model = ScriptedModel::new([ScriptedReply::tool_calls([("wait_a_minute", "")])]);
/// let assistant = Assistant::new(model, registry);
/// let mut run = assistant.start(Thread::from(vec![Message::user("Wait")]));
///
/// let handle = run.cancel_handle();
/// let stop = async {
///     tokio::time::sleep(Duration::from_millis(20)).await;
///     handle.cancel(); // from another task or thread just as well
/// };
/// tokio::join!(assistant.drive(&mut run), stop);
///
/// assert!(handle.is_cancelled());
/// assert_eq!(run.status(), RunStatus::Cancelled);
/// // The abandoned call is answered, so the thread stays one a provider accepts.
/// let Some(Message::Tool { is_error: true, .. }) = run.thread().messages().last() else {
///     panic!("the call is answered");
/// };
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, Default)]
pub struct CancelHandle(Arc<CancelInner>);

#[derive(Debug, Default)]
struct CancelInner {
    cancelled: AtomicBool,
    notify: tokio::sync::Notify,
}

impl CancelHandle {
    /// Asks the run to stop. It stops at the next await point: a model request or a tool
    /// call in flight is abandoned.
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    /// Whether cancellation was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.load(Ordering::SeqCst)
    }

    /// Resolves once cancellation is asked for.
    pub async fn cancelled(&self) {
        loop {
            let notified = self.0.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// A run of an assistant on a thread: its status, its thread, the calls it waits on, its
/// steps and usage. Made by [`Assistant::start`](crate::run::Assistant::start), driven by
/// [`Assistant::drive`](crate::run::Assistant::drive); serializes, to resume elsewhere.
///
/// ```
/// use tool_runtime::{tool, ToolRegistry};
/// use tool_runtime::chat::Message;
/// use tool_runtime::run::{Assistant, Run, RunStatus, Thread};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// /// Delete a task.
/// ///
/// /// # Arguments
/// /// * `id` - The task's id.
/// #[tool(destructive)]
/// fn delete_task(id: u32) -> String {
///     format!("task {id} deleted")
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(DeleteTask)?;
/// let model = ScriptedModel::new([
///     ScriptedReply::tool_calls([("delete_task", r#"{"id": 7}"#)]),
///     ScriptedReply::text("Task 7 is gone."),
/// ]);
/// let assistant = Assistant::new(model, registry);
///
/// // A destructive tool waits for a person.
/// let run = assistant.run(Thread::from(vec![Message::user("Delete task 7")])).await;
/// assert_eq!(run.status(), RunStatus::RequiresAction);
///
/// // The paused run is saved, and resumed later (in another process, say).
/// let saved = serde_json::to_string(&run)?;
/// let mut run: Run = serde_json::from_str(&saved)?;
/// let id = run.required_action()[0].id.clone();
/// run.approve(&id)?;
/// assistant.drive(&mut run).await;
/// assert_eq!(run.status(), RunStatus::Completed);
/// assert_eq!(run.answer(), Some("Task 7 is gone."));
/// assert_eq!(run.turns(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Run {
    pub(crate) id: String,
    pub(crate) status: RunStatus,
    pub(crate) thread: Thread,
    pub(crate) turns: u32,
    pub(crate) pending: Vec<PendingCall>,
    pub(crate) steps: Vec<RunStep>,
    pub(crate) usage: Usage,
    pub(crate) last_error: Option<RunError>,
    pub(crate) tool_choice: ToolChoice,
    pub(crate) expires_at: Option<SystemTime>,
    /// When it was first driven, and when it ended: its wall time. Defaulted, so runs
    /// saved before these were kept still load.
    #[serde(default)]
    pub(crate) started_at: Option<SystemTime>,
    #[serde(default)]
    pub(crate) ended_at: Option<SystemTime>,
    /// How long each call the loop ran took, in the order they finished.
    #[serde(default)]
    pub(crate) tool_timings: Vec<ToolTiming>,
    #[serde(skip)]
    pub(crate) cancel: CancelHandle,
}

impl Run {
    /// The run's id (`run_` and a unique suffix), as the Assistants API names runs.
    ///
    /// ```
    /// use tool_runtime::ToolRegistry;
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::run::{Assistant, Thread};
    /// use tool_runtime::testing::ScriptedModel;
    ///
    /// let assistant = Assistant::new(ScriptedModel::new([]), ToolRegistry::new());
    /// let first = assistant.start(Thread::from(vec![Message::user("Hello")]));
    /// let second = assistant.start(Thread::from(vec![Message::user("Hello")]));
    /// assert!(first.id().starts_with("run_"));
    /// assert_ne!(first.id(), second.id());
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Where it stands. A caller drives a run until it is [terminal](RunStatus::is_terminal),
    /// acting each time it stops in [`RunStatus::RequiresAction`]:
    ///
    /// ```
    /// # use tool_runtime::{tool, ToolRegistry};
    /// # use tool_runtime::chat::Message;
    /// # use tool_runtime::run::{Assistant, RunStatus, Thread};
    /// # use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    /// # /// Delete a task.
    /// # ///
    /// # /// # Arguments
    /// # /// * `id` - The task's id.
    /// # #[tool(destructive)]
    /// # fn delete_task(id: u32) -> String { format!("task {id} deleted") }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let mut registry = ToolRegistry::new();
    /// # registry.register(DeleteTask)?;
    /// let model = ScriptedModel::new([
    ///     ScriptedReply::tool_calls([("delete_task", r#"{"id": 7}"#)]),
    ///     ScriptedReply::tool_calls([("delete_task", r#"{"id": 8}"#)]),
    ///     ScriptedReply::text("Tasks 7 and 8 are gone."),
    /// ]);
    /// let assistant = Assistant::new(model, registry);
    /// let mut run = assistant.run(Thread::from(vec![Message::user("Delete tasks 7 and 8")])).await;
    /// let mut approvals = 0;
    /// while run.status() == RunStatus::RequiresAction {
    ///     let ids: Vec<String> = run.required_action().iter().map(|call| call.id.clone()).collect();
    ///     for id in ids {
    ///         run.approve(&id)?; // after asking a person
    ///         approvals += 1;
    ///     }
    ///     assistant.drive(&mut run).await;
    /// }
    /// assert_eq!((run.status(), approvals), (RunStatus::Completed, 2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn status(&self) -> RunStatus {
        self.status
    }

    /// The thread, with everything the run added.
    ///
    /// ```
    /// use tool_runtime::ToolRegistry;
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::run::{Assistant, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let assistant = Assistant::new(ScriptedModel::new([ScriptedReply::text("Hi!")]), ToolRegistry::new());
    /// let run = assistant.run(Thread::from(vec![Message::user("Hello")])).await;
    /// assert_eq!(run.thread().messages(), [Message::user("Hello"), Message::assistant("Hi!")]);
    /// # });
    /// ```
    pub fn thread(&self) -> &Thread {
        &self.thread
    }

    /// The thread, to add a user's message once the run has ended.
    ///
    /// ```
    /// use tool_runtime::ToolRegistry;
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::run::{Assistant, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let model = ScriptedModel::new([ScriptedReply::text("Hello!"), ScriptedReply::text("Ada.")]);
    /// let assistant = Assistant::new(model, ToolRegistry::new());
    /// let run = assistant.run(Thread::from(vec![Message::user("Hi, I am Ada")])).await;
    ///
    /// let mut thread = run.into_thread();
    /// thread.push(Message::user("What is my name?"));
    /// let run = assistant.run(thread).await;
    /// assert_eq!(run.answer(), Some("Ada."));
    /// assert_eq!(run.thread().messages().len(), 4);
    /// # });
    /// ```
    pub fn into_thread(self) -> Thread {
        self.thread
    }

    /// The model's final answer, once completed: `None` for a run that waits or ended
    /// otherwise, even when the model wrote text along the way.
    ///
    /// ```
    /// # use tool_runtime::{tool, ToolRegistry};
    /// # use tool_runtime::chat::Message;
    /// # use tool_runtime::run::{Assistant, RunStatus, Thread};
    /// # use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    /// # /// Delete a task.
    /// # ///
    /// # /// # Arguments
    /// # /// * `id` - The task's id.
    /// # #[tool(destructive)]
    /// # fn delete_task(id: u32) -> String { format!("task {id} deleted") }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let mut registry = ToolRegistry::new();
    /// # registry.register(DeleteTask)?;
    /// let model = ScriptedModel::new([
    ///     ScriptedReply::tool_calls([("delete_task", r#"{"id": 7}"#)]),
    ///     ScriptedReply::text("Task 7 is gone."),
    /// ]);
    /// let assistant = Assistant::new(model, registry);
    /// let mut run = assistant.run(Thread::from(vec![Message::user("Delete task 7")])).await;
    /// assert_eq!(run.answer(), None); // waiting for an approval
    ///
    /// let id = run.required_action()[0].id.clone();
    /// run.approve(&id)?;
    /// assistant.drive(&mut run).await;
    /// assert_eq!(run.answer(), Some("Task 7 is gone."));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn answer(&self) -> Option<&str> {
        match self.status {
            RunStatus::Completed => self.thread.last_answer(),
            _ => None,
        }
    }

    /// How many times the model was asked.
    pub fn turns(&self) -> u32 {
        self.turns
    }

    /// The calls of the current turn, in the model's order, with what each waits for
    /// (see [`PendingCall`] for a turn with a call that ran and one that waits).
    ///
    /// ```
    /// # use tool_runtime::{tool, ToolRegistry};
    /// # use tool_runtime::chat::Message;
    /// # use tool_runtime::run::{Assistant, RunStatus, Thread};
    /// # use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    /// # /// Delete a task.
    /// # ///
    /// # /// # Arguments
    /// # /// * `id` - The task's id.
    /// # #[tool(destructive)]
    /// # fn delete_task(id: u32) -> String { format!("task {id} deleted") }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let mut registry = ToolRegistry::new();
    /// # registry.register(DeleteTask)?;
    /// let model = ScriptedModel::new([ScriptedReply::tool_calls([("delete_task", r#"{"id": 7}"#)])]);
    /// let run = Assistant::new(model, registry)
    ///     .run(Thread::from(vec![Message::user("Delete task 7")]))
    ///     .await;
    ///
    /// let pending = &run.pending_calls()[0];
    /// assert_eq!((pending.call.name.as_str(), pending.call.arguments.as_str()), ("delete_task", r#"{"id": 7}"#));
    /// assert!(pending.needs_approval && pending.awaits_caller());
    /// assert_eq!(pending.decision, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn pending_calls(&self) -> &[PendingCall] {
        &self.pending
    }

    /// The calls the caller must act on (the `required_action` of the Assistants API):
    /// their outputs in manual mode, a decision for those that need approval.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolRegistry};
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::run::{Assistant, RunStatus, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// /// Delete a task.
    /// ///
    /// /// # Arguments
    /// /// * `id` - The task's id.
    /// #[tool(destructive)]
    /// fn delete_task(id: u32) -> String { format!("task {id} deleted") }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut registry = ToolRegistry::new();
    /// registry.register(DeleteTask)?;
    /// let model = ScriptedModel::new([
    ///     ScriptedReply::tool_calls([("delete_task", r#"{"id": 7}"#)]),
    ///     ScriptedReply::text("Task 7 is gone."),
    /// ]);
    /// let assistant = Assistant::new(model, registry);
    /// let mut run = assistant.run(Thread::from(vec![Message::user("Delete task 7")])).await;
    ///
    /// assert_eq!(run.status(), RunStatus::RequiresAction);
    /// let waiting = run.required_action();
    /// assert_eq!((waiting.len(), waiting[0].name.as_str()), (1, "delete_task"));
    /// let id = waiting[0].id.clone();
    /// run.reject(&id, "the user said no")?;
    /// assistant.drive(&mut run).await;
    /// assert!(run.required_action().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn required_action(&self) -> Vec<&ToolCall> {
        self.pending
            .iter()
            .filter(|p| p.awaits_caller())
            .map(|p| &p.call)
            .collect()
    }

    /// What the run did, in order: the messages the model wrote and the tool calls that
    /// ran, with their outputs.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolRegistry};
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::run::{Assistant, RunStep, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// /// Get the time.
    /// #[tool]
    /// fn get_time() -> &'static str { "12:00" }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut registry = ToolRegistry::new();
    /// registry.register(GetTime)?;
    /// let model = ScriptedModel::new([
    ///     ScriptedReply::tool_calls([("get_time", "")]),
    ///     ScriptedReply::text("It is noon."),
    /// ]);
    /// let run = Assistant::new(model, registry).run(Thread::from(vec![Message::user("Time?")])).await;
    ///
    /// assert_eq!(run.turns(), 2);
    /// let RunStep::ToolCalls { calls, outputs } = &run.steps()[1] else { panic!("calls ran") };
    /// assert_eq!((calls[0].name.as_str(), outputs[0].content.as_str()), ("get_time", "12:00"));
    /// assert!(matches!(&run.steps()[2], RunStep::MessageCreation { .. }));
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn steps(&self) -> &[RunStep] {
        &self.steps
    }

    /// Tokens used by all its model requests, added up.
    ///
    /// ```
    /// use tool_runtime::ToolRegistry;
    /// use tool_runtime::chat::{ChatResponse, Message, Usage};
    /// use tool_runtime::run::{Assistant, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut reply = ChatResponse::text("Hi!");
    /// reply.usage = Some(Usage { prompt_tokens: 12, completion_tokens: 3 });
    /// let model = ScriptedModel::new([ScriptedReply::Respond(reply)]);
    /// let run = Assistant::new(model, ToolRegistry::new()).run(Thread::from(vec![Message::user("Hello")])).await;
    /// assert_eq!(run.usage().total(), 15);
    /// # });
    /// ```
    pub fn usage(&self) -> Usage {
        self.usage
    }

    /// What the run did, in sum: turns, tool calls by name with their errors and
    /// durations, tokens, and the wall time from the first drive to the end (see
    /// [`RunSummary`]). It prints as a short table; it serializes for machines.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolRegistry};
    /// use tool_runtime::chat::{ChatResponse, Message, Usage};
    /// use tool_runtime::run::{Assistant, RunStatus, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// /// Get the time.
    /// #[tool]
    /// fn get_time() -> &'static str { "12:00" }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut registry = ToolRegistry::new();
    /// registry.register(GetTime)?;
    /// let usage = Usage { prompt_tokens: 40, completion_tokens: 5 };
    /// let model = ScriptedModel::new([
    ///     ScriptedReply::tool_calls([("get_time", ""), ("get_date", "")]),
    ///     ChatResponse::text("It is noon.").with_usage(usage).into(),
    /// ]);
    /// let run = Assistant::new(model, registry).run(Thread::from(vec![Message::user("Time?")])).await;
    ///
    /// let summary = run.summary();
    /// assert_eq!((summary.status, summary.turns), (RunStatus::Completed, 2));
    /// let [date, time] = &summary.tools[..] else { panic!("two tools, by name") };
    /// assert_eq!((date.name.as_str(), date.calls, date.errors), ("get_date", 1, 1)); // no such tool
    /// assert_eq!((time.name.as_str(), time.calls, time.errors), ("get_time", 1, 0));
    /// assert_eq!((summary.tool_calls(), summary.usage.total()), (2, 45));
    /// assert!(summary.wall_time.is_some());
    /// println!("{summary}");
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn summary(&self) -> RunSummary {
        let wall_time = match (self.started_at, self.ended_at) {
            // A clock set back between the two gives zero, not an error.
            (Some(start), Some(end)) => Some(end.duration_since(start).unwrap_or_default()),
            _ => None,
        };
        let mut summary = RunSummary::new(
            self.id.clone(),
            self.status,
            self.turns,
            self.usage,
            wall_time,
        );
        // Counts come from the steps (every answered call is there, whoever answered
        // it); durations from the timings (only the calls the loop ran have one).
        for step in &self.steps {
            if let RunStep::ToolCalls { calls, outputs } = step {
                for (call, output) in calls.iter().zip(outputs) {
                    summary.count_call(&call.name, output.is_error);
                }
            }
        }
        for timing in &self.tool_timings {
            summary.add_timing(timing);
        }
        summary
    }

    /// Why it failed or ended early.
    ///
    /// ```
    /// use tool_runtime::ToolRegistry;
    /// use tool_runtime::chat::{Message, ModelError};
    /// use tool_runtime::run::{Assistant, RunStatus, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let refused = ModelError::Status { status: 429, message: "Rate limit reached".into() };
    /// let model = ScriptedModel::new([ScriptedReply::Fail(refused)]);
    /// let run = Assistant::new(model, ToolRegistry::new())
    ///     .run(Thread::from(vec![Message::user("Hello")]))
    ///     .await;
    ///
    /// assert_eq!(run.status(), RunStatus::Failed);
    /// let error = run.last_error().unwrap();
    /// assert_eq!(error.code, "model_error");
    /// assert_eq!(error.message, "the model's endpoint answered 429: Rate limit reached");
    /// # });
    /// ```
    pub fn last_error(&self) -> Option<&RunError> {
        self.last_error.as_ref()
    }

    /// A handle that cancels the run from another task (see [`CancelHandle`] for a run
    /// cancelled while a tool runs).
    ///
    /// ```
    /// use tool_runtime::ToolRegistry;
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::run::{Assistant, RunStatus, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let assistant = Assistant::new(ScriptedModel::new([ScriptedReply::text("Hi!")]), ToolRegistry::new());
    /// let mut run = assistant.start(Thread::from(vec![Message::user("Hello")]));
    /// let handle = run.cancel_handle();
    /// handle.cancel(); // e.g. from a task that watches for Ctrl-C
    /// assistant.drive(&mut run).await;
    /// assert_eq!(run.status(), RunStatus::Cancelled);
    /// # });
    /// ```
    pub fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }

    /// Cancels the run at once, answering every call without an output. (To stop a run
    /// while it is being driven, use its [`cancel_handle`](Self::cancel_handle).)
    ///
    /// ```
    /// # use tool_runtime::{tool, ToolRegistry};
    /// # use tool_runtime::chat::Message;
    /// # use tool_runtime::run::{Assistant, RunStatus, Thread};
    /// # use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    /// # /// Delete a task.
    /// # ///
    /// # /// # Arguments
    /// # /// * `id` - The task's id.
    /// # #[tool(destructive)]
    /// # fn delete_task(id: u32) -> String { format!("task {id} deleted") }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let mut registry = ToolRegistry::new();
    /// # registry.register(DeleteTask)?;
    /// let model = ScriptedModel::new([ScriptedReply::tool_calls([("delete_task", r#"{"id": 7}"#)])]);
    /// let mut run = Assistant::new(model, registry)
    ///     .run(Thread::from(vec![Message::user("Delete task 7")]))
    ///     .await;
    /// assert_eq!(run.status(), RunStatus::RequiresAction);
    ///
    /// run.cancel(); // the person walked away
    /// assert_eq!(run.status(), RunStatus::Cancelled);
    /// let Some(Message::Tool { content, is_error: true, .. }) = run.thread().messages().last() else {
    ///     panic!("the waiting call is answered");
    /// };
    /// assert_eq!(content, "the run was cancelled before this call finished");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn cancel(&mut self) {
        self.cancel.cancel();
        // Nothing drives the run while the caller holds it (a drive that was dropped left
        // it in progress): it stops here, and every call without an output is answered.
        if !self.status.is_terminal() {
            self.answer_unanswered("the run was cancelled before this call finished");
            self.status = RunStatus::Cancelled;
            self.ended_at = Some(SystemTime::now());
        }
    }

    /// Submits the outputs of the calls the run waits on (manual mode), all at once, as
    /// the Assistants API's `submit_tool_outputs`. The run is then queued, to be driven on.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolOutput, ToolRegistry};
    /// use tool_runtime::chat::Message;
    /// use tool_runtime::run::{Assistant, Mode, RunOptions, RunStatus, Thread};
    /// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    ///
    /// /// Get the weather in a city.
    /// ///
    /// /// # Arguments
    /// /// * `city` - The city.
    /// #[tool]
    /// fn get_weather(city: String) -> String { unreachable!("the caller runs it") }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut registry = ToolRegistry::new();
    /// registry.register(GetWeather)?;
    /// let model = ScriptedModel::new([
    ///     ScriptedReply::tool_calls([("get_weather", r#"{"city": "Paris"}"#)]),
    ///     ScriptedReply::text("It is sunny in Paris."),
    /// ]);
    /// let assistant = Assistant::new(model, registry)
    ///     .with_options(RunOptions::default().with_mode(Mode::Manual));
    /// let mut run = assistant.run(Thread::from(vec![Message::user("Weather in Paris?")])).await;
    /// assert_eq!(run.status(), RunStatus::RequiresAction);
    ///
    /// let outputs: Vec<ToolOutput> = run
    ///     .required_action()
    ///     .into_iter()
    ///     .map(|call| ToolOutput::success(call, "sunny, 24°C")) // run by the caller
    ///     .collect();
    /// run.submit_tool_outputs(outputs)?;
    /// assert_eq!(run.status(), RunStatus::Queued);
    /// assistant.drive(&mut run).await;
    /// assert_eq!(run.answer(), Some("It is sunny in Paris."));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn submit_tool_outputs(&mut self, outputs: Vec<ToolOutput>) -> Result<(), SubmitError> {
        self.expect_waiting()?;
        for output in &outputs {
            let waiting = self
                .pending
                .iter()
                .any(|p| p.call.id == output.tool_call_id && p.awaits_output && p.output.is_none());
            if !waiting {
                return Err(SubmitError::NotPending(output.tool_call_id.clone()));
            }
        }
        let missing: Vec<String> = self
            .pending
            .iter()
            .filter(|p| p.awaits_output && p.output.is_none())
            .filter(|p| !outputs.iter().any(|o| o.tool_call_id == p.call.id))
            .map(|p| p.call.id.clone())
            .collect();
        if !missing.is_empty() {
            return Err(SubmitError::Missing(missing));
        }
        for output in outputs {
            if let Some(pending) = self
                .pending
                .iter_mut()
                .find(|p| p.call.id == output.tool_call_id)
            {
                pending.output = Some(output);
            }
        }
        self.queue_if_ready();
        Ok(())
    }

    /// Approves a call that needs approval, to run with the model's arguments.
    ///
    /// ```
    /// # use tool_runtime::{tool, ToolRegistry};
    /// # use tool_runtime::chat::Message;
    /// # use tool_runtime::run::{Assistant, RunStatus, Thread};
    /// # use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    /// # /// Delete a task.
    /// # ///
    /// # /// # Arguments
    /// # /// * `id` - The task's id.
    /// # #[tool(destructive)]
    /// # fn delete_task(id: u32) -> String { format!("task {id} deleted") }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let mut registry = ToolRegistry::new();
    /// # registry.register(DeleteTask)?;
    /// let model = ScriptedModel::new([
    ///     ScriptedReply::tool_calls([("delete_task", r#"{"id": 7}"#)]),
    ///     ScriptedReply::text("Done."),
    /// ]);
    /// let assistant = Assistant::new(model, registry);
    /// let mut run = assistant.run(Thread::from(vec![Message::user("Delete task 7")])).await;
    ///
    /// let id = run.required_action()[0].id.clone();
    /// run.approve(&id)?;
    /// assert_eq!(run.status(), RunStatus::Queued); // nothing runs until it is driven
    /// assistant.drive(&mut run).await;
    /// let outputs: Vec<&Message> = run.thread().messages().iter()
    ///     .filter(|message| matches!(message, Message::Tool { .. }))
    ///     .collect();
    /// assert!(matches!(outputs[..], [Message::Tool { content, .. }] if content == "task 7 deleted"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn approve(&mut self, tool_call_id: &str) -> Result<(), SubmitError> {
        self.decide(tool_call_id, Decision::Approve { arguments: None })
    }

    /// Approves a call that needs approval, to run with `arguments` (JSON text) instead.
    ///
    /// ```
    /// # use tool_runtime::{tool, ToolRegistry};
    /// # use tool_runtime::chat::Message;
    /// # use tool_runtime::run::{Assistant, RunStatus, Thread};
    /// # use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    /// # /// Delete a task.
    /// # ///
    /// # /// # Arguments
    /// # /// * `id` - The task's id.
    /// # #[tool(destructive)]
    /// # fn delete_task(id: u32) -> String { format!("task {id} deleted") }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let mut registry = ToolRegistry::new();
    /// # registry.register(DeleteTask)?;
    /// let model = ScriptedModel::new([
    ///     ScriptedReply::tool_calls([("delete_task", r#"{"id": 7}"#)]),
    ///     ScriptedReply::text("Done."),
    /// ]);
    /// let assistant = Assistant::new(model, registry);
    /// let mut run = assistant.run(Thread::from(vec![Message::user("Delete the old task")])).await;
    ///
    /// // The person meant task 6.
    /// let id = run.required_action()[0].id.clone();
    /// run.approve_with(&id, r#"{"id": 6}"#)?;
    /// assistant.drive(&mut run).await;
    /// assert!(run.thread().messages().contains(&Message::Tool {
    ///     tool_call_id: id,
    ///     content: "task 6 deleted".into(),
    ///     is_error: false,
    /// }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn approve_with(
        &mut self,
        tool_call_id: &str,
        arguments: impl Into<String>,
    ) -> Result<(), SubmitError> {
        self.decide(
            tool_call_id,
            Decision::Approve {
                arguments: Some(arguments.into()),
            },
        )
    }

    /// Rejects a call that needs approval; the model reads `message` as its output.
    ///
    /// ```
    /// # use tool_runtime::{tool, ToolRegistry};
    /// # use tool_runtime::chat::Message;
    /// # use tool_runtime::run::{Assistant, RunStatus, Thread};
    /// # use tool_runtime::testing::{ScriptedModel, ScriptedReply};
    /// # /// Delete a task.
    /// # ///
    /// # /// # Arguments
    /// # /// * `id` - The task's id.
    /// # #[tool(destructive)]
    /// # fn delete_task(id: u32) -> String { format!("task {id} deleted") }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let mut registry = ToolRegistry::new();
    /// # registry.register(DeleteTask)?;
    /// let model = ScriptedModel::new([
    ///     ScriptedReply::tool_calls([("delete_task", r#"{"id": 7}"#)]),
    ///     ScriptedReply::text("I kept task 7."),
    /// ]);
    /// let assistant = Assistant::new(model, registry);
    /// let mut run = assistant.run(Thread::from(vec![Message::user("Delete task 7")])).await;
    ///
    /// let id = run.required_action()[0].id.clone();
    /// run.reject(&id, "The user said no.")?;
    /// assistant.drive(&mut run).await;
    /// assert_eq!(run.answer(), Some("I kept task 7."));
    /// assert!(run.thread().messages().contains(&Message::Tool {
    ///     tool_call_id: id,
    ///     content: "The user said no.".into(),
    ///     is_error: true,
    /// }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn reject(
        &mut self,
        tool_call_id: &str,
        message: impl Into<String>,
    ) -> Result<(), SubmitError> {
        self.decide(
            tool_call_id,
            Decision::Reject {
                message: message.into(),
            },
        )
    }

    fn decide(&mut self, tool_call_id: &str, decision: Decision) -> Result<(), SubmitError> {
        self.expect_waiting()?;
        let pending = self
            .pending
            .iter_mut()
            .find(|p| p.call.id == tool_call_id && p.awaits_decision && p.decision.is_none())
            .ok_or_else(|| SubmitError::NotPending(tool_call_id.to_owned()))?;
        pending.decision = Some(decision);
        self.queue_if_ready();
        Ok(())
    }

    fn expect_waiting(&self) -> Result<(), SubmitError> {
        if self.status != RunStatus::RequiresAction {
            return Err(SubmitError::NotWaiting(self.status));
        }
        match self.expires_at {
            Some(at) if SystemTime::now() >= at => Err(SubmitError::Expired),
            _ => Ok(()),
        }
    }

    fn queue_if_ready(&mut self) {
        if !self.pending.iter().any(PendingCall::awaits_caller) {
            self.status = RunStatus::Queued;
        }
    }

    /// Gives every call of the current turn that has no output an error output saying
    /// why, so the thread stays one a provider accepts (every call answered).
    pub(crate) fn close_pending(&mut self, reason: &str) {
        let pending = std::mem::take(&mut self.pending);
        if pending.is_empty() {
            return;
        }
        let outputs: Vec<ToolOutput> = pending
            .iter()
            .map(|p| {
                p.output
                    .clone()
                    .unwrap_or_else(|| ToolOutput::error(&p.call, reason))
            })
            .collect();
        self.append_outputs(pending.into_iter().map(|p| p.call).collect(), outputs);
    }

    /// Answers, with an error output, every call of the thread's last tool-calling message
    /// that has no output yet: after a drive was dropped half-way, the thread must still be
    /// one a provider accepts.
    pub(crate) fn answer_unanswered(&mut self, reason: &str) {
        self.close_pending(reason);
        let messages = self.thread.messages();
        let Some(at) = messages.iter().rposition(
            |m| matches!(m, Message::Assistant { tool_calls, .. } if !tool_calls.is_empty()),
        ) else {
            return;
        };
        let Message::Assistant { tool_calls, .. } = &messages[at] else {
            return;
        };
        let answered: Vec<&str> = messages[at + 1..]
            .iter()
            .filter_map(|m| match m {
                Message::Tool { tool_call_id, .. } => Some(tool_call_id.as_str()),
                _ => None,
            })
            .collect();
        let missing: Vec<ToolCall> = tool_calls
            .iter()
            .filter(|call| !answered.contains(&call.id.as_str()))
            .cloned()
            .collect();
        if !missing.is_empty() {
            let outputs = missing
                .iter()
                .map(|call| ToolOutput::error(call, reason))
                .collect();
            self.append_outputs(missing, outputs);
        }
    }

    pub(crate) fn append_outputs(&mut self, calls: Vec<ToolCall>, outputs: Vec<ToolOutput>) {
        for output in &outputs {
            self.thread.push(Message::tool(output));
        }
        self.steps.push(RunStep::ToolCalls { calls, outputs });
    }
}
