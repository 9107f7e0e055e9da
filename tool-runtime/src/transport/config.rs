//! The settings every provider client shares, written once: where to ask, which model,
//! the key, and how long and how often to try.

use std::fmt;
use std::time::Duration;

use crate::format::SchemaForm;

/// The default of [`ClientConfig::with_total_timeout`]: long enough for the longest reply
/// a model writes, short enough that a trickling server cannot hold a run for hours.
const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The default of [`ClientConfig::with_max_reply_bytes`]: far more than any model writes
/// in one reply (128k tokens are about 512 KiB of text), and a bound on what a runaway
/// server makes the client hold.
const DEFAULT_MAX_REPLY_BYTES: usize = 16 << 20;

/// How a provider client reaches its model: the endpoint, the model, the key, the
/// timeout of one attempt and the total time of a request, the retries and their backoff,
/// the largest reply it reads, and the schema form of the tools it sends. Every client
/// ([`OpenAiClient`](crate::openai::OpenAiClient),
/// [`ResponsesClient`](crate::openai::ResponsesClient),
/// [`AnthropicClient`](crate::anthropic::AnthropicClient)) is made from one, and shows it
/// with `config()`.
///
/// ```
/// use std::time::Duration;
/// use tool_runtime::transport::ClientConfig;
///
/// let config = ClientConfig::new("http://localhost:11434/v1/", "qwen2.5-coder:0.5b")
///     .with_timeout(Duration::from_secs(120))
///     .with_retries(2)
///     .with_api_key("sk-secret");
/// assert_eq!(config.base_url(), "http://localhost:11434/v1");
/// assert_eq!((config.timeout(), config.retries()), (Duration::from_secs(120), 2));
/// assert!(!format!("{config:?}").contains("sk-secret"), "the key is never printed");
/// ```
#[derive(Clone)]
pub struct ClientConfig {
    base_url: String,
    model: String,
    api_key: Option<String>,
    timeout: Duration,
    total_timeout: Duration,
    max_reply_bytes: usize,
    retries: u32,
    backoff: Duration,
    max_backoff: Duration,
    schema_form: Option<SchemaForm>,
    text_tool_calls: Option<bool>,
}

impl ClientConfig {
    /// `model` at `base_url` (trimmed, without a trailing `/`; the client appends its
    /// API's path), with no key, 60 s per attempt and 10 minutes per request, replies of
    /// at most 16 MiB, 3 retries waiting from 500 ms up to 30 s, and the schema form and
    /// text-call reading the client picks for the endpoint.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let config = ClientConfig::new(" http://127.0.0.1:8080/v1/ ", "qwen2.5-coder-0.5b");
    /// assert_eq!((config.base_url(), config.model()), ("http://127.0.0.1:8080/v1", "qwen2.5-coder-0.5b"));
    /// assert_eq!(config.api_key(), None);
    /// assert_eq!((config.timeout(), config.total_timeout()), (Duration::from_secs(60), Duration::from_secs(600)));
    /// assert_eq!((config.max_reply_bytes(), config.retries()), (16 << 20, 3));
    /// assert_eq!(config.backoff(), (Duration::from_millis(500), Duration::from_secs(30)));
    /// assert_eq!((config.schema_form(), config.text_tool_calls()), (None, None));
    /// ```
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim().trim_end_matches('/').to_owned(),
            model: model.into(),
            api_key: None,
            timeout: Duration::from_secs(60),
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
            max_reply_bytes: DEFAULT_MAX_REPLY_BYTES,
            retries: 3,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            schema_form: None,
            text_tool_calls: None,
        }
    }

    /// Sends `key` the way the provider wants it (a bearer token for OpenAI, `x-api-key`
    /// for Anthropic). Default: no key (local servers need none). Never printed.
    ///
    /// ```
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let config = ClientConfig::new("https://api.openai.com/v1", "gpt-4o-mini").with_api_key("sk-secret");
    /// assert_eq!(config.api_key(), Some("sk-secret"));
    /// assert!(format!("{config:?}").contains("api_key: Some(\"<redacted>\")"));
    /// ```
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// How long one attempt may take (default 60 s): all of a
    /// [`complete`](crate::chat::ChatModel::complete); for a
    /// [`stream`](crate::chat::ChatModel::stream), until the answer starts and then
    /// between two of its events (a comment, such as a keep-alive, is not progress and
    /// does not reset it). The whole request is bounded too:
    /// [`with_total_timeout`](Self::with_total_timeout).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// // A slow local model: three minutes to the first token.
    /// let config = ClientConfig::new("http://127.0.0.1:8080/v1", "qwen2.5")
    ///     .with_timeout(Duration::from_secs(180));
    /// assert_eq!(config.timeout(), Duration::from_secs(180));
    /// ```
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The most time one model request may take in all, retries and their waits included
    /// (default 10 minutes): a bound beside [`with_timeout`](Self::with_timeout), which a
    /// server trickling a reply (a few characters a second) never trips. Past it the
    /// request ends with [`ModelError::Transport`](crate::chat::ModelError::Transport)
    /// and is not retried.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let config = ClientConfig::new("http://127.0.0.1:8080/v1", "qwen2.5")
    ///     .with_total_timeout(Duration::from_secs(120));
    /// assert_eq!(config.total_timeout(), Duration::from_secs(120));
    /// ```
    pub fn with_total_timeout(mut self, total: Duration) -> Self {
        self.total_timeout = total;
        self
    }

    /// The most bytes of a reply the client reads (default 16 MiB): a whole reply's body,
    /// and a streamed reply's text, call names, ids and arguments put together. A reply
    /// that grows past it ends the request with
    /// [`ModelError::Protocol`](crate::chat::ModelError::Protocol), not retried. (An
    /// error body is read up to its first 64 KiB whatever this says; one event of a
    /// stream may hold at most 16 MiB.)
    ///
    /// ```
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let config = ClientConfig::new("http://127.0.0.1:8080/v1", "qwen2.5").with_max_reply_bytes(1 << 20);
    /// assert_eq!(config.max_reply_bytes(), 1_048_576);
    /// ```
    pub fn with_max_reply_bytes(mut self, max: usize) -> Self {
        self.max_reply_bytes = max;
        self
    }

    /// How many times a failed request is retried (default 3; 0 never retries). `429`
    /// and `5xx` answers, timeouts and connection failures are retried; other `4xx`
    /// answers are not, and a stream is not once it has started.
    ///
    /// ```
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// // Tests against a scripted server: fail at once.
    /// let config = ClientConfig::new("http://127.0.0.1:8080/v1", "qwen2.5").with_retries(0);
    /// assert_eq!(config.retries(), 0);
    /// ```
    pub fn with_retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// The wait before the first retry (default 500 ms, doubling each time) and the most
    /// any wait may be, a server's `Retry-After` included (default 30 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let config = ClientConfig::new("http://localhost:11434/v1", "qwen2.5")
    ///     .with_backoff(Duration::from_millis(100), Duration::from_secs(5));
    /// assert_eq!(config.backoff(), (Duration::from_millis(100), Duration::from_secs(5)));
    /// ```
    pub fn with_backoff(mut self, first: Duration, max: Duration) -> Self {
        self.backoff = first;
        self.max_backoff = max;
        self
    }

    /// Sends tools in `form` whatever the endpoint. Default: the client's choice by
    /// endpoint (the OpenAI clients: strict for OpenAI's API, plain elsewhere, where a
    /// small model fills every required-nullable field with invented values; Anthropic:
    /// plain, since not every model takes strict tools).
    ///
    /// ```
    /// use tool_runtime::format::SchemaForm;
    /// use tool_runtime::openai::OpenAiClient;
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// // A vLLM server that enforces strict schemas: send them there too.
    /// let config = ClientConfig::new("http://127.0.0.1:8000/v1", "qwen2.5").with_schema_form(SchemaForm::Declared);
    /// assert_eq!(config.schema_form(), Some(SchemaForm::Declared));
    /// assert_eq!(OpenAiClient::new(config).schema_form(), SchemaForm::Declared);
    /// ```
    pub fn with_schema_form(mut self, form: SchemaForm) -> Self {
        self.schema_form = Some(form);
        self
    }

    /// Whether a reply whose whole text is calls of the offered tools (a small model's
    /// habit) is read as those calls. Default: the client's choice by endpoint (the
    /// OpenAI clients: yes for any endpoint but OpenAI's; Anthropic: never).
    ///
    /// ```
    /// use tool_runtime::transport::ClientConfig;
    ///
    /// let config = ClientConfig::new("http://127.0.0.1:8080/v1", "qwen2.5").with_text_tool_calls(false);
    /// assert_eq!(config.text_tool_calls(), Some(false));
    /// ```
    pub fn with_text_tool_calls(mut self, read: bool) -> Self {
        self.text_tool_calls = Some(read);
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

    /// The API key, if one is set.
    pub fn api_key(&self) -> Option<&str> {
        self.api_key.as_deref()
    }

    /// The timeout of one attempt.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The most time one model request may take in all.
    pub fn total_timeout(&self) -> Duration {
        self.total_timeout
    }

    /// The most bytes of a reply the client reads.
    pub fn max_reply_bytes(&self) -> usize {
        self.max_reply_bytes
    }

    /// How many times a failed request is retried.
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// The first wait before a retry, and the most any wait may be.
    pub fn backoff(&self) -> (Duration, Duration) {
        (self.backoff, self.max_backoff)
    }

    /// The schema form set with [`with_schema_form`](Self::with_schema_form), if any.
    pub fn schema_form(&self) -> Option<SchemaForm> {
        self.schema_form
    }

    /// The choice set with [`with_text_tool_calls`](Self::with_text_tool_calls), if any.
    pub fn text_tool_calls(&self) -> Option<bool> {
        self.text_tool_calls
    }

    /// Whether the base URL's host is `host` (`api.openai.com`): how a client tells a
    /// provider's own API from a compatible server.
    pub(crate) fn is_host(&self, host: &str) -> bool {
        reqwest::Url::parse(&self.base_url)
            .ok()
            .and_then(|url| url.host_str().map(|own| own.eq_ignore_ascii_case(host)))
            .unwrap_or(false)
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("total_timeout", &self.total_timeout)
            .field("max_reply_bytes", &self.max_reply_bytes)
            .field("retries", &self.retries)
            .field("backoff", &(self.backoff, self.max_backoff))
            .field("schema_form", &self.schema_form)
            .field("text_tool_calls", &self.text_tool_calls)
            .finish()
    }
}

/// Reads a provider's `*_BASE_URL`, `*_API_KEY` and `*_MODEL` variables through `var`:
/// trimmed, empty ones as unset. `NotUnicode` names a variable of the process environment
/// that is set but unreadable.
pub(crate) fn env_vars(
    names: [&'static str; 3],
) -> Result<impl Fn(&str) -> Option<String>, &'static str> {
    for name in names {
        if let Err(std::env::VarError::NotUnicode(_)) = std::env::var(name) {
            return Err(name);
        }
    }
    Ok(|name: &str| std::env::var(name).ok())
}

/// `var(name)`, trimmed, empty as unset.
pub(crate) fn read_var(var: &impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    var(name)
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// Whether `base_url` is an `http(s)` URL with a host.
pub(crate) fn is_http_url(base_url: &str) -> bool {
    reqwest::Url::parse(base_url)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let config = ClientConfig::new(" https://api.openai.com/v1/ ", "gpt-4o-mini");
        assert_eq!(config.base_url(), "https://api.openai.com/v1");
        assert_eq!(config.model(), "gpt-4o-mini");
        assert_eq!(config.api_key(), None);
        assert_eq!(config.timeout(), Duration::from_secs(60));
        assert_eq!(config.retries(), 3);
        assert_eq!(config.total_timeout(), Duration::from_secs(600));
        assert_eq!(config.max_reply_bytes(), 16 * 1024 * 1024);
        assert_eq!(
            config.backoff(),
            (Duration::from_millis(500), Duration::from_secs(30))
        );
        assert_eq!(config.schema_form(), None);
        assert_eq!(config.text_tool_calls(), None);
        assert!(config.is_host("API.openai.com"));
        assert!(
            !ClientConfig::new("https://api.openai.com.evil.test/v1", "m")
                .is_host("api.openai.com")
        );
    }

    #[test]
    fn every_setter_sets_and_the_key_is_never_printed() {
        let config = ClientConfig::new("http://localhost:8080/v1", "qwen")
            .with_api_key("sk-secret")
            .with_timeout(Duration::from_secs(5))
            .with_retries(0)
            .with_total_timeout(Duration::from_secs(7))
            .with_max_reply_bytes(1024)
            .with_backoff(Duration::from_millis(10), Duration::from_millis(20))
            .with_schema_form(SchemaForm::Declared)
            .with_text_tool_calls(false);
        assert_eq!(config.api_key(), Some("sk-secret"));
        assert_eq!(
            (config.timeout(), config.retries()),
            (Duration::from_secs(5), 0)
        );
        assert_eq!(
            config.backoff(),
            (Duration::from_millis(10), Duration::from_millis(20))
        );
        assert_eq!(config.total_timeout(), Duration::from_secs(7));
        assert_eq!(config.max_reply_bytes(), 1024);
        assert_eq!(config.schema_form(), Some(SchemaForm::Declared));
        assert_eq!(config.text_tool_calls(), Some(false));
        let printed = format!("{config:?}");
        assert!(!printed.contains("sk-secret"), "{printed}");
        assert!(printed.contains("<redacted>"), "{printed}");
    }
}
