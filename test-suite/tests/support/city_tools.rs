//! The two `#[tool]` functions the model client tests offer: the weather of a city (with an
//! optional enum parameter, so the plain and strict forms differ) and its nickname.

use serde::Deserialize;
use tool_runtime::{tool, ToolRegistry};

/// The temperature unit to use.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Unit {
    Celsius,
    Fahrenheit,
}

/// Get the current weather in a given location.
///
/// # Arguments
/// * `location` - The city and state, e.g. San Francisco, CA.
/// * `unit` - The temperature unit; Fahrenheit if omitted.
#[tool]
pub(crate) fn get_current_weather(location: String, unit: Option<Unit>) -> String {
    match unit {
        Some(Unit::Celsius) => format!("{location}: 22 C"),
        Some(Unit::Fahrenheit) | None => format!("{location}: 72 F"),
    }
}

/// Get the nickname of a city.
///
/// # Arguments
/// * `location` - The city, e.g. Paris.
#[tool]
pub(crate) fn get_nickname(location: String) -> String {
    format!("{location}: the City of Light")
}

/// A registry of both tools, weather first.
pub(crate) fn registry() -> ToolRegistry {
    let mut registry = ToolRegistry::new();
    registry
        .register(GetCurrentWeather)
        .and_then(|registry| registry.register(GetNickname))
        .expect("the tools register");
    registry
}
