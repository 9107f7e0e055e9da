// `crate` is a path without generic arguments.
use tool_runtime::tool;

/// Read a value.
#[tool(crate = "tool runtime")]
fn read() -> u32 {
    1
}

/// Read another value.
#[tool(crate = "rt::<u8>")]
fn read_other() -> u32 {
    2
}

fn main() {}
