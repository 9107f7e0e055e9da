//! The weather bot of the Assistants API tutorials (docs/examples.md): its two tools, their registry, and the reading of
//! the calls given on the command line (`examples/weather.rs`).

use serde::{Deserialize, Serialize};
use tool_runtime::{tool, ToolCall, ToolRegistry};

/// A temperature unit.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)] // Doc comments on the variants would become descriptions in the schema.
pub enum Unit {
    Celsius,
    Fahrenheit,
}

/// The weather at a place.
#[derive(Debug, Serialize)]
pub struct Weather {
    location: String,
    temperature: i32,
    unit: Unit,
}

/// Why there is no weather to report.
#[derive(Debug)]
pub struct WeatherError(String);

impl std::fmt::Display for WeatherError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no weather station for {:?}; known cities: Tokyo, Los Angeles, Paris",
            self.0
        )
    }
}

/// Get the current weather in a given location.
///
/// # Arguments
/// * `location` - The city and state, e.g. San Francisco, CA.
/// * `unit` - The temperature unit to use. Omit it to use the city's usual unit.
#[tool(read_only)]
pub async fn get_current_weather(
    location: String,
    unit: Option<Unit>,
) -> Result<Weather, WeatherError> {
    // The tutorial's data, each city in its own unit.
    let lower = location.to_lowercase();
    let (city, measured, measured_unit) = if lower.contains("tokyo") {
        ("Tokyo", 10, Unit::Celsius)
    } else if lower.contains("los angeles") {
        ("Los Angeles", 72, Unit::Fahrenheit)
    } else if lower.contains("paris") {
        ("Paris", 22, Unit::Celsius)
    } else {
        return Err(WeatherError(location));
    };
    let unit = unit.unwrap_or(measured_unit);
    let temperature = match (measured_unit, unit) {
        (Unit::Celsius, Unit::Fahrenheit) => (f64::from(measured) * 1.8 + 32.0).round() as i32,
        (Unit::Fahrenheit, Unit::Celsius) => ((f64::from(measured) - 32.0) / 1.8).round() as i32,
        _ => measured,
    };
    Ok(Weather {
        location: city.to_owned(),
        temperature,
        unit,
    })
}

/// Get the nickname of a city.
///
/// # Arguments
/// * `location` - The city and state, e.g. San Francisco, CA.
#[tool(read_only)]
pub fn get_nickname(location: String) -> String {
    let lower = location.to_lowercase();
    let nickname = if lower.contains("tokyo") {
        "tk"
    } else if lower.contains("los angeles") {
        "la"
    } else if lower.contains("paris") {
        "py"
    } else {
        return location;
    };
    nickname.to_owned()
}

/// A call as given on the command line or stdin.
#[derive(Deserialize)]
struct CallArg {
    id: Option<String>,
    name: String,
    #[serde(default)]
    arguments: serde_json::Value,
}

impl CallArg {
    fn into_call(self, index: usize) -> ToolCall {
        let arguments = match self.arguments {
            serde_json::Value::String(text) => text,
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        let id = self.id.unwrap_or_else(|| format!("call_{}", index + 1));
        ToolCall::new(id, self.name, arguments)
    }
}

/// The weather tools, registered.
pub fn registry() -> ToolRegistry {
    let mut registry = ToolRegistry::new();
    registry
        .register(GetCurrentWeather)
        .and_then(|r| r.register(GetNickname))
        .expect("the weather tools have distinct names and need no state");
    registry
}

/// The calls in `texts`: each a JSON call object, an array of them, or several of either
/// one after the other (stdin).
pub fn parse_calls(texts: &[String]) -> Result<Vec<ToolCall>, String> {
    let mut calls = Vec::new();
    for text in texts {
        for value in serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>() {
            let value = value.map_err(|e| format!("not JSON: {e}"))?;
            let items = match value {
                serde_json::Value::Array(items) => items,
                single => vec![single],
            };
            for item in items {
                let call: CallArg = serde_json::from_value(item)
                    .map_err(|e| format!("a call is {{\"name\": ..., \"arguments\": ...}}: {e}"))?;
                calls.push(call.into_call(calls.len()));
            }
        }
    }
    Ok(calls)
}
