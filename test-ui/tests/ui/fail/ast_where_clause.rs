// A `where` clause on a function without generics.
use tool_runtime::tool;

/// Echo a text.
///
/// # Arguments
/// * `text` - The text.
#[tool]
fn echo(text: String) -> String
where
    String: Clone,
{
    text
}

fn main() {}
