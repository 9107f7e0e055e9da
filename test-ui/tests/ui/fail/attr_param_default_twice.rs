// `default` given twice on one parameter.
use tool_runtime::tool;

/// Double a number.
///
/// # Arguments
/// * `x` - The number.
#[tool]
fn double(
    #[tool(default = 1)]
    #[tool(default)]
    x: u32,
) -> u32 {
    x * 2
}

fn main() {}
