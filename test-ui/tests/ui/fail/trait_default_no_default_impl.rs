// `#[tool(default)]` on a parameter whose type has no `Default`.
use tool_runtime::tool;

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub enum Unit {
    Celsius,
    Fahrenheit,
}

/// Get the temperature.
///
/// # Arguments
/// * `unit` - The unit.
#[tool]
fn temperature(#[tool(default)] unit: Unit) -> i32 {
    match unit {
        Unit::Celsius => 20,
        Unit::Fahrenheit => 68,
    }
}

fn main() {}
