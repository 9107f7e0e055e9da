//! Anthropic Messages tool definitions (docs/providers.md, "Anthropic Messages").

use serde_json::{Map, Value};

use crate::definition::ToolDefinition;

/// `{"name", "description", "input_schema", "strict"?}`.
pub(super) fn tool(definition: &ToolDefinition, declared: bool) -> Value {
    let mut tool = Map::new();
    tool.insert("name".into(), definition.name().into());
    if !definition.description().is_empty() {
        tool.insert("description".into(), definition.description().into());
    }
    match definition.anthropic_strict_parameters() {
        Some(strict) if declared && definition.is_strict() => {
            tool.insert("input_schema".into(), strict.clone());
            tool.insert("strict".into(), true.into());
        }
        _ => {
            tool.insert("input_schema".into(), definition.parameters().clone());
        }
    }
    Value::Object(tool)
}
