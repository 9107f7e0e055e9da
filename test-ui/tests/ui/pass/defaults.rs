// Parameter defaults: the type's `Default`, a literal, an enum variant, a function call, a
// method call.
use serde_json::json;
use tool_runtime::{tool, Tool, ToolCall, ToolRegistry};

/// A temperature unit.
#[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Celsius,
    Fahrenheit,
}

fn default_city() -> String {
    "Paris".to_owned()
}

/// Get the weather.
///
/// # Arguments
/// * `days` - How many days ahead.
/// * `hours` - How many hours of each day.
/// * `unit` - The temperature unit.
/// * `city` - The city.
/// * `tag` - A tag.
/// * `limit` - At most this many.
#[tool]
fn forecast(
    #[tool(default)] days: u32,
    #[tool(default = 5)] hours: u32,
    #[tool(default = Unit::Celsius)] unit: Unit,
    #[tool(default = default_city())] city: String,
    #[tool(default = "ab".repeat(2))] tag: String,
    #[tool(default = Some(3))] limit: Option<u8>,
) -> String {
    format!("{days} {hours} {unit:?} {city} {tag} {limit:?}")
}

fn main() {
    let parameters = Forecast.definition().parameters();
    assert_eq!(parameters.get("required"), None);
    let properties = &parameters["properties"];
    assert_eq!(properties["days"]["default"], json!(0));
    assert_eq!(properties["hours"]["default"], json!(5));
    assert_eq!(properties["unit"]["default"], json!("celsius"));
    // A constructor (an upper-case path) with constant arguments is shown...
    assert_eq!(properties["limit"]["default"], json!(3));
    // ...other expressions are evaluated per call, so no value is shown for them.
    assert_eq!(properties["city"].get("default"), None);
    assert_eq!(properties["tag"].get("default"), None);

    let mut registry = ToolRegistry::new();
    registry.register(Forecast).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let call = |arguments: &str| {
        let output =
            runtime.block_on(registry.dispatch(&ToolCall::new("1", "forecast", arguments)));
        assert!(!output.is_error, "{}", output.content);
        output.content
    };
    assert_eq!(call("{}"), "0 5 Celsius Paris abab Some(3)");
    assert_eq!(
        call(r#"{"days": 2, "hours": 3, "unit": "fahrenheit", "city": "Tokyo", "tag": "x", "limit": 9}"#),
        "2 3 Fahrenheit Tokyo x Some(9)"
    );
    assert_eq!(
        call(r#"{"days": null, "hours": null, "unit": null, "city": null, "tag": null, "limit": null}"#),
        "0 5 Celsius Paris abab Some(3)"
    );
}
