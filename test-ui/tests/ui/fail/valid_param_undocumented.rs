// A parameter the model fills in without a description. Uses of the function and of the tool
// are not errors too.
use tool_runtime::{tool, ToolRegistry};

/// Get the weather.
///
/// # Arguments
/// * `location` - The city.
#[tool]
fn get_weather(location: String, unit: Option<String>) -> String {
    format!("{location} {unit:?}")
}

fn main() {
    let _ = get_weather("Paris".to_owned(), None);
    let _ = ToolRegistry::new().register(GetWeather);
}
