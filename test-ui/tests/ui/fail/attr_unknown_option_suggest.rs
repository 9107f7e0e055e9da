// A misspelled option: the error says which was meant.
use tool_runtime::tool;

/// Delete a value.
#[tool(destuctive)]
fn delete() -> u32 {
    1
}

fn main() {}
