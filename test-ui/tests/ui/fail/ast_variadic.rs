// A C-variadic function cannot be a tool.
use tool_runtime::tool;

/// Sum numbers.
///
/// # Arguments
/// * `count` - How many numbers follow.
#[tool]
extern "C" fn sum(count: u32, _: ...) -> u32 {
    count
}

fn main() {}
