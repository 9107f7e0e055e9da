// `crate` takes the runtime's path as a string, as serde's `crate` does.
use tool_runtime::tool;

/// Read a value.
#[tool(crate = tool_runtime)]
fn read() -> u32 {
    1
}

fn main() {}
