//! Where a run stands.

use serde::{Deserialize, Serialize};

/// The status of a run, as in the Assistants API; it serializes in the API's words.
///
/// ```
/// use tool_runtime::run::RunStatus;
///
/// assert_eq!(serde_json::to_string(&RunStatus::RequiresAction).unwrap(), r#""requires_action""#);
/// // A run that waits for the caller has not ended: it resumes once the caller acts.
/// assert!(!RunStatus::RequiresAction.is_terminal());
/// assert!(RunStatus::Expired.is_terminal());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Created, or given what it waited for; not yet running.
    Queued,
    /// Asking the model or running tools.
    InProgress,
    /// Waiting for the caller: tool outputs (manual mode) or approvals.
    RequiresAction,
    /// Asked to stop, and stopping.
    Cancelling,
    /// Stopped on request.
    Cancelled,
    /// Ended by an error; see [`Run::last_error`](crate::run::Run::last_error).
    Failed,
    /// The model gave its final answer.
    Completed,
    /// Ended before an answer: the turn limit was reached.
    Incomplete,
    /// Ended before an answer: the deadline passed.
    Expired,
}

impl RunStatus {
    /// Whether the run has ended for good: cancelled, failed, completed, incomplete or
    /// expired. Driving it again changes nothing.
    ///
    /// ```
    /// use tool_runtime::run::RunStatus;
    ///
    /// let ended = [RunStatus::Cancelled, RunStatus::Failed, RunStatus::Completed, RunStatus::Incomplete, RunStatus::Expired];
    /// assert!(ended.iter().all(|status| status.is_terminal()));
    /// let going = [RunStatus::Queued, RunStatus::InProgress, RunStatus::RequiresAction, RunStatus::Cancelling];
    /// assert!(!going.iter().any(|status| status.is_terminal()));
    /// ```
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Cancelled | Self::Failed | Self::Completed | Self::Incomplete | Self::Expired
        )
    }
}

/// Why a run failed or ended early: [`Run::last_error`](crate::run::Run::last_error).
///
/// ```
/// use tool_runtime::{tool, ToolRegistry};
/// use tool_runtime::chat::Message;
/// use tool_runtime::run::{Assistant, RunOptions, RunStatus, Thread};
/// use tool_runtime::testing::{ScriptedModel, ScriptedReply};
///
/// /// Ping the service.
/// #[tool]
/// fn ping() -> &'static str { "pong" }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(Ping)?;
/// // A model that keeps calling tools, and a run that allows it two requests.
/// let model = ScriptedModel::new([
///     ScriptedReply::tool_calls([("ping", "")]),
///     ScriptedReply::tool_calls([("ping", "")]),
/// ]);
/// let assistant = Assistant::new(model, registry)
///     .with_options(RunOptions::default().with_max_turns(2));
/// let run = assistant.run(Thread::from(vec![Message::user("Ping")])).await;
///
/// assert_eq!(run.status(), RunStatus::Incomplete);
/// let error = run.last_error().unwrap();
/// assert_eq!(error.code, "max_turns");
/// assert_eq!(error.message, "the run asked the model 2 times without a final answer");
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunError {
    /// `model_error`, `max_turns`, `expired`...
    pub code: String,
    /// What happened.
    pub message: String,
}

impl RunError {
    pub(crate) fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}
