// A tool defined inside a function body, using a type defined there too.
use tool_runtime::{tool, Tool, ToolCall, ToolRegistry};

fn main() {
    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct Size {
        width: u32,
        height: u32,
    }

    /// Compute an area.
    ///
    /// # Arguments
    /// * `size` - The rectangle.
    #[tool]
    fn area(size: Size) -> u32 {
        size.width * size.height
    }

    assert_eq!(Area::NAME, "area");
    assert_eq!(Area.definition().description(), "Compute an area.");
    let mut registry = ToolRegistry::new();
    registry.register(Area).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let output = runtime.block_on(registry.dispatch(&ToolCall::new(
        "1",
        "area",
        r#"{"size": {"width": 3, "height": 4}}"#,
    )));
    assert_eq!(output.content, "12");
}
