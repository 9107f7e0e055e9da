//! Talking to a model: the messages of a thread, what a model is asked, and what it
//! answers, whole or as a stream of deltas.
//!
//! [`ChatModel`] is the one seam between the assistant loop and a provider: an
//! OpenAI-compatible HTTP client, another provider's client, or the [`ScriptedModel`](crate::testing::ScriptedModel) that
//! tests and offline runs use all implement it, and the loop never knows which it has.

mod message;
mod model;
mod request;
mod response;
mod text_calls;

pub use message::Message;
pub use model::{ChatModel, ModelError};
pub use request::{ChatRequest, RequestOptions, ResponseFormat, ToolChoice};
pub use response::{ChatDelta, ChatResponse, FinishReason, ResponseBuilder, Usage};
pub use text_calls::{calls_in_text, read_text_tool_calls};

/// `next()` and the other adapters of the streams this crate returns (a model's deltas, a
/// run's events), so that reading them needs no other import: `use
/// tool_runtime::chat::StreamExt;`.
pub use futures_util::StreamExt;
/// The boxed future and stream a [`ChatModel`] returns.
pub use futures_util::{future::BoxFuture, stream::BoxStream};
