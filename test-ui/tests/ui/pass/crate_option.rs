// `#[tool(crate = "...")]` and `#[tools(crate = "...")]`: the runtime named through a
// re-export, as a crate that wraps it would. Every path the expansion writes goes through it.
mod rt {
    pub use ::tool_runtime::*;
}

use std::sync::Arc;

use rt::{tool, tools, Tool, ToolCall, ToolRegistry};

/// Add two numbers.
///
/// # Arguments
/// * `a` - The first.
/// * `b` - The second.
#[tool(crate = "crate::rt", read_only)]
fn add(a: i64, #[tool(default = 1)] b: i64) -> i64 {
    a + b
}

/// A total.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct Total {
    /// The total.
    total: i64,
}

/// A counter's start.
pub struct Counter {
    start: i64,
}

#[tools(crate = "crate::rt")]
impl Counter {
    /// The counter's start plus `n`.
    ///
    /// # Arguments
    /// * `n` - What to add.
    #[rt::tool]
    fn plus(&self, n: i64) -> rt::Json<Total> {
        rt::Json(Total { total: self.start + n })
    }
}

fn main() {
    assert_eq!(Add.definition().name(), "add");
    let mut registry = ToolRegistry::new();
    registry.register(Add).unwrap();
    registry.register_all(Arc::new(Counter { start: 10 })).unwrap();
    let calls = [
        ToolCall::new("a", "add", r#"{"a": 2}"#),
        ToolCall::new("b", "plus", r#"{"n": 5}"#),
    ];
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let outputs: Vec<String> = runtime
        .block_on(registry.dispatch_all(&calls))
        .into_iter()
        .map(|output| output.content)
        .collect();
    assert_eq!(outputs, ["3", r#"{"total":15}"#]);
}
