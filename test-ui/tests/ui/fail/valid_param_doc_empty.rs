// A parameter whose `///` comment is empty.
use tool_runtime::tool;

/// Get the weather.
#[tool]
fn get_weather(
    ///
    location: String,
) -> String {
    location
}

fn main() {}
