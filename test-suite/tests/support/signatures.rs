//! A catalogue of `#[tool]` signatures, one per shape of parameter a tool can take: every
//! integer width, floats, strings, options, collections, maps, nested and documented user
//! types, every serde enum representation, renames, defaults, recursion, no parameters,
//! free-form JSON, tuples, and the weather bot's weather tool.
//!
//! Every tool succeeds on any arguments it can parse and echoes what it received (Rust's
//! `Debug` text), so an error output always means the arguments were refused.

use std::collections::HashMap;
use std::num::NonZeroU32;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tool_runtime::{tool, ToolRegistry};

/// Every tool of the catalogue, in the order of this file.
pub(crate) fn registry() -> ToolRegistry {
    let mut registry = ToolRegistry::new();
    registry
        .register(UnsignedWidths)
        .and_then(|r| r.register(SignedWidths))
        .and_then(|r| r.register(CountDown))
        .and_then(|r| r.register(Scale))
        .and_then(|r| r.register(Toggle))
        .and_then(|r| r.register(InitialOf))
        .and_then(|r| r.register(Search))
        .and_then(|r| r.register(Summarize))
        .and_then(|r| r.register(SetLabels))
        .and_then(|r| r.register(CreateEvent))
        .and_then(|r| r.register(Paint))
        .and_then(|r| r.register(SetPriority))
        .and_then(|r| r.register(Draw))
        .and_then(|r| r.register(Perform))
        .and_then(|r| r.register(Lookup))
        .and_then(|r| r.register(UpdateProfile))
        .and_then(|r| r.register(Render))
        .and_then(|r| r.register(ListFiles))
        .and_then(|r| r.register(Schedule))
        .and_then(|r| r.register(CountNodes))
        .and_then(|r| r.register(Ping))
        .and_then(|r| r.register(Store))
        .and_then(|r| r.register(MoveTo))
        .and_then(|r| r.register(BookFlight))
        .and_then(|r| r.register(Echo))
        .and_then(|r| r.register(GetCurrentWeather))
        .expect("every catalogue tool registers");
    registry
}

// ---------------------------------------------------------------------------------------
// Scalars

/// Record five unsigned numbers.
///
/// # Arguments
/// * `tiny` - An 8-bit count.
/// * `small` - A 16-bit count.
/// * `medium` - A 32-bit count.
/// * `large` - A 64-bit count.
/// * `size` - A size in bytes.
#[tool]
pub(crate) fn unsigned_widths(
    tiny: u8,
    small: u16,
    medium: u32,
    large: u64,
    size: usize,
) -> String {
    format!("{tiny} {small} {medium} {large} {size}")
}

/// Record four signed numbers.
///
/// # Arguments
/// * `tiny` - An 8-bit offset.
/// * `small` - A 16-bit offset.
/// * `medium` - A 32-bit offset.
/// * `large` - A 64-bit offset.
#[tool]
pub(crate) fn signed_widths(tiny: i8, small: i16, medium: i32, large: i64) -> String {
    format!("{tiny} {small} {medium} {large}")
}

/// Count down to zero.
///
/// # Arguments
/// * `count` - Where to start; at least 1.
#[tool]
pub(crate) async fn count_down(count: NonZeroU32) -> String {
    count.to_string()
}

/// Scale a measurement.
///
/// # Arguments
/// * `factor` - Multiplies the measurement.
/// * `offset` - Added after scaling.
#[tool]
pub(crate) fn scale(factor: f32, offset: f64) -> String {
    format!("{factor} {offset}")
}

/// Switch a feature on or off.
#[tool]
pub(crate) fn toggle(
    /// Whether the feature is on.
    enabled: bool,
    /// The feature's name.
    label: String,
) -> String {
    format!("{label}={enabled}")
}

/// Find the people whose name starts with a letter.
///
/// # Arguments
/// * `letter` - The first letter of the name.
#[tool]
pub(crate) fn initial_of(letter: char) -> String {
    letter.to_string()
}

// ---------------------------------------------------------------------------------------
// Options and collections

/// Search the catalogue.
///
/// # Arguments
/// * `query` - What to look for.
/// * `page` - The page of results; the first if omitted.
/// * `language` - Only results in this language; all languages if omitted.
/// * `tags` - Only results with all these tags; omit to not filter by tag.
#[tool]
pub(crate) fn search(
    query: String,
    page: Option<u32>,
    language: Option<String>,
    tags: Option<Vec<String>>,
) -> String {
    format!("{query:?} {page:?} {language:?} {tags:?}")
}

/// Summarize a series of measurements.
///
/// # Arguments
/// * `values` - The measurements.
/// * `names` - A name per measurement.
#[tool]
pub(crate) fn summarize(values: Vec<i64>, names: Vec<String>) -> String {
    format!("{values:?} {names:?}")
}

/// Set labels and limits on a resource.
///
/// # Arguments
/// * `labels` - Label names and their values.
/// * `limits` - Limit names and their values.
#[tool]
pub(crate) fn set_labels(labels: HashMap<String, String>, limits: HashMap<String, u16>) -> String {
    let mut labels: Vec<_> = labels.into_iter().collect();
    let mut limits: Vec<_> = limits.into_iter().collect();
    labels.sort();
    limits.sort();
    format!("{labels:?} {limits:?}")
}

// ---------------------------------------------------------------------------------------
// Nested, documented user types

/// A place on a map.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct Location {
    /// The city.
    pub city: String,
    /// The floor, if the place is in a building.
    pub floor: Option<i16>,
}

/// A person who is invited.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct Person {
    /// The person's name.
    pub name: String,
    /// The person's e-mail address.
    pub email: String,
}

/// A meeting in the calendar.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct Event {
    /// What the meeting is about.
    pub title: String,
    /// Where it takes place.
    pub location: Location,
    pub attendees: Vec<Person>,
}

/// Add a meeting to the calendar.
///
/// # Arguments
/// * `event` - The meeting to add.
#[tool]
pub(crate) fn create_event(event: Event) -> String {
    format!("{event:?}")
}

// ---------------------------------------------------------------------------------------
// Enums

/// A paint color.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Color {
    Red,
    Green,
    Blue,
}

/// Paint the wall.
///
/// # Arguments
/// * `color` - The color of the paint.
#[tool]
pub(crate) fn paint(color: Color) -> String {
    format!("{color:?}")
}

/// How urgent a task is.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Priority {
    /// Whenever there is time.
    Low,
    /// In the normal course of work.
    Normal,
    /// Before anything else.
    Urgent,
}

/// Set the priority of a task.
///
/// # Arguments
/// * `task` - The task's id.
/// * `priority` - The new priority.
#[tool]
pub(crate) fn set_priority(task: u64, priority: Priority) -> String {
    format!("{task} {priority:?}")
}

/// A figure to draw.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) enum Shape {
    /// A single pixel at the origin.
    Dot,
    /// A circle around the origin.
    Circle {
        /// In pixels.
        radius: f64,
    },
    /// A rectangle from the origin.
    Rectangle { width: u32, height: u32 },
}

/// Draw a figure.
///
/// # Arguments
/// * `shape` - What to draw.
#[tool]
pub(crate) fn draw(shape: Shape) -> String {
    format!("{shape:?}")
}

/// A user interface action.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Action {
    /// Move the pointer.
    MoveTo { x: i32, y: i32 },
    /// Type text at the pointer.
    TypeText { text: String },
    /// Do nothing.
    Wait,
}

/// Perform a user interface action.
///
/// # Arguments
/// * `action` - The action to perform.
#[tool]
pub(crate) fn perform(action: Action) -> String {
    format!("{action:?}")
}

/// A record, by id, by name or by position.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum Target {
    /// The record's id.
    Id(u32),
    /// The record's unique name.
    Name(String),
    /// Where the record is.
    Position { lat: f64, lon: f64 },
}

/// Look a record up.
///
/// # Arguments
/// * `target` - The record to look up.
#[tool]
pub(crate) fn lookup(target: Target) -> String {
    format!("{target:?}")
}

// ---------------------------------------------------------------------------------------
// Renames and defaults

/// A user's public profile.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Profile {
    /// Shown next to every post.
    pub display_name: String,
    /// Where replies are sent, if anywhere.
    #[serde(rename = "e-mail")]
    pub email_address: Option<String>,
    pub birth_year: Option<u16>,
}

/// Update the user's profile.
///
/// # Arguments
/// * `profile` - The new profile.
#[tool]
pub(crate) fn update_profile(profile: Profile) -> String {
    format!("{profile:?}")
}

/// How a report is rendered.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct Settings {
    /// The report's title.
    pub title: String,
    /// Whether to draw charts.
    #[serde(default)]
    pub charts: bool,
    /// Rows per page.
    #[serde(default = "default_rows")]
    pub rows: u8,
}

fn default_rows() -> u8 {
    50
}

/// Render the report.
///
/// # Arguments
/// * `settings` - How to render it.
#[tool]
pub(crate) fn render(settings: Settings) -> String {
    format!("{settings:?}")
}

/// The order of a listing.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SortOrder {
    Name,
    Size,
    ModifiedAt,
}

/// List the files in a directory.
///
/// # Arguments
/// * `path` - The directory.
/// * `limit` - At most this many files. Omit for 10.
/// * `recursive` - Whether to list subdirectories too. Omit for no.
/// * `order` - The order of the listing. Omit for by name.
#[tool]
pub(crate) fn list_files(
    path: String,
    #[tool(default = 10)] limit: u32,
    #[tool(default)] recursive: bool,
    #[tool(default = SortOrder::Name)] order: SortOrder,
) -> String {
    format!("{path} {limit} {recursive} {order:?}")
}

/// Schedule a task.
///
/// # Arguments
/// * `task` - What to do.
/// * `priority` - How urgent it is. Omit for normal.
/// * `fallback` - The priority once the task is late; omit to keep the priority.
#[tool]
pub(crate) fn schedule(
    task: String,
    #[tool(default = Priority::Normal)] priority: Priority,
    fallback: Option<Priority>,
) -> String {
    format!("{task} {priority:?} {fallback:?}")
}

// ---------------------------------------------------------------------------------------
// Recursion, no parameters, free-form JSON, tuples

/// A node of a tree.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct TreeNode {
    /// The node's name.
    pub label: String,
    /// The node's children; none if omitted.
    #[serde(default)]
    pub children: Vec<TreeNode>,
}

fn count(node: &TreeNode) -> usize {
    1 + node.children.iter().map(count).sum::<usize>()
}

/// Count the nodes of a tree.
///
/// # Arguments
/// * `tree` - The tree's root.
#[tool]
pub(crate) fn count_nodes(tree: TreeNode) -> String {
    format!("{} {tree:?}", count(&tree))
}

/// Check that the service is up.
///
/// # Examples
///
/// ```text
/// ping() -> "pong"
/// ```
#[tool]
pub(crate) fn ping() -> &'static str {
    "pong"
}

/// Store a JSON document under a key.
///
/// # Arguments
/// * `key` - Where to store it.
/// * `value` - The document.
#[tool]
pub(crate) fn store(key: String, value: serde_json::Value) -> String {
    format!("{key}={value}")
}

/// Move the pointer.
///
/// # Arguments
/// * `point` - The target, as [x, y].
#[tool]
pub(crate) fn move_to(point: (i32, i32)) -> String {
    format!("{point:?}")
}

/// Book a flight.
///
/// # Arguments
/// * `to` - The destination airport.
/// * `from` - The departure airport.
/// * `date` - The day of departure, as YYYY-MM-DD.
/// * `adults` - How many adults travel.
#[tool]
pub(crate) fn book_flight(to: String, from: String, date: String, adults: u8) -> String {
    format!("{from}->{to} {date} {adults}")
}

/// Repeat a text back.
///
/// # Arguments
/// * `text` - What to repeat.
#[tool(name = "echo-text", strict = false)]
pub(crate) fn echo(text: String) -> String {
    text
}

// ---------------------------------------------------------------------------------------
// The weather bot (docs/examples.md)

/// The temperature unit to use.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Unit {
    Celsius,
    Fahrenheit,
}

/// Get the current weather in a given location.
///
/// # Arguments
/// * `location` - The city and state, e.g. San Francisco, CA.
/// * `unit` - The temperature unit to use; omit it for the city's usual unit.
#[tool]
pub(crate) async fn get_current_weather(location: String, unit: Option<Unit>) -> String {
    format!("{location} {unit:?}")
}
