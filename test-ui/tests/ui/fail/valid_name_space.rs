// An explicit tool name with a space in it.
use tool_runtime::tool;

/// Get the weather.
#[tool(name = "get weather")]
fn get_weather() -> String {
    "sunny".into()
}

fn main() {}
