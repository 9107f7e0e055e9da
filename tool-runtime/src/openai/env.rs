//! Configuration from the `OPENAI_*` variables, and why it can fail.

use crate::transport::{env_vars, is_http_url, read_var, ClientConfig};

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

/// The configuration `OPENAI_BASE_URL`, `OPENAI_API_KEY` and `OPENAI_MODEL` give, read
/// through `var`.
pub(super) fn config_from_vars(
    var: impl Fn(&str) -> Option<String>,
) -> Result<ClientConfig, ConfigError> {
    let base_url = read_var(&var, "OPENAI_BASE_URL").unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    if !is_http_url(&base_url) {
        return Err(ConfigError::InvalidBaseUrl(base_url));
    }
    let api_key = read_var(&var, "OPENAI_API_KEY");
    let model = read_var(&var, "OPENAI_MODEL");
    let openai = ClientConfig::new(base_url.as_str(), "").is_host(OPENAI_HOST);
    if openai && api_key.is_none() {
        return Err(ConfigError::MissingApiKey { base_url });
    }
    let model = match model {
        Some(model) => model,
        None if openai => DEFAULT_OPENAI_MODEL.to_owned(),
        None => return Err(ConfigError::MissingModel { base_url }),
    };
    let config = ClientConfig::new(base_url, model);
    Ok(match api_key {
        Some(key) => config.with_api_key(key),
        None => config,
    })
}

/// The configuration of the process environment's `OPENAI_*` variables.
pub(super) fn config_from_env() -> Result<ClientConfig, ConfigError> {
    let var = env_vars(["OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"])
        .map_err(ConfigError::NotUnicode)?;
    config_from_vars(var)
}

/// The host of OpenAI's own API, which gets the strict schema form and no text calls.
pub(super) const OPENAI_HOST: &str = "api.openai.com";
