//! Tool definitions in each provider's shape.

mod openai;

use serde_json::Value;

use crate::{ToolDefinition, ToolRegistry};

/// A provider's tool-definition shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ToolFormat {
    /// OpenAI Chat Completions: `{"type": "function", "function": {...}}`, also spoken by
    /// Ollama, vLLM and llama.cpp's server.
    OpenAiChat,
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
    /// ```
    pub fn export(&self, format: ToolFormat, form: SchemaForm) -> Value {
        let strict = form == SchemaForm::Declared && self.is_strict();
        let parameters = match (strict, self.strict_parameters()) {
            (true, Some(strict_parameters)) => strict_parameters,
            _ => self.parameters(),
        };
        match format {
            ToolFormat::OpenAiChat => openai::chat_tool(self, parameters, strict),
        }
    }
}

impl ToolRegistry {
    /// Every tool's definition in `format`'s shape, in registration order, each in its
    /// declared strictness.
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
    /// # Ok::<(), tool_runtime::RegistryError>(())
    /// ```
    pub fn export(&self, format: ToolFormat) -> Value {
        self.export_with(format, SchemaForm::Declared)
    }

    /// Every tool's definition in `format`'s shape, in registration order, in `form`.
    pub fn export_with(&self, format: ToolFormat, form: SchemaForm) -> Value {
        Value::Array(
            self.definitions()
                .map(|definition| definition.export(format, form))
                .collect(),
        )
    }
}
