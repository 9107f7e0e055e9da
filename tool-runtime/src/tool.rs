//! The `Tool` trait that `#[tool]` implements.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;

use crate::context::{StateKey, StateMap};
use crate::ToolDefinition;

/// A function a model can call. `#[tool]` implements it on a unit struct named after the
/// function; implement it by hand only for tools whose shape is known at run time.
///
/// ```
/// use tool_runtime::{tool, Tool};
///
/// /// Say hello.
/// ///
/// /// # Arguments
/// /// * `name` - Who to greet.
/// #[tool]
/// fn greet(name: String) -> String {
///     format!("Hello, {name}!")
/// }
///
/// assert_eq!(Greet::NAME, "greet");
/// assert_eq!(Greet.definition().description(), "Say hello.");
/// assert_eq!(greet("Ada".into()), "Hello, Ada!"); // the function is unchanged
/// ```
pub trait Tool: Send + Sync + 'static {
    /// The name the model calls the tool by.
    const NAME: &'static str;

    /// The definition, built on first use and kept.
    fn definition(&self) -> &ToolDefinition;

    /// The state types the tool takes from the registry (`State<T>` parameters).
    fn required_state(&self) -> Vec<StateKey> {
        Vec::new()
    }

    /// Parses the arguments, runs the function and renders its output. A sync tool does
    /// all of it here and returns a [ready](ToolFuture::ready) future; an async tool
    /// returns its work [boxed](ToolFuture::boxed).
    fn call<'a>(&'a self, input: ToolInput<'a>) -> ToolFuture<'a>;
}

/// The result of [`Tool::call`]: already there (sync tools, no allocation), or to be awaited.
///
/// ```
/// use tool_runtime::ToolFuture;
///
/// # let runtime = tokio::runtime::Runtime::new().unwrap();
/// # let block_on = |future| runtime.block_on(future);
/// let done = ToolFuture::ready(Ok("42".to_owned()));
/// assert_eq!(block_on(done), Ok("42".to_owned()));
/// let later = ToolFuture::boxed(async { Ok("43".to_owned()) });
/// assert_eq!(block_on(later), Ok("43".to_owned()));
/// ```
#[must_use = "a tool call does nothing until awaited"]
pub struct ToolFuture<'a>(Inner<'a>);

enum Inner<'a> {
    Ready(Option<Result<String, ToolError>>),
    Boxed(BoxFuture<'a, Result<String, ToolError>>),
}

impl<'a> ToolFuture<'a> {
    /// A call that has finished.
    #[inline]
    pub fn ready(result: Result<String, ToolError>) -> Self {
        Self(Inner::Ready(Some(result)))
    }

    /// The result, if the call has finished; the future itself otherwise.
    #[inline]
    pub(crate) fn into_ready(self) -> Result<Result<String, ToolError>, Self> {
        match self.0 {
            Inner::Ready(Some(result)) => Ok(result),
            pending => Err(Self(pending)),
        }
    }

    /// A call still to run.
    pub fn boxed(future: impl Future<Output = Result<String, ToolError>> + Send + 'a) -> Self {
        Self(Inner::Boxed(Box::pin(future)))
    }
}

impl Future for ToolFuture<'_> {
    type Output = Result<String, ToolError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().0 {
            Inner::Ready(result) => match result.take() {
                Some(result) => Poll::Ready(result),
                None => Poll::Ready(Err(ToolError::Failed(
                    "the tool's result was already taken".into(),
                ))),
            },
            Inner::Boxed(future) => future.as_mut().poll(cx),
        }
    }
}

impl std::fmt::Debug for ToolFuture<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Inner::Ready(_) => "ToolFuture::Ready",
            Inner::Boxed(_) => "ToolFuture::Boxed",
        })
    }
}

/// What a tool receives for one call.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ToolInput<'a> {
    /// The arguments as the JSON text the model sent.
    pub arguments: &'a str,
    /// The id of the call.
    pub call_id: &'a str,
    /// The registry's state.
    pub state: &'a StateMap,
}

impl<'a> ToolInput<'a> {
    /// Input for a call with these arguments, id and state.
    pub fn new(arguments: &'a str, call_id: &'a str, state: &'a StateMap) -> Self {
        Self {
            arguments,
            call_id,
            state,
        }
    }
}

/// Why a tool call failed; the registry turns it into an error output the model reads.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ToolError {
    /// The arguments were not JSON, or did not fit the parameters: the path and the problem.
    InvalidArguments(String),
    /// The tool ran and returned `Err`: that error's text.
    Failed(String),
    /// The registry holds no value of a state type the tool takes.
    MissingState(&'static str),
}
