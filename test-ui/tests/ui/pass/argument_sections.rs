// `# Arguments` edge cases: a blank line ends an item, prose after the list is for people,
// bullets indented under an item continue it; a `/** */` comment's margin stars.
use serde_json::json;
use tool_runtime::{tool, Tool};

/// Convert a temperature.
///
/// # Arguments
/// * `value` - The temperature,
///   as a number.
/// * `unit` - The unit to convert to:
///   - `c`: Celsius
///   - `f`: Fahrenheit
///
/// Returns the converted value; this sentence is for people.
#[tool]
fn convert(value: f64, unit: String) -> String {
    format!("{value}{unit}")
}

/**
 * Say hello.
 *
 * # Arguments
 * * `name` - Who to greet.
 */
#[tool]
fn hello(name: String) -> String {
    name
}

fn main() {
    let definition = Convert.definition();
    assert_eq!(definition.description(), "Convert a temperature.");
    assert_eq!(definition.parameters()["properties"]["value"]["description"], json!("The temperature, as a number."));
    assert_eq!(
        definition.parameters()["properties"]["unit"]["description"],
        json!("The unit to convert to: - `c`: Celsius - `f`: Fahrenheit")
    );
    let definition = Hello.definition();
    assert_eq!(definition.description(), "Say hello.");
    assert_eq!(definition.parameters()["properties"]["name"]["description"], json!("Who to greet."));
}
