// `name = "..."` renames the tool (not the struct); `description = "..."` replaces the doc
// comment; `allow_missing_docs` allows no description and undocumented parameters.
use tool_runtime::{tool, Tool};

/// Get the weather.
#[tool(name = "weather-now")]
fn get_weather() -> &'static str {
    "sunny"
}

/// Internal notes, not for the model.
#[tool(description = "Look up a word.")]
fn lookup(
    /// The word.
    word: String,
) -> String {
    word
}

#[tool(allow_missing_docs)]
fn bare(count: u32) -> u32 {
    count
}

fn main() {
    assert_eq!(GetWeather::NAME, "weather-now");
    assert_eq!(GetWeather.definition().name(), "weather-now");
    assert_eq!(GetWeather.definition().description(), "Get the weather.");

    assert_eq!(Lookup.definition().description(), "Look up a word.");
    assert_eq!(
        Lookup.definition().parameters()["properties"]["word"]["description"],
        "The word."
    );

    assert_eq!(Bare.definition().description(), "");
    assert_eq!(
        Bare.definition().parameters()["properties"]["count"].get("description"),
        None
    );
    assert_eq!(bare(3), 3);
}
