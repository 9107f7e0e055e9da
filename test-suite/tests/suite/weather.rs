//! The weather example's tools: what a model is given is reviewed (the drift check), and
//! breaks no provider's rules.

use examples::weather;

use tool_runtime::ToolFormat;

#[test]
fn the_tools_a_model_sees_are_the_reviewed_ones() {
    weather::registry().assert_snapshot("tests/snapshots/weather.tools.json");
}

#[test]
fn every_provider_accepts_them() {
    let registry = weather::registry();
    for format in ToolFormat::ALL {
        assert_eq!(registry.validate(format), Ok(()), "{format}");
    }
}
