// A parameter documented both in `# Arguments` and with `///` on the parameter.
use tool_runtime::tool;

/// Get the weather.
///
/// # Arguments
/// * `location` - The city.
#[tool]
fn get_weather(
    /// The city and state.
    location: String,
) -> String {
    location
}

fn main() {}
