// `State<T>` and `CallContext` parameters are filled by the registry, not the model.
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::json;
use tool_runtime::{tool, CallContext, State, Tool, ToolCall, ToolRegistry};

/// Count a visit.
///
/// # Arguments
/// * `step` - How much to add.
#[tool]
async fn visit(counter: State<AtomicU32>, step: u32, call: CallContext) -> String {
    let total = counter.fetch_add(step, Ordering::SeqCst) + step;
    format!("{} {total}", call.id())
}

fn main() {
    assert_eq!(
        Visit.definition().parameters(),
        &json!({
            "type": "object",
            "properties": {"step": {"type": "integer", "description": "How much to add.", "minimum": 0, "maximum": 4294967295u32}},
            "required": ["step"],
            "additionalProperties": false
        })
    );

    let mut without_state = ToolRegistry::new();
    assert!(without_state.register(Visit).is_err());

    let mut registry = ToolRegistry::new().with_state(AtomicU32::new(0));
    registry.register(Visit).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let output =
        runtime.block_on(registry.dispatch(&ToolCall::new("call_7", "visit", r#"{"step": 2}"#)));
    assert!(!output.is_error, "{}", output.content);
    assert_eq!(output.content, "call_7 2");
}
