// An explicit tool name longer than 64 characters.
use tool_runtime::tool;

/// Get the weather.
#[tool(name = "get_the_current_weather_in_a_given_location_with_the_unit_you_asked_for")]
fn get_weather() -> String {
    "sunny".into()
}

fn main() {}
