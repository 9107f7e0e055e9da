//! Gemini function declarations (PROVIDERS.md, "Google Gemini").

use serde_json::{json, Map, Value};

use crate::ToolDefinition;

/// `{"name", "description", "parametersJsonSchema"}`.
pub(super) fn declaration(definition: &ToolDefinition) -> Value {
    with_schema(
        definition,
        "parametersJsonSchema",
        definition.parameters().clone(),
    )
}

/// `{"name", "description", "parameters"}`, the schema in the OpenAPI subset.
pub(super) fn openapi_declaration(definition: &ToolDefinition) -> Value {
    with_schema(definition, "parameters", definition.openapi_parameters())
}

/// A request's `tools` value: one tool object holding every declaration.
pub(super) fn tools(declarations: Vec<Value>) -> Value {
    json!([{ "functionDeclarations": declarations }])
}

fn with_schema(definition: &ToolDefinition, key: &str, schema: Value) -> Value {
    let mut declaration = Map::new();
    declaration.insert("name".into(), definition.name().into());
    if !definition.description().is_empty() {
        declaration.insert("description".into(), definition.description().into());
    }
    declaration.insert(key.into(), schema);
    Value::Object(declaration)
}
