// A parameter's `default =` without a value.
use tool_runtime::tool;

/// Double a number.
///
/// # Arguments
/// * `x` - The number.
#[tool]
fn double(#[tool(default = )] x: u32) -> u32 {
    x * 2
}

fn main() {}
