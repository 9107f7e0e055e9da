//! The `#[tool]` functions the dispatch tests (`suite/dispatch.rs`) and the never-panic
//! properties (`suite/properties.rs`) call.
//!
//! [`registry`] registers every tool here that can be registered (with the state it needs);
//! the rest exist to be refused at registration (a duplicate name, a strict map).

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tool_runtime::{tool, CallContext, State, ToolRegistry};

/// A temperature unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Unit {
    Celsius,
    Fahrenheit,
}

/// A forecast, returned as JSON.
#[derive(Debug, Serialize)]
pub(crate) struct Weather {
    pub location: String,
    pub temperature: i32,
    pub unit: Unit,
}

/// How to narrow a search.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub(crate) struct Filter {
    /// How many results at most.
    pub limit: u8,
    /// How many results to skip.
    #[serde(default)]
    pub offset: u32,
    /// Only results with all of these tags.
    pub tags: Option<Vec<String>>,
}

/// `divide`'s error.
#[derive(Debug)]
pub(crate) struct DivideError {
    pub a: i64,
    pub b: i64,
}

impl fmt::Display for DivideError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot divide {} by {}", self.a, self.b)
    }
}

/// `lookup`'s error.
#[derive(Debug)]
pub(crate) struct NotFound(pub String);

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no entry named {:?}", self.0)
    }
}

/// The greeting `welcome` uses: registry state the model never sees.
#[derive(Debug)]
pub(crate) struct Greeting(pub String);

/// Watches the calls of `job`: how many run at once, the most that ever did, and the order
/// in which they finished. Clones share the counts, so a test keeps one and gives the
/// registry the other.
#[derive(Clone, Debug, Default)]
pub(crate) struct Gauge(Arc<GaugeCounts>);

#[derive(Debug, Default)]
pub(crate) struct GaugeCounts {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    finished: Mutex<Vec<String>>,
}

impl Gauge {
    /// The most calls of `job` that were ever running at once.
    pub(crate) fn max_in_flight(&self) -> usize {
        self.0.max_in_flight.load(Ordering::SeqCst)
    }

    /// The labels of the finished calls of `job`, in the order they finished.
    pub(crate) fn finished(&self) -> Vec<String> {
        self.0.finished.lock().unwrap().clone()
    }
}

/// Echo the text back.
///
/// # Arguments
/// * `text` - The text to echo.
#[tool]
pub(crate) fn echo(text: String) -> String {
    text
}

/// Answer a ping.
#[tool]
pub(crate) fn ping() -> &'static str {
    "pong"
}

/// Answer a ping, under a name that is already taken.
#[tool(name = "ping")]
pub(crate) fn ping_again() -> &'static str {
    "pong again"
}

/// Forget an entry.
///
/// # Arguments
/// * `key` - The entry to forget.
#[tool]
pub(crate) fn forget(key: String) {
    let _ = key;
}

/// Add two numbers.
///
/// # Arguments
/// * `a` - The first number.
/// * `b` - The second number.
#[tool]
pub(crate) fn add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

/// Divide `a` by `b`.
///
/// # Arguments
/// * `a` - The dividend.
/// * `b` - The divisor.
#[tool]
pub(crate) fn divide(a: i64, b: i64) -> Result<i64, DivideError> {
    a.checked_div(b).ok_or(DivideError { a, b })
}

/// Look up an entry by name.
///
/// # Arguments
/// * `key` - The entry's name: `home` or `work`.
#[tool]
pub(crate) fn lookup(key: String) -> Result<String, NotFound> {
    match key.as_str() {
        "home" => Ok("12 \"Quiet\" Street".to_owned()),
        "work" => Ok("1 Busy Road".to_owned()),
        _ => Err(NotFound(key)),
    }
}

/// Get the weather forecast for a location.
///
/// # Arguments
/// * `location` - The city.
/// * `unit` - The temperature unit.
#[tool]
pub(crate) fn forecast(location: String, unit: Unit) -> Weather {
    let temperature = match unit {
        Unit::Celsius => 22,
        Unit::Fahrenheit => 72,
    };
    Weather {
        location,
        temperature,
        unit,
    }
}

/// Show the settings a call ends up with.
///
/// # Arguments
/// * `verbose` - Whether to say more; omit for the default.
/// * `limit` - How many items; 10 if omitted.
/// * `label` - A label; empty if omitted.
#[tool]
pub(crate) fn configure(
    verbose: Option<bool>,
    #[tool(default = 10)] limit: u32,
    #[tool(default)] label: String,
) -> String {
    format!("verbose={verbose:?} limit={limit} label={label:?}")
}

/// Search the catalogue.
///
/// # Arguments
/// * `query` - What to look for.
/// * `filter` - How to narrow the results.
#[tool]
pub(crate) fn search(query: String, filter: Filter) -> Vec<String> {
    let tags = filter.tags.unwrap_or_default().join("+");
    (0..u32::from(filter.limit.min(3)))
        .map(|i| format!("{query}#{}[{tags}]", filter.offset.saturating_add(i)))
        .collect()
}

/// Count words, given a count per word.
///
/// # Arguments
/// * `counts` - How often each word occurs.
#[tool]
pub(crate) fn count_words(counts: HashMap<String, u32>) -> u64 {
    counts.values().map(|&n| u64::from(n)).sum()
}

/// Count words, strictly: refused at registration, since a map cannot be strict.
///
/// # Arguments
/// * `counts` - How often each word occurs.
#[tool(strict)]
pub(crate) fn tally(counts: HashMap<String, u32>) -> u64 {
    counts.values().map(|&n| u64::from(n)).sum()
}

/// Always panic, with a message.
///
/// # Arguments
/// * `message` - What to panic with.
#[tool]
pub(crate) fn explode(message: String) -> String {
    panic!("deliberate panic: {message}")
}

/// Panic after waiting once.
///
/// # Arguments
/// * `message` - What to panic with.
#[tool]
pub(crate) async fn explode_later(message: String) -> String {
    tokio::task::yield_now().await;
    panic!("deliberate panic: {message}")
}

/// Panic with a payload that is not text.
#[tool]
pub(crate) fn explode_opaque() -> String {
    std::panic::panic_any(42_u8)
}

/// Sleep, then say for how long.
///
/// # Arguments
/// * `ms` - How long to sleep, in milliseconds.
#[tool]
pub(crate) async fn nap(ms: u16) -> String {
    tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
    format!("slept {ms} ms")
}

/// Say the id of this call.
#[tool]
pub(crate) fn whoami(call: CallContext) -> String {
    call.id().to_owned()
}

/// Welcome someone with the configured greeting.
///
/// # Arguments
/// * `name` - Who to welcome.
#[tool]
pub(crate) fn welcome(greeting: State<Greeting>, name: String) -> String {
    let Greeting(text) = &*greeting;
    format!("{text}, {name}!")
}

/// Run a job that takes `ms` milliseconds, and return its label.
///
/// # Arguments
/// * `label` - The job's label.
/// * `ms` - How long the job takes, in milliseconds.
#[tool]
pub(crate) async fn job(gauge: State<Gauge>, label: String, ms: u16) -> String {
    let Gauge(counts) = &*gauge;
    let now = counts.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    counts.max_in_flight.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(u64::from(ms))).await;
    counts.finished.lock().unwrap().push(label.clone());
    counts.in_flight.fetch_sub(1, Ordering::SeqCst);
    label
}

/// Every tool above that can be registered, with the state they need: a `Greeting` of
/// "Hello" and a fresh `Gauge`.
pub(crate) fn registry() -> ToolRegistry {
    let mut registry = ToolRegistry::new()
        .with_state(Greeting("Hello".to_owned()))
        .with_state(Gauge::default());
    registry
        .register(Echo)
        .and_then(|r| r.register(Ping))
        .and_then(|r| r.register(Forget))
        .and_then(|r| r.register(Add))
        .and_then(|r| r.register(Divide))
        .and_then(|r| r.register(Lookup))
        .and_then(|r| r.register(Forecast))
        .and_then(|r| r.register(Configure))
        .and_then(|r| r.register(Search))
        .and_then(|r| r.register(CountWords))
        .and_then(|r| r.register(Explode))
        .and_then(|r| r.register(ExplodeLater))
        .and_then(|r| r.register(ExplodeOpaque))
        .and_then(|r| r.register(Nap))
        .and_then(|r| r.register(Whoami))
        .and_then(|r| r.register(Welcome))
        .and_then(|r| r.register(Job))
        .expect("the dispatch tools register");
    registry
}
