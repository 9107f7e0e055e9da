// A misspelled parameter option: the error says which was meant.
use tool_runtime::tool;

/// Double a number.
///
/// # Arguments
/// * `x` - The number.
#[tool]
fn double(#[tool(defualt = 2)] x: u32) -> u32 {
    x * 2
}

fn main() {}
