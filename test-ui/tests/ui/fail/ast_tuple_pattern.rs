// A tuple pattern in place of a parameter name.
use tool_runtime::tool;

/// Add two numbers.
#[tool]
fn add((a, b): (i32, i32)) -> i32 {
    a + b
}

fn main() {}
