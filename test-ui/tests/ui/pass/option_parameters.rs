// An `Option` parameter is not required; omitted or `null`, the function gets `None`.
use serde_json::json;
use tool_runtime::{tool, Tool, ToolCall, ToolRegistry};

/// Greet someone.
///
/// # Arguments
/// * `name` - Who to greet.
/// * `greeting` - The word to greet with; omit it for "Hello".
#[tool]
fn greet(name: String, greeting: Option<String>) -> String {
    format!("{}, {name}!", greeting.as_deref().unwrap_or("Hello"))
}

fn main() {
    let parameters = Greet.definition().parameters();
    assert_eq!(parameters["required"], json!(["name"]));
    assert_eq!(
        parameters["properties"]["greeting"]["description"],
        json!("The word to greet with; omit it for \"Hello\".")
    );

    let mut registry = ToolRegistry::new();
    registry.register(Greet).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let call = |arguments: &str| {
        runtime.block_on(registry.dispatch(&ToolCall::new("1", "greet", arguments)))
    };
    assert_eq!(call(r#"{"name": "Ada"}"#).content, "Hello, Ada!");
    assert_eq!(
        call(r#"{"name": "Ada", "greeting": null}"#).content,
        "Hello, Ada!"
    );
    assert_eq!(
        call(r#"{"name": "Ada", "greeting": "Hi"}"#).content,
        "Hi, Ada!"
    );
}
