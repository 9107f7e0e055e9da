//! The README's example output is what the weather example prints for the same calls, and
//! its "Use it in your own project" is `test-suite/your-project/`, which the workspace builds.

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

/// The README's `main.rs` is `test-suite/your-project/src/main.rs`, byte for byte: the
/// workspace compiles it, so the README's compiles as written.
#[test]
fn readme_main_rs_is_the_project_the_workspace_builds() {
    let built = include_str!("../../your-project/src/main.rs");
    assert_eq!(format!("{}\n", readme_block("your-project-main")), built);
}

/// The README's `[dependencies]` are `test-suite/your-project/Cargo.toml`'s, but for the
/// path to tool-runtime (the README's is for a project next to a checkout).
#[test]
fn readme_dependencies_are_the_ones_the_project_builds_with() {
    let manifest = include_str!("../../your-project/Cargo.toml");
    let built = manifest
        .split_once("[dependencies]\n")
        .map(|(_, rest)| rest.split("\n[").next().unwrap_or(rest).trim_end())
        .expect("the project's manifest has [dependencies]");
    let readme = readme_block("your-project-dependencies")
        .strip_prefix("[dependencies]\n")
        .expect("the README's block starts with [dependencies]");
    assert_eq!(
        readme,
        built.replace(
            r#"path = "../../tool-runtime""#,
            r#"path = "../tool-runtime/tool-runtime""#
        )
    );
}
