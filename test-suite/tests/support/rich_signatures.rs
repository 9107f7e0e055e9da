//! A catalogue of rich `#[tool]` signatures, for the differential test of schema and
//! dispatch (`suite/agreement.rs`) and for fuzz targets: every serde enum representation
//! (external, internal, adjacent, untagged), integer-keyed maps, every integer width,
//! `#[serde(flatten)]`, `#[serde(default)]` and `#[tool(default)]`, `Option`, nested structs.
//!
//! Self-contained (it needs `tool_runtime`, `serde`, `schemars`): copy it as it is. Every
//! tool succeeds on any arguments it can parse and echoes them (Rust's `Debug` text), so
//! an error output always means the arguments were refused.

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::Deserialize;
use tool_runtime::{tool, ToolRegistry};

/// Every tool of the rich catalogue, in the order of this file.
pub(crate) fn rich_registry() -> ToolRegistry {
    let mut registry = ToolRegistry::new();
    registry
        .register(EveryUnsignedWidth)
        .and_then(|r| r.register(EverySignedWidth))
        .and_then(|r| r.register(SendMessage))
        .and_then(|r| r.register(PlaceFigure))
        .and_then(|r| r.register(RunCommand))
        .and_then(|r| r.register(Measure))
        .and_then(|r| r.register(IndexByNumber))
        .and_then(|r| r.register(WideKeys))
        .and_then(|r| r.register(Browse))
        .and_then(|r| r.register(WriteReport))
        .and_then(|r| r.register(Configure))
        .and_then(|r| r.register(Ship))
        .expect("every rich catalogue tool registers");
    registry
}

// ---------------------------------------------------------------------------------------
// Integer widths

/// Record every unsigned width.
///
/// # Arguments
/// * `a` - 8 bits.
/// * `b` - 16 bits.
/// * `c` - 32 bits.
/// * `d` - 64 bits.
/// * `e` - 128 bits.
/// * `f` - Pointer-sized.
/// * `g` - 128 bits, optional.
#[tool]
pub(crate) fn every_unsigned_width(
    a: u8,
    b: u16,
    c: u32,
    d: u64,
    e: u128,
    f: usize,
    g: Option<u128>,
) -> String {
    format!("{a} {b} {c} {d} {e} {f} {g:?}")
}

/// Record every signed width.
///
/// # Arguments
/// * `a` - 8 bits.
/// * `b` - 16 bits.
/// * `c` - 32 bits.
/// * `d` - 64 bits.
/// * `e` - 128 bits.
/// * `f` - Pointer-sized.
/// * `g` - 128 bits, optional.
#[tool]
pub(crate) fn every_signed_width(
    a: i8,
    b: i16,
    c: i32,
    d: i64,
    e: i128,
    f: isize,
    g: Option<i128>,
) -> String {
    format!("{a} {b} {c} {d} {e} {f} {g:?}")
}

// ---------------------------------------------------------------------------------------
// Enum representations

/// A message, adjacently tagged.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "t", content = "c")]
pub(crate) enum Msg {
    Text(String),
    Num(i64),
    Pair { a: u8, b: Option<u8> },
    Empty,
}

/// Send a message.
///
/// # Arguments
/// * `msg` - The message.
#[tool]
pub(crate) fn send_message(msg: Msg) -> String {
    format!("{msg:?}")
}

/// A label of a figure.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct Label {
    pub text: String,
    #[serde(default)]
    pub size: u8,
}

/// A figure, internally tagged; the variants share keys.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "kind")]
pub(crate) enum Figure {
    Square {
        side: u32,
        #[serde(default)]
        filled: bool,
    },
    Rect {
        side: u32,
        other: u32,
        #[serde(default)]
        filled: bool,
        note: Option<String>,
    },
    Labelled(Label),
    Dot,
}

/// Place a figure.
///
/// # Arguments
/// * `figure` - The figure.
/// * `copies` - How many; omit for one.
#[tool]
pub(crate) fn place_figure(figure: Figure, #[tool(default = 1)] copies: u8) -> String {
    format!("{figure:?} x{copies}")
}

/// A command, externally tagged (serde's default).
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) enum Command {
    Stop,
    Go(u8),
    Turn(i16, i16),
    Jump {
        height: u16,
        #[serde(default)]
        twist: bool,
    },
}

/// Run commands.
///
/// # Arguments
/// * `first` - The first command.
/// * `then` - The commands after it.
#[tool]
pub(crate) fn run_command(first: Command, then: Option<Vec<Command>>) -> String {
    format!("{first:?} {then:?}")
}

/// A quantity, untagged: serde tries the variants in order.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum Quantity {
    Count(u8),
    Range { min: i16, max: i16 },
    Named(String),
    Many(Vec<u16>),
}

/// Measure something.
///
/// # Arguments
/// * `quantity` - How much.
/// * `spare` - Another quantity, if any.
#[tool]
pub(crate) fn measure(quantity: Quantity, spare: Option<Quantity>) -> String {
    format!("{quantity:?} {spare:?}")
}

// ---------------------------------------------------------------------------------------
// Integer-keyed maps

/// Index values by number.
///
/// # Arguments
/// * `names` - Names by 32-bit id.
/// * `flags` - Flags by 64-bit id.
/// * `offsets` - Small counts by signed 32-bit offset.
/// * `balances` - Texts by signed 64-bit id.
/// * `sizes` - Sizes by pointer-sized index.
#[tool]
pub(crate) fn index_by_number(
    names: BTreeMap<u32, String>,
    flags: HashMap<u64, bool>,
    offsets: BTreeMap<i32, u8>,
    balances: BTreeMap<i64, String>,
    sizes: Option<BTreeMap<usize, u16>>,
) -> String {
    let mut flags: Vec<_> = flags.into_iter().collect();
    flags.sort();
    format!("{names:?} {flags:?} {offsets:?} {balances:?} {sizes:?}")
}

/// Index values by 128-bit numbers.
///
/// # Arguments
/// * `unsigned` - By unsigned 128-bit key.
/// * `signed` - By signed 128-bit key.
#[tool]
pub(crate) fn wide_keys(unsigned: BTreeMap<u128, u8>, signed: BTreeMap<i128, u8>) -> String {
    format!("{unsigned:?} {signed:?}")
}

// ---------------------------------------------------------------------------------------
// Flatten, defaults, nesting

/// Which page of results.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct Paging {
    #[serde(default)]
    pub offset: u32,
    pub limit: Option<u16>,
}

/// How results are ordered, internally tagged, flattened into the request.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "order", rename_all = "snake_case")]
pub(crate) enum Ordering {
    ByName { descending: Option<bool> },
    ByScore { min_score: i32 },
}

/// A view of results, adjacently tagged, flattened beside `Ordering`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(tag = "view", content = "columns")]
pub(crate) enum View {
    Table(u8),
    List,
}

/// A request with two flattened enums.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct Report {
    pub title: Option<String>,
    #[serde(flatten)]
    pub ordering: Ordering,
    #[serde(flatten)]
    pub view: View,
}

/// A request for results.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct Request {
    pub query: String,
    #[serde(flatten)]
    pub paging: Paging,
    #[serde(flatten)]
    pub ordering: Ordering,
}

/// Browse results.
///
/// # Arguments
/// * `request` - What to browse.
/// * `fallback` - What to browse if nothing is found.
#[tool]
pub(crate) fn browse(request: Request, fallback: Option<Request>) -> String {
    format!("{request:?} {fallback:?}")
}

/// Write a report.
///
/// # Arguments
/// * `report` - What to write.
#[tool]
pub(crate) fn write_report(report: Report) -> String {
    format!("{report:?}")
}

fn default_retries() -> u8 {
    3
}

/// Connection settings.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct Connection {
    pub host: String,
    #[serde(default)]
    pub port: u16,
    #[serde(default = "default_retries")]
    pub retries: u8,
    pub proxy: Option<Box<Connection>>,
}

/// Settings with defaults at every level.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(default)]
pub(crate) struct Tuning {
    pub level: i8,
    pub ratio: f64,
    pub tags: Vec<String>,
}

/// Configure a connection.
///
/// # Arguments
/// * `connection` - Where to connect.
/// * `tuning` - How to tune it; omit for the defaults.
/// * `verbose` - Whether to log; omit for no.
/// * `timeout` - Seconds; omit for 30.
#[tool]
pub(crate) fn configure(
    connection: Connection,
    #[tool(default)] tuning: Tuning,
    #[tool(default)] verbose: bool,
    #[tool(default = 30)] timeout: u32,
) -> String {
    format!("{connection:?} {tuning:?} {verbose} {timeout}")
}

/// An address.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct Address {
    pub street: String,
    pub number: Option<u16>,
}

/// A parcel.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct Parcel {
    pub to: Address,
    pub from: Option<Address>,
    pub weights: Vec<f32>,
    pub dimensions: (u16, u16, u16),
    pub insured: Option<Quantity>,
}

/// Ship parcels.
///
/// # Arguments
/// * `parcels` - What to ship.
/// * `express` - Whether to ship express.
#[tool]
pub(crate) fn ship(parcels: Vec<Parcel>, express: Option<bool>) -> String {
    format!("{parcels:?} {express:?}")
}
