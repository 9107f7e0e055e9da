// `# Arguments` documents a name that is not a parameter.
use tool_runtime::tool;

/// Get the weather.
///
/// # Arguments
/// * `location` - The city.
/// * `units` - The unit.
#[tool]
fn get_weather(location: String, unit: Option<String>) -> String {
    format!("{location} {unit:?}")
}

fn main() {}
