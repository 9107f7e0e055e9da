//! Tool definitions in each provider's shape, and the tool calls and outputs of each
//! provider's messages (docs/providers.md).
//!
//! [`ToolFormat`] names the provider and is at the crate root; this module
//! holds what goes with it.
//!
//! One [`ToolDefinition`] goes to every provider: [`ToolDefinition::export`] puts it in the
//! provider's envelope and passes its schema through the provider's transform
//! (OpenAI's strict form, Anthropic's strict subset, Gemini's OpenAPI subset...).

mod anthropic;
mod calls;
mod gemini;
mod mcp;
mod openai;

pub(crate) mod tool_format;

use serde_json::Value;

use crate::definition::ToolDefinition;

pub use calls::CallFormatError;
pub(crate) use tool_format::ToolFormat;
pub use tool_format::UnknownFormat;

/// Which parameter schema an export uses.
///
/// ```
/// use serde_json::json;
/// use tool_runtime::format::SchemaForm;
/// use tool_runtime::{ToolDefinition, ToolFormat};
///
/// let schema = json!({"type": "object", "properties": {"limit": {"type": "integer"}}});
/// let definition = ToolDefinition::new("list_notes", "List the notes.", schema);
/// let declared = definition.export(ToolFormat::OpenAiChat, SchemaForm::default());
/// assert_eq!(declared["function"]["parameters"]["properties"]["limit"]["type"], json!(["integer", "null"]));
/// let plain = definition.export(ToolFormat::OpenAiChat, SchemaForm::Plain);
/// assert_eq!(plain["function"]["parameters"]["properties"]["limit"]["type"], "integer");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SchemaForm {
    /// Each tool's declared [`Strictness`](crate::definition::Strictness): strict where declared or possible.
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
    /// use tool_runtime::format::SchemaForm;
    /// use tool_runtime::{ToolDefinition, ToolFormat};
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

/// The value of a request's `tools` field, given each tool's definition in `format`'s
/// shape: the list itself, or for Gemini one tool object holding the declarations.
pub(crate) fn tools_field(format: ToolFormat, tools: Vec<Value>) -> Value {
    match format {
        ToolFormat::Gemini | ToolFormat::GeminiOpenApi => gemini::tools(tools),
        _ => Value::Array(tools),
    }
}
