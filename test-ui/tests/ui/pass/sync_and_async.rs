// Sync and async functions both become tools and stay callable as written.
use tool_runtime::{tool, Tool, ToolCall, ToolRegistry};

/// Add two numbers.
///
/// # Arguments
/// * `a` - The first number.
/// * `b` - The second number.
#[tool]
fn add(a: i32, b: i32) -> i32 {
    a + b
}

/// Wait, then add two numbers.
///
/// # Arguments
/// * `a` - The first number.
/// * `b` - The second number.
#[tool]
async fn add_later(a: i32, b: i32) -> i32 {
    a + b
}

fn main() {
    assert_eq!(Add::NAME, "add");
    assert_eq!(AddLater::NAME, "add_later");
    assert_eq!(Add.definition().description(), "Add two numbers.");
    assert_eq!(add(1, 2), 3);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    assert_eq!(runtime.block_on(add_later(1, 2)), 3);
    let mut registry = ToolRegistry::new();
    registry.register(Add).unwrap().register(AddLater).unwrap();
    for name in ["add", "add_later"] {
        let output =
            runtime.block_on(registry.dispatch(&ToolCall::new("1", name, r#"{"a": 2, "b": 3}"#)));
        assert!(!output.is_error, "{}", output.content);
        assert_eq!(output.content, "5");
    }
}
