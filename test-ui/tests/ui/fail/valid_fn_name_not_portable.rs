// A function name that is not a portable tool name (not ASCII).
use tool_runtime::tool;

/// The temperature outside.
#[tool]
fn température() -> i32 {
    21
}

fn main() {}
