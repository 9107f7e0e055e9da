// A parameter's `default` written with parentheses instead of `= value`.
use tool_runtime::tool;

/// Double a number.
///
/// # Arguments
/// * `x` - The number.
#[tool]
fn double(#[tool(default(1))] x: u32) -> u32 {
    x * 2
}

fn main() {}
