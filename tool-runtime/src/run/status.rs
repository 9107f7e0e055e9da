//! Where a run stands.

use serde::{Deserialize, Serialize};

/// The status of a run, as in the Assistants API.
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
    /// Whether the run has ended for good.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Cancelled | Self::Failed | Self::Completed | Self::Incomplete | Self::Expired
        )
    }
}

/// Why a run failed or ended early.
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
