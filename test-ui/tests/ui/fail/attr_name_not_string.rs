// `name` given a value that is not a string literal.
use tool_runtime::tool;

/// Read a value.
#[tool(name = 5)]
fn read() -> u32 {
    1
}

fn main() {}
