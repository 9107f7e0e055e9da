//! Schema and dispatcher agree (docs/design.md, "Schemas"): whatever the schema allows, dispatch
//! accepts; whatever dispatch rejects, the schema forbids where JSON Schema can express it.
//!
//! For every catalogue tool, proptest generates argument objects from the tool's own plain
//! schema, biased toward near misses: the right keys with values that mostly fit, boundary
//! integers on both sides of each width, nulls, missing keys, extra keys and values of the
//! wrong type. Each is validated against the exported plain and strict schemas (the
//! `jsonschema` crate, draft 2020-12) and dispatched. Catalogue tools never fail on
//! arguments they can parse, so any error output is a refusal of the arguments.

use crate::support::{rich_signatures, schema_values, signatures};

use std::cell::RefCell;
use std::collections::BTreeMap;

use jsonschema::error::ValidationErrorKind;
use jsonschema::Validator;
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};
use tool_runtime::format::SchemaForm;
use tool_runtime::{ToolCall, ToolDefinition, ToolFormat, ToolOutput, ToolRegistry};

const CASES_PER_TOOL: u32 = 256;

/// How deep generated values follow a recursive `$ref`.
const MAX_DEPTH: usize = 3;

fn dispatch(registry: &ToolRegistry, name: &str, arguments: &str) -> ToolOutput {
    futures::executor::block_on(registry.dispatch(&ToolCall::new("call_1", name, arguments)))
}

fn validator(schema: &Value) -> Validator {
    jsonschema::draft202012::new(schema)
        .unwrap_or_else(|error| panic!("not a valid JSON Schema ({error}):\n{schema:#}"))
}

// ---------------------------------------------------------------------------------------
// Generating near-valid arguments from a schema

/// Values of the wrong kind for most places, `null` among them.
fn stray_value() -> BoxedStrategy<Value> {
    prop::sample::select(vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(256),
        json!(1.5),
        json!(""),
        json!("text"),
        json!([]),
        json!({}),
    ])
    .boxed()
}

/// A value for `schema`: one that fits most of the time, a stray value sometimes.
fn value(schema: &Value, root: &Value, depth: usize) -> BoxedStrategy<Value> {
    prop_oneof![12 => fitting(schema, root, depth), 1 => stray_value()].boxed()
}

/// A value shaped like `schema`, often but not always valid (enums include an unknown
/// name, integers straddle their bounds, objects miss or add keys).
fn fitting(schema: &Value, root: &Value, depth: usize) -> BoxedStrategy<Value> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/$defs/").expect("a local $ref");
        return fitting(&root["$defs"][name], root, depth + 1);
    }
    if let Some(Value::Array(members)) = schema.get("anyOf") {
        return Union::new(members.iter().map(|member| fitting(member, root, depth))).boxed();
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        let mut choices = values.clone();
        choices.push(json!("kelvin"));
        return prop::sample::select(choices).boxed();
    }
    if let Some(constant) = schema.get("const") {
        return prop_oneof![5 => Just(constant.clone()), 1 => Just(json!("no_such_variant"))]
            .boxed();
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(kind)) => vec![kind.as_str()],
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => return any_json(), // `{}`: anything goes
    };
    Union::new(types.into_iter().map(|kind| match kind {
        "null" => Just(Value::Null).boxed(),
        "boolean" => any::<bool>().prop_map(Value::from).boxed(),
        "integer" => integer(schema),
        "number" => number(),
        "string" => string(schema),
        "array" => array(schema, root, depth),
        "object" => object(schema, root, depth),
        other => panic!("the generator does not know type `{other}`"),
    }))
    .boxed()
}

fn any_json() -> BoxedStrategy<Value> {
    prop_oneof![
        stray_value(),
        Just(json!({"a": null, "b": [1, "x"]})),
        Just(json!([null, {"c": 2.5}])),
    ]
    .boxed()
}

fn bound(schema: &Value, key: &str, fallback: i128) -> i128 {
    match &schema[key] {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .expect("integer bounds are integers"),
        _ => fallback,
    }
}

/// JSON has no integers beyond i64 and u64 (serde_json would read them as floats).
fn json_integer(n: i128) -> Option<Value> {
    i64::try_from(n)
        .map(Value::from)
        .or_else(|_| u64::try_from(n).map(Value::from))
        .ok()
}

/// Integers inside the bounds, and the usual suspects on both sides of every width.
///
/// Never an integral float such as `1.0`: JSON Schema counts it as an integer and serde
/// does not (see `an_integral_float_is_an_integer_to_both`).
fn integer(schema: &Value) -> BoxedStrategy<Value> {
    let min = bound(schema, "minimum", i128::from(i64::MIN));
    let max = bound(schema, "maximum", i128::from(u64::MAX));
    let mut boundaries: Vec<Value> = [
        min - 1,
        min,
        min + 1,
        max - 1,
        max,
        max + 1,
        0,
        1,
        -1,
        127,
        128,
        -128,
        -129,
        255,
        256,
        65_535,
        65_536,
        1 << 31,
        (1 << 31) - 1,
        -(1 << 31) - 1,
        1 << 32,
        (1 << 32) - 1,
        1 << 63,
        i128::from(i64::MIN),
        i128::from(u64::MAX),
    ]
    .into_iter()
    .filter_map(json_integer)
    .collect();
    boundaries.dedup();
    prop_oneof![
        2 => (min..=max).prop_map(|n| json_integer(n).expect("bounds are JSON integers")),
        1 => prop::sample::select(boundaries),
    ]
    .boxed()
}

fn number() -> BoxedStrategy<Value> {
    prop_oneof![
        (-1000i32..1000).prop_map(|n| json!(f64::from(n) + 0.5)),
        any::<i32>().prop_map(Value::from),
        Just(json!(-0.25)),
        Just(json!(1e300)),
    ]
    .boxed()
}

fn string(schema: &Value) -> BoxedStrategy<Value> {
    if schema.get("maxLength").is_some() || schema.get("minLength").is_some() {
        // Lengths count characters (code points), not bytes.
        return prop::sample::select(vec!["", "a", "Z", "é", "😀", "\n", "ab", "é😀"])
            .prop_map(Value::from)
            .boxed();
    }
    prop_oneof![
        "[a-zA-Z0-9 ,.-]{0,12}".prop_map(Value::from),
        prop::sample::select(vec!["", "Paris", "null", "1", "true", "celsius"])
            .prop_map(Value::from),
    ]
    .boxed()
}

fn array(schema: &Value, root: &Value, depth: usize) -> BoxedStrategy<Value> {
    if let Some(Value::Array(prefix)) = schema.get("prefixItems") {
        let items: Vec<BoxedStrategy<Value>> =
            prefix.iter().map(|item| value(item, root, depth)).collect();
        return (items, 0..6u8)
            .prop_map(|(mut items, change)| {
                match change {
                    0 => drop(items.pop()),
                    1 => items.push(json!(7)),
                    _ => {}
                }
                Value::Array(items)
            })
            .boxed();
    }
    if depth >= MAX_DEPTH {
        return Just(json!([])).boxed();
    }
    let item = value(&schema["items"], root, depth);
    prop::collection::vec(item, 0..3)
        .prop_map(Value::Array)
        .boxed()
}

fn object(schema: &Value, root: &Value, depth: usize) -> BoxedStrategy<Value> {
    if let Some(Value::Object(properties)) = schema.get("properties") {
        // Each property: present (mostly fitting), missing, or null.
        let members: Vec<BoxedStrategy<Option<(String, Value)>>> = properties
            .iter()
            .map(|(name, property)| {
                let name = name.clone();
                prop_oneof![
                    8 => value(property, root, depth).prop_map(Some),
                    1 => Just(None),
                    1 => Just(Some(Value::Null)),
                ]
                .prop_map(move |member| member.map(|v| (name.clone(), v)))
                .boxed()
            })
            .collect();
        let extra_key = prop::option::weighted(
            0.1,
            (
                prop::sample::select(vec!["extra", "Unit", "kind", "limit"]),
                stray_value(),
            ),
        );
        return (members, extra_key)
            .prop_map(|(members, extra)| {
                let mut object: Map<String, Value> = members.into_iter().flatten().collect();
                if let Some((key, value)) = extra {
                    object.insert(key.to_owned(), value);
                }
                Value::Object(object)
            })
            .boxed();
    }
    // A map: its values follow `additionalProperties`.
    let entry = value(&schema["additionalProperties"], root, depth);
    prop::collection::btree_map(
        prop::sample::select(vec!["a", "b", "limit", ""]).prop_map(str::to_owned),
        entry,
        0..3,
    )
    .prop_map(|map| Value::Object(map.into_iter().collect()))
    .boxed()
}

// ---------------------------------------------------------------------------------------
// The property

/// Schema errors that serde enforces too, so dispatch must refuse the arguments when the
/// plain schema reports one: an integer out of range, a value of the wrong type (other than
/// `null`, which `Option`s and defaults accept, and arrays, which serde reads as structs),
/// a missing required field, an unknown enum value, a string or tuple of the wrong length,
/// and an unknown top-level field (nested objects ignore unknown fields, as serde does).
fn enforced_by_serde(error: &jsonschema::ValidationError<'_>) -> bool {
    let instance = error.instance();
    match error.kind() {
        ValidationErrorKind::Minimum { .. }
        | ValidationErrorKind::Maximum { .. }
        | ValidationErrorKind::Required { .. }
        | ValidationErrorKind::MinLength { .. }
        | ValidationErrorKind::MaxLength { .. }
        | ValidationErrorKind::MinItems { .. }
        | ValidationErrorKind::MaxItems { .. } => true,
        ValidationErrorKind::Type { .. } | ValidationErrorKind::Enum { .. } => {
            !instance.is_null() && !instance.is_array()
        }
        ValidationErrorKind::AdditionalProperties { .. } => error.instance_path().as_str() == "",
        _ => false,
    }
}

/// What one tool's run found: how often each outcome happened, and the shortest arguments
/// seen for each kind of disagreement (every kind is reported, not only the first).
#[derive(Default)]
struct Findings {
    accepted: u32,
    rejected: u32,
    strict_valid: u32,
    disagreements: BTreeMap<String, String>,
}

impl Findings {
    fn disagree(&mut self, kind: String, example: String) {
        let shortest = self
            .disagreements
            .entry(kind)
            .or_insert_with(|| example.clone());
        if example.len() < shortest.len() {
            *shortest = example;
        }
    }
}

fn check_agreement(registry: &ToolRegistry, definition: &ToolDefinition) -> Result<(), String> {
    let name = definition.name();
    let exported = definition.export(ToolFormat::OpenAiChat, SchemaForm::Plain);
    let parameters = &exported["function"]["parameters"];
    let plain = validator(parameters);
    let strict = definition.strict_parameters().map(validator);
    let findings = RefCell::new(Findings::default());
    let mut runner = TestRunner::new(Config {
        cases: CASES_PER_TOOL,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = fitting(parameters, parameters, 0);
    runner
        .run(&strategy, |arguments| {
            let text = arguments.to_string();
            let output = dispatch(registry, name, &text);
            let accepted = !output.is_error;
            let plain_valid = plain.is_valid(&arguments);
            let strict_valid = strict.as_ref().map(|s| s.is_valid(&arguments));
            let mut findings = findings.borrow_mut();
            let example = format!("{text} -> {}", output.content);

            if !accepted && plain_valid {
                findings.disagree(
                    "the plain schema allows, dispatch refuses".into(),
                    example.clone(),
                );
            }
            if !accepted && strict_valid == Some(true) {
                findings.disagree(
                    "the strict schema allows, dispatch refuses".into(),
                    example.clone(),
                );
            }
            if accepted {
                if let Some(error) = plain.iter_errors(&arguments).find(enforced_by_serde) {
                    let kind = format!(
                        "the plain schema forbids ({} at `{}`), dispatch accepts",
                        error.kind().keyword(),
                        error.instance_path().as_str()
                    );
                    findings.disagree(kind, example);
                }
            }

            if accepted {
                findings.accepted += 1;
            } else {
                findings.rejected += 1;
            }
            if strict_valid == Some(true) {
                findings.strict_valid += 1;
            }
            Ok(())
        })
        .expect("the test never fails a case: disagreements are collected");

    let findings = findings.into_inner();
    let (accepted, rejected, strict_valid) =
        (findings.accepted, findings.rejected, findings.strict_valid);
    println!("{name}: {accepted} accepted, {rejected} rejected, {strict_valid} strict-valid");
    let mut problems: Vec<String> = findings
        .disagreements
        .into_iter()
        .map(|(kind, example)| format!("`{name}`: {kind}, e.g. {example}"))
        .collect();
    // Not vacuous: both outcomes were exercised, and strict-valid arguments were among them.
    if accepted == 0 || rejected == 0 || (strict.is_some() && strict_valid == 0) {
        problems.push(format!(
            "`{name}`: the generator is too one-sided ({accepted} accepted, {rejected} rejected, {strict_valid} strict-valid)"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn schema_and_dispatcher_agree_on_generated_arguments() {
    let registry = signatures::registry();
    let failures: Vec<String> = registry
        .definitions()
        .filter_map(|definition| check_agreement(&registry, definition).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} tools disagree:\n{}",
        failures.len(),
        registry.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// The cases JSON Schema can express, one by one

/// Asserts that both schemas (plain, and strict where there is one) reject `arguments` and
/// that dispatch refuses them as invalid arguments.
fn assert_both_reject(registry: &ToolRegistry, name: &str, arguments: &str) {
    let definition = registry.definition(name).unwrap();
    let instance: Value = serde_json::from_str(arguments).unwrap();
    assert!(
        !validator(definition.parameters()).is_valid(&instance),
        "the plain schema of `{name}` allows {arguments}"
    );
    if let Some(strict) = definition.strict_parameters() {
        assert!(
            !validator(strict).is_valid(&instance),
            "the strict schema of `{name}` allows {arguments}"
        );
    }
    let output = dispatch(registry, name, arguments);
    assert!(
        output.is_error
            && output
                .content
                .starts_with(&format!("invalid arguments for tool `{name}`: ")),
        "dispatch of `{name}` accepts {arguments}: {}",
        output.content
    );
}

/// Asserts that the plain schema and dispatch both accept `arguments`, and returns the
/// tool's output.
fn assert_both_accept(registry: &ToolRegistry, name: &str, arguments: &str) -> String {
    let definition = registry.definition(name).unwrap();
    let instance: Value = serde_json::from_str(arguments).unwrap();
    assert!(
        validator(definition.parameters()).is_valid(&instance),
        "the plain schema of `{name}` forbids {arguments}"
    );
    let output = dispatch(registry, name, arguments);
    assert!(
        !output.is_error,
        "dispatch of `{name}` refuses {arguments}: {}",
        output.content
    );
    output.content
}

#[test]
fn integer_widths_are_enforced_by_both_at_their_bounds() {
    let registry = signatures::registry();
    let unsigned = |field: &str, value: &str| {
        let mut arguments = json!({"tiny": 0, "small": 0, "medium": 0, "large": 0, "size": 0});
        arguments[field] = serde_json::from_str(value).unwrap();
        arguments.to_string()
    };
    let signed = |field: &str, value: &str| {
        let mut arguments = json!({"tiny": 0, "small": 0, "medium": 0, "large": 0});
        arguments[field] = serde_json::from_str(value).unwrap();
        arguments.to_string()
    };
    for (field, inside, outside) in [
        ("tiny", ["0", "255"], ["-1", "256"]),
        ("small", ["0", "65535"], ["-1", "65536"]),
        ("medium", ["0", "4294967295"], ["-1", "4294967296"]),
        (
            "large",
            ["0", "18446744073709551615"],
            ["-1", "-9223372036854775808"],
        ),
        ("size", ["0", "18446744073709551615"], ["-1", "-129"]),
    ] {
        for value in inside {
            assert_both_accept(&registry, "unsigned_widths", &unsigned(field, value));
        }
        for value in outside {
            assert_both_reject(&registry, "unsigned_widths", &unsigned(field, value));
        }
    }
    for (field, inside, outside) in [
        ("tiny", ["-128", "127"], ["-129", "128"]),
        ("small", ["-32768", "32767"], ["-32769", "32768"]),
        (
            "medium",
            ["-2147483648", "2147483647"],
            ["-2147483649", "2147483648"],
        ),
        (
            "large",
            ["-9223372036854775808", "9223372036854775807"],
            ["9223372036854775808", "18446744073709551615"],
        ),
    ] {
        for value in inside {
            assert_both_accept(&registry, "signed_widths", &signed(field, value));
        }
        for value in outside {
            assert_both_reject(&registry, "signed_widths", &signed(field, value));
        }
    }
    assert_both_accept(&registry, "count_down", r#"{"count": 1}"#);
    assert_both_accept(&registry, "count_down", r#"{"count": 4294967295}"#);
    assert_both_reject(&registry, "count_down", r#"{"count": 0}"#);
    assert_both_reject(&registry, "count_down", r#"{"count": 4294967296}"#);
    assert_both_reject(&registry, "move_to", r#"{"point": [2147483648, 0]}"#);
    assert_both_reject(
        &registry,
        "set_labels",
        r#"{"labels": {}, "limits": {"a": 65536}}"#,
    );
    assert_both_reject(&registry, "lookup", r#"{"target": -1}"#);
}

#[test]
fn wrong_types_are_refused_by_both() {
    let registry = signatures::registry();
    for (name, arguments) in [
        ("toggle", r#"{"enabled": "true", "label": "x"}"#),
        ("toggle", r#"{"enabled": true, "label": 5}"#),
        ("scale", r#"{"factor": "1.5", "offset": 0}"#),
        (
            "signed_widths",
            r#"{"tiny": 1.5, "small": 0, "medium": 0, "large": 0}"#,
        ),
        ("initial_of", r#"{"letter": 7}"#),
        ("initial_of", r#"{"letter": "ab"}"#),
        ("initial_of", r#"{"letter": ""}"#),
        ("summarize", r#"{"values": [1, "2"], "names": []}"#),
        ("summarize", r#"{"values": 1, "names": []}"#),
        ("search", r#"{"query": "q", "tags": "a,b"}"#),
        ("move_to", r#"{"point": [1, 2, 3]}"#),
        ("move_to", r#"{"point": [1]}"#),
        ("create_event", r#"{"event": "tomorrow"}"#),
        ("get_current_weather", r#"{"location": null}"#),
        ("get_current_weather", r#"["Paris"]"#),
        ("get_current_weather", r#""Paris""#),
    ] {
        assert_both_reject(&registry, name, arguments);
    }
}

/// Arguments are an object (`"type": "object"` at the root). An array is the wrong type
/// even when serde could read it as the fields in order.
#[test]
fn positional_arguments_are_refused_by_both() {
    let registry = signatures::registry();
    for (name, arguments) in [
        ("get_current_weather", r#"["Paris", null]"#),
        ("book_flight", r#"["CDG", "JFK", "2026-01-02", 2]"#),
    ] {
        assert_both_reject(&registry, name, arguments);
    }
}

#[test]
fn missing_required_fields_are_refused_by_both() {
    let registry = signatures::registry();
    for (name, arguments) in [
        ("get_current_weather", r#"{"unit": "celsius"}"#),
        ("get_current_weather", "{}"),
        (
            "book_flight",
            r#"{"to": "CDG", "from": "JFK", "date": "2026-01-02"}"#,
        ),
        ("store", r#"{"key": "k"}"#),
        (
            "create_event",
            r#"{"event": {"title": "t", "location": {"floor": 2}, "attendees": []}}"#,
        ),
        ("render", r#"{"settings": {"charts": true}}"#),
        ("count_nodes", r#"{"tree": {"children": []}}"#),
        ("draw", r#"{"shape": {"Circle": {}}}"#),
    ] {
        assert_both_reject(&registry, name, arguments);
    }
}

#[test]
fn unknown_enum_values_are_refused_by_both() {
    let registry = signatures::registry();
    for (name, arguments) in [
        (
            "get_current_weather",
            r#"{"location": "Paris", "unit": "kelvin"}"#,
        ),
        (
            "get_current_weather",
            r#"{"location": "Paris", "unit": "Celsius"}"#,
        ),
        ("paint", r#"{"color": "purple"}"#),
        ("set_priority", r#"{"task": 1, "priority": "high"}"#),
        ("list_files", r#"{"path": "/", "order": "date"}"#),
        ("schedule", r#"{"task": "t", "fallback": "whenever"}"#),
        ("draw", r#"{"shape": "Square"}"#),
        ("draw", r#"{"shape": {"Triangle": {}}}"#),
        ("perform", r#"{"action": {"kind": "jump"}}"#),
        (
            "perform",
            r#"{"action": {"kind": "MoveTo", "x": 1, "y": 2}}"#,
        ),
    ] {
        assert_both_reject(&registry, name, arguments);
    }
}

#[test]
fn unknown_top_level_fields_are_refused_by_both() {
    let registry = signatures::registry();
    for (name, arguments) in [
        (
            "get_current_weather",
            r#"{"location": "Paris", "units": "celsius"}"#,
        ),
        ("ping", r#"{"verbose": true}"#),
        ("store", r#"{"key": "k", "value": 1, "ttl": 60}"#),
        (
            "update_profile",
            r#"{"profile": {"displayName": "A"}, "email": "a@b.c"}"#,
        ),
        // Renamed: the Rust name is unknown to both.
        ("update_profile", r#"{"profile": {"display_name": "A"}}"#),
    ] {
        assert_both_reject(&registry, name, arguments);
    }
}

/// `null` means "absent" for the fields a tool has; a field it does not have is still
/// unknown, whatever its value (docs/design.md: unknown arguments are an error).
#[test]
fn an_unknown_field_is_refused_even_when_null() {
    let registry = signatures::registry();
    for (name, arguments) in [
        ("ping", r#"{"verbose": null}"#),
        (
            "get_current_weather",
            r#"{"location": "Paris", "units": null}"#,
        ),
        // Were it accepted, the nulls inside the document would be lost with it.
        (
            "store",
            r#"{"key": "k", "value": {"a": null}, "ttl": null}"#,
        ),
    ] {
        assert_both_reject(&registry, name, arguments);
    }
}

/// The strict form's nulls keep the meaning of omission: `None` for options, the default
/// for defaults, at the top level and inside user types.
#[test]
fn strict_nulls_mean_what_omission_means() {
    let registry = signatures::registry();
    for (name, with_nulls, omitted, expected) in [
        (
            "get_current_weather",
            r#"{"location": "Paris", "unit": null}"#,
            r#"{"location": "Paris"}"#,
            "Paris None",
        ),
        (
            "list_files",
            r#"{"path": "/tmp", "limit": null, "recursive": null, "order": null}"#,
            r#"{"path": "/tmp"}"#,
            "/tmp 10 false Name",
        ),
        (
            "schedule",
            r#"{"task": "t", "priority": null, "fallback": null}"#,
            r#"{"task": "t"}"#,
            "t Normal None",
        ),
        (
            "render",
            r#"{"settings": {"title": "T", "charts": null, "rows": null}}"#,
            r#"{"settings": {"title": "T"}}"#,
            r#"Settings { title: "T", charts: false, rows: 50 }"#,
        ),
        (
            "count_nodes",
            r#"{"tree": {"label": "a", "children": [{"label": "b", "children": null}]}}"#,
            r#"{"tree": {"label": "a", "children": [{"label": "b"}]}}"#,
            "2 ",
        ),
        (
            "update_profile",
            r#"{"profile": {"displayName": "A", "e-mail": null, "birthYear": null}}"#,
            r#"{"profile": {"displayName": "A"}}"#,
            r#"Profile { display_name: "A", email_address: None, birth_year: None }"#,
        ),
    ] {
        let definition = registry.definition(name).unwrap();
        let strict = definition.strict_parameters().expect("a strict tool");
        let instance: Value = serde_json::from_str(with_nulls).unwrap();
        assert!(
            validator(strict).is_valid(&instance),
            "the strict schema of `{name}` forbids {with_nulls}"
        );
        let with_nulls_output = dispatch(&registry, name, with_nulls);
        let omitted_output = assert_both_accept(&registry, name, omitted);
        assert!(!with_nulls_output.is_error, "{}", with_nulls_output.content);
        assert_eq!(with_nulls_output.content, omitted_output, "`{name}`");
        assert!(
            omitted_output.starts_with(expected),
            "`{name}`: {omitted_output}"
        );
    }
}

/// JSON Schema (2020-12) defines an integer as a number with no fractional part, so `1.0`
/// and `2e2` are integers to every schema we export, and models do send them. A model that
/// follows the schema must not be told its arguments are wrong.
#[test]
fn an_integral_float_is_an_integer_to_both() {
    let registry = signatures::registry();
    for (name, arguments) in [
        (
            "unsigned_widths",
            r#"{"tiny": 1.0, "small": 2e2, "medium": 3, "large": 4, "size": 5}"#,
        ),
        (
            "book_flight",
            r#"{"to": "CDG", "from": "JFK", "date": "2026-01-02", "adults": 2.0}"#,
        ),
        ("get_current_weather", r#"{"location": "Paris"}"#),
    ] {
        assert_both_accept(&registry, name, arguments);
    }
}

// ---------------------------------------------------------------------------------------
// Whatever the exported schemas allow, dispatch accepts

/// Cases per tool and schema form: each is generated from the schema itself
/// (`support/schema_values.rs`), so this explores what the schema allows, edges first.
const ALLOWED_CASES_PER_TOOL: u32 = 96;

/// The exported parameter schemas of a tool: the plain form, and the strict form that
/// `ToolFormat::OpenAiChat` export gives when the tool is strict.
fn exported_forms(definition: &ToolDefinition) -> Vec<(&'static str, Value)> {
    let plain = definition.export(ToolFormat::OpenAiChat, SchemaForm::Plain);
    let mut forms = vec![("plain", plain["function"]["parameters"].clone())];
    let declared = definition.export(ToolFormat::OpenAiChat, SchemaForm::Declared);
    if declared["function"]["strict"] == json!(true) {
        forms.push(("strict", declared["function"]["parameters"].clone()));
    }
    forms
}

/// Runs the generator over each exported form of one tool; any argument object the form
/// allows (by the `jsonschema` validator) and dispatch refuses is a disagreement.
fn check_allowed_are_accepted(
    registry: &ToolRegistry,
    definition: &ToolDefinition,
) -> Result<(), String> {
    let name = definition.name();
    let problems = RefCell::new(BTreeMap::new());
    for (form, schema) in exported_forms(definition) {
        let validator = validator(&schema);
        let mut runner = TestRunner::new(Config {
            cases: ALLOWED_CASES_PER_TOOL,
            failure_persistence: None,
            ..Config::default()
        });
        let allowed = RefCell::new(0u32);
        runner
            .run(&schema_values::allowed_values(&schema), |arguments| {
                if !validator.is_valid(&arguments) {
                    return Ok(());
                }
                *allowed.borrow_mut() += 1;
                let text = arguments.to_string();
                let output = dispatch(registry, name, &text);
                if output.is_error {
                    let example = format!("{text} -> {}", output.content);
                    let mut problems = problems.borrow_mut();
                    let shortest = problems
                        .entry(format!("the {form} schema allows, dispatch refuses"))
                        .or_insert_with(|| example.clone());
                    if example.len() < shortest.len() {
                        *shortest = example;
                    }
                }
                Ok(())
            })
            .expect("the test never fails a case: disagreements are collected");
        // Not vacuous: many generated values are allowed by the schema they came from (the
        // rest, such as keys a pattern refuses, are left out).
        let allowed = allowed.into_inner();
        if allowed < ALLOWED_CASES_PER_TOOL / 4 {
            problems.borrow_mut().insert(
                format!("the generator is off for the {form} schema"),
                format!("{allowed} of {ALLOWED_CASES_PER_TOOL} values allowed"),
            );
        }
    }
    let problems = problems.into_inner();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems
            .into_iter()
            .map(|(kind, example)| format!("`{name}`: {kind}, e.g. {example}"))
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

/// docs/design.md, "Schemas": every argument object an exported schema (plain, or strict
/// where the tool is strict) allows is accepted by dispatch, for both catalogues: the
/// shapes of `support/signatures.rs` and the rich ones of `support/rich_signatures.rs`.
#[test]
fn dispatch_accepts_whatever_the_exported_schemas_allow() {
    let mut failures = Vec::new();
    let mut tools = 0;
    for registry in [signatures::registry(), rich_signatures::rich_registry()] {
        tools += registry.len();
        failures.extend(
            registry
                .definitions()
                .filter_map(|definition| check_allowed_are_accepted(&registry, definition).err()),
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {tools} tools disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The lenient path (an integral float, a `null`) picks an enum's variant by its tag first:
/// adjacently and internally tagged variants share their other keys.
#[test]
fn the_tag_picks_the_variant_the_lenient_path_reads() {
    let registry = rich_signatures::rich_registry();
    for (name, arguments, expected) in [
        (
            "send_message",
            r#"{"msg": {"t": "Num", "c": 3.0}}"#,
            "Num(3)",
        ),
        (
            "send_message",
            r#"{"msg": {"t": "Pair", "c": {"a": 1.0, "b": null}}}"#,
            "Pair { a: 1, b: None }",
        ),
        (
            "place_figure",
            r#"{"figure": {"kind": "Square", "side": 2.0, "filled": null}, "copies": null}"#,
            "Square { side: 2, filled: false } x1",
        ),
        (
            "place_figure",
            r#"{"figure": {"kind": "Rect", "side": 2, "other": 3.0, "filled": null, "note": null}, "copies": null}"#,
            "Rect { side: 2, other: 3, filled: false, note: None } x1",
        ),
        (
            "place_figure",
            r#"{"figure": {"kind": "Labelled", "text": "a", "size": null}, "copies": 2.0}"#,
            r#"Labelled(Label { text: "a", size: 0 }) x2"#,
        ),
        (
            "browse",
            r#"{"request": {"query": "q", "offset": 2.0, "limit": null, "order": "by_score", "min_score": -1.0}}"#,
            r#"Request { query: "q", paging: Paging { offset: 2, limit: None }, ordering: ByScore { min_score: -1 } } None"#,
        ),
        (
            "browse",
            r#"{"request": {"query": "q", "order": "by_name"}, "fallback": {"query": "r", "offset": 2.0, "limit": null, "order": "by_name", "descending": null}}"#,
            r#"Request { query: "q", paging: Paging { offset: 0, limit: None }, ordering: ByName { descending: None } } Some(Request { query: "r", paging: Paging { offset: 2, limit: None }, ordering: ByName { descending: None } })"#,
        ),
        (
            "write_report",
            r#"{"report": {"title": null, "order": "by_name", "view": "Table", "columns": 54.0}}"#,
            "Report { title: None, ordering: ByName { descending: None }, view: Table(54) }",
        ),
    ] {
        // The nulls are the strict form's; the rest is plain too.
        let instance: Value = serde_json::from_str(arguments).unwrap();
        let allowed = exported_forms(registry.definition(name).unwrap())
            .iter()
            .any(|(_, schema)| validator(schema).is_valid(&instance));
        assert!(allowed, "no exported schema of `{name}` allows {arguments}");
        let output = dispatch(&registry, name, arguments);
        assert!(!output.is_error, "{arguments}: {}", output.content);
        assert_eq!(output.content, expected);
    }
}

/// A key of an integer-keyed map is read as a JSON number: the schema's pattern allows the
/// canonical decimal form only, within 32 bits (schemars' map schema does not say the
/// width; see `integer_key_patterns` in tool-runtime/src/schema/clean.rs).
#[test]
fn integer_map_keys_are_what_serde_reads() {
    let registry = rich_signatures::rich_registry();
    let with = |names: &str, offsets: &str| {
        format!(r#"{{"names": {names}, "flags": {{}}, "offsets": {offsets}, "balances": {{}}}}"#)
    };
    for key in ["0", "7", "4294967295"] {
        let names = format!(r#"{{"{key}": "x"}}"#);
        assert_both_accept(&registry, "index_by_number", &with(&names, "{}"));
    }
    for key in ["-2147483648", "2147483647", "0", "-1"] {
        let offsets = format!(r#"{{"{key}": 1}}"#);
        assert_both_accept(&registry, "index_by_number", &with("{}", &offsets));
    }
    for key in [
        "4294967296",
        "00",
        "01",
        "+1",
        "-0",
        "1.0",
        "1e3",
        " 1",
        "٣",
        "-1",
        "",
    ] {
        let names = format!(r#"{{"{key}": "x"}}"#);
        assert_both_reject(&registry, "index_by_number", &with(&names, "{}"));
    }
    for key in ["-2147483649", "2147483648", "-0", "-01", "--1"] {
        let offsets = format!(r#"{{"{key}": 1}}"#);
        assert_both_reject(&registry, "index_by_number", &with("{}", &offsets));
    }
}

/// The known gap: a `u8`- or `u16`-keyed map's schema allows the 32-bit keys (the width is
/// not in schemars' map schema), and dispatch refuses a key past the width, by its path.
#[test]
fn a_narrow_integer_key_past_its_width_is_refused_by_dispatch_only() {
    use std::collections::BTreeMap;

    /// Count by small key.
    ///
    /// # Arguments
    /// * `counts` - Counts by 8-bit key.
    #[tool_runtime::tool]
    fn narrow_keys(counts: BTreeMap<u8, u8>) -> String {
        format!("{counts:?}")
    }

    let mut registry = ToolRegistry::new();
    registry.register(NarrowKeys).unwrap();
    let definition = registry.definition("narrow_keys").unwrap();
    let arguments = r#"{"counts": {"256": 1}}"#;
    assert!(validator(definition.parameters()).is_valid(&serde_json::from_str(arguments).unwrap()));
    let output = dispatch(&registry, "narrow_keys", arguments);
    assert!(output.is_error, "{}", output.content);
    assert!(
        output.content.contains("counts") && output.content.contains("u8"),
        "{}",
        output.content
    );
    assert_both_accept(&registry, "narrow_keys", r#"{"counts": {"255": 1}}"#);
}

/// `i128` and `u128` parameters: the schema says the 64-bit range, which dispatch accepts
/// on the well-formed path and on the lenient one (`a: 1.0` takes it).
#[test]
fn wide_integers_take_the_64_bit_range_on_every_path() {
    let registry = rich_signatures::rich_registry();
    let signed = |e: &str, a: &str| {
        format!(r#"{{"a": {a}, "b": 0, "c": 0, "d": 0, "e": {e}, "f": 0, "g": {e}}}"#)
    };
    let unsigned = |e: &str, a: &str| {
        format!(r#"{{"a": {a}, "b": 0, "c": 0, "d": 0, "e": {e}, "f": 0, "g": {e}}}"#)
    };
    for a in ["1", "1.0"] {
        for e in ["-9223372036854775808", "18446744073709551615", "0"] {
            assert_both_accept(&registry, "every_signed_width", &signed(e, a));
        }
        for e in ["0", "18446744073709551615"] {
            assert_both_accept(&registry, "every_unsigned_width", &unsigned(e, a));
        }
    }
    let definition = registry.definition("every_signed_width").unwrap();
    let past: Value = serde_json::from_str(&signed("18446744073709551616", "1")).unwrap();
    assert!(!validator(definition.parameters()).is_valid(&past));
}
