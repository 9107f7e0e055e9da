//! Running the model's tool calls: one, or a batch at once. Never a panic, never an abort:
//! every failure is an output the model can read.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use futures_util::{FutureExt, StreamExt};

use super::ToolRegistry;
use crate::call::{CallRef, ToolCall, ToolOutput};
use crate::tool::{ToolError, ToolInput};

impl ToolRegistry {
    /// Runs one tool call; the future gives its output. Unknown tools, bad arguments, a
    /// tool's `Err`, a panic and a timeout all give an output with `is_error: true` that
    /// says what went wrong; the registry stays usable.
    ///
    /// `dispatch` runs any registered tool it is asked for, `destructive` and
    /// `needs_approval` ones included: asking a person first is the caller's job. The
    /// assistant loop ([`Assistant`](crate::run::Assistant)) pauses a run for approval
    /// before such a call, and the MCP server hides such tools unless allowed; code that
    /// dispatches a model's calls itself checks
    /// [`ToolMarkers::needs_approval`](crate::tool::ToolMarkers::needs_approval) first.
    ///
    /// Nothing runs until the future is polled. A sync tool then runs to completion in that
    /// first poll, without allocating, as does an `async fn` tool without `.await` (see
    /// [`Tool::call`](crate::Tool::call)); an async tool runs as its future is polled.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolCall, ToolRegistry};
    ///
    /// /// Ping the service.
    /// #[tool]
    /// fn ping() -> &'static str { "pong" }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut registry = ToolRegistry::new();
    /// registry.register(Ping)?;
    /// let output = registry.dispatch(&ToolCall::new("call_1", "ping", "")).await;
    /// assert_eq!((output.tool_call_id.as_str(), output.content.as_str()), ("call_1", "pong"));
    ///
    /// // A tool the model made up: an error output that tells it what there is.
    /// let output = registry.dispatch(&ToolCall::new("call_2", "pong", "")).await;
    /// assert!(output.is_error);
    /// assert_eq!(output.content, "unknown tool `pong`; available tools: `ping`");
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn dispatch<'a>(&'a self, call: impl Into<CallRef<'a>>) -> Dispatch<'a> {
        let call = call.into();
        Dispatch {
            id: call.id,
            invoke: Invoke {
                registry: self,
                call,
                running: None,
                answered: false,
            },
        }
    }

    /// Runs one tool call as [`dispatch`](Self::dispatch) does, and gives the output's text
    /// alone: `Ok` with the tool's output, or `Err` with the error the model should read.
    /// For a caller that answers in an envelope of its own, with the call's id it already
    /// holds (an MCP server answering a request, a server replaying a provider's reply): no
    /// [`ToolOutput`] is built, so the id is not copied.
    ///
    /// ```
    /// use tool_runtime::{tool, CallRef, ToolRegistry};
    ///
    /// /// Double a number.
    /// ///
    /// /// # Arguments
    /// /// * `n` - The number.
    /// #[tool]
    /// fn double(n: i64) -> i64 { n * 2 }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut registry = ToolRegistry::new();
    /// registry.register(Double)?;
    /// // The parts of a JSON-RPC request, borrowed from it.
    /// let (id, name, arguments) = ("7", "double", r#"{"n": 21}"#);
    /// assert_eq!(registry.invoke(CallRef::new(id, name, arguments)).await, Ok("42".to_owned()));
    /// let refused = registry.invoke(CallRef::new(id, name, r#"{"n": "x"}"#)).await;
    /// assert_eq!(
    ///     refused,
    ///     Err("invalid arguments for tool `double`: n: invalid type: string \"x\", expected i64".to_owned())
    /// );
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// # }).unwrap();
    /// ```
    pub fn invoke<'a>(
        &'a self,
        call: impl Into<CallRef<'a>>,
    ) -> impl Future<Output = Result<String, String>> + Send + 'a {
        Invoke {
            registry: self,
            call: call.into(),
            running: None,
            answered: false,
        }
    }

    /// Runs a batch of calls concurrently (all at once unless a
    /// [concurrency limit](Self::with_concurrency) is set) and returns their outputs in
    /// the order of the calls.
    ///
    /// The calls run on the current task: async tools overlap their waiting, and a sync
    /// tool runs to completion when polled, so long blocking work belongs in
    /// `tokio::task::spawn_blocking` inside the tool.
    ///
    /// ```
    /// use tool_runtime::{tool, ToolCall, ToolRegistry};
    ///
    /// /// Halve a number.
    /// ///
    /// /// # Arguments
    /// /// * `n` - An even number.
    /// #[tool]
    /// async fn halve(n: u32) -> Result<u32, String> {
    ///     if n % 2 == 1 { Err(format!("{n} is odd")) } else { Ok(n / 2) }
    /// }
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let mut registry = ToolRegistry::new();
    /// registry.register(Halve)?;
    /// let calls = [
    ///     ToolCall::new("call_1", "halve", r#"{"n": 8}"#),
    ///     ToolCall::new("call_2", "halve", r#"{"n": 3}"#),
    ///     ToolCall::new("call_3", "halve", r#"{"n": 4}"#),
    /// ];
    /// let outputs = registry.dispatch_all(&calls).await;
    /// let contents: Vec<&str> = outputs.iter().map(|output| output.content.as_str()).collect();
    /// assert_eq!(contents, ["4", "3 is odd", "2"]); // one failure spoils no other call
    /// assert_eq!(outputs.iter().map(|output| output.is_error).collect::<Vec<_>>(), [false, true, false]);
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// # }).unwrap();
    /// ```
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

    #[cold]
    fn unknown_tool(&self, name: &str) -> String {
        // The name is the model's: quote no more of it than a real name could be.
        let name = match name.char_indices().nth(64) {
            Some((end, _)) => format!("{}...", &name[..end]),
            None => name.to_owned(),
        };
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

/// The future of [`ToolRegistry::dispatch`]: the output of one tool call.
///
/// It is written by hand rather than as an `async fn` so that the common case, a sync
/// tool, costs no more than the tool: no state machine to move around, no room reserved
/// for a timer it does not use.
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use tool_runtime::{tool, ToolCall, ToolRegistry};
///
/// static VISITS: AtomicU32 = AtomicU32::new(0);
///
/// /// Count a visit.
/// #[tool]
/// fn visit() -> u32 {
///     VISITS.fetch_add(1, Ordering::SeqCst) + 1
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let mut registry = ToolRegistry::new();
/// registry.register(Visit)?;
/// let call = ToolCall::new("call_1", "visit", "");
///
/// let dispatch = registry.dispatch(&call);
/// assert_eq!(VISITS.load(Ordering::SeqCst), 0); // nothing ran yet
/// assert_eq!(dispatch.await.content, "1");
/// assert_eq!(VISITS.load(Ordering::SeqCst), 1);
/// # Ok::<(), tool_runtime::RegistryError>(())
/// # }).unwrap();
/// ```
#[must_use = "a tool call does nothing until awaited"]
pub struct Dispatch<'a> {
    id: &'a str,
    invoke: Invoke<'a>,
}

impl std::fmt::Debug for Dispatch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatch")
            .field("call", &self.invoke.call)
            .finish_non_exhaustive()
    }
}

impl Future for Dispatch<'_> {
    type Output = ToolOutput;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ToolOutput> {
        let this = self.get_mut();
        match Pin::new(&mut this.invoke).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(content)) => Poll::Ready(ToolOutput::answering(this.id, content, false)),
            Poll::Ready(Err(text)) => Poll::Ready(ToolOutput::answering(this.id, text, true)),
        }
    }
}

/// The future of [`ToolRegistry::invoke`], and the work of a [`Dispatch`]: the output's
/// text, or the error's.
///
/// Written by hand rather than as an `async fn` so that the common case, a sync tool, costs
/// no more than the tool: it is found and called in the first poll, and leaves nothing
/// behind to drop or check. Only an async tool leaves its future here.
struct Invoke<'a> {
    registry: &'a ToolRegistry,
    call: CallRef<'a>,
    /// An async tool's future, once started; under the timeout, if the registry has one.
    /// One boxed future whatever the case, so that dropping a finished call is a check.
    running: Option<Running<'a>>,
    /// Whether the output was given: a poll after that is a caller's mistake, answered as
    /// an error rather than a panic.
    answered: bool,
}

/// An async tool's work: its own future, or one that also keeps its time (the tool's own
/// output, or the error of its timing out or panicking).
type Running<'a> = BoxFuture<'a, Result<String, ToolError>>;

impl Future for Invoke<'_> {
    type Output = Result<String, String>;

    // Inlined where it is awaited, so that the compiler sees the state a new call starts in
    // and what a sync tool's call leaves: nothing.
    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.running.is_none() {
            if this.answered {
                return Poll::Ready(Err(already_answered(this.call.name)));
            }
            match this.start() {
                Ok(result) => {
                    this.answered = true;
                    return Poll::Ready(result);
                }
                Err(future) => match this.registry.running(this.call.name, future) {
                    Ok(running) => this.running = Some(running),
                    Err(text) => {
                        this.answered = true;
                        return Poll::Ready(Err(text));
                    }
                },
            }
        }
        this.poll_running(cx)
    }
}

impl<'a> Invoke<'a> {
    /// Finds the tool and calls it: a sync tool's result, or an async tool's future.
    #[inline]
    fn start(&self) -> Result<Result<String, String>, Running<'a>> {
        let (registry, call) = (self.registry, self.call);
        let Some(index) = registry.position(call.name) else {
            return Ok(Err(registry.unknown_tool(call.name)));
        };
        let input = ToolInput::new(call.arguments, call.id, &registry.state);
        // A sync tool runs inside `call`, so its panics are caught here; an async tool's
        // are caught around each poll of its future.
        let future = match std::panic::catch_unwind(AssertUnwindSafe(|| {
            registry.tools[index].call(input)
        })) {
            Ok(future) => future,
            Err(panic) => return Ok(Err(panicked(call.name, &*panic))),
        };
        match future.into_ready() {
            Ok(Ok(content)) => Ok(Ok(content)),
            Ok(Err(error)) => Ok(Err(message(call.name, error))),
            Err(future) => Err(future),
        }
    }

    /// Polls an async tool's future.
    #[inline(never)]
    fn poll_running(&mut self, cx: &mut Context<'_>) -> Poll<Result<String, String>> {
        let name = self.call.name;
        let Some(future) = &mut self.running else {
            return Poll::Ready(Err(already_answered(name)));
        };
        let finished = match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx)))
        {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(result)) => result.map_err(|error| message(name, error)),
            Err(panic) => Err(panicked(name, &*panic)),
        };
        self.running = None;
        self.answered = true;
        Poll::Ready(finished)
    }
}

#[cold]
fn already_answered(name: &str) -> String {
    format!("the call of tool `{name}` was already answered")
}

impl ToolRegistry {
    /// How an async tool's future runs: under the timeout, if there is one. `Err` is the
    /// output of a call that cannot run.
    fn running<'a>(&self, name: &'a str, future: Running<'a>) -> Result<Running<'a>, String> {
        let Some(limit) = self.timeout else {
            return Ok(future);
        };
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(format!(
                "tool `{name}` has a timeout, which needs a Tokio runtime"
            ));
        }
        let caught = AssertUnwindSafe(future).catch_unwind();
        // Tokio panics here when its runtime was built without timers.
        let Ok(timed) =
            std::panic::catch_unwind(AssertUnwindSafe(|| tokio::time::timeout(limit, caught)))
        else {
            return Err(format!(
                "tool `{name}` has a timeout, which needs a Tokio runtime with timers enabled"
            ));
        };
        // The timer is large, and only registries with a timeout need one: it lives in
        // this box, not in every call's future.
        Ok(Box::pin(async move {
            match timed.await {
                Ok(Ok(result)) => result,
                Ok(Err(panic)) => Err(ToolError::Failed(panicked(name, &*panic))),
                Err(_) => Err(ToolError::Failed(format!(
                    "tool `{name}` timed out after {limit:?}"
                ))),
            }
        }))
    }
}
