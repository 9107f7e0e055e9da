//! The README's example output is what the weather example prints for the same calls.

use tool_runtime::{ToolCall, ToolFormat};

use examples::weather;

/// The text of the README's code block after `<!-- marker -->`.
fn readme_block(marker: &str) -> &'static str {
    include_str!("../../../README.md")
        .split(&format!("<!-- {marker} -->\n```"))
        .nth(1)
        .and_then(|rest| rest.split_once('\n'))
        .and_then(|(_, rest)| rest.split("\n```").next())
        .unwrap_or_else(|| panic!("the README has a {marker} block"))
}

#[test]
fn readme_weather_definition_is_true() {
    let exported = weather::registry().export(ToolFormat::OpenAiChat);
    assert_eq!(readme_block("weather-definition"), exported[0].to_string());
}

#[tokio::test]
async fn readme_weather_output_is_true() {
    let block = readme_block("weather-output");

    let calls = [
        ToolCall::new("call_1", "get_current_weather", r#"{"location": "Tokyo"}"#),
        ToolCall::new(
            "call_2",
            "get_current_weather",
            r#"{"location": "Paris", "unit": "kelvin"}"#,
        ),
        ToolCall::new("call_3", "get_weather", "{}"),
    ];
    let printed: Vec<String> = weather::registry()
        .dispatch_all(&calls)
        .await
        .iter()
        .map(|output| serde_json::to_string(output).expect("outputs serialize"))
        .collect();
    assert_eq!(block, printed.join("\n"));
}
