// An option a tool parameter does not have.
use tool_runtime::tool;

/// Double a number.
///
/// # Arguments
/// * `x` - The number.
#[tool]
fn double(#[tool(rename = "y")] x: u32) -> u32 {
    x * 2
}

fn main() {}
