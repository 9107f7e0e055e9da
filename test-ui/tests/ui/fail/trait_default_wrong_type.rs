// A parameter default whose type is not the parameter's type.
use tool_runtime::tool;

/// Repeat a text.
///
/// # Arguments
/// * `times` - How many times.
#[tool]
fn repeat(#[tool(default = "twice")] times: usize) -> String {
    "a".repeat(times)
}

fn main() {}
