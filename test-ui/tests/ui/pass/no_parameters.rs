// A tool without parameters: an empty object schema, and any empty arguments dispatch.
use serde_json::json;
use tool_runtime::{tool, Tool, ToolCall, ToolRegistry};

/// Roll a die.
#[tool]
fn roll() -> u8 {
    4
}

fn main() {
    assert_eq!(Roll::NAME, "roll");
    assert_eq!(Roll.definition().description(), "Roll a die.");
    assert_eq!(
        Roll.definition().parameters(),
        &json!({"type": "object", "properties": {}, "additionalProperties": false})
    );

    let mut registry = ToolRegistry::new();
    registry.register(Roll).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for arguments in ["", "{}", "null"] {
        let output = runtime.block_on(registry.dispatch(&ToolCall::new("1", "roll", arguments)));
        assert!(!output.is_error, "{arguments:?}: {}", output.content);
        assert_eq!(output.content, "4");
    }
}
