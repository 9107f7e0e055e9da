//! The client: configuration, and the [`ChatModel`] implementation on the shared HTTP
//! transport.

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt};

use super::stream::Events;
use super::wire::{self, BodyOptions};
use crate::chat::{ChatDelta, ChatModel, ChatRequest, ChatResponse, ModelError};
use crate::format::SchemaForm;
use crate::transport::{
    env_vars, is_http_url, read_var, transient, ClientConfig, ErrorPolicy, Request, Transport,
};

/// Anthropic's API, the base URL when `ANTHROPIC_BASE_URL` is not set.
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";

/// The host of Anthropic's own API, which needs a key.
const ANTHROPIC_HOST: &str = "api.anthropic.com";

/// The `anthropic-version` every request is sent with.
pub const API_VERSION: &str = "2023-06-01";

/// The `max_tokens` of a request that sets none (the API requires one): room for a long
/// answer, within what every current model may write.
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

/// How the Messages API words its errors, and which are worth another try: `429`, and
/// `5xx` with `529` (overloaded) among them.
const DIALECT: ErrorPolicy = ErrorPolicy {
    error_in: wire::error_in,
    retryable: transient,
};

/// Why [`AnthropicClient::from_env`] could not configure a client; each says which
/// variable to set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `ANTHROPIC_MODEL` is needed: there is no default model.
    #[error(
        "set ANTHROPIC_MODEL to the model to use at {base_url} (an id from Anthropic's \
         model list, e.g. `claude-sonnet-4-5`); there is no default"
    )]
    MissingModel {
        /// The endpoint that needs a model name.
        base_url: String,
    },
    /// `ANTHROPIC_API_KEY` is needed: Anthropic's API refuses requests without a key.
    #[error(
        "set ANTHROPIC_API_KEY to use {base_url}, or set ANTHROPIC_BASE_URL to a \
         Messages-compatible gateway that needs no key"
    )]
    MissingApiKey {
        /// The endpoint that needs a key.
        base_url: String,
    },
    /// `ANTHROPIC_BASE_URL` is not an `http` or `https` URL.
    #[error(
        "ANTHROPIC_BASE_URL must be an http(s) URL such as https://api.anthropic.com, not `{0}`"
    )]
    InvalidBaseUrl(String),
    /// A variable is set but is not valid Unicode.
    #[error("{0} is set but is not valid Unicode")]
    NotUnicode(&'static str),
}

/// A client for Anthropic's Messages API (`POST {base_url}/v1/messages`), as a
/// [`ChatModel`]: whole replies and SSE streams.
///
/// - **The thread.** System messages, wherever they are, become the top-level `system`
///   (joined by a blank line); tool calls go back as `tool_use` blocks and tool outputs
///   as `tool_result` blocks (with `is_error`), the outputs of one turn in one user
///   message; consecutive messages of one role are merged, so roles alternate as the API
///   requires. A call whose arguments are not a JSON object goes back with `{}` as its
///   `input` (its output already says what was wrong).
/// - **Schemas.** Tools go out in the plain form by default ([`SchemaForm::Plain`]):
///   Claude follows plain schemas well, the plain form keeps numeric and length bounds in
///   the schema, and strict tool use is not available on every model (one without it
///   refuses the whole request). [`ClientConfig::with_schema_form`]
///   with [`SchemaForm::Declared`] sends tools that qualify with `strict: true`.
/// - **Length.** The API requires `max_tokens`: a request without one gets
///   [`DEFAULT_MAX_TOKENS`], or what
///   [`with_default_max_tokens`](AnthropicClient::with_default_max_tokens) set.
/// - **Retries.** `429`, `529` (overloaded) and other `5xx` answers, timeouts and
///   connection failures are retried with exponential backoff (honouring `Retry-After`,
///   capped), 3 times by default; other `4xx` answers are not. Errors carry the body's
///   message. A stream is retried only before its first delta.
/// - **Timeouts.** Each attempt of [`complete`](ChatModel::complete) must finish within
///   the timeout (60 s by default); a stream must start within it, and then never go
///   quiet for longer.
///
/// It needs a Tokio runtime with IO and timers enabled (`#[tokio::main]` has both).
///
/// ```no_run
/// use tool_runtime::anthropic::AnthropicClient;
/// use tool_runtime::{tool, ToolRegistry};
/// use tool_runtime::chat::{ChatModel, ChatRequest, Message};
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
/// // ANTHROPIC_API_KEY and ANTHROPIC_MODEL (and ANTHROPIC_BASE_URL) from the environment...
/// let model = AnthropicClient::from_env()?;
/// // ...or in code:
/// # use tool_runtime::transport::ClientConfig;
/// let config = ClientConfig::new("https://api.anthropic.com", "claude-sonnet-4-5")
///     .with_api_key(std::env::var("ANTHROPIC_API_KEY")?)
///     .with_timeout(std::time::Duration::from_secs(120));
/// let model = AnthropicClient::new(config).with_default_max_tokens(1024);
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
pub struct AnthropicClient {
    config: ClientConfig,
    transport: Transport,
    endpoint: String,
    default_max_tokens: u32,
}

impl AnthropicClient {
    /// A client of `config`'s model at its base URL, which `/v1/messages` is appended to
    /// (e.g. [`DEFAULT_BASE_URL`]).
    ///
    /// ```
    /// use tool_runtime::anthropic::AnthropicClient;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let client = AnthropicClient::new(ClientConfig::new("http://localhost:4000/", "claude-sonnet-4-5"));
    /// assert_eq!(client.config().base_url(), "http://localhost:4000");
    /// ```
    pub fn new(config: ClientConfig) -> Self {
        Self {
            transport: Transport::new(DIALECT, &config),
            endpoint: format!("{}/v1/messages", config.base_url()),
            config,
            default_max_tokens: DEFAULT_MAX_TOKENS,
        }
    }

    /// A client configured by the environment: `ANTHROPIC_BASE_URL` (default
    /// [`DEFAULT_BASE_URL`]), `ANTHROPIC_API_KEY` (needed for Anthropic's API, optional
    /// for a gateway at another URL) and `ANTHROPIC_MODEL` (always needed: Anthropic
    /// retires model ids on a schedule and models differ widely in price, so a default
    /// baked in here would go stale or cost a surprise). Empty variables count as unset.
    ///
    /// ```no_run
    /// use tool_runtime::anthropic::AnthropicClient;
    ///
    /// let client = AnthropicClient::from_env()?.with_default_max_tokens(1024);
    /// println!("asking {} at {}", client.config().model(), client.config().base_url());
    /// # Ok::<(), tool_runtime::anthropic::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the variable to set or fix.
    pub fn from_env() -> Result<Self, ConfigError> {
        let var = env_vars(["ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_MODEL"])
            .map_err(ConfigError::NotUnicode)?;
        Self::from_vars(var)
    }

    /// Like [`from_env`](AnthropicClient::from_env), reading the variables through `var`
    /// (for configuration files, or tests that must not touch the process environment).
    ///
    /// ```
    /// use tool_runtime::anthropic::{AnthropicClient, ConfigError, DEFAULT_BASE_URL};
    ///
    /// let vars = |key: Option<&'static str>, model: Option<&'static str>| {
    ///     move |name: &str| match name {
    ///         "ANTHROPIC_API_KEY" => key.map(str::to_owned),
    ///         "ANTHROPIC_MODEL" => model.map(str::to_owned),
    ///         _ => None,
    ///     }
    /// };
    /// let client = AnthropicClient::from_vars(vars(Some("sk-ant-test"), Some("claude-sonnet-4-5")))?;
    /// assert_eq!((client.config().base_url(), client.config().model()), (DEFAULT_BASE_URL, "claude-sonnet-4-5"));
    /// assert!(matches!(
    ///     AnthropicClient::from_vars(vars(Some("sk-ant-test"), None)),
    ///     Err(ConfigError::MissingModel { .. })
    /// ));
    /// assert!(matches!(
    ///     AnthropicClient::from_vars(vars(None, Some("claude-sonnet-4-5"))),
    ///     Err(ConfigError::MissingApiKey { .. })
    /// ));
    /// # Ok::<(), ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`from_env`](AnthropicClient::from_env).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let base_url =
            read_var(&var, "ANTHROPIC_BASE_URL").unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        if !is_http_url(&base_url) {
            return Err(ConfigError::InvalidBaseUrl(base_url));
        }
        let anthropic = ClientConfig::new(base_url.as_str(), "").is_host(ANTHROPIC_HOST);
        let api_key = read_var(&var, "ANTHROPIC_API_KEY");
        if anthropic && api_key.is_none() {
            return Err(ConfigError::MissingApiKey { base_url });
        }
        let Some(model) = read_var(&var, "ANTHROPIC_MODEL") else {
            return Err(ConfigError::MissingModel { base_url });
        };
        let config = ClientConfig::new(base_url, model);
        Ok(Self::new(match api_key {
            Some(key) => config.with_api_key(key),
            None => config,
        }))
    }

    /// The configuration.
    ///
    /// ```
    /// use tool_runtime::anthropic::AnthropicClient;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let client = AnthropicClient::new(ClientConfig::new("https://api.anthropic.com", "claude-sonnet-4-5"));
    /// assert_eq!(client.config().model(), "claude-sonnet-4-5");
    /// ```
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The same client with its configuration changed by `change` (its default
    /// `max_tokens` kept): how to adjust a client made by [`from_env`](Self::from_env).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tool_runtime::anthropic::AnthropicClient;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let client = AnthropicClient::new(ClientConfig::new("https://api.anthropic.com", "claude-sonnet-4-5"))
    ///     .with_default_max_tokens(1024)
    ///     .map_config(|config| config.with_timeout(Duration::from_secs(300)));
    /// assert_eq!((client.config().timeout(), client.default_max_tokens()), (Duration::from_secs(300), 1024));
    /// ```
    pub fn map_config(self, change: impl FnOnce(ClientConfig) -> ClientConfig) -> Self {
        Self::new(change(self.config)).with_default_max_tokens(self.default_max_tokens)
    }

    /// The schema form tools are sent in: as configured, else plain (not every model
    /// takes strict tools).
    ///
    /// ```
    /// use tool_runtime::anthropic::AnthropicClient;
    /// use tool_runtime::format::SchemaForm;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let config = ClientConfig::new("https://api.anthropic.com", "claude-sonnet-4-5");
    /// assert_eq!(AnthropicClient::new(config.clone()).schema_form(), SchemaForm::Plain);
    /// let strict = AnthropicClient::new(config.with_schema_form(SchemaForm::Declared));
    /// assert_eq!(strict.schema_form(), SchemaForm::Declared);
    /// ```
    pub fn schema_form(&self) -> SchemaForm {
        self.config.schema_form().unwrap_or(SchemaForm::Plain)
    }

    /// The `max_tokens` of requests that set none (default [`DEFAULT_MAX_TOKENS`]); a
    /// request's own [`max_tokens`](crate::chat::RequestOptions::max_tokens) wins.
    ///
    /// ```
    /// use tool_runtime::anthropic::AnthropicClient;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let client = AnthropicClient::new(ClientConfig::new("https://api.anthropic.com", "claude-sonnet-4-5"))
    ///     .with_default_max_tokens(16_000);
    /// assert_eq!(client.default_max_tokens(), 16_000);
    /// ```
    pub fn with_default_max_tokens(mut self, max_tokens: u32) -> Self {
        self.default_max_tokens = max_tokens;
        self
    }

    /// The `max_tokens` of requests that set none.
    ///
    /// ```
    /// use tool_runtime::anthropic::{AnthropicClient, DEFAULT_MAX_TOKENS};
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let client = AnthropicClient::new(ClientConfig::new("https://api.anthropic.com", "claude-sonnet-4-5"));
    /// assert_eq!(client.default_max_tokens(), DEFAULT_MAX_TOKENS);
    /// ```
    pub fn default_max_tokens(&self) -> u32 {
        self.default_max_tokens
    }

    /// The HTTP request for `request`: the body, the version and the key; or why it
    /// cannot be sent.
    fn request(&self, request: &ChatRequest<'_>, stream: bool) -> Result<Request<'_>, ModelError> {
        let options = BodyOptions {
            model: self.config.model(),
            form: self.schema_form(),
            max_tokens: self.default_max_tokens,
            stream,
        };
        let body = wire::request_body(request, options)?
            .to_string()
            .into_bytes();
        let http = Request::post(&self.endpoint, body).header("anthropic-version", API_VERSION);
        Ok(match self.config.api_key() {
            Some(key) => http.secret("x-api-key", key),
            None => http,
        })
    }
}

impl std::fmt::Debug for AnthropicClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnthropicClient")
            .field("config", &self.config)
            .field("endpoint", &self.endpoint)
            .field("schema_form", &self.schema_form())
            .field("default_max_tokens", &self.default_max_tokens)
            .finish()
    }
}

impl ChatModel for AnthropicClient {
    fn complete<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxFuture<'a, Result<ChatResponse, ModelError>> {
        let http = self.request(&request, false);
        Box::pin(async move { self.transport.complete(&http?, wire::parse_response).await })
    }

    fn stream<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxStream<'a, Result<ChatDelta, ModelError>> {
        match self.request(&request, true) {
            Ok(http) => self.transport.stream::<Events>(http, wire::parse_response),
            Err(error) => stream::once(async move { Err(error) }).boxed(),
        }
    }

    fn provider(&self) -> Option<&str> {
        Some("anthropic")
    }

    fn model(&self) -> Option<&str> {
        Some(self.config.model())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(
        pairs: &'static [(&'static str, &'static str)],
    ) -> Result<AnthropicClient, ConfigError> {
        AnthropicClient::from_vars(move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn configuration_errors_name_the_variable() {
        let error = from(&[("ANTHROPIC_MODEL", "claude-test")]).unwrap_err();
        assert!(error.to_string().contains("ANTHROPIC_API_KEY"), "{error}");
        let error = from(&[
            ("ANTHROPIC_API_KEY", "sk-ant-test"),
            ("ANTHROPIC_MODEL", " "),
        ])
        .unwrap_err();
        assert!(error.to_string().contains("ANTHROPIC_MODEL"), "{error}");
        let error = from(&[("ANTHROPIC_BASE_URL", "api.anthropic.com")]).unwrap_err();
        assert!(error.to_string().contains("ANTHROPIC_BASE_URL"), "{error}");
        // A gateway elsewhere needs no key, still a model.
        let gateway = from(&[
            ("ANTHROPIC_BASE_URL", "http://127.0.0.1:4000/"),
            ("ANTHROPIC_MODEL", "claude-test"),
        ])
        .unwrap();
        assert_eq!(gateway.endpoint, "http://127.0.0.1:4000/v1/messages");
        assert_eq!(gateway.config.api_key(), None);
        let error = from(&[("ANTHROPIC_BASE_URL", "http://127.0.0.1:4000")]).unwrap_err();
        assert!(matches!(error, ConfigError::MissingModel { .. }), "{error}");
        // A look-alike host is not Anthropic's.
        assert!(from(&[
            ("ANTHROPIC_BASE_URL", "https://api.anthropic.com.evil.test"),
            ("ANTHROPIC_MODEL", "claude-test"),
        ])
        .is_ok());
        let client = from(&[
            ("ANTHROPIC_API_KEY", "sk-ant-test"),
            ("ANTHROPIC_MODEL", "claude-test"),
        ])
        .unwrap();
        assert_eq!(client.endpoint, "https://api.anthropic.com/v1/messages");
        assert_eq!(client.config.api_key(), Some("sk-ant-test"));
        assert!(!format!("{client:?}").contains("sk-ant-test"));
    }
}
