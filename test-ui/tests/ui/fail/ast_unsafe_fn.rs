// An `unsafe fn` cannot be a tool.
use tool_runtime::tool;

/// Read a value.
#[tool]
unsafe fn read() -> u32 {
    1
}

fn main() {}
