// `# Arguments` documents a parameter of a function that has none.
use tool_runtime::tool;

/// Get the weather.
///
/// # Arguments
/// * `location` - The city.
#[tool]
fn get_weather() -> String {
    "sunny".into()
}

fn main() {}
