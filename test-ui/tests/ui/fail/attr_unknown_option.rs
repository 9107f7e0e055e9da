// An option #[tool] does not have. Uses of the function and of the tool are not errors too.
use tool_runtime::{tool, Tool};

/// Read a value.
#[tool(foo)]
fn read() -> u32 {
    1
}

fn main() {
    let _ = (read(), Read::NAME);
}
