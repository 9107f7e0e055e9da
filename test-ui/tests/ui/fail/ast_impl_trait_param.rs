// An `impl Trait` parameter.
use tool_runtime::tool;

/// Print a value.
///
/// # Arguments
/// * `value` - The value.
#[tool]
fn show(value: impl std::fmt::Display) -> String {
    value.to_string()
}

fn main() {}
