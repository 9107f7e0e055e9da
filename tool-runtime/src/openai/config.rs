//! What the OpenAI clients share: their configuration (endpoint, key, model, schema form,
//! timeouts and retries, read from `OPENAI_*` variables), how they ask (an [`Api`]: path,
//! body, whole reply, stream events), and the methods that configure them, written once in
//! [`openai_client!`] for [`OpenAiClient`](super::OpenAiClient) and
//! [`ResponsesClient`](super::ResponsesClient).

use std::fmt;

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use reqwest::Url;
use serde_json::Value;

use super::wire;
use crate::transport::{EventReader, Request, Transport};
use crate::chat::{ChatDelta, ChatRequest, ChatResponse, ModelError};
use crate::format::SchemaForm;

/// OpenAI's API, the base URL when `OPENAI_BASE_URL` is not set.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// The model `from_env` uses against OpenAI's API when `OPENAI_MODEL` is not set (see
/// [`OpenAiClient::from_env`](super::OpenAiClient::from_env)). Other endpoints have no
/// default: their models have names of their own.
pub const DEFAULT_OPENAI_MODEL: &str = "gpt-4o-mini";

/// Why `from_env` ([`OpenAiClient::from_env`](super::OpenAiClient::from_env),
/// [`ResponsesClient::from_env`](super::ResponsesClient::from_env)) could not configure a
/// client; each says which variable to set.
///
/// ```
/// use tool_runtime::openai::{ConfigError, OpenAiClient};
///
/// let error = OpenAiClient::from_vars(|_| None).unwrap_err();
/// assert!(matches!(error, ConfigError::MissingApiKey { .. }));
/// assert!(error.to_string().contains("OPENAI_API_KEY"));
/// ```
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

/// One of OpenAI's APIs, as a client speaks it.
pub(super) trait Api {
    /// A stream's events, read into deltas.
    type Events: EventReader + Default + Send + 'static;
    /// The JSON body asking `request` of `model`, tools in `form`.
    fn body(request: &ChatRequest<'_>, model: &str, form: SchemaForm, stream: bool) -> Value;
    /// A whole reply.
    fn parse(body: &[u8]) -> Result<ChatResponse, ModelError>;
}

/// A client's configuration, whichever API it speaks.
#[derive(Clone)]
pub(super) struct Settings {
    pub(super) transport: Transport,
    pub(super) base_url: String,
    endpoint: String,
    pub(super) model: String,
    pub(super) api_key: Option<String>,
    pub(super) schema_form: Option<SchemaForm>,
    pub(super) text_tool_calls: Option<bool>,
}

impl Settings {
    /// `model` at `base_url` (trimmed, without a trailing `/`), asked at `base_url + path`.
    pub(super) fn new(base_url: String, model: String, path: &str) -> Self {
        let base_url = base_url.trim().trim_end_matches('/').to_owned();
        Self {
            transport: Transport::new(wire::DIALECT),
            endpoint: format!("{base_url}{path}"),
            base_url,
            model,
            api_key: None,
            schema_form: None,
            text_tool_calls: None,
        }
    }

    /// From the process environment (see `from_env`).
    pub(super) fn from_env(path: &str) -> Result<Self, ConfigError> {
        for name in ["OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"] {
            if let Err(std::env::VarError::NotUnicode(_)) = std::env::var(name) {
                return Err(ConfigError::NotUnicode(name));
            }
        }
        Self::from_vars(|name| std::env::var(name).ok(), path)
    }

    /// From the variables `var` reads (see `from_vars`).
    pub(super) fn from_vars(
        var: impl Fn(&str) -> Option<String>,
        path: &str,
    ) -> Result<Self, ConfigError> {
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
        let mut settings = Self::new(base_url, model, path);
        settings.api_key = api_key;
        Ok(settings)
    }

    /// As set, or by endpoint: strict for OpenAI's API, plain elsewhere.
    pub(super) fn schema_form(&self) -> SchemaForm {
        self.schema_form.unwrap_or(if is_openai(&self.base_url) {
            SchemaForm::Declared
        } else {
            SchemaForm::Plain
        })
    }

    /// As set, or by endpoint: not for OpenAI's API, yes elsewhere.
    pub(super) fn reads_text_tool_calls(&self) -> bool {
        self.text_tool_calls.unwrap_or(!is_openai(&self.base_url))
    }

    /// The client's `Debug`, the key redacted.
    pub(super) fn debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
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

    /// The whole reply to `request`, in `A`'s wire format.
    pub(super) fn complete<'a, A: Api>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxFuture<'a, Result<ChatResponse, ModelError>> {
        let http = self.request::<A>(&request, false);
        let tools = self.text_call_tools(&request);
        Box::pin(async move {
            let reply = self.transport.complete(&http, A::parse).await?;
            Ok(match tools {
                Some(tools) => reply.with_text_tool_calls(&tools),
                None => reply,
            })
        })
    }

    /// The reply to `request` as it streams, in `A`'s wire format.
    pub(super) fn stream<'a, A: Api>(
        &'a self,
        request: ChatRequest<'a>,
    ) -> BoxStream<'a, Result<ChatDelta, ModelError>> {
        let http = self.request::<A>(&request, true);
        let deltas = self.transport.stream::<A::Events>(http, A::parse);
        match self.text_call_tools(&request) {
            Some(tools) => crate::chat::read_text_tool_calls(deltas, tools),
            None => deltas,
        }
    }

    /// The HTTP request for `request`.
    fn request<A: Api>(&self, request: &ChatRequest<'_>, stream: bool) -> Request<'_> {
        let body = A::body(request, &self.model, self.schema_form(), stream);
        let http = Request::post(&self.endpoint, body.to_string().into_bytes());
        match &self.api_key {
            Some(key) => http.bearer(key),
            None => http,
        }
    }

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

/// The configuration methods, `Debug` and [`ChatModel`](crate::chat::ChatModel) of an OpenAI
/// client: `openai_client!(OpenAiClient, wire::ChatCompletions, "/chat/completions")` for
/// `struct OpenAiClient { settings: Settings }`. The examples name the client, so each
/// client's documentation shows its own.
macro_rules! openai_client {
    ($client:ident, $api:ty, $path:literal) => {
        impl ::std::fmt::Debug for $client {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.settings.debug(stringify!($client), f)
            }
        }

        impl $crate::chat::ChatModel for $client {
            fn complete<'a>(
                &'a self,
                request: $crate::chat::ChatRequest<'a>,
            ) -> $crate::chat::BoxFuture<'a, Result<$crate::chat::ChatResponse, $crate::chat::ModelError>> {
                self.settings.complete::<$api>(request)
            }

            fn stream<'a>(
                &'a self,
                request: $crate::chat::ChatRequest<'a>,
            ) -> $crate::chat::BoxStream<'a, Result<$crate::chat::ChatDelta, $crate::chat::ModelError>> {
                self.settings.stream::<$api>(request)
            }
        }

        impl $client {
            #[doc = concat!("A client of `model` at `base_url` (the URL that `", $path, "` is appended to,")]
            /// e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`), without an API key.
            ///
            /// ```
            #[doc = concat!("use tool_runtime::openai::", stringify!($client), ";")]
            ///
            #[doc = concat!("let client = ", stringify!($client), "::new(\"http://localhost:11434/v1/\", \"qwen2.5-coder:0.5b\");")]
            /// assert_eq!(client.base_url(), "http://localhost:11434/v1");
            /// assert_eq!(client.model(), "qwen2.5-coder:0.5b");
            /// ```
            pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
                Self {
                    settings: $crate::openai::config::Settings::new(base_url.into(), model.into(), $path),
                }
            }

            /// A client configured by the environment: `OPENAI_BASE_URL` (default
            /// [`DEFAULT_BASE_URL`](super::DEFAULT_BASE_URL)), `OPENAI_API_KEY` (needed for
            /// OpenAI's API, optional for local servers) and `OPENAI_MODEL` (needed unless
            /// the endpoint is OpenAI's, where it defaults to
            /// [`DEFAULT_OPENAI_MODEL`](super::DEFAULT_OPENAI_MODEL)). Empty variables count
            /// as unset.
            ///
            /// ```no_run
            #[doc = concat!("use tool_runtime::openai::", stringify!($client), ";")]
            ///
            #[doc = concat!("let client = ", stringify!($client), "::from_env()?;")]
            /// println!("asking {} at {}", client.model(), client.base_url());
            /// # Ok::<(), tool_runtime::openai::ConfigError>(())
            /// ```
            ///
            /// # Errors
            ///
            /// A [`ConfigError`](super::ConfigError) naming the variable to set or fix.
            pub fn from_env() -> Result<Self, super::ConfigError> {
                $crate::openai::config::Settings::from_env($path).map(|settings| Self { settings })
            }

            #[doc = concat!("Like [`from_env`](", stringify!($client), "::from_env), reading the variables through `var`")]
            /// (for configuration files, or tests that must not touch the process environment).
            ///
            /// ```
            #[doc = concat!("use tool_runtime::openai::{ConfigError, ", stringify!($client), "};")]
            /// use tool_runtime::SchemaForm;
            ///
            /// let vars = |base: &'static str, model: Option<&'static str>| {
            ///     move |name: &str| match name {
            ///         "OPENAI_BASE_URL" => Some(base.to_owned()),
            ///         "OPENAI_MODEL" => model.map(str::to_owned),
            ///         _ => None,
            ///     }
            /// };
            #[doc = concat!("let local = ", stringify!($client), "::from_vars(vars(\"http://localhost:11434/v1/\", Some(\"qwen2.5\")))?;")]
            /// assert_eq!(local.base_url(), "http://localhost:11434/v1");
            /// assert_eq!(local.schema_form(), SchemaForm::Plain);
            /// assert!(matches!(
            #[doc = concat!("    ", stringify!($client), "::from_vars(vars(\"http://localhost:11434/v1\", None)),")]
            ///     Err(ConfigError::MissingModel { .. })
            /// ));
            /// # Ok::<(), ConfigError>(())
            /// ```
            ///
            /// # Errors
            ///
            #[doc = concat!("As [`from_env`](", stringify!($client), "::from_env).")]
            pub fn from_vars(
                var: impl Fn(&str) -> Option<String>,
            ) -> Result<Self, super::ConfigError> {
                $crate::openai::config::Settings::from_vars(var, $path).map(|settings| Self { settings })
            }

            /// Sends `key` as a bearer token.
            ///
            /// ```
            #[doc = concat!("use tool_runtime::openai::{", stringify!($client), ", DEFAULT_BASE_URL};")]
            ///
            #[doc = concat!("let client = ", stringify!($client), "::new(DEFAULT_BASE_URL, \"gpt-4o-mini\").with_api_key(\"sk-secret\");")]
            /// assert!(!format!("{client:?}").contains("sk-secret"), "never printed");
            /// ```
            pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
                self.settings.api_key = Some(key.into());
                self
            }

            /// How long one attempt may take (default 60 s): all of a
            /// [`complete`]($crate::chat::ChatModel::complete); for a
            /// [`stream`]($crate::chat::ChatModel::stream), until the answer starts and then
            /// between two pieces of it.
            ///
            /// ```
            /// use std::time::Duration;
            #[doc = concat!("use tool_runtime::openai::", stringify!($client), ";")]
            ///
            #[doc = concat!("let client = ", stringify!($client), "::new(\"http://localhost:11434/v1\", \"qwen2.5\")")]
            ///     .with_timeout(Duration::from_secs(120));
            /// assert_eq!(client.timeout(), Duration::from_secs(120));
            /// ```
            pub fn with_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.settings.transport.timeout = timeout;
                self
            }

            /// How many times a failed request is retried (default 3; 0 never retries).
            /// `429` and `5xx` answers, timeouts and connection failures are retried;
            /// other `4xx` answers are not, and a stream is not once it has started.
            ///
            /// ```
            #[doc = concat!("use tool_runtime::openai::", stringify!($client), ";")]
            ///
            #[doc = concat!("let client = ", stringify!($client), "::new(\"http://localhost:11434/v1\", \"qwen2.5\").with_retries(0);")]
            /// assert_eq!(client.retries(), 0);
            /// ```
            pub fn with_retries(mut self, retries: u32) -> Self {
                self.settings.transport.retries = retries;
                self
            }

            /// The wait before the first retry (default 500 ms, doubling each time) and the
            /// most any wait may be, a server's `Retry-After` included (default 30 s).
            ///
            /// ```
            /// use std::time::Duration;
            #[doc = concat!("use tool_runtime::openai::", stringify!($client), ";")]
            ///
            #[doc = concat!("let client = ", stringify!($client), "::new(\"http://localhost:11434/v1\", \"qwen2.5\")")]
            ///     .with_backoff(Duration::from_millis(100), Duration::from_secs(5));
            /// assert!(format!("{client:?}").contains("backoff: (100ms, 5s)"));
            /// ```
            pub fn with_backoff(
                mut self,
                first: ::std::time::Duration,
                max: ::std::time::Duration,
            ) -> Self {
                self.settings.transport.backoff = first;
                self.settings.transport.max_backoff = max;
                self
            }

            /// Sends tools in `form` whatever the endpoint (by default: strict where the
            /// endpoint is OpenAI's, plain elsewhere).
            ///
            /// ```
            #[doc = concat!("use tool_runtime::openai::", stringify!($client), ";")]
            /// use tool_runtime::SchemaForm;
            ///
            #[doc = concat!("let client = ", stringify!($client), "::new(\"http://localhost:8000/v1\", \"qwen2.5\");")]
            /// assert_eq!(client.schema_form(), SchemaForm::Plain);
            /// let client = client.with_schema_form(SchemaForm::Declared);
            /// assert_eq!(client.schema_form(), SchemaForm::Declared);
            /// ```
            pub fn with_schema_form(mut self, form: $crate::format::SchemaForm) -> Self {
                self.settings.schema_form = Some(form);
                self
            }

            /// The base URL, without a trailing `/`.
            ///
            /// ```
            #[doc = concat!("use tool_runtime::openai::", stringify!($client), ";")]
            ///
            #[doc = concat!("let client = ", stringify!($client), "::new(\" https://api.openai.com/v1/ \", \"gpt-4o-mini\");")]
            /// assert_eq!(client.base_url(), "https://api.openai.com/v1");
            /// ```
            pub fn base_url(&self) -> &str {
                &self.settings.base_url
            }

            /// The model asked.
            ///
            /// ```
            #[doc = concat!("use tool_runtime::openai::", stringify!($client), ";")]
            ///
            #[doc = concat!("let client = ", stringify!($client), "::new(\"https://api.openai.com/v1\", \"gpt-4o-mini\");")]
            /// assert_eq!(client.model(), "gpt-4o-mini");
            /// ```
            pub fn model(&self) -> &str {
                &self.settings.model
            }

            /// Whether a reply whose whole text is calls of the offered tools (a small
            /// model's habit) is read as those calls. Default: yes for any endpoint but
            /// OpenAI's.
            ///
            /// ```
            #[doc = concat!("use tool_runtime::openai::", stringify!($client), ";")]
            ///
            #[doc = concat!("let client = ", stringify!($client), "::new(\"http://localhost:8080/v1\", \"qwen2.5\");")]
            /// assert!(client.reads_text_tool_calls());
            /// assert!(!client.with_text_tool_calls(false).reads_text_tool_calls());
            /// ```
            pub fn with_text_tool_calls(mut self, read: bool) -> Self {
                self.settings.text_tool_calls = Some(read);
                self
            }

            /// Whether replies that are calls written as text are read as calls.
            ///
            /// ```
            #[doc = concat!("use tool_runtime::openai::", stringify!($client), ";")]
            ///
            #[doc = concat!("assert!(!", stringify!($client), "::new(\"https://api.openai.com/v1\", \"gpt-4o-mini\").reads_text_tool_calls());")]
            /// ```
            pub fn reads_text_tool_calls(&self) -> bool {
                self.settings.reads_text_tool_calls()
            }

            /// The schema form tools are sent in: as set, or by endpoint.
            ///
            /// ```
            #[doc = concat!("use tool_runtime::openai::", stringify!($client), ";")]
            /// use tool_runtime::SchemaForm;
            ///
            #[doc = concat!("let client = ", stringify!($client), "::new(\"https://api.openai.com/v1\", \"gpt-4o-mini\");")]
            /// assert_eq!(client.schema_form(), SchemaForm::Declared);
            /// ```
            pub fn schema_form(&self) -> $crate::format::SchemaForm {
                self.settings.schema_form()
            }

            /// The timeout of one attempt.
            ///
            /// ```
            #[doc = concat!("use tool_runtime::openai::", stringify!($client), ";")]
            ///
            #[doc = concat!("let client = ", stringify!($client), "::new(\"https://api.openai.com/v1\", \"gpt-4o-mini\");")]
            /// assert_eq!(client.timeout(), std::time::Duration::from_secs(60));
            /// ```
            pub fn timeout(&self) -> ::std::time::Duration {
                self.settings.transport.timeout
            }

            /// How many times a failed request is retried.
            ///
            /// ```
            #[doc = concat!("use tool_runtime::openai::", stringify!($client), ";")]
            ///
            #[doc = concat!("let client = ", stringify!($client), "::new(\"https://api.openai.com/v1\", \"gpt-4o-mini\");")]
            /// assert_eq!(client.retries(), 3);
            /// ```
            pub fn retries(&self) -> u32 {
                self.settings.transport.retries
            }
        }
    };
}
pub(super) use openai_client;

#[cfg(test)]
mod tests {
    use super::super::{OpenAiClient, ResponsesClient};
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
        let responses = ResponsesClient::new("https://api.openai.com/v1", "gpt-4o-mini");
        assert_eq!(responses.schema_form(), SchemaForm::Declared);
    }

    #[test]
    fn endpoints_by_api() {
        let settings = Settings::new(" http://localhost:8080/v1/ ".into(), "m".into(), "/x");
        assert_eq!(
            (settings.base_url.as_str(), settings.endpoint.as_str()),
            ("http://localhost:8080/v1", "http://localhost:8080/v1/x")
        );
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
        assert!(format!("{client:?}").starts_with("OpenAiClient {"));
    }
}
