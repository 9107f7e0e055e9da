// `crate` given twice.
use tool_runtime::tool;

/// Read a value.
#[tool(crate = "::tool_runtime", crate = "::tool_runtime")]
fn read() -> u32 {
    1
}

fn main() {}
