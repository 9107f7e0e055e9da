//! The assistant loop, with the run lifecycle of the OpenAI Assistants API, run locally
//! against any [`ChatModel`](crate::chat::ChatModel).
//!
//! A [`Run`] holds a thread and where the conversation stands; an [`Assistant`] (a model,
//! a registry, instructions, options) drives it: it asks the model, runs the tool calls it
//! makes, gives it their outputs, and asks again, until the model answers in text. A run
//! stops short, in [`RunStatus::RequiresAction`], when the caller must act: in manual mode
//! to run the calls and [submit their outputs](Run::submit_tool_outputs) (the callback flow
//! of the Assistants API), and always before a tool that needs approval. A paused run
//! serializes, and resumes in another process.

mod assistant;
mod drive;
mod event;
mod lifecycle;
mod spans;
mod status;
mod summary;

pub use assistant::{Assistant, Mode, RunOptions};
pub use event::RunEvent;
pub use lifecycle::{CancelHandle, Decision, PendingCall, Run, RunStep, SubmitError, Thread};
pub use status::{RunError, RunStatus};
pub use summary::{RunSummary, ToolSummary};
