//! Gemini function declarations (docs/providers.md, "Google Gemini").

use serde_json::{json, Map, Value};

use crate::definition::ToolDefinition;

/// `{"name", "description", "parametersJsonSchema"}`.
pub(super) fn declaration(definition: &ToolDefinition) -> Value {
    let schema = definition.parameters().clone();
    with_schema(definition, Some(("parametersJsonSchema", schema)))
}

/// `{"name", "description", "parameters"}`, the schema in the OpenAPI subset. A tool
/// without parameters has no `parameters`: the subset refuses an object without
/// properties. Any other schema without properties (a map) is kept, for the validator
/// to report: left out, it would declare a tool that takes nothing.
pub(super) fn openapi_declaration(definition: &ToolDefinition) -> Value {
    let schema = definition.openapi_parameters();
    let says_nothing = |key: &str, value: &Value| match key {
        "type" => value == "OBJECT",
        "description" => true,
        "properties" => value.as_object().is_some_and(|members| members.is_empty()),
        "required" => value.as_array().is_some_and(|names| names.is_empty()),
        _ => false,
    };
    let has_parameters = !schema
        .as_object()
        .is_some_and(|object| object.iter().all(|(key, value)| says_nothing(key, value)));
    with_schema(definition, has_parameters.then_some(("parameters", schema)))
}

/// A request's `tools` value: one tool object holding every declaration.
pub(super) fn tools(declarations: Vec<Value>) -> Value {
    json!([{ "functionDeclarations": declarations }])
}

fn with_schema(definition: &ToolDefinition, schema: Option<(&str, Value)>) -> Value {
    let mut declaration = Map::new();
    declaration.insert("name".into(), definition.name().into());
    if !definition.description().is_empty() {
        declaration.insert("description".into(), definition.description().into());
    }
    if let Some((key, schema)) = schema {
        declaration.insert(key.into(), schema);
    }
    Value::Object(declaration)
}
