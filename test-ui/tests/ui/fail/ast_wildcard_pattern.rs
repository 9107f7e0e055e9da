// `_` in place of a parameter name.
use tool_runtime::tool;

/// Ignore a number.
#[tool]
fn ignore(_: i32) {}

fn main() {}
