// A `# Arguments` line that names no parameter in a readable form.
use tool_runtime::tool;

/// Get the weather.
///
/// # Arguments
/// * location the city
#[tool]
fn get_weather(location: String) -> String {
    location
}

fn main() {}
