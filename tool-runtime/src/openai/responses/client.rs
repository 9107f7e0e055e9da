//! The Responses API client, [`ResponsesClient`]: configured like the Chat Completions
//! client, over the Responses wire format (`wire.rs`, `stream.rs`).

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use serde_json::Value;

use super::stream;
use super::wire;
use crate::chat::{ChatDelta, ChatModel, ChatRequest, ChatResponse, ModelError};
#[cfg(doc)]
use crate::chat::{FinishReason, Message};
use crate::format::SchemaForm;
use crate::openai::api::Api;
use crate::openai::base::Base;
use crate::openai::env::{config_from_env, config_from_vars, ConfigError};
use crate::transport::ClientConfig;

/// A client for OpenAI's Responses API (`POST {base_url}/responses`), or a server that
/// speaks it, as a [`ChatModel`]. It is configured like
/// [`OpenAiClient`](crate::openai::OpenAiClient), from the same `OPENAI_*` variables, and retries,
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
/// use tool_runtime::chat::StreamExt;
/// use tool_runtime::openai::ResponsesClient;
/// use tool_runtime::chat::{ChatDelta, ChatModel, ChatRequest, Message};
/// use tool_runtime::{tool, ToolRegistry};
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
    base: Base,
}

impl ResponsesClient {
    /// A client of `config`'s model at its base URL, which `/responses` is appended to.
    ///
    /// ```
    /// use tool_runtime::openai::ResponsesClient;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let client = ResponsesClient::new(ClientConfig::new("https://api.openai.com/v1", "gpt-4o-mini"));
    /// assert_eq!(client.config().model(), "gpt-4o-mini");
    /// ```
    pub fn new(config: ClientConfig) -> Self {
        Self {
            base: Base::new::<Responses>(config),
        }
    }

    /// A client configured by the `OPENAI_*` variables, as
    /// [`OpenAiClient::from_env`](crate::openai::OpenAiClient::from_env).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use tool_runtime::openai::ResponsesClient;
    ///
    /// let client = ResponsesClient::from_env()?.map_config(|c| c.with_timeout(Duration::from_secs(120)));
    /// println!("asking {} at {}", client.config().model(), client.config().base_url());
    /// # Ok::<(), tool_runtime::openai::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the variable to set or fix.
    pub fn from_env() -> Result<Self, ConfigError> {
        config_from_env().map(Self::new)
    }

    /// Like [`from_env`](Self::from_env), reading the variables through `var`.
    ///
    /// ```
    /// use tool_runtime::openai::{ConfigError, ResponsesClient, DEFAULT_OPENAI_MODEL};
    ///
    /// // OpenAI's API: a key is needed, the model has a default.
    /// let client = ResponsesClient::from_vars(|name| (name == "OPENAI_API_KEY").then(|| "sk-test".to_owned()))?;
    /// assert_eq!(client.config().model(), DEFAULT_OPENAI_MODEL);
    /// assert!(matches!(ResponsesClient::from_vars(|_| None), Err(ConfigError::MissingApiKey { .. })));
    /// # Ok::<(), ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        config_from_vars(var).map(Self::new)
    }

    /// The configuration.
    ///
    /// ```
    /// use tool_runtime::openai::ResponsesClient;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let client = ResponsesClient::new(ClientConfig::new("https://api.openai.com/v1/", "gpt-4o-mini"));
    /// assert_eq!(client.config().base_url(), "https://api.openai.com/v1");
    /// ```
    pub fn config(&self) -> &ClientConfig {
        &self.base.config
    }

    /// The same client with its configuration changed by `change`: how to adjust a client
    /// made by [`from_env`](Self::from_env).
    ///
    /// ```
    /// use tool_runtime::openai::ResponsesClient;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let client = ResponsesClient::new(ClientConfig::new("https://api.openai.com/v1", "gpt-4o-mini"))
    ///     .map_config(|config| config.with_retries(5));
    /// assert_eq!(client.config().retries(), 5);
    /// ```
    pub fn map_config(self, change: impl FnOnce(ClientConfig) -> ClientConfig) -> Self {
        Self::new(change(self.base.config))
    }

    /// The schema form tools are sent in: as configured, or by endpoint (strict for
    /// OpenAI's API, plain elsewhere).
    ///
    /// ```
    /// use tool_runtime::format::SchemaForm;
    /// use tool_runtime::openai::ResponsesClient;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let client = ResponsesClient::new(ClientConfig::new("https://api.openai.com/v1", "gpt-4o-mini"));
    /// assert_eq!(client.schema_form(), SchemaForm::Declared);
    /// ```
    pub fn schema_form(&self) -> SchemaForm {
        self.base.schema_form()
    }

    /// Whether replies that are calls written as text are read as calls: as configured,
    /// or by endpoint (yes for any endpoint but OpenAI's).
    ///
    /// ```
    /// use tool_runtime::openai::ResponsesClient;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let local = ResponsesClient::new(ClientConfig::new("http://127.0.0.1:8080/v1", "qwen2.5"));
    /// assert!(local.reads_text_tool_calls());
    /// ```
    pub fn reads_text_tool_calls(&self) -> bool {
        self.base.reads_text_tool_calls()
    }
}

impl std::fmt::Debug for ResponsesClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.base.debug("ResponsesClient", f)
    }
}

impl ChatModel for ResponsesClient {
    fn complete<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxFuture<'a, Result<ChatResponse, ModelError>> {
        self.base.complete::<Responses>(request)
    }

    fn stream<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxStream<'a, Result<ChatDelta, ModelError>> {
        self.base.stream::<Responses>(request)
    }

    fn provider(&self) -> Option<&str> {
        Some(crate::openai::base::PROVIDER)
    }

    fn model(&self) -> Option<&str> {
        Some(self.base.config.model())
    }
}

/// The Responses API, as [`ResponsesClient`] speaks it.
struct Responses;

impl Api for Responses {
    const PATH: &'static str = "/responses";

    type Events = stream::ResponseEvents;

    fn body(
        request: &ChatRequest<'_>,
        model: &str,
        form: SchemaForm,
        stream: bool,
    ) -> Result<Value, ModelError> {
        wire::request_body(request, model, form, stream)
    }

    fn parse(body: &[u8]) -> Result<ChatResponse, ModelError> {
        wire::parse_response(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openai::ConfigError;

    fn from(
        pairs: &'static [(&'static str, &'static str)],
    ) -> Result<ResponsesClient, ConfigError> {
        ResponsesClient::from_vars(move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn configured_like_the_chat_client() {
        let local = from(&[
            ("OPENAI_BASE_URL", " http://localhost:11434/v1/ "),
            ("OPENAI_MODEL", "qwen2.5"),
        ])
        .expect("a local endpoint needs no key");
        assert_eq!(local.config().base_url(), "http://localhost:11434/v1");
        assert_eq!(local.schema_form(), SchemaForm::Plain);
        assert!(local.reads_text_tool_calls());
        let error = from(&[("OPENAI_BASE_URL", "http://localhost:11434/v1")]).unwrap_err();
        assert!(matches!(error, ConfigError::MissingModel { .. }), "{error}");

        let openai = from(&[("OPENAI_API_KEY", "sk-secret")]).expect("OpenAI has a default model");
        assert_eq!(openai.schema_form(), SchemaForm::Declared);
        assert!(!openai.reads_text_tool_calls());
        let printed = format!("{openai:?}");
        assert!(printed.starts_with("ResponsesClient {"), "{printed}");
        assert!(!printed.contains("sk-secret"), "{printed}");
        assert!(printed.contains("/v1/responses"), "{printed}");

        let quiet = local.map_config(|config| config.with_text_tool_calls(false));
        assert!(!quiet.reads_text_tool_calls());
    }
}
