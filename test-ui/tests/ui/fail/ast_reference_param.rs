// A borrowed `&str` parameter: the model's arguments are parsed into owned values.
use tool_runtime::tool;

/// Greet someone.
///
/// # Arguments
/// * `name` - Who to greet.
#[tool]
fn greet(name: &str) -> String {
    format!("Hello, {name}!")
}

fn main() {}
