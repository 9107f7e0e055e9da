// `crate` is an option of the function, not of a parameter.
use tool_runtime::tool;

/// Double a number.
///
/// # Arguments
/// * `x` - The number.
#[tool]
fn double(#[tool(crate = "::tool_runtime")] x: u32) -> u32 {
    x * 2
}

fn main() {}
