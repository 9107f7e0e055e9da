// A raw identifier (`r#type`) is the property `type`; a `mut` parameter is a parameter; a raw
// function name (`r#loop`) is the tool `loop`.
use tool_runtime::{tool, Tool, ToolCall, ToolRegistry};

/// Describe a thing.
///
/// # Arguments
/// * `type` - The kind of thing.
/// * `name` - Its name.
#[tool]
fn describe(r#type: String, mut name: String) -> String {
    name.push('!');
    format!("{type} {name}", type = r#type)
}

/// Loop once.
#[tool]
fn r#loop() -> &'static str {
    "looped"
}

fn main() {
    let parameters = Describe.definition().parameters();
    assert_eq!(parameters["required"], serde_json::json!(["type", "name"]));
    assert_eq!(
        parameters["properties"]["type"]["description"],
        "The kind of thing."
    );
    assert_eq!(Loop::NAME, "loop");

    let mut registry = ToolRegistry::new();
    registry.register(Describe).unwrap().register(Loop).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let output = runtime.block_on(registry.dispatch(&ToolCall::new(
        "1",
        "describe",
        r#"{"type": "cat", "name": "Tom"}"#,
    )));
    assert_eq!(output.content, "cat Tom!");
    let output = runtime.block_on(registry.dispatch(&ToolCall::new("2", "loop", "{}")));
    assert_eq!(output.content, "looped");
}
