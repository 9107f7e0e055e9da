//! The client: configuration, requests with retries, and the [`ChatModel`] implementation.

use std::fmt;
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use reqwest::Url;

use super::stream::ChatEvents;
use super::wire;
use crate::http::{Request, Transport};
use crate::{ChatDelta, ChatModel, ChatRequest, ChatResponse, ModelError, SchemaForm};

/// OpenAI's API, the base URL when `OPENAI_BASE_URL` is not set.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// The model [`OpenAiClient::from_env`] uses against OpenAI's API when `OPENAI_MODEL` is
/// not set. Other endpoints have no default: their models have names of their own.
pub const DEFAULT_OPENAI_MODEL: &str = "gpt-4o-mini";

/// Why [`OpenAiClient::from_env`] could not configure a client; each says which variable
/// to set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `OPENAI_MODEL` is needed: the endpoint is not OpenAI's, so there is no default.
    #[error(
        "set OPENAI_MODEL to the model to use at {base_url} (the name the server lists, \
         e.g. `qwen2.5-coder:0.5b` for Ollama); only OpenAI's API has a default model"
    )]
    MissingModel {
        /// The endpoint that needs a model name.
        base_url: String,
    },
    /// `OPENAI_API_KEY` is needed: OpenAI's API refuses requests without a key.
    #[error(
        "set OPENAI_API_KEY to use {base_url}, or set OPENAI_BASE_URL to a local \
         OpenAI-compatible server (Ollama, vLLM, llama.cpp) that needs no key"
    )]
    MissingApiKey {
        /// The endpoint that needs a key.
        base_url: String,
    },
    /// `OPENAI_BASE_URL` is not an `http` or `https` URL.
    #[error("OPENAI_BASE_URL must be an http(s) URL such as http://localhost:11434/v1, not `{0}`")]
    InvalidBaseUrl(String),
    /// A variable is set but is not valid Unicode.
    #[error("{0} is set but is not valid Unicode")]
    NotUnicode(&'static str),
}

/// A client for the Chat Completions API of OpenAI or any OpenAI-compatible server
/// (Ollama, vLLM, llama.cpp's `llama-server`), as a [`ChatModel`].
///
/// - **Schemas.** Tools go out in the strict form (every property required, optionals
///   nullable; [`SchemaForm::Declared`]) to OpenAI's API, which is built for it, and in
///   the plain form (optionals may be omitted; [`SchemaForm::Plain`]) to any other
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
    transport: Transport,
    base_url: String,
    endpoint: String,
    model: String,
    api_key: Option<String>,
    schema_form: Option<SchemaForm>,
    text_tool_calls: Option<bool>,
}

impl fmt::Debug for OpenAiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiClient")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.transport.timeout)
            .field("retries", &self.transport.retries)
            .field(
                "backoff",
                &(self.transport.backoff, self.transport.max_backoff),
            )
            .field("schema_form", &self.schema_form())
            .field("text_tool_calls", &self.reads_text_tool_calls())
            .finish()
    }
}

impl OpenAiClient {
    /// A client of `model` at `base_url` (the URL that `/chat/completions` is appended to,
    /// e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`), without an API key.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        let base_url = base_url.into().trim().trim_end_matches('/').to_owned();
        Self {
            transport: Transport::new(wire::DIALECT),
            endpoint: format!("{base_url}/chat/completions"),
            base_url,
            model: model.into(),
            api_key: None,
            schema_form: None,
            text_tool_calls: None,
        }
    }

    /// A client configured by the environment: `OPENAI_BASE_URL` (default
    /// [`DEFAULT_BASE_URL`]), `OPENAI_API_KEY` (needed for OpenAI's API, optional for
    /// local servers) and `OPENAI_MODEL` (needed unless the endpoint is OpenAI's, where it
    /// defaults to [`DEFAULT_OPENAI_MODEL`]). Empty variables count as unset.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the variable to set or fix.
    pub fn from_env() -> Result<Self, ConfigError> {
        for name in ["OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"] {
            if let Err(std::env::VarError::NotUnicode(_)) = std::env::var(name) {
                return Err(ConfigError::NotUnicode(name));
            }
        }
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](OpenAiClient::from_env), reading the variables through `var`
    /// (for configuration files, or tests that must not touch the process environment).
    ///
    /// ```
    /// use tool_runtime::openai::{ConfigError, OpenAiClient};
    /// use tool_runtime::SchemaForm;
    ///
    /// let vars = |base: &'static str, model: Option<&'static str>| {
    ///     move |name: &str| match name {
    ///         "OPENAI_BASE_URL" => Some(base.to_owned()),
    ///         "OPENAI_MODEL" => model.map(str::to_owned),
    ///         _ => None,
    ///     }
    /// };
    /// let local = OpenAiClient::from_vars(vars("http://localhost:11434/v1/", Some("qwen2.5")))?;
    /// assert_eq!(local.base_url(), "http://localhost:11434/v1");
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
    /// As [`from_env`](OpenAiClient::from_env).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            var(name)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        let base_url = get("OPENAI_BASE_URL").unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        match Url::parse(&base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {}
            _ => return Err(ConfigError::InvalidBaseUrl(base_url)),
        }
        let openai = is_openai(&base_url);
        let api_key = get("OPENAI_API_KEY");
        if openai && api_key.is_none() {
            return Err(ConfigError::MissingApiKey { base_url });
        }
        let model = match get("OPENAI_MODEL") {
            Some(model) => model,
            None if openai => DEFAULT_OPENAI_MODEL.to_owned(),
            None => return Err(ConfigError::MissingModel { base_url }),
        };
        let client = Self::new(base_url, model);
        Ok(match api_key {
            Some(key) => client.with_api_key(key),
            None => client,
        })
    }

    /// Sends `key` as a bearer token.
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// How long one attempt may take (default 60 s): all of a [`complete`](ChatModel::complete);
    /// for a [`stream`](ChatModel::stream), until the answer starts and then between two
    /// pieces of it.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.transport.timeout = timeout;
        self
    }

    /// How many times a failed request is retried (default 3; 0 never retries).
    pub fn with_retries(mut self, retries: u32) -> Self {
        self.transport.retries = retries;
        self
    }

    /// The wait before the first retry (default 500 ms, doubling each time) and the most
    /// any wait may be, a server's `Retry-After` included (default 30 s).
    pub fn with_backoff(mut self, first: Duration, max: Duration) -> Self {
        self.transport.backoff = first;
        self.transport.max_backoff = max;
        self
    }

    /// Sends tools in `form` whatever the endpoint (by default: strict where the endpoint
    /// is OpenAI's, plain elsewhere).
    pub fn with_schema_form(mut self, form: SchemaForm) -> Self {
        self.schema_form = Some(form);
        self
    }

    /// The base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The model asked.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// Whether a reply whose whole text is calls of the offered tools (a small model's
    /// habit) is read as those calls. Default: yes for any endpoint but OpenAI's.
    pub fn with_text_tool_calls(mut self, read: bool) -> Self {
        self.text_tool_calls = Some(read);
        self
    }

    /// Whether replies that are calls written as text are read as calls.
    pub fn reads_text_tool_calls(&self) -> bool {
        self.text_tool_calls.unwrap_or(!is_openai(&self.base_url))
    }

    /// The schema form tools are sent in: as set, or by endpoint.
    pub fn schema_form(&self) -> SchemaForm {
        self.schema_form.unwrap_or(if is_openai(&self.base_url) {
            SchemaForm::Declared
        } else {
            SchemaForm::Plain
        })
    }

    /// The timeout of one attempt.
    pub fn timeout(&self) -> Duration {
        self.transport.timeout
    }

    /// How many times a failed request is retried.
    pub fn retries(&self) -> u32 {
        self.transport.retries
    }

    /// The HTTP request for `request`.
    fn request(&self, request: &ChatRequest<'_>, stream: bool) -> Request<'_> {
        let body = wire::request_body(request, &self.model, self.schema_form(), stream);
        let http = Request::post(&self.endpoint, body.to_string().into_bytes());
        match &self.api_key {
            Some(key) => http.bearer(key),
            None => http,
        }
    }
}

impl ChatModel for OpenAiClient {
    fn complete<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxFuture<'a, Result<ChatResponse, ModelError>> {
        let http = self.request(&request, false);
        let tools = self.text_call_tools(&request);
        Box::pin(async move {
            let reply = self.transport.complete(&http, wire::parse_response).await?;
            Ok(match tools {
                Some(tools) => reply.with_text_tool_calls(&tools),
                None => reply,
            })
        })
    }

    fn stream<'a>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxStream<'a, Result<ChatDelta, ModelError>> {
        let http = self.request(&request, true);
        let deltas = self
            .transport
            .stream::<ChatEvents>(http, wire::parse_response);
        match self.text_call_tools(&request) {
            Some(tools) => crate::read_text_tool_calls(deltas, tools),
            None => deltas,
        }
    }
}

impl OpenAiClient {
    /// The offered tools' names, when replies that are calls written as text are read.
    fn text_call_tools(&self, request: &ChatRequest<'_>) -> Option<Vec<String>> {
        (self.reads_text_tool_calls() && !request.tools.is_empty()).then(|| {
            request
                .tools
                .iter()
                .map(|tool| tool.name().to_owned())
                .collect()
        })
    }
}

/// Whether `base_url` is OpenAI's API.
fn is_openai(base_url: &str) -> bool {
    Url::parse(base_url)
        .ok()
        .and_then(|url| {
            url.host_str()
                .map(|host| host.eq_ignore_ascii_case("api.openai.com"))
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_form_by_endpoint() {
        let openai = OpenAiClient::new("https://API.openai.com/v1/", "gpt-4o-mini");
        assert_eq!(openai.schema_form(), SchemaForm::Declared);
        assert_eq!(openai.base_url(), "https://API.openai.com/v1");
        let local = OpenAiClient::new("http://127.0.0.1:8080/v1", "qwen");
        assert_eq!(local.schema_form(), SchemaForm::Plain);
        let forced = local.with_schema_form(SchemaForm::Declared);
        assert_eq!(forced.schema_form(), SchemaForm::Declared);
        let lookalike = OpenAiClient::new("https://api.openai.com.evil.test/v1", "x");
        assert_eq!(lookalike.schema_form(), SchemaForm::Plain);
    }

    #[test]
    fn configuration_errors_name_the_variable() {
        let from = |pairs: &'static [(&'static str, &'static str)]| {
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
        assert_eq!(client.model(), DEFAULT_OPENAI_MODEL);
        assert_eq!(client.base_url(), DEFAULT_BASE_URL);
        assert!(!format!("{client:?}").contains("sk-test"));
    }
}
