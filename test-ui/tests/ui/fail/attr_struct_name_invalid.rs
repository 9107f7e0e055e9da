// `struct_name` takes a string holding a name a struct can have.
use tool_runtime::tool;

/// Read a value.
#[tool(struct_name = "Read Tool")]
fn read() -> u32 {
    1
}

/// Write a value.
#[tool(struct_name = WriteTool)]
fn write() -> u32 {
    1
}

fn main() {}
