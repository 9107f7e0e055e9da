//! The code `#[tool]` and `#[tools]` generate, compiled under strict lints: a user's crate
//! that denies them must not see warnings it did not write. Every form of the expansion is
//! here: free functions sync and async, `#[tools]` methods, defaults, state and the call's
//! context, `Json<T>` and `Result` outputs, and the `crate` option.
//!
//! Self-contained (no `tests/support`), so that it can move to another package as is. Run
//! it under clippy too: `cargo clippy --all-targets -- -D warnings`.

#![deny(
    missing_docs,
    missing_debug_implementations,
    unreachable_pub,
    unused_qualifications,
    unused,
    nonstandard_style,
    rust_2018_idioms,
    future_incompatible,
    clippy::all,
    clippy::pedantic,
    clippy::nursery
)]
// What strict crates forbid: a `forbid`den lint the expansion allowed would be an error
// (E0453) even where it does not fire, so the expansion allows none of these.
#![forbid(
    unsafe_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unreachable
)]
// The functions below are the user's; a tool cannot be a `const fn`.
#![allow(clippy::missing_const_for_fn)]

use std::sync::atomic::{AtomicU32, Ordering};

use tool_runtime::{
    tool, tools, CallContext, Json, State, Tool, ToolCall, ToolDefinition, ToolRegistry,
};

/// The runtime under another path, as a crate wrapping it re-exports it.
#[allow(clippy::redundant_pub_crate)] // `pub` would be unreachable
mod rt {
    pub(crate) use ::tool_runtime::*;
}

/// A temperature unit.
#[derive(Debug, Default, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Degrees Celsius.
    #[default]
    Celsius,
    /// Degrees Fahrenheit.
    Fahrenheit,
}

/// The weather at a place.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct Weather {
    /// The place.
    pub location: String,
    /// The temperature, in `unit`.
    pub temperature: i32,
    /// The unit of `temperature`.
    pub unit: Unit,
}

/// Why a tool failed.
#[derive(Debug)]
pub struct NotFound(pub String);

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no station for {}", self.0)
    }
}

/// Get the weather in a city.
///
/// # Arguments
/// * `location` - The city.
/// * `unit` - The unit.
/// * `days` - How many days ahead.
///
/// # Errors
/// When there is no station for the city.
#[tool(read_only)]
pub fn get_weather(
    location: String,
    #[tool(default)] unit: Unit,
    #[tool(default = 1)] days: u32,
) -> Result<Json<Weather>, NotFound> {
    if location.is_empty() {
        return Err(NotFound(location));
    }
    let temperature = i32::try_from(days).unwrap_or(i32::MAX);
    Ok(Json(Weather {
        location,
        temperature,
        unit,
    }))
}

/// Count a visit.
#[tool(idempotent)]
pub async fn visit(counter: State<AtomicU32>, call: CallContext) -> String {
    std::future::ready(()).await;
    let count = counter.fetch_add(1, Ordering::Relaxed) + 1;
    format!("{count} {}", call.id())
}

/// Say nothing.
#[tool(crate = "crate::rt", strict = false)]
pub fn nothing() {}

/// Add two numbers, with an optional third.
///
/// # Arguments
/// * `a` - The first.
/// * `b` - The second.
/// * `c` - A third, if any.
#[tool(name = "add-numbers", crate = "crate::rt")]
#[must_use]
pub fn add(a: i64, b: i64, c: Option<i64>) -> Json<Sum> {
    Json(Sum {
        total: a + b + c.unwrap_or(0),
    })
}

/// A sum.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct Sum {
    /// The total.
    pub total: i64,
}

/// A store of numbers.
#[derive(Debug, Default)]
pub struct Store {
    numbers: Vec<i64>,
}

#[tools]
impl Store {
    /// How many numbers there are, above a threshold.
    ///
    /// # Arguments
    /// * `above` - Count only numbers above it.
    #[tool(read_only)]
    fn count(&self, #[tool(default)] above: i64) -> usize {
        self.numbers.iter().filter(|n| **n > above).count()
    }

    /// The numbers, sorted.
    #[tool(read_only)]
    async fn sorted(&self, counter: State<AtomicU32>) -> Vec<i64> {
        std::future::ready(()).await;
        counter.fetch_add(1, Ordering::Relaxed);
        let mut numbers = self.numbers.clone();
        numbers.sort_unstable();
        numbers
    }

    /// The number at a place.
    ///
    /// # Arguments
    /// * `index` - The place, from 0.
    #[tool]
    fn at(&self, index: usize) -> Result<i64, String> {
        self.numbers
            .get(index)
            .copied()
            .ok_or_else(|| format!("no number at {index}"))
    }
}

/// A number, through the re-exported runtime.
#[derive(Debug, Default)]
pub struct Other(u8);

#[tools(crate = "crate::rt")]
impl Other {
    /// The number.
    #[tool(read_only)]
    fn one(&self) -> u8 {
        self.0
    }
}

fn definition<T: Tool>(tool: &T) -> &ToolDefinition {
    tool.definition()
}

#[test]
fn expansions_compile_and_run() -> Result<(), Box<dyn std::error::Error>> {
    assert_eq!(definition(&GetWeather).name(), "get_weather");
    assert_eq!(definition(&Add).name(), "add-numbers");
    assert_eq!(Nothing::NAME, "nothing");
    assert_eq!(Visit::NAME, "visit");

    let mut registry = ToolRegistry::new().with_state(AtomicU32::new(0));
    registry.register(GetWeather)?;
    registry.register(Visit)?;
    registry.register(Nothing)?;
    registry.register(Add)?;
    registry.register_all(Store {
        numbers: vec![3, 1, 2],
    })?;
    registry.register_all(Other(1))?;

    let calls = [
        ToolCall::new("a", "get_weather", r#"{"location": "Paris"}"#),
        ToolCall::new("b", "visit", "{}"),
        ToolCall::new("c", "nothing", "{}"),
        ToolCall::new("d", "add-numbers", r#"{"a": 1, "b": 2}"#),
        ToolCall::new("e", "count", r#"{"above": 1}"#),
        ToolCall::new("f", "sorted", "{}"),
        ToolCall::new("g", "at", r#"{"index": 5}"#),
        ToolCall::new("h", "one", "{}"),
    ];
    let runtime = tokio::runtime::Runtime::new()?;
    let outputs: Vec<String> = runtime
        .block_on(registry.dispatch_all(&calls))
        .into_iter()
        .map(|output| output.content)
        .collect();
    assert_eq!(
        outputs,
        [
            r#"{"location":"Paris","temperature":1,"unit":"celsius"}"#,
            "1 b",
            "ok",
            r#"{"total":3}"#,
            "2",
            "[1,2,3]",
            "no number at 5",
            "1",
        ]
    );
    Ok(())
}
