//! MCP `tools/list` entries (PROVIDERS.md, "MCP").

use serde_json::{Map, Value};

use crate::ToolDefinition;

/// `{"name", "description", "inputSchema", "annotations"}`.
///
/// MCP's hints default to the cautious side (`destructiveHint` and `openWorldHint` true
/// when absent). A tool here is destructive only when marked so, and the loop runs it
/// without approval otherwise, so `destructiveHint` is always spelled out (unless the tool
/// is read-only, which says more); the other hints appear when marked.
pub(super) fn tool(definition: &ToolDefinition) -> Value {
    let markers = definition.markers();
    let mut tool = Map::new();
    tool.insert("name".into(), definition.name().into());
    if !definition.description().is_empty() {
        tool.insert("description".into(), definition.description().into());
    }
    tool.insert("inputSchema".into(), definition.parameters().clone());
    let mut annotations = Map::new();
    if markers.read_only {
        annotations.insert("readOnlyHint".into(), true.into());
    } else {
        annotations.insert("destructiveHint".into(), markers.destructive.into());
    }
    if markers.idempotent {
        annotations.insert("idempotentHint".into(), true.into());
    }
    if markers.open_world {
        annotations.insert("openWorldHint".into(), true.into());
    }
    tool.insert("annotations".into(), Value::Object(annotations));
    Value::Object(tool)
}
