// Parameter types written with a module path.
use tool_runtime::{tool, Tool, ToolCall, ToolRegistry};

pub mod units {
    /// A length unit.
    #[derive(serde::Deserialize, schemars::JsonSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum Length {
        Meters,
        Feet,
    }
}

/// Convert a length to meters.
///
/// # Arguments
/// * `value` - The length.
/// * `unit` - Its unit.
/// * `extra` - Named lengths to add, in meters.
#[tool]
fn to_meters(
    value: f64,
    unit: crate::units::Length,
    extra: std::collections::BTreeMap<String, f64>,
) -> f64 {
    let base = match unit {
        units::Length::Meters => value,
        units::Length::Feet => value * 0.3048,
    };
    base + extra.values().sum::<f64>()
}

fn main() {
    let properties = &ToMeters.definition().parameters()["properties"];
    assert_eq!(
        properties["unit"]["enum"],
        serde_json::json!(["meters", "feet"])
    );
    assert_eq!(properties["unit"]["description"], "Its unit.");

    let mut registry = ToolRegistry::new();
    registry.register(ToMeters).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let output = runtime.block_on(registry.dispatch(&ToolCall::new(
        "1",
        "to_meters",
        r#"{"value": 2, "unit": "meters", "extra": {"a": 1.5}}"#,
    )));
    assert!(!output.is_error, "{}", output.content);
    assert_eq!(output.content, "3.5");
}
