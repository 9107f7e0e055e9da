//! Running the model's tool calls: one, or a batch at once. Never a panic, never an abort:
//! every failure is an output the model can read.

use std::any::Any;
use std::panic::AssertUnwindSafe;

use futures_util::{FutureExt, StreamExt};

use crate::{ToolCall, ToolError, ToolFuture, ToolInput, ToolOutput, ToolRegistry};

impl ToolRegistry {
    /// Runs one tool call and returns its output. Unknown tools, bad arguments, a tool's
    /// `Err`, a panic and a timeout all give an output with `is_error: true` that says what
    /// went wrong; the registry stays usable.
    pub async fn dispatch(&self, call: &ToolCall) -> ToolOutput {
        let Some(&index) = self.index.get(call.name.as_str()) else {
            return ToolOutput::error(call, self.unknown_tool(&call.name));
        };
        let tool = &self.tools[index];
        let input = ToolInput::new(&call.arguments, &call.id, &self.state);
        // A sync tool runs inside `call`; an async one when its future is polled. Panics
        // are caught in both places.
        let result = match std::panic::catch_unwind(AssertUnwindSafe(|| tool.call(input))) {
            Err(panic) => Err(panicked(&call.name, &*panic)),
            Ok(future) => match future.into_ready() {
                Ok(result) => result.map_err(|error| message(&call.name, error)),
                Err(future) => self.finish(&call.name, future).await,
            },
        };
        match result {
            Ok(content) => ToolOutput::success(call, content),
            Err(text) => ToolOutput::error(call, text),
        }
    }

    /// Awaits an async tool's future under the registry's timeout, catching its panics.
    async fn finish(&self, name: &str, future: ToolFuture<'_>) -> Result<String, String> {
        let future = AssertUnwindSafe(future).catch_unwind();
        let finished = match self.timeout {
            None => future.await,
            Some(_) if tokio::runtime::Handle::try_current().is_err() => {
                return Err(format!(
                    "tool `{name}` has a timeout, which needs a Tokio runtime"
                ));
            }
            Some(limit) => match tokio::time::timeout(limit, future).await {
                Ok(finished) => finished,
                Err(_) => return Err(format!("tool `{name}` timed out after {limit:?}")),
            },
        };
        match finished {
            Ok(result) => result.map_err(|error| message(name, error)),
            Err(panic) => Err(panicked(name, &*panic)),
        }
    }

    /// Runs a batch of calls concurrently (all at once unless a
    /// [concurrency limit](Self::with_concurrency) is set) and returns their outputs in
    /// the order of the calls.
    ///
    /// The calls run on the current task: async tools overlap their waiting, and a sync
    /// tool runs to completion when polled, so long blocking work belongs in
    /// `tokio::task::spawn_blocking` inside the tool.
    pub async fn dispatch_all(&self, calls: &[ToolCall]) -> Vec<ToolOutput> {
        let limit = self
            .concurrency
            .map_or(calls.len().max(1), std::num::NonZeroUsize::get);
        futures_util::stream::iter(calls)
            .map(|call| self.dispatch(call))
            .buffered(limit)
            .collect()
            .await
    }

    fn unknown_tool(&self, name: &str) -> String {
        let available: Vec<String> = self.names().map(|name| format!("`{name}`")).collect();
        if available.is_empty() {
            format!("unknown tool `{name}`; no tools are available")
        } else {
            format!(
                "unknown tool `{name}`; available tools: {}",
                available.join(", ")
            )
        }
    }
}

fn message(tool: &str, error: ToolError) -> String {
    match error {
        ToolError::InvalidArguments(problem) => {
            format!("invalid arguments for tool `{tool}`: {problem}")
        }
        ToolError::Failed(text) => text,
        ToolError::MissingState(type_name) => {
            format!(
                "tool `{tool}` needs state of type `{type_name}`, which the registry does not hold"
            )
        }
    }
}

fn panicked(tool: &str, payload: &(dyn Any + Send)) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str));
    match detail {
        Some(detail) => format!("tool `{tool}` panicked: {detail}"),
        None => format!("tool `{tool}` panicked"),
    }
}
