//! The Responses API client: [`ResponsesClient`], configured like the Chat Completions
//! client (`config.rs`), over the Responses wire format (`wire.rs`, `events.rs`).

mod events;
mod wire;

use serde_json::Value;

use super::config::{openai_client, Api, Settings};
#[cfg(doc)]
use crate::chat::{ChatModel, FinishReason, Message};
use crate::chat::{ChatRequest, ChatResponse, ModelError};
use crate::format::SchemaForm;

/// A client for OpenAI's Responses API (`POST {base_url}/responses`), or a server that
/// speaks it, as a [`ChatModel`]. It is configured like
/// [`OpenAiClient`](super::OpenAiClient), from the same `OPENAI_*` variables, and retries,
/// times out and picks the schema form the same way.
///
/// - **The thread.** Each request carries the whole thread as `input` items, and `store`
///   is `false`: nothing is kept on the server, nothing is referred to by id. A thread that
///   opens with a [`Message::System`] sends it as `instructions`; a later system message
///   stays in its place as a `system` message item. Text is a `message` item; an
///   assistant's tool calls are `function_call` items (`call_id` is the
///   [`ToolCall`](crate::call::ToolCall)'s id) and tool outputs `function_call_output` items.
/// - **Tools** go out flat (`{"type": "function", "name", ..., "strict"}`, `strict` always
///   spelled out), with `tool_choice` (`"auto"`, `"none"`, `"required"` or
///   `{"type": "function", "name"}`), `parallel_tool_calls`, and `max_output_tokens`.
/// - **Replies.** `message` items give the text, `function_call` items the calls
///   (`arguments` a string, an object, or missing for `{}`); reasoning and unknown items
///   are left out. An `incomplete` response finishes with its reason
///   ([`FinishReason::Length`] for `max_output_tokens`); a `failed` one is an error with
///   the provider's message. Streams are read from their named events (calls by
///   `output_index`, their argument deltas interleaved as they come) and end at
///   `response.completed`.
///
/// It needs a Tokio runtime with IO and timers enabled (`#[tokio::main]` has both).
///
/// ```no_run
/// use futures_util::StreamExt;
/// use tool_runtime::openai::ResponsesClient;
/// use tool_runtime::{tool, ChatDelta, ChatModel, ChatRequest, Message, ToolRegistry};
///
/// /// Get the nickname of a city.
/// ///
/// /// # Arguments
/// /// * `location` - The city, e.g. Paris.
/// #[tool]
/// fn get_nickname(location: String) -> String {
///     format!("{location}: the City of Light")
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// // OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODEL from the environment.
/// let model = ResponsesClient::from_env()?;
/// let mut registry = ToolRegistry::new();
/// registry.register(GetNickname)?;
/// let thread = vec![Message::system("Be brief."), Message::user("What is Paris called?")];
///
/// let reply = model.complete(ChatRequest::new(&thread).with_tools(&registry)).await?;
/// for call in &reply.tool_calls {
///     println!("{}({})", call.name, call.arguments);
/// }
/// let mut stream = model.stream(ChatRequest::new(&thread));
/// while let Some(delta) = stream.next().await {
///     if let ChatDelta::Text(text) = delta? {
///         print!("{text}");
///     }
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ResponsesClient {
    settings: Settings,
}

openai_client!(ResponsesClient, Responses, "/responses");

/// The Responses API, as [`ResponsesClient`] speaks it.
struct Responses;

impl Api for Responses {
    type Events = events::ResponseEvents;

    fn body(request: &ChatRequest<'_>, model: &str, form: SchemaForm, stream: bool) -> Value {
        wire::request_body(request, model, form, stream)
    }

    fn parse(body: &[u8]) -> Result<ChatResponse, ModelError> {
        wire::parse_response(body)
    }
}
