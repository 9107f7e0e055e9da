//! OpenAI Chat Completions tool definitions (PROVIDERS.md, "OpenAI Chat Completions").

use serde_json::{Map, Value};

use crate::ToolDefinition;

pub(super) fn chat_tool(definition: &ToolDefinition, parameters: &Value, strict: bool) -> Value {
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
