// A name documented twice in `# Arguments`.
use tool_runtime::tool;

/// Get the weather.
///
/// # Arguments
/// * `location` - The city.
/// * `location` - The city and state.
#[tool]
fn get_weather(location: String) -> String {
    location
}

fn main() {}
