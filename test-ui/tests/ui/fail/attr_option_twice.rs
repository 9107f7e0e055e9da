// An option of #[tool] given twice.
use tool_runtime::tool;

/// Read a value.
#[tool(read_only, read_only)]
fn read() -> u32 {
    1
}

fn main() {}
