// `strict` set to something other than `true` or `false`.
use tool_runtime::tool;

/// Read a value.
#[tool(strict = "yes")]
fn read() -> u32 {
    1
}

fn main() {}
