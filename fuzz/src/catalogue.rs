//! A catalogue of rich `#[tool]` signatures for the dispatch target: every serde enum
//! representation, integer-keyed maps, every integer width, `flatten`, defaults, options,
//! nested and recursive structs, tuples, `char`. Every tool succeeds on any arguments it
//! can parse, so an error output means the arguments were refused.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU16;

use schemars::JsonSchema;
use serde::Deserialize;
use tool_runtime::{tool, ToolRegistry};

/// Every tool of the catalogue.
pub fn registry() -> ToolRegistry {
    let mut registry = ToolRegistry::new();
    let added = registry
        .register(Widths)
        .and_then(|r| r.register(BigWidths))
        .and_then(|r| r.register(Floats))
        .and_then(|r| r.register(Letters))
        .and_then(|r| r.register(KeyedMaps))
        .and_then(|r| r.register(Shapes))
        .and_then(|r| r.register(Commands))
        .and_then(|r| r.register(Messages))
        .and_then(|r| r.register(Loose))
        .and_then(|r| r.register(Colors))
        .and_then(|r| r.register(Profile))
        .and_then(|r| r.register(Settings))
        .and_then(|r| r.register(Tree))
        .and_then(|r| r.register(Pairs))
        .and_then(|r| r.register(Nothing))
        .map(|_| ());
    if let Err(error) = added {
        panic!("the fuzz catalogue registers: {error}");
    }
    registry
}

/// Record numbers of every common width.
///
/// # Arguments
/// * `a` - u8.
/// * `b` - u16.
/// * `c` - u32.
/// * `d` - u64.
/// * `e` - usize.
/// * `f` - i8.
/// * `g` - i16.
/// * `h` - i32.
/// * `i` - i64.
/// * `j` - isize.
/// * `k` - at least 1.
#[tool]
#[allow(clippy::too_many_arguments)]
pub fn widths(
    a: u8,
    b: u16,
    c: u32,
    d: u64,
    e: usize,
    f: i8,
    g: i16,
    h: i32,
    i: i64,
    j: isize,
    k: NonZeroU16,
) -> String {
    format!("{a} {b} {c} {d} {e} {f} {g} {h} {i} {j} {k}")
}

/// Record 128-bit numbers.
///
/// # Arguments
/// * `big` - u128.
/// * `signed` - i128.
#[tool]
pub fn big_widths(big: u128, signed: i128) -> String {
    format!("{big} {signed}")
}

/// Record floats.
///
/// # Arguments
/// * `single` - f32.
/// * `double` - f64.
#[tool]
pub fn floats(single: f32, double: f64) -> String {
    format!("{single} {double}")
}

/// Record letters.
///
/// # Arguments
/// * `letter` - One character.
/// * `maybe` - Perhaps one more.
#[tool]
pub fn letters(letter: char, maybe: Option<char>) -> String {
    format!("{letter} {maybe:?}")
}

/// Record maps keyed by numbers.
///
/// # Arguments
/// * `by_id` - Names by id.
/// * `by_offset` - Counts by signed offset.
/// * `by_byte` - Flags by byte.
#[tool]
pub fn keyed_maps(
    by_id: HashMap<u32, String>,
    by_offset: BTreeMap<i64, u8>,
    by_byte: Option<BTreeMap<u8, bool>>,
) -> String {
    format!("{} {by_offset:?} {by_byte:?}", by_id.len())
}

/// A shape, externally tagged (serde's default): every kind of variant.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// A point.
    Point,
    /// A circle of this radius.
    Circle(f64),
    /// A rectangle.
    Rect {
        /// Width.
        w: u32,
        /// Height.
        h: u32,
    },
    /// A segment between two points.
    Segment(i32, i32),
}

/// Draw shapes.
///
/// # Arguments
/// * `shape` - The main shape.
/// * `more` - More shapes.
#[tool]
pub fn shapes(shape: Shape, more: Vec<Shape>) -> String {
    format!("{shape:?} {more:?}")
}

/// A command, internally tagged.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Command {
    /// Stop.
    Stop,
    /// Move by an offset.
    Move {
        /// Steps.
        steps: i16,
        /// Direction, if not ahead.
        #[serde(default)]
        direction: Option<String>,
    },
    /// Say something.
    Say(Words),
}

/// Words to say.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct Words {
    /// The text.
    pub text: String,
}

/// Run commands.
///
/// # Arguments
/// * `command` - The command.
#[tool]
pub fn commands(command: Command) -> String {
    format!("{command:?}")
}

/// A message, adjacently tagged.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "t", content = "c")]
pub enum Message {
    /// Text.
    Text(String),
    /// A number.
    Number(u64),
    /// Nothing.
    Empty,
    /// A pair.
    Pair {
        /// Left.
        left: i8,
        /// Right.
        right: i8,
    },
}

/// Send messages.
///
/// # Arguments
/// * `message` - The message.
#[tool]
pub fn messages(message: Message) -> String {
    format!("{message:?}")
}

/// A value, untagged.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum LooseValue {
    /// A count.
    Count(u16),
    /// A word.
    Word(String),
    /// A list of flags.
    Flags(Vec<bool>),
    /// A point.
    Point {
        /// x.
        x: i32,
        /// y.
        y: i32,
    },
}

/// Store loose values.
///
/// # Arguments
/// * `value` - The value.
/// * `fallback` - Another, optional.
#[tool]
pub fn loose(value: LooseValue, fallback: Option<LooseValue>) -> String {
    format!("{value:?} {fallback:?}")
}

/// A color, unit variants renamed.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Color {
    /// Red.
    DeepRed,
    /// Green.
    #[serde(rename = "vert", alias = "green")]
    Green,
    /// Blue.
    Blue,
}

/// Paint.
///
/// # Arguments
/// * `color` - The color.
/// * `palette` - Colors by name.
#[tool]
pub fn colors(color: Color, palette: HashMap<String, Color>) -> String {
    format!("{color:?} {}", palette.len())
}

/// Contact details, flattened into the profile.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct Contact {
    /// E-mail.
    pub email: String,
    /// Phone, if any.
    pub phone: Option<String>,
}

/// A profile with flattened contact details and defaults.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ProfileData {
    /// The name.
    pub name: String,
    /// Contact details.
    #[serde(flatten)]
    pub contact: Contact,
    /// Age, 0 if not given.
    #[serde(default)]
    pub age: u8,
    /// Tags, none if not given.
    #[serde(default = "default_tags")]
    pub tags: Vec<String>,
}

fn default_tags() -> Vec<String> {
    vec!["new".to_owned()]
}

/// Update a profile.
///
/// # Arguments
/// * `profile` - The profile.
#[tool]
pub fn profile(profile: ProfileData) -> String {
    format!("{profile:?}")
}

/// Settings, nested, with options of options and renamed fields.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettingsData {
    /// Time zone.
    pub time_zone: Option<String>,
    /// Retry limit.
    #[serde(default)]
    pub max_retries: Option<u32>,
    /// Nested display settings.
    pub display: Display,
}

/// Display settings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Display {
    /// Brightness, 0 to 255.
    pub brightness: u8,
    /// Dark mode.
    #[serde(default)]
    pub dark: bool,
}

/// Change settings.
///
/// # Arguments
/// * `settings` - The settings.
#[tool]
pub fn settings(settings: SettingsData) -> String {
    format!("{settings:?}")
}

/// A node of a tree: recursion.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct Node {
    /// The label.
    pub label: String,
    /// Children.
    #[serde(default)]
    pub children: Vec<Node>,
    /// A boxed next node.
    pub next: Option<Box<Node>>,
}

/// Count the nodes of a tree.
///
/// # Arguments
/// * `root` - The root.
#[tool]
pub fn tree(root: Node) -> String {
    fn count(node: &Node) -> usize {
        1 + node.children.iter().map(count).sum::<usize>() + node.next.as_deref().map_or(0, count)
    }
    count(&root).to_string()
}

/// Record pairs.
///
/// # Arguments
/// * `pair` - A tuple.
/// * `triples` - Tuples of three.
/// * `fixed` - An array of four.
#[tool]
pub fn pairs(pair: (u8, String), triples: Vec<(i32, bool, Option<u16>)>, fixed: [i8; 4]) -> String {
    format!("{pair:?} {triples:?} {fixed:?}")
}

/// Take nothing.
#[tool]
pub fn nothing() -> &'static str {
    "done"
}
