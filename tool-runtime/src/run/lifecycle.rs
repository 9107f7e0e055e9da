//! A run's state: everything needed to resume it, and what the caller does to it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::call::{ToolCall, ToolOutput};
use crate::chat::{Message, ToolChoice, Usage};
use crate::run::{RunError, RunStatus};

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

/// The caller's decision on a call that needs approval.
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
    #[serde(skip)]
    pub(crate) cancel: CancelHandle,
}

impl Run {
    /// The run's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Where it stands.
    pub fn status(&self) -> RunStatus {
        self.status
    }

    /// The thread, with everything the run added.
    pub fn thread(&self) -> &Thread {
        &self.thread
    }

    /// The thread, to add a user's message once the run has ended.
    pub fn into_thread(self) -> Thread {
        self.thread
    }

    /// The model's final answer, once completed.
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

    /// The calls of the current turn, in the model's order, with what each waits for.
    pub fn pending_calls(&self) -> &[PendingCall] {
        &self.pending
    }

    /// The calls the caller must act on (the `required_action` of the Assistants API):
    /// their outputs in manual mode, a decision for those that need approval.
    pub fn required_action(&self) -> Vec<&ToolCall> {
        self.pending
            .iter()
            .filter(|p| p.awaits_caller())
            .map(|p| &p.call)
            .collect()
    }

    /// What the run did.
    pub fn steps(&self) -> &[RunStep] {
        &self.steps
    }

    /// Tokens used by all its model requests.
    pub fn usage(&self) -> Usage {
        self.usage
    }

    /// Why it failed or ended early.
    pub fn last_error(&self) -> Option<&RunError> {
        self.last_error.as_ref()
    }

    /// A handle that cancels the run from another task.
    pub fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }

    /// Cancels the run at once, answering every call without an output. (To stop a run
    /// while it is being driven, use its [`cancel_handle`](Self::cancel_handle).)
    pub fn cancel(&mut self) {
        self.cancel.cancel();
        // Nothing drives the run while the caller holds it (a drive that was dropped left
        // it in progress): it stops here, and every call without an output is answered.
        if !self.status.is_terminal() {
            self.answer_unanswered("the run was cancelled before this call finished");
            self.status = RunStatus::Cancelled;
        }
    }

    /// Submits the outputs of the calls the run waits on (manual mode), all at once, as
    /// the Assistants API's `submit_tool_outputs`. The run is then queued, to be driven on.
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
    pub fn approve(&mut self, tool_call_id: &str) -> Result<(), SubmitError> {
        self.decide(tool_call_id, Decision::Approve { arguments: None })
    }

    /// Approves a call that needs approval, to run with `arguments` (JSON text) instead.
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
