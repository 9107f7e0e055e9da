// `destructive` and `read_only` together.
use tool_runtime::tool;

/// Delete everything.
#[tool(destructive, read_only)]
fn delete_all() {}

fn main() {}
