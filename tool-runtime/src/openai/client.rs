//! The Chat Completions client: [`OpenAiClient`], the configuration and methods it shares
//! with the Responses client (`config.rs`) over the Chat Completions wire format.

use super::config::{openai_client, Settings};
use super::wire::ChatCompletions;
#[cfg(doc)]
use crate::chat::ChatModel;

/// A client for the Chat Completions API of OpenAI or any OpenAI-compatible server
/// (Ollama, vLLM, llama.cpp's `llama-server`), as a [`ChatModel`].
///
/// - **Schemas.** Tools go out in the strict form (every property required, optionals
///   nullable; [`SchemaForm::Declared`](crate::format::SchemaForm::Declared)) to OpenAI's API, which is built for it, and in
///   the plain form (optionals may be omitted; [`SchemaForm::Plain`](crate::format::SchemaForm::Plain)) to any other
///   endpoint, where a grammar-constrained small model fills every required-nullable
///   field with invented values. [`with_schema_form`](OpenAiClient::with_schema_form)
///   overrides the choice.
/// - **Retries.** `429` and `5xx` answers, timeouts and connection failures are retried
///   with exponential backoff (honouring `Retry-After`, capped), 3 times by default; other
///   `4xx` answers are not. Errors carry the body's message, not a bare status. A stream
///   is retried only before its first delta.
/// - **Timeouts.** Each attempt of [`complete`](ChatModel::complete) must finish within
///   the timeout (60 s by default); a stream must start within it, and then never go
///   quiet for longer.
/// - **Quirks.** Replies are read leniently (see [`StreamDecoder`](super::StreamDecoder)):
///   `arguments` as an object, missing ids, whole calls in one chunk, missing usage and
///   unknown fields are all fine.
///
/// It needs a Tokio runtime with IO and timers enabled (`#[tokio::main]` has both).
///
/// ```no_run
/// use tool_runtime::openai::OpenAiClient;
/// use tool_runtime::{tool, ChatModel, ChatRequest, Message, ToolRegistry};
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
/// // OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODEL from the environment...
/// let model = OpenAiClient::from_env()?;
/// // ...or in code, e.g. a local Ollama:
/// let model = OpenAiClient::new("http://localhost:11434/v1", "qwen2.5-coder:0.5b")
///     .with_timeout(std::time::Duration::from_secs(120))
///     .with_retries(2);
///
/// let mut registry = ToolRegistry::new();
/// registry.register(GetNickname)?;
/// let thread = vec![Message::user("What is Paris called?")];
/// let reply = model.complete(ChatRequest::new(&thread).with_tools(&registry)).await?;
/// for call in &reply.tool_calls {
///     println!("{}({})", call.name, call.arguments);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct OpenAiClient {
    settings: Settings,
}

openai_client!(OpenAiClient, ChatCompletions, "/chat/completions");
