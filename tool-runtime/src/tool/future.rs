//! The future a tool call returns: ready at once for sync tools, boxed for async ones.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;

use super::ToolError;

/// The result of [`Tool::call`](crate::Tool::call): already there (sync tools, no allocation), or to be awaited.
///
/// ```
/// use tool_runtime::tool::ToolFuture;
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

    /// The result, if the call has finished; the boxed future otherwise.
    #[inline]
    pub(crate) fn into_ready(
        self,
    ) -> Result<Result<String, ToolError>, BoxFuture<'a, Result<String, ToolError>>> {
        match self.0 {
            Inner::Ready(Some(result)) => Ok(result),
            Inner::Ready(None) => Ok(Err(taken())),
            Inner::Boxed(future) => Err(future),
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
            Inner::Ready(result) => Poll::Ready(result.take().unwrap_or_else(|| Err(taken()))),
            Inner::Boxed(future) => future.as_mut().poll(cx),
        }
    }
}

#[cold]
fn taken() -> ToolError {
    ToolError::Failed("the tool's result was already taken".into())
}

impl std::fmt::Debug for ToolFuture<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Inner::Ready(_) => "ToolFuture::Ready",
            Inner::Boxed(_) => "ToolFuture::Boxed",
        })
    }
}
