// `name` written without a value.
use tool_runtime::tool;

/// Read a value.
#[tool(name)]
fn read() -> u32 {
    1
}

fn main() {}
