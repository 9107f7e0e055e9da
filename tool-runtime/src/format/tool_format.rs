//! The name of a provider's format, as code and as text (`openai-chat`, `anthropic`...).

use std::fmt;
use std::str::FromStr;

/// A provider's tool-definition shape.
///
/// It reads from and prints as a short name (`openai-chat`, `openai-responses`,
/// `anthropic`, `gemini`, `gemini-openapi`, `mcp`), for command lines and configuration.
///
/// ```
/// use tool_runtime::ToolFormat;
///
/// let format: ToolFormat = "anthropic".parse()?;
/// assert_eq!(format, ToolFormat::Anthropic);
/// assert_eq!(ToolFormat::Gemini.to_string(), "gemini");
/// assert!("claude".parse::<ToolFormat>().is_err());
/// # Ok::<(), tool_runtime::format::UnknownFormat>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ToolFormat {
    /// OpenAI Chat Completions: `{"type": "function", "function": {...}}`, also spoken by
    /// Ollama, vLLM and llama.cpp's server.
    OpenAiChat,
    /// OpenAI Responses: `{"type": "function", "name", "description", "parameters",
    /// "strict"}`, with `strict: false` spelled out (left out, the server tries strict).
    OpenAiResponses,
    /// Anthropic Messages: `{"name", "description", "input_schema", "strict"?}`; a strict
    /// schema has no recursion and carries its numeric and length bounds in descriptions.
    Anthropic,
    /// Google Gemini: `{"name", "description", "parametersJsonSchema"}` declarations; the
    /// registry's export is the request's `tools` value, `[{"functionDeclarations": [...]}]`.
    Gemini,
    /// Gemini's older `parameters` form: the OpenAPI 3.0 subset (upper-case types,
    /// `nullable`, no `$ref`), for endpoints that lack `parametersJsonSchema`.
    GeminiOpenApi,
    /// MCP `tools/list`: `{"name", "description", "inputSchema", "annotations"}`, the
    /// annotations from the tool's [markers](crate::tool::ToolMarkers).
    Mcp,
}

impl ToolFormat {
    /// Every format, in the order of this enum.
    ///
    /// ```
    /// use tool_runtime::ToolFormat;
    ///
    /// let names: Vec<&str> = ToolFormat::ALL.iter().map(|format| format.name()).collect();
    /// assert_eq!(names, ["openai-chat", "openai-responses", "anthropic", "gemini", "gemini-openapi", "mcp"]);
    /// // Each name reads back as its format.
    /// assert!(ToolFormat::ALL.iter().all(|format| format.name().parse() == Ok(*format)));
    /// ```
    pub const ALL: [ToolFormat; 6] = [
        ToolFormat::OpenAiChat,
        ToolFormat::OpenAiResponses,
        ToolFormat::Anthropic,
        ToolFormat::Gemini,
        ToolFormat::GeminiOpenApi,
        ToolFormat::Mcp,
    ];

    /// The short name: `openai-chat`, `openai-responses`, `anthropic`, `gemini`,
    /// `gemini-openapi` or `mcp`.
    pub fn name(self) -> &'static str {
        match self {
            ToolFormat::OpenAiChat => "openai-chat",
            ToolFormat::OpenAiResponses => "openai-responses",
            ToolFormat::Anthropic => "anthropic",
            ToolFormat::Gemini => "gemini",
            ToolFormat::GeminiOpenApi => "gemini-openapi",
            ToolFormat::Mcp => "mcp",
        }
    }
}

impl fmt::Display for ToolFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name [`ToolFormat::from_str`] does not know; it lists the ones it does.
///
/// ```
/// use tool_runtime::ToolFormat;
/// use tool_runtime::format::UnknownFormat;
///
/// // Names are read without regard to case or surrounding spaces.
/// assert_eq!(" OpenAI-Chat ".parse::<ToolFormat>(), Ok(ToolFormat::OpenAiChat));
/// let error = "openai".parse::<ToolFormat>().unwrap_err();
/// assert_eq!(error, UnknownFormat("openai".into()));
/// assert!(error.to_string().starts_with("unknown tool format `openai`; use one of openai-chat,"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown tool format `{0}`; use one of openai-chat, openai-responses, anthropic, gemini, gemini-openapi, mcp")]
pub struct UnknownFormat(pub String);

impl FromStr for ToolFormat {
    type Err = UnknownFormat;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        ToolFormat::ALL
            .into_iter()
            .find(|format| format.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| UnknownFormat(name.to_owned()))
    }
}
