//! The Chat Completions client, [`OpenAiClient`], over the Chat Completions wire format
//! (`wire.rs`, `stream.rs`).

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use serde_json::Value;

use super::api::Api;
use super::base::Base;
use super::env::{config_from_env, config_from_vars, ConfigError};
use super::stream::ChatEvents;
use super::wire;
use crate::chat::{ChatDelta, ChatModel, ChatRequest, ChatResponse, ModelError};
use crate::format::SchemaForm;
use crate::transport::ClientConfig;

/// A client for the Chat Completions API of OpenAI or any OpenAI-compatible server
/// (Ollama, vLLM, llama.cpp's `llama-server`), as a [`ChatModel`].
///
/// - **Schemas.** Tools go out in the strict form (every property required, optionals
///   nullable; [`SchemaForm::Declared`](crate::format::SchemaForm::Declared)) to OpenAI's API, which is built for it, and in
///   the plain form (optionals may be omitted; [`SchemaForm::Plain`](crate::format::SchemaForm::Plain)) to any other
///   endpoint, where a grammar-constrained small model fills every required-nullable
///   field with invented values. [`ClientConfig::with_schema_form`]
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
/// use tool_runtime::chat::{ChatModel, ChatRequest, Message};
/// use tool_runtime::openai::OpenAiClient;
/// use tool_runtime::transport::ClientConfig;
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
/// // OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODEL from the environment...
/// let model = OpenAiClient::from_env()?;
/// // ...or in code, e.g. a local Ollama:
/// let model = OpenAiClient::new(
///     ClientConfig::new("http://localhost:11434/v1", "qwen2.5-coder:0.5b")
///         .with_timeout(std::time::Duration::from_secs(120))
///         .with_retries(2),
/// );
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
    base: Base,
}

impl OpenAiClient {
    /// A client of `config`'s model at its base URL, which `/chat/completions` is
    /// appended to (`https://api.openai.com/v1`, `http://localhost:11434/v1`).
    ///
    /// ```
    /// use tool_runtime::openai::OpenAiClient;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let client = OpenAiClient::new(ClientConfig::new("http://localhost:11434/v1/", "qwen2.5-coder:0.5b"));
    /// assert_eq!(client.config().base_url(), "http://localhost:11434/v1");
    /// ```
    pub fn new(config: ClientConfig) -> Self {
        Self {
            base: Base::new::<ChatCompletions>(config),
        }
    }

    /// A client configured by the environment: `OPENAI_BASE_URL` (default
    /// [`DEFAULT_BASE_URL`](super::DEFAULT_BASE_URL)), `OPENAI_API_KEY` (needed for
    /// OpenAI's API, optional for local servers) and `OPENAI_MODEL` (needed unless the
    /// endpoint is OpenAI's, where it defaults to
    /// [`DEFAULT_OPENAI_MODEL`](super::DEFAULT_OPENAI_MODEL)). Empty variables count as
    /// unset. Change the rest with [`map_config`](Self::map_config).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use tool_runtime::openai::OpenAiClient;
    ///
    /// let client = OpenAiClient::from_env()?.map_config(|c| c.with_timeout(Duration::from_secs(120)));
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

    /// Like [`from_env`](Self::from_env), reading the variables through `var` (for
    /// configuration files, or tests that must not touch the process environment).
    ///
    /// ```
    /// use tool_runtime::format::SchemaForm;
    /// use tool_runtime::openai::{ConfigError, OpenAiClient};
    ///
    /// let vars = |base: &'static str, model: Option<&'static str>| {
    ///     move |name: &str| match name {
    ///         "OPENAI_BASE_URL" => Some(base.to_owned()),
    ///         "OPENAI_MODEL" => model.map(str::to_owned),
    ///         _ => None,
    ///     }
    /// };
    /// let local = OpenAiClient::from_vars(vars("http://localhost:11434/v1/", Some("qwen2.5")))?;
    /// assert_eq!(local.config().base_url(), "http://localhost:11434/v1");
    /// assert_eq!(local.schema_form(), SchemaForm::Plain);
    /// assert!(matches!(
    ///     OpenAiClient::from_vars(vars("http://localhost:11434/v1", None)),
    ///     Err(ConfigError::MissingModel { .. })
    /// ));
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
    /// use tool_runtime::openai::OpenAiClient;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let client = OpenAiClient::new(ClientConfig::new("http://127.0.0.1:8080/v1", "qwen2.5").with_retries(1));
    /// assert_eq!((client.config().model(), client.config().retries()), ("qwen2.5", 1));
    /// ```
    pub fn config(&self) -> &ClientConfig {
        &self.base.config
    }

    /// The same client with its configuration changed by `change`: how to adjust a client
    /// made by [`from_env`](Self::from_env).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tool_runtime::openai::OpenAiClient;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let client = OpenAiClient::new(ClientConfig::new("http://127.0.0.1:8080/v1", "qwen2.5"))
    ///     .map_config(|config| config.with_timeout(Duration::from_secs(180)).with_retries(0));
    /// assert_eq!(client.config().timeout(), Duration::from_secs(180));
    /// assert_eq!(client.config().retries(), 0);
    /// ```
    pub fn map_config(self, change: impl FnOnce(ClientConfig) -> ClientConfig) -> Self {
        Self::new(change(self.base.config))
    }

    /// The schema form tools are sent in: as configured, or by endpoint (strict for
    /// OpenAI's API, plain elsewhere).
    ///
    /// ```
    /// use tool_runtime::format::SchemaForm;
    /// use tool_runtime::openai::OpenAiClient;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let openai = OpenAiClient::new(ClientConfig::new("https://api.openai.com/v1", "gpt-4o-mini"));
    /// let local = OpenAiClient::new(ClientConfig::new("http://127.0.0.1:8080/v1", "qwen2.5"));
    /// assert_eq!((openai.schema_form(), local.schema_form()), (SchemaForm::Declared, SchemaForm::Plain));
    /// ```
    pub fn schema_form(&self) -> SchemaForm {
        self.base.schema_form()
    }

    /// Whether replies that are calls written as text are read as calls: as configured,
    /// or by endpoint (yes for any endpoint but OpenAI's).
    ///
    /// ```
    /// use tool_runtime::openai::OpenAiClient;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let local = ClientConfig::new("http://localhost:8080/v1", "qwen2.5");
    /// assert!(OpenAiClient::new(local.clone()).reads_text_tool_calls());
    /// assert!(!OpenAiClient::new(local.with_text_tool_calls(false)).reads_text_tool_calls());
    /// ```
    pub fn reads_text_tool_calls(&self) -> bool {
        self.base.reads_text_tool_calls()
    }
}

impl std::fmt::Debug for OpenAiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.base.debug("OpenAiClient", f)
    }
}

impl ChatModel for OpenAiClient {
    fn complete<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxFuture<'a, Result<ChatResponse, ModelError>> {
        self.base.complete::<ChatCompletions>(request)
    }

    fn stream<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxStream<'a, Result<ChatDelta, ModelError>> {
        self.base.stream::<ChatCompletions>(request)
    }

    fn provider(&self) -> Option<&str> {
        Some(super::base::PROVIDER)
    }

    fn model(&self) -> Option<&str> {
        Some(self.base.config.model())
    }
}

/// The Chat Completions API, as [`OpenAiClient`] speaks it.
struct ChatCompletions;

impl Api for ChatCompletions {
    const PATH: &'static str = "/chat/completions";

    type Events = ChatEvents;

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
    use crate::openai::{ResponsesClient, DEFAULT_BASE_URL, DEFAULT_OPENAI_MODEL};

    #[test]
    fn schema_form_by_endpoint() {
        let openai = OpenAiClient::new(ClientConfig::new(
            "https://API.openai.com/v1/",
            "gpt-4o-mini",
        ));
        assert_eq!(openai.schema_form(), SchemaForm::Declared);
        assert_eq!(openai.config().base_url(), "https://API.openai.com/v1");
        let local = ClientConfig::new("http://127.0.0.1:8080/v1", "qwen");
        assert_eq!(
            OpenAiClient::new(local.clone()).schema_form(),
            SchemaForm::Plain
        );
        let forced = OpenAiClient::new(local.with_schema_form(SchemaForm::Declared));
        assert_eq!(forced.schema_form(), SchemaForm::Declared);
        let lookalike = OpenAiClient::new(ClientConfig::new(
            "https://api.openai.com.evil.test/v1",
            "x",
        ));
        assert_eq!(lookalike.schema_form(), SchemaForm::Plain);
        let responses = ResponsesClient::new(ClientConfig::new(
            "https://api.openai.com/v1",
            "gpt-4o-mini",
        ));
        assert_eq!(responses.schema_form(), SchemaForm::Declared);
    }

    #[test]
    fn endpoints_by_api() {
        let base =
            Base::new::<ChatCompletions>(ClientConfig::new(" http://localhost:8080/v1/ ", "m"));
        assert_eq!(
            (base.config.base_url(), base.endpoint()),
            (
                "http://localhost:8080/v1",
                "http://localhost:8080/v1/chat/completions"
            )
        );
    }

    #[test]
    fn configuration_errors_name_the_variable() {
        let from =
            |pairs: &'static [(&'static str, &'static str)]| -> Result<OpenAiClient, ConfigError> {
                OpenAiClient::from_vars(move |name| {
                    pairs
                        .iter()
                        .find(|(key, _)| *key == name)
                        .map(|(_, value)| (*value).to_owned())
                })
            };
        let error = from(&[("OPENAI_BASE_URL", "http://localhost:11434/v1")]).unwrap_err();
        assert!(error.to_string().contains("OPENAI_MODEL"), "{error}");
        let error = from(&[]).unwrap_err();
        assert!(error.to_string().contains("OPENAI_API_KEY"), "{error}");
        let error = from(&[("OPENAI_BASE_URL", "localhost:11434")]).unwrap_err();
        assert!(error.to_string().contains("OPENAI_BASE_URL"), "{error}");
        let client = from(&[("OPENAI_API_KEY", "sk-test"), ("OPENAI_MODEL", " ")]).unwrap();
        assert_eq!(client.config().model(), DEFAULT_OPENAI_MODEL);
        assert_eq!(client.config().base_url(), DEFAULT_BASE_URL);
        assert!(!format!("{client:?}").contains("sk-test"));
        assert!(format!("{client:?}").starts_with("OpenAiClient {"));
    }
}
