//! Tool definitions in each provider's shape (PROVIDERS.md).
//!
//! One [`ToolDefinition`] goes to every provider: [`ToolDefinition::export`] puts it in the
//! provider's envelope and passes its schema through the provider's transform
//! (OpenAI's strict form, Anthropic's strict subset, Gemini's OpenAPI subset...).

mod anthropic;
mod calls;
mod gemini;
mod mcp;
mod openai;

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

pub use calls::CallFormatError;

use crate::{ToolDefinition, ToolRegistry};

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
/// # Ok::<(), tool_runtime::UnknownFormat>(())
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
    /// annotations from the tool's [markers](crate::ToolMarkers).
    Mcp,
}

impl ToolFormat {
    /// Every format, in the order of this enum.
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

/// Which parameter schema an export uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SchemaForm {
    /// Each tool's declared [`Strictness`](crate::Strictness): strict where declared or possible.
    #[default]
    Declared,
    /// The plain form for every tool: optionals may be omitted. Small local models fill
    /// every required-nullable field of a strict schema with invented values, so
    /// OpenAI-compatible servers other than OpenAI get this form.
    Plain,
}

impl ToolDefinition {
    /// This definition in `format`'s shape.
    ///
    /// ```
    /// use serde_json::json;
    /// use tool_runtime::{SchemaForm, ToolDefinition, ToolFormat};
    ///
    /// let definition = ToolDefinition::new("ping", "Check the service is up.", json!({"type": "object", "properties": {}}));
    /// assert_eq!(
    ///     definition.export(ToolFormat::OpenAiChat, SchemaForm::Plain),
    ///     json!({"type": "function", "function": {"name": "ping", "description": "Check the service is up.",
    ///            "parameters": {"type": "object", "properties": {}, "additionalProperties": false}}})
    /// );
    /// assert_eq!(
    ///     definition.export(ToolFormat::Anthropic, SchemaForm::Plain),
    ///     json!({"name": "ping", "description": "Check the service is up.",
    ///            "input_schema": {"type": "object", "properties": {}, "additionalProperties": false}})
    /// );
    /// ```
    pub fn export(&self, format: ToolFormat, form: SchemaForm) -> Value {
        let strict = form == SchemaForm::Declared;
        match format {
            ToolFormat::OpenAiChat => openai::chat_tool(self, strict),
            ToolFormat::OpenAiResponses => openai::responses_tool(self, strict),
            ToolFormat::Anthropic => anthropic::tool(self, strict),
            ToolFormat::Gemini => gemini::declaration(self),
            ToolFormat::GeminiOpenApi => gemini::openapi_declaration(self),
            ToolFormat::Mcp => mcp::tool(self),
        }
    }
}

impl ToolRegistry {
    /// Every tool's definition in `format`'s shape, in registration order, each in its
    /// declared strictness: the value of a request's `tools` field (for MCP, of the
    /// `tools/list` result's).
    ///
    /// ```
    /// use tool_runtime::{tool, ToolFormat, ToolRegistry};
    ///
    /// /// Get the nickname of a city.
    /// ///
    /// /// # Arguments
    /// /// * `location` - The city, e.g. Paris.
    /// #[tool]
    /// fn get_nickname(location: String) -> String {
    ///     location
    /// }
    ///
    /// let mut registry = ToolRegistry::new();
    /// registry.register(GetNickname)?;
    /// assert_eq!(
    ///     registry.export(ToolFormat::OpenAiChat).to_string(),
    ///     r#"[{"type":"function","function":{"name":"get_nickname","description":"Get the nickname of a city.","parameters":{"type":"object","properties":{"location":{"type":"string","description":"The city, e.g. Paris."}},"required":["location"],"additionalProperties":false},"strict":true}}]"#
    /// );
    /// // Gemini's declarations go in one tool object.
    /// assert_eq!(
    ///     registry.export(ToolFormat::Gemini)[0]["functionDeclarations"][0]["name"],
    ///     "get_nickname"
    /// );
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// ```
    pub fn export(&self, format: ToolFormat) -> Value {
        self.export_with(format, SchemaForm::Declared)
    }

    /// Every tool's definition in `format`'s shape, in registration order, in `form`.
    ///
    /// A format the registry does not check at registration
    /// ([`with_validation`](ToolRegistry::with_validation)) is checked here, and its
    /// violations are logged as `tracing` warnings.
    pub fn export_with(&self, format: ToolFormat, form: SchemaForm) -> Value {
        let tools: Vec<Value> = self
            .definitions()
            .map(|definition| definition.export(format, form))
            .collect();
        let export = match format {
            ToolFormat::Gemini | ToolFormat::GeminiOpenApi => gemini::tools(tools),
            _ => Value::Array(tools),
        };
        if !self.checks.validators.iter().any(|v| v.format() == format) {
            for violation in format.validate(&export) {
                tracing::warn!(%format, "{violation}");
            }
        }
        export
    }
}
