// A flag option (`destructive`) given a value.
use tool_runtime::tool;

/// Delete everything.
#[tool(destructive = true)]
fn delete_all() {}

fn main() {}
