// `strict` written with parentheses instead of `= true`.
use tool_runtime::tool;

/// Read a value.
#[tool(strict(true))]
fn read() -> u32 {
    1
}

fn main() {}
