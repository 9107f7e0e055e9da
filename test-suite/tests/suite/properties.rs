//! "`dispatch` never panics and never aborts a run" (docs/design.md, "Dispatch: errors are data"),
//! as properties. Whatever a model sends to any tool of the dispatch tools
//! (`support/dispatch_tools.rs`) or of the schema catalogue (`support/signatures.rs`), and to
//! names that are no tool at all, every call gets exactly one output, with the call's id, and
//! an error output always says something. What is sent:
//!
//! - arbitrary bytes (as text, lossily);
//! - arbitrary JSON, objects keyed mostly by the words of the tool's own schema;
//! - JSON that follows the tool's schema, as sent and with one thing broken, so that tool
//!   bodies, outputs, panics and timeouts are reached too, not only argument errors.
//!
//! The dispatch tools are also called through a registry with a short timeout. Tools that
//! sleep run on Tokio's paused clock, so they cost no real time; tools that panic do so
//! quietly (see [`quietly`]), so the test output stays readable.

use crate::support::dispatch_tools;
use crate::support::signatures;

use std::cell::Cell;
use std::sync::Once;
use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRunner};
use serde_json::{Map, Number, Value};
use tool_runtime::{ToolCall, ToolOutput, ToolRegistry};

/// Cases per strategy.
const CASES: u32 = 256;

/// How deep `$ref`s are followed when building values from a schema.
const REF_DEPTH: u32 = 3;

// ---------------------------------------------------------------------------------------
// What is called
// ---------------------------------------------------------------------------------------

/// A tool to call: which registry holds it, its name, its plain parameter schema, and the
/// words the schema uses (property names at any depth, enum and const strings).
struct Target {
    registry: usize,
    name: String,
    schema: Value,
    words: Vec<String>,
}

struct Catalogue {
    registries: Vec<ToolRegistry>,
    targets: Vec<Target>,
}

impl Catalogue {
    fn new() -> Self {
        let registries = vec![
            dispatch_tools::registry(),
            signatures::registry(),
            dispatch_tools::registry().with_timeout(Duration::from_millis(20)),
        ];
        let mut targets = Vec::new();
        for (index, registry) in registries.iter().enumerate() {
            for definition in registry.definitions() {
                let mut words = Vec::new();
                collect_words(definition.parameters(), &mut words);
                if let Some(strict) = definition.strict_parameters() {
                    collect_words(strict, &mut words);
                }
                words.sort();
                words.dedup();
                targets.push(Target {
                    registry: index,
                    name: definition.name().to_owned(),
                    schema: definition.parameters().clone(),
                    words,
                });
            }
        }
        Self {
            registries,
            targets,
        }
    }

    /// The calls of one case, per registry: one per target with that target's arguments,
    /// then one to a name that is probably no tool.
    fn calls(
        &self,
        id: &str,
        arguments: &[String],
        stray: &(String, String),
    ) -> Vec<Vec<ToolCall>> {
        assert_eq!(arguments.len(), self.targets.len());
        let mut calls: Vec<Vec<ToolCall>> = vec![Vec::new(); self.registries.len()];
        for (index, (target, arguments)) in self.targets.iter().zip(arguments).enumerate() {
            calls[target.registry].push(ToolCall::new(
                format!("{id}#{index}"),
                target.name.as_str(),
                arguments.as_str(),
            ));
        }
        for (index, batch) in calls.iter_mut().enumerate() {
            batch.push(ToolCall::new(
                format!("{id}#stray{index}"),
                stray.0.as_str(),
                stray.1.as_str(),
            ));
        }
        calls
    }

    /// One strategy per target, in target order.
    fn per_target(
        &self,
        strategy: impl Fn(&Target) -> BoxedStrategy<String>,
    ) -> Vec<BoxedStrategy<String>> {
        self.targets.iter().map(strategy).collect()
    }
}

/// Property names (at any depth), and strings of `enum` and `const`, of a schema.
fn collect_words(schema: &Value, words: &mut Vec<String>) {
    match schema {
        Value::Object(members) => {
            if let Some(Value::Object(properties)) = members.get("properties") {
                words.extend(properties.keys().cloned());
            }
            if let Some(Value::Array(values)) = members.get("enum") {
                words.extend(values.iter().filter_map(Value::as_str).map(str::to_owned));
            }
            if let Some(Value::String(value)) = members.get("const") {
                words.push(value.clone());
            }
            members
                .values()
                .for_each(|value| collect_words(value, words));
        }
        Value::Array(items) => items.iter().for_each(|item| collect_words(item, words)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// Strategies: bytes and arbitrary JSON
// ---------------------------------------------------------------------------------------

/// Strings matching `pattern`. (A `&str` is a strategy too, but one that parses its
/// pattern again for every value.)
fn regex(pattern: &str) -> BoxedStrategy<String> {
    proptest::string::string_regex(pattern)
        .expect("a valid pattern")
        .boxed()
}

/// Any text: up to `max` of any `char`.
fn text(max: usize) -> BoxedStrategy<String> {
    prop::collection::vec(any::<char>(), 0..=max)
        .prop_map(String::from_iter)
        .boxed()
}

/// Arbitrary bytes, and bytes from JSON's alphabet (which are more often almost JSON).
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet: Vec<u8> = b"{}[]\",:0123456789.-+eE truefalsnul\\/ubx\n".to_vec();
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..96),
        prop::collection::vec(select(alphabet), 0..64),
    ]
}

/// A word of the tool's schema, or any other.
fn key(words: &[String]) -> BoxedStrategy<String> {
    let others = prop_oneof![regex("[a-z_]{0,8}"), text(12)];
    if words.is_empty() {
        others.boxed()
    } else {
        prop_oneof![3 => select(words.to_vec()), 1 => others].boxed()
    }
}

/// Integers at the edges of every width.
fn edge_integer() -> BoxedStrategy<Value> {
    prop_oneof![
        select(vec![
            0_i64,
            1,
            -1,
            127,
            128,
            -129,
            255,
            256,
            32_768,
            65_535,
            65_536,
            -65_537,
            i64::from(u32::MAX),
            i64::from(u32::MAX) + 1,
            i64::from(i32::MIN) - 1,
            i64::MIN,
            i64::MAX,
        ])
        .prop_map(Value::from),
        Just(Value::from(u64::MAX)),
    ]
    .boxed()
}

/// Finite floats, some at the edges of `f32`.
fn float() -> BoxedStrategy<Value> {
    let edges = select(vec![
        0.5, -0.0, 1e300, -1e300, 1e-300, 3.4e38, 3.5e38, 1.0, 2.0, -7.25,
    ]);
    prop_oneof![edges, any::<f64>()]
        .prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number))
        .boxed()
}

/// Any JSON value, with object keys and strings drawn from the tool's own words as well as
/// at random.
fn json(words: &[String]) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        edge_integer(),
        float(),
        key(words).prop_map(Value::String),
        regex("[a-zA-Z0-9 {}\":,-]{0,12}").prop_map(Value::String),
    ];
    let key = key(words);
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(object),
        ]
    })
    .boxed()
}

fn object(members: Vec<(String, Value)>) -> Value {
    Value::Object(members.into_iter().collect::<Map<_, _>>())
}

/// Mostly an object of the tool's own words, sometimes any JSON value.
fn random_arguments(words: &[String]) -> BoxedStrategy<Value> {
    let members = prop::collection::vec((key(words), json(words)), 0..6).prop_map(object);
    prop_oneof![3 => members, 1 => json(words)].boxed()
}

// ---------------------------------------------------------------------------------------
// Strategies: JSON that follows a schema, and the same with one thing broken
// ---------------------------------------------------------------------------------------

/// Values that follow `schema` (resolving `$ref` against `root`, at most `depth` deep):
/// the keywords the generated schemas use (type, const, enum, anyOf/oneOf, bounds,
/// properties/required/additionalProperties, items/prefixItems, lengths). Optional
/// properties are left out, given, or `null` (as strict mode sends them).
fn conforming(schema: &Value, root: &Value, depth: u32) -> BoxedStrategy<Value> {
    let Value::Object(keywords) = schema else {
        // `true` (or anything unexpected): any value.
        return json(&[]);
    };
    if let Some(reference) = keywords.get("$ref").and_then(Value::as_str) {
        let target = reference
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer))
            .cloned()
            .unwrap_or(Value::Bool(true));
        return conforming(&target, root, depth.saturating_sub(1));
    }
    if let Some(value) = keywords.get("const") {
        return Just(value.clone()).boxed();
    }
    if let Some(Value::Array(values)) = keywords.get("enum") {
        return select(values.clone()).boxed();
    }
    for combinator in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = keywords.get(combinator) {
            let branches: Vec<_> = branches
                .iter()
                .map(|branch| conforming(branch, root, depth))
                .collect();
            return union(branches);
        }
    }
    let types: Vec<&str> = match keywords.get("type") {
        Some(Value::String(name)) => vec![name.as_str()],
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
        _ if keywords.contains_key("properties") => vec!["object"],
        _ => return json(&[]),
    };
    let branches = types
        .into_iter()
        .map(|name| of_type(name, keywords, root, depth))
        .collect();
    union(branches)
}

fn union(branches: Vec<BoxedStrategy<Value>>) -> BoxedStrategy<Value> {
    match branches.len() {
        0 => Just(Value::Null).boxed(),
        1 => branches.into_iter().next().unwrap(),
        _ => proptest::strategy::Union::new(branches).boxed(),
    }
}

fn of_type(
    name: &str,
    keywords: &Map<String, Value>,
    root: &Value,
    depth: u32,
) -> BoxedStrategy<Value> {
    let number = |key: &str| keywords.get(key).and_then(Value::as_f64);
    let count = |key: &str| {
        keywords
            .get(key)
            .and_then(Value::as_u64)
            .map(|n| n as usize)
    };
    match name {
        "null" => Just(Value::Null).boxed(),
        "boolean" => any::<bool>().prop_map(Value::Bool).boxed(),
        "integer" => {
            // i128 holds every bound a Rust integer has.
            let low = keywords.get("minimum").map_or(i128::from(i64::MIN), bound);
            let high = keywords.get("maximum").map_or(i128::from(u64::MAX), bound);
            let edges = vec![low, high, 0.clamp(low, high), (low + 1).min(high)];
            prop_oneof![select(edges), low..=high]
                .prop_map(integer)
                .boxed()
        }
        "number" => {
            let low = number("minimum").unwrap_or(f64::MIN);
            let high = number("maximum").unwrap_or(f64::MAX);
            prop_oneof![float(), (-1e6_f64..1e6).prop_map(Value::from)]
                .prop_filter("in bounds", move |value| {
                    value
                        .as_f64()
                        .is_some_and(|value| (low..=high).contains(&value))
                })
                .boxed()
        }
        "string" => {
            let low = count("minLength").unwrap_or(0);
            let high = count("maxLength").unwrap_or(low + 12).max(low);
            prop::collection::vec(any::<char>(), low..=high)
                .prop_map(|chars| Value::String(String::from_iter(chars)))
                .boxed()
        }
        "array" => {
            if let Some(Value::Array(prefix)) = keywords.get("prefixItems") {
                let items: Vec<_> = prefix
                    .iter()
                    .map(|item| conforming(item, root, depth))
                    .collect();
                return items.prop_map(Value::Array).boxed();
            }
            let low = count("minItems").unwrap_or(0);
            let high = if depth == 0 {
                low
            } else {
                count("maxItems").unwrap_or(low + 3)
            };
            let item = keywords.get("items").cloned().unwrap_or(Value::Bool(true));
            prop::collection::vec(conforming(&item, root, depth), low..=high.max(low))
                .prop_map(Value::Array)
                .boxed()
        }
        "object" => object_of(keywords, root, depth),
        _ => json(&[]),
    }
}

fn bound(value: &Value) -> i128 {
    value
        .as_i64()
        .map(i128::from)
        .or_else(|| value.as_u64().map(i128::from))
        .unwrap_or_else(|| value.as_f64().unwrap_or(0.0) as i128)
}

fn integer(value: i128) -> Value {
    i64::try_from(value)
        .map(Value::from)
        .or_else(|_| u64::try_from(value).map(Value::from))
        .unwrap_or(Value::Null)
}

/// An object: its required properties, some optional ones (or `null`), and for a map,
/// some entries of its value schema.
fn object_of(keywords: &Map<String, Value>, root: &Value, depth: u32) -> BoxedStrategy<Value> {
    let required: Vec<&str> = keywords
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut members: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
    if let Some(Value::Object(properties)) = keywords.get("properties") {
        for (name, schema) in properties {
            let name = name.clone();
            let is_required = required.contains(&name.as_str());
            if !is_required && depth == 0 {
                continue;
            }
            let value = conforming(schema, root, depth);
            members.push(if is_required {
                value
                    .prop_map(move |value| Some((name.clone(), value)))
                    .boxed()
            } else {
                prop_oneof![
                    2 => Just(None),
                    1 => Just(Some((name.clone(), Value::Null))),
                    2 => value.prop_map(move |value| Some((name.clone(), value))),
                ]
                .boxed()
            });
        }
    }
    let entries = match keywords.get("additionalProperties") {
        Some(schema @ Value::Object(_)) | Some(schema @ Value::Bool(true)) if depth > 0 => {
            prop::collection::vec((key(&[]), conforming(schema, root, depth)), 0..4).boxed()
        }
        _ => Just(Vec::new()).boxed(),
    };
    (members, entries)
        .prop_map(|(members, entries)| {
            let mut object: Map<String, Value> = entries.into_iter().collect();
            object.extend(members.into_iter().flatten());
            Value::Object(object)
        })
        .boxed()
}

/// One thing broken in a value: a node replaced by any JSON, a member removed, or a
/// member added.
#[derive(Clone, Copy, Debug)]
enum Break {
    Replace,
    Remove,
    Add,
}

fn broken(value: Value, replacement: Value, key: String, at: Index, how: Break) -> Value {
    let mut value = value;
    let mut n = at.index(count_nodes(&value));
    let target = nth_node(&mut value, &mut n).expect("n is below the node count");
    match (how, target) {
        (Break::Remove, Value::Object(members)) if !members.is_empty() => {
            let name = members.keys().nth(at.index(members.len())).cloned();
            members.remove(&name.unwrap_or_default());
        }
        (Break::Add, Value::Object(members)) => {
            members.insert(key, replacement);
        }
        (_, target) => *target = replacement,
    }
    value
}

fn count_nodes(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(members) => members.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// The `n`th node of `value` in pre-order (0 is `value` itself), counting down `n`.
fn nth_node<'a>(value: &'a mut Value, n: &mut usize) -> Option<&'a mut Value> {
    if *n == 0 {
        return Some(value);
    }
    *n -= 1;
    match value {
        Value::Array(items) => items.iter_mut().find_map(|item| nth_node(item, n)),
        Value::Object(members) => members.values_mut().find_map(|member| nth_node(member, n)),
        _ => None,
    }
}

/// JSON that follows the tool's schema: as is, or with one thing broken.
fn schema_arguments(target: &Target) -> BoxedStrategy<Value> {
    let valid = conforming(&target.schema, &target.schema, REF_DEPTH);
    let breaking = prop_oneof![Just(Break::Replace), Just(Break::Remove), Just(Break::Add)];
    let broken = (
        valid.clone(),
        json(&target.words),
        key(&target.words),
        any::<Index>(),
        breaking,
    )
        .prop_map(|(value, replacement, key, at, how)| broken(value, replacement, key, at, how));
    prop_oneof![valid, broken].boxed()
}

/// How a value is sent: as compact JSON text, pretty, or encoded twice (a JSON string
/// holding the text).
#[derive(Clone, Copy, Debug)]
enum Encoding {
    Compact,
    Pretty,
    Twice,
}

fn encoded(values: BoxedStrategy<Value>) -> BoxedStrategy<String> {
    let encoding = prop_oneof![
        6 => Just(Encoding::Compact),
        1 => Just(Encoding::Pretty),
        1 => Just(Encoding::Twice),
    ];
    (values, encoding)
        .prop_map(|(value, encoding)| match encoding {
            Encoding::Compact => value.to_string(),
            Encoding::Pretty => serde_json::to_string_pretty(&value).unwrap(),
            Encoding::Twice => Value::String(value.to_string()).to_string(),
        })
        .boxed()
}

/// A tool name that is probably no tool (it may be one), and arguments for it.
fn stray() -> impl Strategy<Value = (String, String)> {
    (
        prop_oneof![regex("[a-z_-]{0,12}"), text(16)],
        prop_oneof![Just(String::new()), Just("{}".to_owned()), text(16)],
    )
}

fn call_id() -> BoxedStrategy<String> {
    prop_oneof![regex("call_[a-zA-Z0-9]{0,8}"), text(8)].boxed()
}

// ---------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with the panic messages of this thread not printed: the tools that panic on
/// purpose would otherwise print hundreds of them. A panic that escapes `f` is still
/// reported, by proptest, with its message.
fn quietly<R>(f: impl FnOnce() -> R) -> R {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            QUIET.with(|quiet| quiet.set(false));
        }
    }
    QUIET.with(|quiet| quiet.set(true));
    let _reset = Reset;
    f()
}

/// What every output must be: for its call (by id), and saying something when it is an
/// error.
fn check(call: &ToolCall, output: &ToolOutput) -> Result<(), TestCaseError> {
    prop_assert_eq!(&output.tool_call_id, &call.id);
    prop_assert!(
        !output.is_error || !output.content.trim().is_empty(),
        "an error output with no text for {:?}",
        call
    );
    Ok(())
}

/// Dispatches every call one by one, then all of them as one batch per registry, and
/// checks every output.
fn dispatch_and_check(
    runtime: &tokio::runtime::Runtime,
    catalogue: &Catalogue,
    calls: &[Vec<ToolCall>],
) -> Result<(), TestCaseError> {
    for (registry, batch) in catalogue.registries.iter().zip(calls) {
        for call in batch {
            let output = quietly(|| runtime.block_on(registry.dispatch(call)));
            check(call, &output)?;
        }
        let outputs = quietly(|| runtime.block_on(registry.dispatch_all(batch)));
        prop_assert_eq!(outputs.len(), batch.len(), "one output per call");
        for (call, output) in batch.iter().zip(&outputs) {
            check(call, output)?;
        }
    }
    Ok(())
}

/// A current-thread runtime on the paused clock: sleeping tools finish at once.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a Tokio runtime")
}

fn run<S: Strategy>(
    catalogue: &Catalogue,
    strategy: S,
    calls: impl Fn(&Catalogue, S::Value) -> Vec<Vec<ToolCall>>,
) where
    S::Value: std::fmt::Debug,
{
    let runtime = runtime();
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        // ChaCha, the default, dominates the run time in a debug build.
        rng_algorithm: RngAlgorithm::XorShift,
        ..Config::default()
    });
    let result = runner.run(&strategy, |input| {
        let calls = calls(catalogue, input);
        dispatch_and_check(&runtime, catalogue, &calls)
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

#[test]
fn dispatch_never_panics_on_arbitrary_bytes() {
    let catalogue = Catalogue::new();
    let per_target = prop::collection::vec(bytes(), catalogue.targets.len());
    run(
        &catalogue,
        (call_id(), per_target, stray()),
        |catalogue, (id, texts, stray)| {
            let texts: Vec<String> = texts
                .iter()
                .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
                .collect();
            catalogue.calls(&id, &texts, &stray)
        },
    );
}

#[test]
fn dispatch_never_panics_on_arbitrary_json() {
    let catalogue = Catalogue::new();
    let per_target = catalogue.per_target(|target| encoded(random_arguments(&target.words)));
    run(
        &catalogue,
        (call_id(), per_target, stray()),
        |catalogue, (id, texts, stray)| catalogue.calls(&id, &texts, &stray),
    );
}

#[test]
fn dispatch_never_panics_on_json_that_follows_or_nearly_follows_the_schema() {
    let catalogue = Catalogue::new();
    let per_target = catalogue.per_target(|target| encoded(schema_arguments(target)));
    run(
        &catalogue,
        (call_id(), per_target, stray()),
        |catalogue, (id, texts, stray)| catalogue.calls(&id, &texts, &stray),
    );
}

/// The strategies are built from each tool's words and schema, so they reach past
/// "unknown field": this checks they do.
#[test]
fn the_strategies_reach_the_tools() {
    let catalogue = Catalogue::new();
    let words = |name: &str| -> &[String] {
        &catalogue
            .targets
            .iter()
            .find(|target| target.registry == 0 && target.name == name)
            .expect("a dispatch tool")
            .words
    };
    for word in ["query", "filter", "limit", "offset", "tags"] {
        assert!(words("search").iter().any(|w| w == word), "{word}");
    }
    for word in ["location", "unit", "celsius", "fahrenheit"] {
        assert!(words("forecast").iter().any(|w| w == word), "{word}");
    }
    let tools: usize = catalogue.registries.iter().map(ToolRegistry::len).sum();
    assert_eq!(catalogue.targets.len(), tools);

    // Values that follow the schema are mostly accepted; a generator that produced
    // argument errors only would test nothing past the parser.
    let runtime = runtime();
    let mut runner = TestRunner::deterministic();
    for target in &catalogue.targets {
        let registry = &catalogue.registries[target.registry];
        let valid = conforming(&target.schema, &target.schema, REF_DEPTH);
        let accepted = (0..16)
            .filter(|_| {
                let value = valid.new_tree(&mut runner).unwrap().current();
                let call = ToolCall::new("c", target.name.as_str(), value.to_string());
                let output = quietly(|| runtime.block_on(registry.dispatch(&call)));
                !output.content.starts_with("invalid arguments")
            })
            .count();
        assert!(accepted >= 8, "`{}`: {accepted} of 16", target.name);
    }
}
