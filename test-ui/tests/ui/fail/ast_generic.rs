// A generic function cannot be a tool.
use tool_runtime::tool;

/// Echo a value.
///
/// # Arguments
/// * `value` - The value.
#[tool]
fn echo<T: serde::Serialize>(value: T) -> T {
    value
}

fn main() {}
