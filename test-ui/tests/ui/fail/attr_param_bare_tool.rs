// `#[tool]` on a parameter without an option.
use tool_runtime::tool;

/// Double a number.
///
/// # Arguments
/// * `x` - The number.
#[tool]
fn double(#[tool] x: u32) -> u32 {
    x * 2
}

fn main() {}
