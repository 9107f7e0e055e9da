// Rustdoc sections (`# Errors`, `# Panics`, `# Examples` and its code block) are not part of
// the description; paragraphs and list items keep their breaks.
use tool_runtime::{tool, Tool};

/// Divide two numbers.
/// The result is rounded down.
///
/// Works on:
/// - whole numbers
/// - negative numbers
///
/// # Arguments
/// * `a` - The dividend.
/// * `b` - The divisor.
///
/// # Errors
/// When `b` is zero.
///
/// # Panics
/// Never.
///
/// # Examples
/// ```
/// # Arguments
/// assert_eq!(divide(7, 2), Ok(3));
/// ```
#[tool]
fn divide(a: i64, b: i64) -> Result<i64, String> {
    a.checked_div(b)
        .ok_or_else(|| "division by zero".to_owned())
}

fn main() {
    assert_eq!(
        Divide.definition().description(),
        "Divide two numbers. The result is rounded down.\n\nWorks on:\n- whole numbers\n- negative numbers"
    );
    assert_eq!(divide(7, 2), Ok(3));
}
