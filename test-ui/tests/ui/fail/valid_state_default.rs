// A default on a `State<T>` parameter, which the model never fills in.
use tool_runtime::{tool, State};

/// Read the counter.
#[tool]
fn read(#[tool(default)] counter: State<u32>) -> u32 {
    *counter
}

fn main() {}
