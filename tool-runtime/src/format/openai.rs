//! OpenAI tool definitions: Chat Completions and Responses (docs/providers.md,
//! "OpenAI Chat Completions", "OpenAI Responses API").

use serde_json::{Map, Value};

use crate::definition::ToolDefinition;

/// `{"type": "function", "function": {"name", "description", "parameters", "strict"?}}`.
pub(super) fn chat_tool(definition: &ToolDefinition, declared: bool) -> Value {
    let (parameters, strict) = parameters(definition, declared);
    let mut function = Map::new();
    function.insert("name".into(), definition.name().into());
    if !definition.description().is_empty() {
        function.insert("description".into(), definition.description().into());
    }
    function.insert("parameters".into(), parameters.clone());
    if strict {
        function.insert("strict".into(), true.into());
    }
    let mut tool = Map::new();
    tool.insert("type".into(), "function".into());
    tool.insert("function".into(), Value::Object(function));
    Value::Object(tool)
}

/// `{"type": "function", "name", "description", "parameters", "strict",
/// "output_schema"?}`. `strict` is always written: left out, the Responses API tries to
/// make the schema strict itself. `output_schema` is the declared shape of a
/// [`Json<T>`](crate::json::Json) output.
pub(super) fn responses_tool(definition: &ToolDefinition, declared: bool) -> Value {
    let (parameters, strict) = parameters(definition, declared);
    let mut tool = Map::new();
    tool.insert("type".into(), "function".into());
    tool.insert("name".into(), definition.name().into());
    if !definition.description().is_empty() {
        tool.insert("description".into(), definition.description().into());
    }
    tool.insert("parameters".into(), parameters.clone());
    tool.insert("strict".into(), strict.into());
    if let Some(output) = definition.output_schema() {
        tool.insert("output_schema".into(), output.clone());
    }
    Value::Object(tool)
}

/// The strict form when declared and available, else the plain one; and whether strict.
fn parameters(definition: &ToolDefinition, declared: bool) -> (&Value, bool) {
    match definition.strict_parameters() {
        Some(strict) if declared && definition.is_strict() => (strict, true),
        _ => (definition.parameters(), false),
    }
}
