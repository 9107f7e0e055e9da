//! MCP `tools/list` entries (docs/providers.md, "MCP").

use serde_json::{Map, Value};

use crate::definition::ToolDefinition;

/// `{"name", "description", "inputSchema", "outputSchema"?, "annotations"?}`.
///
/// Hints say only what the tool's author declared: `readOnlyHint`, `destructiveHint`,
/// `idempotentHint` and `openWorldHint` appear, `true`, when the tool is marked so.
/// An unmarked tool has no annotations, and MCP clients assume the cautious defaults
/// (it may be destructive, it may reach the open world) rather than being told a tool is
/// safe that nobody said was.
pub(super) fn tool(definition: &ToolDefinition) -> Value {
    let markers = definition.markers();
    let mut tool = Map::new();
    tool.insert("name".into(), definition.name().into());
    if !definition.description().is_empty() {
        tool.insert("description".into(), definition.description().into());
    }
    tool.insert("inputSchema".into(), definition.parameters().clone());
    if let Some(output) = definition.output_schema() {
        tool.insert("outputSchema".into(), output.clone());
    }
    let annotations: Map<String, Value> = [
        ("readOnlyHint", markers.read_only),
        ("destructiveHint", markers.destructive),
        ("idempotentHint", markers.idempotent),
        ("openWorldHint", markers.open_world),
    ]
    .into_iter()
    .filter(|(_, marked)| *marked)
    .map(|(hint, _)| (hint.to_owned(), Value::Bool(true)))
    .collect();
    if !annotations.is_empty() {
        tool.insert("annotations".into(), Value::Object(annotations));
    }
    Value::Object(tool)
}
