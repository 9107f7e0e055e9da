// An empty `description`.
use tool_runtime::tool;

/// Get the weather.
#[tool(description = "")]
fn get_weather() -> String {
    "sunny".into()
}

fn main() {}
